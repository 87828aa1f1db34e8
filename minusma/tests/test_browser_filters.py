"""In a real browser: a filter box suggests names as one types, and a filtered list's address holds only the filters
that are set."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from events.tests.factories import IncidentFactory, PlaceAliasFactory, PlaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def places():
    """Kidal with an incident, the Kidal region (also called “Kidal”) and Ségou with one each."""
    kidal = PlaceFactory(name="Kidal", slug="kidal")
    region = PlaceFactory(name="Kidal Region", slug="kidal-region", kind="region")
    PlaceAliasFactory(place=region, name="Kidal")
    segou = PlaceFactory(name="Ségou", slug="segou")
    return [
        IncidentFactory(title="Attack on the camp in Kidal", place=kidal),
        IncidentFactory(title="Ambush in the Kidal region", place=region),
        IncidentFactory(title="Attack in Ségou", place=segou),
    ]


def _titles(page):
    return page.locator("table.record-list tbody td[data-label='Incident'] a")


def test_typing_a_place_name_suggests_places_and_picking_one_filters_by_its_slug(page, places):
    """Typing “kid” offers Kidal and the Kidal region; picking the region and applying filters the list to it,
    with the region's slug the only parameter in the address."""
    page.goto("/incidents/")
    expect(_titles(page)).to_have_count(3)
    box = page.locator("form.list-filters").get_by_role("combobox", name="Place")
    box.press_sequentially("kid", delay=50)

    options = page.locator("#id_place__listbox").get_by_role("option")
    expect(options).to_have_text(["Kidal", "Kidal Region"])
    options.filter(has_text="Kidal Region").click()
    expect(box).to_have_value("Kidal Region")
    page.locator("form.list-filters").get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"/incidents/\?place=kidal-region$"))
    expect(_titles(page)).to_have_text(["Ambush in the Kidal region"])


def test_a_name_typed_without_choosing_is_resolved_and_the_address_has_no_empty_parameter(page, places):
    """Typing “segou” (no accent) without choosing a suggestion filters to Ségou; no empty parameter is sent."""
    page.goto("/incidents/")
    filters = page.locator("form.list-filters")
    filters.get_by_role("combobox", name="Place").fill("segou")
    filters.get_by_label("Incident type").select_option(label="Attack on a base or camp")
    filters.get_by_role("button", name="Apply filters").click()

    expect(_titles(page)).to_have_text(["Attack in Ségou"])
    query = parse_qsl(urlsplit(page.url).query, keep_blank_values=True)
    assert query == [("incident_type", "attack_on_base"), ("place", "segou")]

    page.go_back()
    expect(page).to_have_url(re.compile(r"/incidents/$"))
    expect(filters.get_by_role("button", name="Apply filters")).to_be_enabled()
    expect(filters.get_by_label("Incident type")).to_be_enabled()

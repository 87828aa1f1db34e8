"""In a real browser, on the corpus: the five questions a new researcher asked (issue 13), each answered from the home
page in three clicks or fewer without knowing a slug. Each test counts its clicks (a typed search submitted with
Enter counts as one) and checks the answer is on the page it ends on.

Set MINUSMA_SCREENSHOTS=<folder> to keep a screenshot of each answer (as the closing note of issue 13 describes)."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

MOST_CLICKS = 3


@pytest.fixture
def corpus_loaded(transactional_db):
    from common import corpus

    corpus.load(corpus.fixture_paths(Path(settings.BASE_DIR) / "fixtures"))


class Walk:
    """The researcher's clicks from the home page, counted."""

    def __init__(self, page):
        self.page, self.clicks = page, 0
        page.goto("/")

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def search(self, box, words: str) -> None:
        box.fill(words)
        box.press("Enter")
        self.clicks += 1

    def answered(self, name: str) -> None:
        assert self.clicks <= MOST_CLICKS, f"{name}: {self.clicks} clicks"
        folder = os.environ.get("MINUSMA_SCREENSHOTS")
        if folder:
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def test_attacks_near_kidal_and_their_dead(page, corpus_loaded):
    """Search "Kidal", choose the town: its page lists the incidents there and in places within, with the killed."""
    walk = Walk(page)
    walk.search(page.get_by_label("Search articles, quotes, actors, contingents, incidents and places"), "Kidal")
    walk.click(page.get_by_role("link", name="Kidal", exact=True).first)
    expect(page.get_by_role("heading", name="Incidents here and in places within (4)")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Suicide vehicle bomb and rocket attack on MINUSMA camp in Kidal")
    expect(row.locator("td[data-label='Killed']")).to_have_text("1")
    walk.answered("1-kidal")


def test_who_contributed_troops_and_how_chads_fared(page, corpus_loaded):
    """Contingents lists every contributor by country name; Chad's contingent leads to Chad, whose page lists its
    peacekeepers killed."""
    walk = Walk(page)
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Contingents"))
    countries = page.locator("td[data-label='Country']")
    expect(countries.first).to_have_text("Benin")  # by country name, not ISO code
    walk.click(countries.filter(has_text="Chad").first.get_by_role("link"))
    walk.click(page.locator("main").get_by_role("link", name="Chad", exact=True).first)
    victims = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("Incidents in which Chad’s people were victims"))
    )
    row = victims.get_by_role("row").filter(has_text="Landmine and Ansar Dine fire kill five Chadian peacekeepers")
    expect(row.locator("td[data-label='Killed']")).to_have_text("5")
    walk.answered("2-chad")


def test_what_un_officials_said(page, corpus_loaded):
    """Quotes, then the speakers' organisation "United Nations": the UN's people's words, verbatim."""
    walk = Walk(page)
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Quotes"))
    facet = page.locator("section.facet").filter(has=page.get_by_role("heading", name="Speaker’s organisation"))
    walk.click(facet.get_by_role("link", name="United Nations"))
    expect(page).to_have_url(re.compile(r"speaker_organisation=united-nations"))
    expect(page.get_by_text("No mission has been as costly in terms of blood")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Hervé Ladsous")
    walk.answered("3-un-officials")


def test_incidents_per_year_and_on_a_map(page, corpus_loaded):
    """The timeline counts incidents per year (its default over a span of years); the map draws them."""
    walk = Walk(page)
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline"))
    expect(page.get_by_text("Incidents per year, by type", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="2016: 1 × Landmine")).to_be_attached()
    walk.answered("4a-timeline")
    walk = Walk(page)
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Map"))
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    expect(page.locator(".leaflet-control.map-legend")).to_be_visible()
    walk.answered("4b-map")


def test_export_and_cite(page, corpus_loaded):
    """Incidents, then CSV: the download; an article, then Cite: its reference, ready to copy."""
    walk = Walk(page)
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents"))
    with page.expect_download() as download:
        walk.click(page.locator("main").get_by_role("link", name="CSV", exact=True).first)
    assert download.value.suggested_filename.endswith(".csv")
    walk.answered("5a-export")
    walk = Walk(page)
    walk.click(page.get_by_role("link", name="Why Mali Is the Deadliest Nation for UN Peacekeepers").first)
    walk.click(page.get_by_text("Cite this article"))
    expect(page.get_by_label("BibTeX")).to_contain_text("@article")
    walk.answered("5b-cite")

"""In a real browser: list pages on a phone show rows first, on a desktop the filters beside tables whose dates do
not wrap; the article reader keeps its quotes in the margin and centres a linked passage; the site's navigation
leads to the API and the data downloads."""

import datetime

import pytest
from playwright.sync_api import expect

from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import IncidentActorFactory, IncidentFactory, PlaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def incidents():
    """Enough incidents, places and actors for every filter and facet to have options."""
    made = []
    for number in range(12):
        day = datetime.date(2016, 1 + number % 12, 1 + number)
        incident = IncidentFactory(
            place=PlaceFactory(name=f"Place {number}"),
            date_from=day,
            date_to=day + datetime.timedelta(days=30 * (number % 2)),  # every other one a range of dates
            date_precision="days" if number % 2 else "day",
        )
        IncidentActorFactory(incident=incident)
        made.append(incident)
    return made


def open_page(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_on_a_phone_the_first_row_is_above_the_fold_and_the_filters_open_on_demand(browser, live_server, incidents):
    context, page = open_page(browser, live_server, PHONE)
    try:
        page.goto("/incidents/")
        first_row = page.locator("table.record-list tbody tr").first
        expect(first_row).to_be_visible()
        box = first_row.bounding_box()
        assert box["y"] < PHONE["height"], f"the first row starts {box['y']:.0f} px down, below the fold"
        filters = page.locator("form.list-filters")
        expect(filters).to_be_hidden()
        summary = page.locator("details.list-controls > summary")
        summary.focus()
        page.keyboard.press("Enter")  # a disclosure opens from the keyboard
        expect(filters).to_be_visible()
        expect(page.locator("section.facets")).to_be_visible()
    finally:
        context.close()


def test_on_a_desktop_the_filters_sit_beside_a_table_whose_dates_do_not_wrap(browser, live_server, incidents):
    context, page = open_page(browser, live_server, DESKTOP)
    try:
        page.goto("/incidents/")
        filters = page.locator("form.list-filters")
        expect(filters).to_be_visible()  # opened by static/js/list-controls.js on a wide screen
        table = page.locator("table.record-list").bounding_box()
        assert filters.bounding_box()["x"] + filters.bounding_box()["width"] <= table["x"]
        line_height = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
        dates = page.locator("table.record-list td[data-label='Date'] .date")
        assert dates.count() == len(incidents)
        for index in range(dates.count()):
            assert dates.nth(index).bounding_box()["height"] < 1.5 * line_height, dates.nth(index).inner_text()
    finally:
        context.close()


def test_the_navigation_leads_to_the_api_and_the_data_downloads(page):
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="API", exact=True)).to_have_attribute("href", "/api/v1/docs/")
    nav.get_by_role("link", name="Data downloads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data downloads")
    expect(page.get_by_role("link", name="GeoJSON").first).to_be_visible()


def test_the_reader_keeps_the_quotes_beside_the_text_and_centres_a_linked_passage(browser, live_server):
    paragraph = "Peacekeepers patrolled the road between Gao and Kidal again that week. " * 12
    body = "\n\n".join([paragraph] * 8 + ["The attack on the camp in Kidal killed two peacekeepers."] + [paragraph] * 8)
    article = ArticleFactory(body=body)
    start = body.index("The attack on the camp")
    QuoteFactory(article=article, text=body[:20])
    context, page = open_page(browser, live_server, DESKTOP)
    try:
        page.goto(f"{article.get_absolute_url()}?passage={start}-{start + 30}#passage")
        passage = page.locator("#passage")
        expect(passage).to_be_visible()
        top = passage.bounding_box()["y"]
        assert DESKTOP["height"] * 0.25 < top < DESKTOP["height"] * 0.6, f"the passage is {top:.0f} px down"
        text = page.locator(".reader-columns > .body").bounding_box()
        margin = page.locator(".reader-margin").bounding_box()
        assert margin["x"] >= text["x"] + text["width"], "the quotes are beside the text, on its right"
        assert 0 <= margin["y"] < DESKTOP["height"] / 2, "the quotes stay in view beside the passage"
        expect(page.locator(".reader-margin").get_by_role("heading", name="Who is quoted")).to_be_in_viewport()
    finally:
        context.close()


def test_a_printed_article_is_its_text_then_its_quotes_without_the_sites_controls(browser, live_server):
    """The print stylesheet: no navigation, Cite control or data links on paper; the quotes' margin follows the text
    (one column) in full, with the address of each quote's page written out."""
    body = "Peacekeepers patrolled the road between Gao and Kidal again that week. " * 40
    article = ArticleFactory(body=body)
    quote = QuoteFactory(article=article, text=body[:20])
    context, page = open_page(browser, live_server, DESKTOP)
    try:
        page.goto(article.get_absolute_url())
        expect(page.locator(".site-header nav")).to_be_visible()
        page.emulate_media(media="print")
        for control in [".site-header nav", "details.cite", ".record-data", ".site-footer"]:
            expect(page.locator(control).first).to_be_hidden()
        text = page.locator(".reader-columns > .body").bounding_box()
        margin = page.locator(".reader-margin").bounding_box()
        assert margin["y"] >= text["y"] + text["height"], "the quotes come after the text"
        link = page.locator(f".reader-margin a[href='{quote.get_absolute_url()}']")
        after = link.evaluate("element => getComputedStyle(element, '::after').content")
        assert quote.get_absolute_url() in after
    finally:
        context.close()

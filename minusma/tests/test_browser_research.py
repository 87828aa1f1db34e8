"""In a real browser: a researcher searches, filters and exports incidents, and reads an article's quotes."""

import csv
import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import IncidentFactory, PlaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

FILTERS = {"date_from": "2016-01-01", "date_to": "2016-12-31", "incident_type": "suicide_attack"}
# The two incidents FILTERS select, in the list's default order (latest first).
MATCHING_TITLES = [
    "Suicide car bomb at the MINUSMA camp in Gao",
    "Suicide attack on the MINUSMA camp in Kidal",
]


def _incident(title: str, incident_type: str, day: datetime.date, place_name: str):
    return IncidentFactory(
        title=title,
        incident_type=incident_type,
        date_as_written=day.strftime("%b. %d, %Y"),
        date_from=day,
        date_to=day,
        place=PlaceFactory(name=place_name),
    )


@pytest.fixture
def incidents():
    """Two suicide attacks in 2016, plus one of another type in 2016 and one suicide attack in 2017."""
    return [
        _incident("Suicide attack on the MINUSMA camp in Kidal", "suicide_attack", datetime.date(2016, 2, 12), "Kidal"),
        _incident("Suicide car bomb at the MINUSMA camp in Gao", "suicide_attack", datetime.date(2016, 5, 31), "Gao"),
        _incident("Rocket fire on the MINUSMA camp in Kidal", "indirect_fire", datetime.date(2016, 6, 8), "Kidal"),
        _incident(
            "Suicide attack on the joint patrol camp in Gao", "suicide_attack", datetime.date(2017, 1, 18), "Gao"
        ),
    ]


def _incident_titles(page):
    return page.locator("table.record-list tbody td[data-label='Incident'] a")


def _apply_filters(page) -> None:
    """Set FILTERS with the list's own controls: the date pickers, the type select and the Apply button."""
    filters = page.locator("form.list-filters")
    filters.get_by_label("Date from").fill(FILTERS["date_from"])
    filters.get_by_label("Date to").fill(FILTERS["date_to"])
    filters.get_by_label("Incident type").select_option(label="Suicide attack")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"incident_type=suicide_attack"))


def test_search_marks_the_words_and_links_to_the_record(page):
    """Searching “Kidal” from the search box lists the article with the word marked, linked to its reader."""
    article = ArticleFactory(title="The UN’s Mission in Mali Is on Tenterhooks")
    ArticleFactory(
        title="Security Council renews the mission’s mandate",
        body="The Security Council renewed the mandate of the mission for another year on Thursday.",
    )

    page.goto("/search/")
    page.get_by_label("Search articles, quotes, actors, contingents, incidents and places").fill("Kidal")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=Kidal$"))
    articles = page.locator("section[aria-labelledby='results-article']")
    expect(articles.get_by_role("heading")).to_have_text("Articles (1)")
    result = articles.locator("li")
    expect(result.locator("mark")).to_have_text(["Kidal"])
    link = result.get_by_role("link", name=article.title)
    expect(link).to_have_attribute("href", article.get_absolute_url())
    expect(page.get_by_text("Security Council renews the mission’s mandate")).to_have_count(0)

    link.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(article.get_absolute_url())}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)


def test_incident_filters_apply_survive_a_reload_and_go_back(page, incidents):
    """Filtering by dates and type shows only the matching incidents, keeps them in the URL, and Back undoes it."""
    page.goto("/incidents/")
    expect(_incident_titles(page)).to_have_count(4)

    _apply_filters(page)

    query = parse_qs(urlsplit(page.url).query)
    assert {name: query[name] for name in FILTERS} == {name: [value] for name, value in FILTERS.items()}
    expect(_incident_titles(page)).to_have_text(MATCHING_TITLES)
    expect(page.locator(".list-summary")).to_have_text("Rows 1–2 of 2.")

    page.reload()
    expect(_incident_titles(page)).to_have_text(MATCHING_TITLES)
    expect(page.locator("form.list-filters").get_by_label("Incident type")).to_have_value("suicide_attack")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/incidents/$"))
    expect(_incident_titles(page)).to_have_text([incident.title for incident in reversed(incidents)])


def test_searching_in_a_list_keeps_its_filters_and_sends_only_what_is_set(page, incidents):
    """The list's first filter, "Search in this list": words search within the filtered incidents (ranked), and the
    address carries only the filled fields."""
    page.goto("/incidents/?incident_type=suicide_attack")
    expect(_incident_titles(page)).to_have_count(3)
    filters = page.locator("form.list-filters")
    expect(filters.get_by_role("searchbox").or_(filters.get_by_role("textbox")).first).to_have_accessible_name(
        "Search in this list"
    )
    filters.get_by_label("Search in this list").fill("Kidal")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(
        re.compile(r"\?(q=Kidal&incident_type=suicide_attack|incident_type=suicide_attack&q=Kidal)$")
    )
    expect(_incident_titles(page)).to_have_text(["Suicide attack on the MINUSMA camp in Kidal"])


def test_csv_export_holds_the_rows_the_filtered_table_shows(page, incidents):
    """The filtered list's CSV link downloads exactly the incidents its table shows, in the same order."""
    page.goto("/incidents/")
    _apply_filters(page)
    expect(_incident_titles(page)).to_have_text(MATCHING_TITLES)
    shown = _incident_titles(page).all_text_contents()

    with page.expect_download() as download_info:
        page.locator("nav.exports").get_by_role("link", name="CSV").click()
    download = download_info.value

    assert download.suggested_filename == "incidents.csv"
    with open(download.path(), encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [row["title"] for row in rows] == shown
    assert len(rows) == len(shown) == 2
    assert {row["incident_type"] for row in rows} == {"suicide_attack"}


def test_article_reader_highlights_both_quotes_and_links_their_speakers(page):
    """Each quote is marked in the text with its speaker as the title, and each speaker links to their page."""
    article = ArticleFactory(
        title="Suicide bomber kills UN peacekeepers in northern Mali",
        body=(
            "A suicide bomber drove a truck into the UN camp in Kidal on Friday, killing two peacekeepers. "
            "“We will not be intimidated by these cowardly attacks,” said Mahamat Saleh Annadif, "
            "the head of MINUSMA. "
            "“Mali is in the forefront,” said Jeff Laurenti, an analyst at the Century Foundation."
        ),
    )
    annadif = ActorFactory(name="Mahamat Saleh Annadif", slug="mahamat-saleh-annadif")
    laurenti = ActorFactory(name="Jeff Laurenti", slug="jeff-laurenti")
    QuoteFactory(
        article=article,
        speaker=annadif,
        speaker_role="the head of MINUSMA",
        text="We will not be intimidated by these cowardly attacks,",
    )
    QuoteFactory(article=article, speaker=laurenti, speaker_role="an analyst", text="Mali is in the forefront,")

    page.goto(f"/articles/{article.slug}/")

    quotes = page.locator("section.body mark.quote")
    expect(quotes).to_have_text(["We will not be intimidated by these cowardly attacks,", "Mali is in the forefront,"])
    expect(quotes.nth(0)).to_have_attribute("title", "Mahamat Saleh Annadif")
    expect(quotes.nth(1)).to_have_attribute("title", "Jeff Laurenti")

    speakers = page.locator("ol.quotes strong a")
    expect(speakers).to_have_text(["Mahamat Saleh Annadif", "Jeff Laurenti"])
    expect(speakers.nth(1)).to_have_attribute("href", laurenti.get_absolute_url())
    speakers.nth(0).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(annadif.get_absolute_url())}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mahamat Saleh Annadif")

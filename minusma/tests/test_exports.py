"""Every list exports exactly its filtered, sorted rows, streamed, in each of its formats."""

import csv
import datetime
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from actors.tests.factories import ActorFactory, ContingentFactory, ContingentSourceFactory
from articles.tests.factories import ArticleFactory, OutletFactory, QuoteFactory
from events.tests.factories import CasualtyFactory, FigureFactory, IncidentFactory, IncidentSourceFactory, PlaceFactory
from minusma import listing

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_body(response))))


LISTS = [
    "articles:article_list",
    "articles:quote_list",
    "actors:actor_list",
    "actors:contingent_list",
    "events:incident_list",
    "events:place_list",
    "events:figure_list",
]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_streams_csv_and_json_with_the_same_rows(client, name):
    """Each list's CSV and JSON are streamed and hold the same rows under the same column names."""
    FigureFactory()
    QuoteFactory()
    ContingentSourceFactory()
    IncidentSourceFactory()
    url = reverse(name)
    rows = _csv(client.get(url, {"format": "csv"}))
    records = json.loads(_body(client.get(url, {"format": "json"})))
    assert rows and len(rows) == len(records)
    assert list(rows[0]) == list(records[0])
    assert [row["id"] for row in rows] == [str(record["id"]) for record in records]


def test_incident_csv_is_exactly_the_filtered_sorted_rows_with_no_cap(client, monkeypatch):
    """The CSV holds every filtered row (beyond a page and beyond a chunk) in the page's order, nothing else."""
    monkeypatch.setattr(listing, "EXPORT_CHUNK_SIZE", 2)
    kidal = PlaceFactory(slug="kidal", name="Kidal", latitude="18.443450", longitude="1.409210")
    wanted = [IncidentFactory(place=kidal, title=f"Attack {n}") for n in range(5)]
    IncidentFactory(title="Elsewhere")
    response = client.get(
        reverse("events:incident_list"), {"place": "kidal", "sort": "-title", "page_size": 2, "format": "csv"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="incidents.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert [row["slug"] for row in rows] == [incident.slug for incident in sorted(wanted, key=lambda i: i.title)[::-1]]
    assert rows[0]["date_from"] == "2015-01-17" and rows[0]["place_name"] == "Kidal"
    assert rows[0]["latitude"] == "18.44345" and rows[0]["in_mali"] == "true"


def test_sourced_rows_carry_the_excerpt_and_the_article(client):
    """A figure's CSV row names its article and quotes the excerpt, with the passage's address."""
    figure = FigureFactory(value=12)
    (row,) = _csv(client.get(reverse("events:figure_list"), {"format": "csv"}))
    assert row["source"] == figure.source.slug
    assert row["source_title"] == figure.source.title
    assert row["excerpt"] == "killing a Chadian peacekeeper"
    assert row["source_passage_url"] == f"http://testserver{figure.get_source_url()}"
    assert row["value"] == "12"


def test_incident_json_lists_its_sources_and_actors(client):
    """Multi-valued columns are JSON lists (and joined in CSV)."""
    source = IncidentSourceFactory()
    CasualtyFactory(incident=source.incident, best=2)
    (record,) = json.loads(_body(client.get(reverse("events:incident_list"), {"format": "json"})))
    assert record["sources"] == [source.source.slug]
    assert record["excerpts"] == ["occurred at the mission’s base in Kidal"]
    assert record["killed"] == 2
    assert record["date_from"] == "2015-01-17"


def test_incident_geojson_is_a_feature_collection_with_null_geometry_for_unlocated(client):
    """RFC 7946: a FeatureCollection of Points in longitude, latitude order; no coordinates gives geometry null."""
    located = IncidentFactory(place=PlaceFactory(latitude="18.443450", longitude="1.409210"))
    unlocated = IncidentFactory(place=None, location_precision="unknown")
    response = client.get(reverse("events:incident_list"), {"format": "geojson", "sort": "title"})
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(_body(response))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    features = {feature["id"]: feature for feature in collection["features"]}
    assert features[located.pk]["type"] == "Feature"
    assert features[located.pk]["geometry"] == {"type": "Point", "coordinates": [1.40921, 18.44345]}
    assert features[unlocated.pk]["geometry"] is None
    assert features[located.pk]["properties"]["slug"] == located.slug


def test_place_geojson_gives_places_without_coordinates_a_null_geometry(client):
    """A place with only a note about its coordinates is still a feature, with geometry null."""
    PlaceFactory(slug="somewhere", latitude=None, longitude=None, coordinates_note="not located")
    PlaceFactory(slug="gao", latitude="16.271700", longitude="-0.044700")
    collection = json.loads(_body(client.get(reverse("events:place_list"), {"format": "geojson", "sort": "-name"})))
    by_slug = {feature["properties"]["slug"]: feature for feature in collection["features"]}
    assert by_slug["somewhere"]["geometry"] is None
    assert by_slug["gao"]["geometry"]["coordinates"] == [-0.0447, 16.2717]


def _cited_article():
    author = ActorFactory(name="Somini Sengupta")
    article = ArticleFactory(
        slug="mali-un-peacekeepers",
        title="Mali & the 100% deadly mission",
        outlet=OutletFactory(name="The New York Times"),
        url="https://example.org/mali",
        date_from=datetime.date(2015, 1, 20),
        date_to=datetime.date(2015, 1, 20),
        date_precision="day",
    )
    article.authors.add(author)
    ArticleFactory(slug="not-this-one", outlet=OutletFactory())
    return article


def test_articles_bibtex_escapes_and_cites_the_filtered_articles(client):
    """BibTeX: one @article per filtered article keyed by slug, special characters escaped."""
    article = _cited_article()
    response = client.get(reverse("articles:article_list"), {"outlet": article.outlet.slug, "format": "bibtex"})
    body = _body(response)
    assert body.count("@article{") == 1
    assert body.startswith("@article{mali-un-peacekeepers,")
    assert r"title = {Mali \& the 100\% deadly mission}" in body
    assert "author = {Sengupta, Somini}" in body
    assert "journal = {The New York Times}" in body
    assert "date = {2015-01-20}" in body and "year = {2015}" in body
    assert "url = {https://example.org/mali}" in body


def test_articles_ris_has_one_record_per_filtered_article(client):
    """RIS: TY NEWS … ER for each filtered article."""
    article = _cited_article()
    body = _body(client.get(reverse("articles:article_list"), {"outlet": article.outlet.slug, "format": "ris"}))
    lines = body.split("\r\n")
    assert lines[0] == "TY  - NEWS"
    assert "TI  - Mali & the 100% deadly mission" in lines
    assert "AU  - Sengupta, Somini" in lines
    assert "T2  - The New York Times" in lines
    assert "DA  - 2015/01/20/" in lines
    assert lines.count("ER  - ") == 1


def test_articles_csl_json_marks_estimated_dates_as_one_circa_date(client):
    """CSL-JSON: article-newspaper items; an estimated date is one date (the parts its range shares) with circa,
    the range in the note."""
    _cited_article()
    items = json.loads(_body(client.get(reverse("articles:article_list"), {"format": "csl-json", "sort": "title"})))
    by_id = {item["id"]: item for item in items}
    exact = by_id["mali-un-peacekeepers"]
    assert exact["type"] == "article-newspaper"
    assert exact["author"] == [{"family": "Sengupta", "given": "Somini"}]
    assert exact["container-title"] == "The New York Times"
    assert exact["issued"] == {"date-parts": [[2015, 1, 20]]}
    assert by_id["not-this-one"]["issued"] == {"date-parts": [[2015, 1]], "circa": True}
    assert "between 2015-01-18 and 2015-01-31" in by_id["not-this-one"]["note"]


def test_geojson_and_citations_only_where_offered(client):
    """Unknown or unoffered formats are 400s naming the formats on offer."""
    response = client.get(reverse("actors:actor_list"), {"format": "geojson"})
    assert response.status_code == 400
    assert "Use csv, json." in response.content.decode()


def test_invalid_filter_on_a_json_export_is_a_json_400(client):
    """A JSON export with a bad filter answers with the errors as JSON."""
    response = client.get(reverse("events:incident_list"), {"format": "json", "min_killed": "many"})
    assert response.status_code == 400
    assert response.json()["filters"] == {"min_killed": ["Enter a whole number."]}


def test_contingent_csv_lists_its_sources(client):
    """A contingent's sources and excerpts are joined in one cell each."""
    claim = ContingentSourceFactory(contingent=ContingentFactory(unit_name="Battalion"))
    (row,) = _csv(client.get(reverse("actors:contingent_list"), {"format": "csv"}))
    assert row["sources"] == claim.source.slug
    assert row["excerpts"] == "killing a Chadian peacekeeper"
    assert row["country"] == "TD" and row["unit_name"] == "Battalion"


def test_every_offered_export_format_has_a_writer(rf):
    """Each list's `formats` is a subset of its explicit writers() map: an offered format can never fall through."""
    from django.urls import get_resolver

    from minusma.listing import RecordListView

    views = {
        pattern.callback.view_class
        for resolver in get_resolver().url_patterns
        for pattern in getattr(resolver, "url_patterns", [resolver])
        if isinstance(getattr(getattr(pattern, "callback", None), "view_class", None), type)
        and issubclass(pattern.callback.view_class, RecordListView)
    }
    assert len(views) >= 6
    for view_class in views:
        view = view_class()
        view.request = rf.get("/")
        assert set(view_class.formats) <= set(view.writers()), view_class.__name__

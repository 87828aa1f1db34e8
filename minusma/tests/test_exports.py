"""Every list downloads exactly its filtered, ordered rows from the API, streamed, in each of the API's formats: the
web list's links and its older `?format=` addresses lead to the same one schema per record."""

import csv
import datetime
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from actors.tests.factories import ActorFactory, ContingentFactory, ContingentSourceFactory
from articles.tests.factories import ArticleFactory, OutletFactory, QuoteFactory
from common import exports
from common.api import renderers
from events.tests.factories import CasualtyFactory, FigureFactory, IncidentFactory, IncidentSourceFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    assert isinstance(response, StreamingHttpResponse), response
    return b"".join(response.streaming_content).decode()


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_body(response))))


def _download(client, list_name: str, **params):
    """What a researcher gets from a list's download: the web address answers with a permanent redirect to the
    API's list with the same filters and order, which streams the file."""
    response = client.get(reverse(list_name), params)
    assert response.status_code == 301
    assert urlsplit(response["Location"]).path == reverse(f"api:{LIST_MODELS[list_name]}-list")
    return client.get(response["Location"])


LIST_MODELS = {
    "articles:article_list": "article",
    "articles:quote_list": "quote",
    "actors:actor_list": "actor",
    "actors:contingent_list": "contingent",
    "events:incident_list": "incident",
    "events:place_list": "place",
    "events:figure_list": "figure",
}


@pytest.mark.parametrize("name", LIST_MODELS)
def test_every_list_downloads_csv_and_json_lines_with_the_same_rows(client, name):
    """Each list's CSV and JSON Lines are streamed and hold the same rows, the CSV with flat column names."""
    FigureFactory()
    QuoteFactory()
    ContingentSourceFactory()
    IncidentSourceFactory()
    rows = _csv(_download(client, name, format="csv"))
    records = [json.loads(line) for line in _body(_download(client, name, format="jsonl")).splitlines()]
    assert rows and len(rows) == len(records)
    assert [row["id"] for row in rows] == [str(record["id"]) for record in records]
    assert not [column for column in rows[0] if "." in column]


@pytest.mark.parametrize("name", LIST_MODELS)
def test_every_list_links_each_api_format_with_its_filters_and_order(client, name):
    """The page's download links are the API's list with the page's filters and order, in every format the endpoint
    offers, without the page's own page and page size."""
    page = client.get(reverse(name), {"ordering": "-id", "page_size": 10}).content.decode()
    api = reverse(f"api:{LIST_MODELS[name]}-list")
    for export_format in ("json", "csv", "jsonl"):
        assert f'href="{api}?ordering=-id&amp;format={export_format}"' in page


def test_incident_csv_is_exactly_the_filtered_sorted_rows_with_no_cap(client, monkeypatch):
    """The CSV holds every filtered row (beyond a page and beyond a chunk) in the page's order, nothing else; an old
    `sort` bookmark keeps working, in the current names."""
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    kidal = PlaceFactory(slug="kidal", name="Kidal", latitude="18.443450", longitude="1.409210")
    wanted = [IncidentFactory(place=kidal, title=f"Attack {n}") for n in range(5)]
    IncidentFactory(title="Elsewhere")
    redirect = client.get(
        reverse("events:incident_list"), {"place": "kidal", "sort": "-title", "page_size": 2, "format": "csv"}
    )
    assert parse_qs(urlsplit(redirect["Location"]).query) == {
        "place": ["kidal"],
        "ordering": ["-title"],
        "format": ["csv"],
    }
    response = client.get(redirect["Location"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="incidents.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert [row["slug"] for row in rows] == [incident.slug for incident in sorted(wanted, key=lambda i: i.title)[::-1]]
    assert rows[0]["date_from"] == "2015-01-17" and rows[0]["place"] == "kidal" and rows[0]["place_name"] == "Kidal"
    assert rows[0]["latitude"] == "18.44345" and rows[0]["longitude"] == "1.40921" and rows[0]["in_mali"] == "true"


def test_old_sort_names_are_translated_to_the_one_vocabulary(client):
    """`sort=-date` (the web lists' former name and key) reaches the API as ordering=-date_from."""
    redirect = client.get(reverse("events:incident_list"), {"sort": "-date", "format": "geojson"})
    assert parse_qs(urlsplit(redirect["Location"]).query)["ordering"] == ["-date_from"]


def test_sourced_rows_carry_the_excerpt_and_the_article(client):
    """A figure's CSV row names its article and quotes the excerpt."""
    figure = FigureFactory(value=12)
    (row,) = _csv(_download(client, "events:figure_list", format="csv"))
    assert row["source"] == figure.source.slug
    assert row["source_name"] == str(figure.source)
    assert row["excerpt"] == "killing a Chadian peacekeeper"
    assert row["value"] == "12"
    assert row["web_url"] == f"http://testserver{figure.get_absolute_url()}"


def test_incident_rows_list_their_sources_and_actors(client):
    """Multi-valued columns are JSON lists (and joined in CSV); a number no source reports is empty, not 0."""
    source = IncidentSourceFactory()
    CasualtyFactory(incident=source.incident, best=2)
    unreported = IncidentFactory(title="Nothing reported")
    (line, *_) = _body(_download(client, "events:incident_list", format="jsonl", ordering="id")).splitlines()
    record = json.loads(line)
    assert [claim["source"]["slug"] for claim in record["sources"]] == [source.source.slug]
    assert [claim["excerpt"] for claim in record["sources"]] == ["occurred at the mission’s base in Kidal"]
    assert record["killed"] == 2 and record["date_from"] == "2015-01-17"
    rows = {row["id"]: row for row in _csv(_download(client, "events:incident_list", format="csv"))}
    assert rows[str(source.incident.pk)]["sources"] == source.source.slug
    assert rows[str(source.incident.pk)]["sources_excerpt"] == "occurred at the mission’s base in Kidal"
    assert rows[str(unreported.pk)]["killed"] == ""


def test_incident_geojson_is_a_feature_collection_with_null_geometry_for_unlocated(client):
    """RFC 7946: a FeatureCollection of Points in longitude, latitude order; no coordinates gives geometry null; the
    properties have the CSV's flat names."""
    located = IncidentFactory(place=PlaceFactory(latitude="18.443450", longitude="1.409210"))
    unlocated = IncidentFactory(place=None, location_precision="unknown")
    response = _download(client, "events:incident_list", format="geojson", sort="title")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(_body(response))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    features = {feature["id"]: feature for feature in collection["features"]}
    assert features[located.pk]["type"] == "Feature"
    assert features[located.pk]["geometry"] == {"type": "Point", "coordinates": [1.40921, 18.44345]}
    assert features[unlocated.pk]["geometry"] is None
    assert features[located.pk]["properties"]["slug"] == located.slug
    assert features[located.pk]["properties"]["place"] == located.place.slug
    assert set(features[located.pk]["properties"]) == set(features[unlocated.pk]["properties"])


def test_place_geojson_gives_places_without_coordinates_a_null_geometry(client):
    """A place with only a note about its coordinates is still a feature, with geometry null."""
    PlaceFactory(slug="somewhere", latitude=None, longitude=None, coordinates_note="not located")
    PlaceFactory(slug="gao", latitude="16.271700", longitude="-0.044700")
    collection = json.loads(_body(_download(client, "events:place_list", format="geojson", sort="-name")))
    by_slug = {feature["properties"]["slug"]: feature for feature in collection["features"]}
    assert by_slug["somewhere"]["geometry"] is None
    assert by_slug["gao"]["geometry"]["coordinates"] == [-0.0447, 16.2717]


def test_column_names_are_flat_and_unique_in_every_format(client):
    """column_name() gives every serializer's columns one flat name each: no two paths may share a name."""
    from minusma.api import router

    for _prefix, viewset, _basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None or not hasattr(serializer_class, "flat_columns"):
            continue  # not a record endpoint (the site-wide search)
        paths = serializer_class(context={}).flat_columns()
        names = [renderers.column_name(path) for path in paths]
        assert len(names) == len(set(names)), (viewset.__name__, names)


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
    response = _download(client, "articles:article_list", outlet=article.outlet.slug, format="bibtex")
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
    body = _body(_download(client, "articles:article_list", outlet=article.outlet.slug, format="ris"))
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
    items = json.loads(_body(_download(client, "articles:article_list", format="csl-json", sort="title")))
    by_id = {item["id"]: item for item in items}
    exact = by_id["mali-un-peacekeepers"]
    assert exact["type"] == "article-newspaper"
    assert exact["author"] == [{"family": "Sengupta", "given": "Somini"}]
    assert exact["container-title"] == "The New York Times"
    assert exact["issued"] == {"date-parts": [[2015, 1, 20]]}
    assert by_id["not-this-one"]["issued"] == {"date-parts": [[2015, 1]], "circa": True}
    assert "between 2015-01-18 and 2015-01-31" in by_id["not-this-one"]["note"]


def test_formats_are_offered_where_the_api_offers_them(client):
    """A format the endpoint does not offer is the API's 400 (JSON, naming the formats); GeoJSON where records have
    coordinates, citations for articles."""
    response = _download(client, "actors:actor_list", format="geojson")
    assert response.status_code == 400
    assert "geojson" in response.json()["format"][0]
    page = client.get(reverse("articles:article_list")).content.decode()
    assert 'data-format="bibtex"' in page and 'data-format="geojson"' not in page
    page = client.get(reverse("events:incident_list")).content.decode()
    assert 'data-format="geojson"' in page and 'data-format="acled"' in page and 'data-format="bibtex"' not in page


def test_invalid_filter_on_a_download_is_the_apis_json_400(client):
    """A download with a bad filter answers with the API's one error body."""
    response = _download(client, "events:incident_list", format="csv", min_killed="many")
    assert response.status_code == 400
    assert response.json() == {"min_killed": ["Enter a whole number."]}


def test_contingent_csv_lists_its_sources(client):
    """A contingent's sources and excerpts are joined in one cell each."""
    claim = ContingentSourceFactory(contingent=ContingentFactory(unit_name="Battalion"))
    (row,) = _csv(_download(client, "actors:contingent_list", format="csv"))
    assert row["sources"] == claim.source.slug
    assert row["sources_excerpt"] == "killing a Chadian peacekeeper"
    assert row["country"] == "TD" and row["unit_name"] == "Battalion"

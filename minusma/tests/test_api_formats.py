"""The API's formats besides JSON: CSV read back by pandas, GeoJSON validated, JSON Lines streamed in full."""

import io
import json

import geojson
import pandas
import pytest
from django.db import connection
from rest_framework.test import APIClient

from actors.tests.factories import ActorFactory, ContingentFactory, MissionFactory
from common import exports
from common.api.renderers import flat_row
from events.models import IncidentActor
from events.serializers import IncidentSerializer
from events.tests.factories import (
    CasualtyFactory,
    FigureFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceAliasFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db


# On PostgreSQL a streamed export reads its rows in one transaction: inside a test's, a savepoint and its release.
SAVEPOINT_AND_RELEASE = 2 if connection.vendor == "postgresql" else 0


@pytest.fixture
def api():
    return APIClient()


def body(response) -> str:
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def make_incidents(count: int) -> None:
    """Incidents each with a place in a region, two actors, two casualties and two sources."""
    region = PlaceFactory(kind="region")
    for _ in range(count):
        incident = IncidentFactory(place=PlaceFactory(parent=region))
        IncidentActorFactory(incident=incident)
        IncidentActorFactory(incident=incident, role=IncidentActor.Role.TARGET, actor=MissionFactory())
        CasualtyFactory(incident=incident, contingent=ContingentFactory(), best=2)
        CasualtyFactory(incident=incident, best=1)
        IncidentSourceFactory(incident=incident)
        IncidentSourceFactory(incident=incident, excerpt="Kidal")


def test_csv_reads_back_in_pandas_as_the_json_rows(api):
    """pandas reads the CSV export to the JSON list's records, flattened: one row each, lists joined."""
    make_incidents(3)
    IncidentFactory(place=None, location_precision="unknown", location_as_written="near Gao, a town, “north”")
    records = api.get("/api/v1/incidents/", {"page_size": 100, "expand": "place,actors"}).json()["results"]
    text = body(api.get("/api/v1/incidents/", {"expand": "place,actors"}, HTTP_ACCEPT="text/csv"))

    typed = pandas.read_csv(io.StringIO(text))
    assert list(typed["id"]) == [record["id"] for record in records]
    assert typed["id"].dtype.kind == "i"
    # An incident without a reported number of dead is an empty cell, never 0: pandas reads it as missing.
    nullable = pandas.read_csv(io.StringIO(text), dtype_backend="numpy_nullable")
    assert str(nullable["killed"].dtype) == "Int64"
    assert list(nullable["killed"].isna()) == [record["killed"] is None for record in records]
    assert nullable["killed"].isna().sum() == 1 and set(nullable["killed"].dropna()) == {2}
    as_text = pandas.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)

    # The header's columns are the serializer's (a reference as its slug, name, id, url), whatever the rows hold.
    paths = IncidentSerializer(context={"expand": ["place", "actors"]}).flat_columns()
    by_name = [flat_row(paths, record) for record in records]
    expected = [{column: exports.csv_cell(row.get(column)) for column in as_text.columns} for row in by_name]
    assert as_text.to_dict("records") == expected
    first = as_text.iloc[0]
    assert first["sources_excerpt"].split(exports.LIST_SEPARATOR) == [
        source["excerpt"] for source in records[0]["sources"]
    ]
    assert first["actors_kind"] == "person | un_mission"
    assert first["place_parent_name"] and first["web_url"].startswith("http://testserver/")
    assert not [column for column in as_text.columns if "." in column]


def test_csv_header_follows_fields_and_is_there_without_rows(api):
    """`fields` chooses the columns; an empty result is still a header a reader understands."""
    ActorFactory(name="Habib")
    text = body(api.get("/api/v1/actors/", {"format": "csv", "fields": "id,name,aliases"}))
    assert text.splitlines()[0] == "id,name,aliases_name,aliases_kind,aliases_language"
    empty = body(api.get("/api/v1/actors/", {"format": "csv", "kind": "state"}))
    assert len(pandas.read_csv(io.StringIO(empty))) == 0


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [
        ("text/csv", "csv", "text/csv"),
        ("application/x-ndjson", "jsonl", "application/x-ndjson"),
        ("application/geo+json", "geojson", "application/geo+json"),
    ],
)
def test_formats_are_chosen_by_parameter_or_accept_header(api, accept, fmt, content_type):
    """?format= and the Accept header pick the same format, streamed (API links keep a ?format=, as in DRF)."""
    IncidentFactory()
    by_parameter = api.get("/api/v1/incidents/", {"format": fmt})
    by_header = api.get("/api/v1/incidents/", HTTP_ACCEPT=accept)
    assert by_parameter.streaming and by_header.streaming
    assert by_parameter["Content-Type"].startswith(content_type)
    assert body(by_parameter).replace(f"/?format={fmt}", "/") == body(by_header)


def test_geojson_is_only_offered_where_records_have_coordinates(api):
    """Actors have no place on a map: GeoJSON is not negotiable there (a 400 naming the formats offered)."""
    response = api.get("/api/v1/actors/", {"format": "geojson"})
    assert response.status_code == 400
    assert "geojson" not in response.json()["format"][0].split("Offered:")[1]
    assert api.get("/api/v1/actors/", HTTP_ACCEPT="application/geo+json").status_code == 406


def test_json_lines_carry_every_filtered_record_without_a_page_cap(api, monkeypatch):
    """The JSON Lines export streams every matching record, across several fetched chunks, as JSON gives them."""
    monkeypatch.setattr("common.api.viewsets.EXPORT_CHUNK_SIZE", 7)
    FigureFactory.create_batch(60)
    FigureFactory(quantity="troops_authorized")
    lines = body(api.get("/api/v1/figures/", {"quantity": "peacekeepers_killed"}, HTTP_ACCEPT="application/x-ndjson"))
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == 60
    first_page = api.get("/api/v1/figures/", {"quantity": "peacekeepers_killed"}).json()
    assert records[:50] == first_page["results"]


def test_exports_refuse_pagination_and_answer_errors_in_json(api):
    """An export has no pages; a bad filter is explained in JSON even when CSV was asked for."""
    response = api.get("/api/v1/incidents/", {"format": "csv", "page": 2})
    assert response.status_code == 400
    assert "page" in response.json()
    response = api.get("/api/v1/incidents/", {"incident_type": "picnic"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "incident_type" in response.json()


def test_incident_geojson_is_a_valid_rfc7946_feature_collection(api):
    """Longitude first, WGS84, no crs; an incident without a place has a null geometry."""
    place = PlaceFactory(latitude="18.443450", longitude="1.409210")
    mapped = IncidentFactory(place=place)
    IncidentSourceFactory(incident=mapped)
    unplaced = IncidentFactory(place=None, location_precision="unknown")
    data = json.loads(body(api.get("/api/v1/incidents/", {"format": "geojson"})))

    collection = geojson.loads(json.dumps(data))
    assert collection.is_valid, collection.errors()
    assert set(data) == {"type", "features"} and data["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in data["features"]}
    assert features[mapped.pk]["geometry"] == {"type": "Point", "coordinates": [1.40921, 18.44345]}
    assert features[unplaced.pk]["geometry"] is None
    for feature in data["features"]:
        assert set(feature) == {"type", "id", "geometry", "properties"} and feature["type"] == "Feature"
        assert all(not isinstance(value, dict | list) for value in feature["properties"].values())
        if feature["geometry"]:
            longitude, latitude = feature["geometry"]["coordinates"]
            assert -180 <= longitude <= 180 and -90 <= latitude <= 90
    assert features[mapped.pk]["properties"]["place"] == place.slug
    assert features[mapped.pk]["properties"]["sources_excerpt"] == "occurred at the mission’s base in Kidal"


def test_place_geojson_list_and_detail(api):
    """Places are features at their own coordinates; a detail is a collection of one."""
    place = PlaceFactory(slug="kidal", latitude="18.4411", longitude="1.4078")
    PlaceFactory(latitude=None, longitude=None, coordinates_note="unknown")
    listed = json.loads(body(api.get("/api/v1/places/", HTTP_ACCEPT="application/geo+json")))
    assert geojson.loads(json.dumps(listed)).is_valid
    assert len(listed["features"]) == 2
    detail = json.loads(body(api.get("/api/v1/places/kidal/", {"format": "geojson"})))
    assert [feature["geometry"]["coordinates"] for feature in detail["features"]] == [[1.4078, 18.4411]]
    assert detail["features"][0]["properties"]["name"] == place.name


def test_a_detail_comes_in_every_format(api):
    """A record's CSV is one row, its JSON Lines one line."""
    actor = ActorFactory(slug="habib")
    rows = pandas.read_csv(io.StringIO(body(api.get("/api/v1/actors/habib/", {"format": "csv"}))))
    assert list(rows["slug"]) == ["habib"]
    line = body(api.get("/api/v1/actors/habib/", HTTP_ACCEPT="application/x-ndjson"))
    assert json.loads(line)["web_url"] == f"http://testserver{actor.get_absolute_url()}"


@pytest.mark.parametrize("count", [1, 15])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "geojson"])
def test_incident_exports_run_a_fixed_number_of_queries(api, django_assert_num_queries, count, fmt):
    """Guards against N+1 queries in exports: ETag aggregate and history (inside the test's uncommitted transaction;
    after a commit, the data version alone), rows, their places (with the places they lie in), outside date sources,
    actor roles and their actors, casualties and their articles and contingents, sources and their articles: one
    query per kind of related record, per chunk of rows, for the records not fetched yet (common/api/chunked.py); with
    `expand`, the serializers: the expansion budget's count (from the cache after a commit) and the prefetched
    relations; on PostgreSQL the rows are read in a transaction of their own, here a savepoint and its release."""
    make_incidents(count)
    with django_assert_num_queries(12 + SAVEPOINT_AND_RELEASE):
        text = body(api.get("/api/v1/incidents/", {"format": fmt}))
    records = {
        "csv": lambda: pandas.read_csv(io.StringIO(text)).to_dict("records"),
        "jsonl": lambda: text.splitlines(),
        "geojson": lambda: json.loads(text)["features"],
    }[fmt]()
    assert len(records) == count
    with django_assert_num_queries(9 + SAVEPOINT_AND_RELEASE):
        body(api.get("/api/v1/incidents/", {"format": fmt, "expand": "place,actors"}))


@pytest.mark.parametrize("count", [1, 15])
def test_geojson_with_few_fields_still_reads_each_point_without_a_query_per_row(api, django_assert_num_queries, count):
    """A feature's point comes from the incident's place chain even when `fields` leaves the place out of its
    properties: ETag aggregate, history, rows, their places, outside date sources (and the savepoint)."""
    make_incidents(count)
    with django_assert_num_queries(5 + SAVEPOINT_AND_RELEASE):
        data = json.loads(body(api.get("/api/v1/incidents/", {"format": "geojson", "fields": "slug"})))
    assert len(data["features"]) == count
    assert all(feature["geometry"] for feature in data["features"])
    assert list(data["features"][0]["properties"]) == ["slug"]


@pytest.mark.parametrize("count", [1, 15])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize(
    ("endpoint", "queries"),
    [
        ("articles", 4),  # ETag aggregate, history, rows, authors (prefetched: the serializer's path)
        ("quotes", 5),  # ETag aggregate, history, rows, their articles, speakers (common/api/chunked.py)
        ("actors", 4),  # ETag aggregate, history, rows, aliases
        ("contingents", 6),  # … rows, contributors and missions, bases, sources, their articles
        ("strength-observations", 5),  # … rows, contingents, articles
        ("places", 4),  # … rows, aliases (these places lie in none)
        ("figures", 5),  # … rows, subjects, articles
    ],
)
def test_every_export_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count, fmt, endpoint, queries):
    """Guards against N+1 queries in each list's CSV and JSON Lines exports, whatever the number of rows: one query
    per kind of related record (plus the savepoint the rows are read in, and its release)."""
    from actors.tests.factories import ActorAliasFactory, ContingentSourceFactory, StrengthObservationFactory
    from articles.tests.factories import ArticleFactory, QuoteFactory

    make = {
        "articles": lambda: ArticleFactory().authors.add(ActorFactory()),
        "quotes": QuoteFactory,
        "actors": lambda: ActorAliasFactory(),
        "contingents": lambda: ContingentSourceFactory(),
        "strength-observations": StrengthObservationFactory,
        "places": lambda: PlaceAliasFactory(),
        "figures": FigureFactory,
    }[endpoint]
    for _ in range(count):
        make()
    with django_assert_num_queries(queries + SAVEPOINT_AND_RELEASE):
        text = body(api.get(f"/api/v1/{endpoint}/", {"format": fmt}))
    rows = pandas.read_csv(io.StringIO(text)) if fmt == "csv" else text.splitlines()
    assert len(rows) >= count


@pytest.mark.parametrize("count", [1, 15])
def test_place_geojson_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries in the places' GeoJSON: ETag aggregate, history, rows, parents, aliases."""
    for _ in range(count):
        PlaceAliasFactory(place=PlaceFactory(parent=PlaceFactory(kind="region")))
    with django_assert_num_queries(5 + SAVEPOINT_AND_RELEASE):
        data = json.loads(body(api.get("/api/v1/places/", {"format": "geojson"})))
    assert len(data["features"]) == 2 * count


def test_incident_list_with_casualties_has_aligned_list_columns(api):
    """A missing value in a list item leaves an empty slot, so parallel columns stay aligned item by item."""
    incident = IncidentFactory()
    CasualtyFactory(incident=incident, contingent=None, best=4)
    CasualtyFactory(incident=incident, contingent=ContingentFactory(slug="chad"), best=1)
    row = pandas.read_csv(io.StringIO(body(api.get("/api/v1/incidents/", {"format": "csv"}))), dtype=str).iloc[0]
    assert row["casualties_best"] == "4 | 1"
    assert row["casualties_contingent"] == " | chad"


def test_schema_lists_the_formats_of_each_endpoint(api):
    """The schema offers csv and jsonl everywhere, geojson for incidents and places, acled and ucdp for incidents."""
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def formats(path):
        parameters = {parameter["name"]: parameter for parameter in schema["paths"][path]["get"]["parameters"]}
        return parameters["format"]["schema"]["enum"]

    assert formats("/api/v1/incidents/") == ["json", "csv", "jsonl", "geojson", "acled", "ucdp"]
    assert formats("/api/v1/places/{id_or_slug}/") == ["json", "csv", "jsonl", "geojson"]
    assert formats("/api/v1/actors/") == ["json", "csv", "jsonl"]
    responses = schema["paths"]["/api/v1/incidents/"]["get"]["responses"]
    assert responses["200"]["content"]["application/geo+json"]["schema"]["properties"]["type"]["enum"] == [
        "FeatureCollection"
    ]
    assert responses["200"]["content"]["text/csv"]["schema"]["type"] == "string"
    assert set(responses["400"]["content"]) == {"application/json"}
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/figures/"]["get"]["parameters"]}
    assert "modified_after" in parameters

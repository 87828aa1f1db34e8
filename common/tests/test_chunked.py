"""The chunked representation (common/api/chunked.py) of the exports and the JSON pages gives exactly what the
serializers give.

On the whole corpus (conftest.loaded_corpus, rolled back after the module): every endpoint's JSON Lines export and
its JSON pages, represented a chunk at a time, against the records as the serializer gives them one by one; with
`fields`; and the GeoJSON geometry against the records' coordinates.
"""

import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from common.api import chunked, renderers
from common.api.chunked import ChunkedRepresentation, NotChunkable
from minusma.api import router

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]

VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry if hasattr(viewset, "streamed_formats")}
ENDPOINTS = list(VIEWSETS)


@pytest.fixture
def api():
    return APIClient()


def streamed(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def serialized(endpoint: str, *, fields: tuple[str, ...] = (), expand: tuple[str, ...] = ()) -> dict[int, dict]:
    """Every record of a list by id (by address when `fields` leaves the id out), as its serializer gives them one by
    one (the reference), rendered as JSON."""
    viewset = VIEWSETS[endpoint]
    request = Request(APIRequestFactory().get(f"/api/v1/{endpoint}/"))
    context = {"request": request, "fields": list(fields), "expand": list(expand)}
    records = viewset.queryset.all().for_list(expand=expand)
    data = json.loads(JSONRenderer().render(viewset.serializer_class(records, many=True, context=context).data))
    return {record.get("id", record.get("url")): record for record in data}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_json_lines_are_the_json_records(loaded_corpus, api, endpoint, monkeypatch):
    """Chunks of 7 records, so that records, children and references span several chunks (and the related records
    held are dropped and fetched again between them)."""
    monkeypatch.setattr("common.api.viewsets.EXPORT_CHUNK_SIZE", 7)
    monkeypatch.setattr(chunked, "HELD_RECORDS", 5)
    represented, represent = [], ChunkedRepresentation.represent
    monkeypatch.setattr(
        ChunkedRepresentation, "represent", lambda self, records: represented.append(self) or represent(self, records)
    )
    path = f"/api/v1/{endpoint}/"
    exported = [json.loads(line) for line in streamed(api.get(path, {"format": "jsonl"})).splitlines()]
    assert bool(represented) == (endpoint != "articles")  # authors, a many-to-many list: see below
    assert len(exported) >= 3
    assert {record["id"]: record for record in exported} == serialized(endpoint)
    pages, response = [], api.get(path, {"page_size": 7})  # the JSON pages too, a chunk of 7 at a time
    while response.status_code == 200 and (page := json.loads(response.content))["results"]:
        pages.extend(page["results"])
        if not page["next"]:
            break
        response = api.get(page["next"])
    assert pages == exported


def test_fields_keep_the_same_columns(loaded_corpus, api):
    fields = ("slug", "place", "actors", "killed", "latitude", "url")
    exported = streamed(api.get("/api/v1/incidents/", {"fields": ",".join(fields), "format": "jsonl"})).splitlines()
    records = [json.loads(line) for line in exported]
    expected = {record["url"]: record for record in serialized("incidents", fields=fields).values()}
    assert {record["url"]: record for record in records} == expected
    assert list(records[0]) == ["url", "slug", "place", "latitude", "actors", "killed"]


@pytest.mark.parametrize("endpoint", ["incidents", "places"])
def test_geojson_points_are_the_records_coordinates(loaded_corpus, api, endpoint):
    features = json.loads(streamed(api.get(f"/api/v1/{endpoint}/", {"format": "geojson"})))["features"]
    records = serialized(endpoint)
    assert len(features) == len(records)
    drawn = 0
    for feature in features:
        record = records[feature["id"]]
        point = [record["longitude"], record["latitude"]] if record["latitude"] is not None else None
        assert (feature["geometry"] or {}).get("coordinates") == point
        drawn += point is not None
    assert drawn > 10


def test_a_many_to_many_list_is_left_to_the_serializer(api):
    """Articles list their authors (many-to-many): their export is serialized record by record, still streamed."""
    from articles.models import Article
    from articles.serializers import ArticleSerializer

    with pytest.raises(NotChunkable, match="authors"):
        ChunkedRepresentation(ArticleSerializer(context={"request": None}), Article.objects.for_list())


@pytest.mark.parametrize(
    ("endpoint", "expand"),
    [("incidents", ""), ("incidents", "place,actors"), ("articles", ""), ("actors", ""), ("contingents", "")],
)
def test_flat_rows_are_the_flattened_records(loaded_corpus, api, endpoint, expand):
    """The CSV and GeoJSON rows, path by path, are what flatten() makes of each record: lists joined item by item
    (lists inside list items too, with `expand`), empty lists and null references None."""
    viewset = next(viewset for prefix, viewset, _ in router.registry if prefix == endpoint)
    paths = viewset.serializer_class(context={"expand": [name for name in expand.split(",") if name]}).flat_columns()
    flat_rows = renderers.FlatRows(paths)
    records = serialized(endpoint, expand=tuple(name for name in expand.split(",") if name)).values()
    for record in records:
        flattened = renderers.flatten(record)
        assert flat_rows(record) == {renderers.column_name(path): flattened.get(path) for path in paths}


def test_an_incidents_location_is_computed_once_per_place_and_precision(loaded_corpus, api, monkeypatch):
    """Incident.computed_from: the export locates each distinct (place, precision, in Mali) once, not each incident,
    and still gives every incident its own place's location (test_json_lines_are_the_json_records)."""
    from events import models as event_models
    from events.models import Incident

    located = []
    locate = event_models.locate
    monkeypatch.setattr(event_models, "locate", lambda incident: located.append(incident.pk) or locate(incident))
    streamed(api.get("/api/v1/incidents/", {"format": "csv"}))
    distinct = Incident.objects.values_list("place", "location_precision", "in_mali").distinct().count()
    assert len(located) == distinct < Incident.objects.count()


def test_streamed_answers_are_written_in_blocks(loaded_corpus, api):
    """Not a write per line: the whole corpus's incidents fit in a few blocks of about 64 KB."""
    response = api.get("/api/v1/incidents/", {"format": "csv"})
    blocks = list(response.streaming_content)
    lines = b"".join(blocks).decode().count("\n")
    assert len(blocks) < lines / 10
    assert all(len(block) >= 64 * 1024 for block in blocks[:-1])

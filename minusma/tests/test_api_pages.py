"""Numbered pages at any depth: page numbers within the first records, keyset `next` and `previous` links beyond,
counts that never scan a large table, and validators that cost no query of the rows."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from rest_framework.test import APIClient

from actors.tests.factories import ActorFactory, ContingentFactory, StrengthObservationFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from common import datacache
from common.api import pagination
from events.models import Incident
from events.tests.factories import FigureFactory, IncidentFactory, PlaceFactory
from minusma.api import router

pytestmark = pytest.mark.django_db

VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry if prefix not in {"search", "deleted"}}


@pytest.fixture
def api():
    return APIClient()


def incident(number: int, dated: dict) -> None:
    made = IncidentFactory(title=f"Same title {number % 2}", **dated)
    Incident.objects.filter(pk=made.pk).update(killed=[None, 3, 0, 3][number % 4], wounded=[None, 1][number % 2])


MAKERS = {
    "articles": lambda number, dated: ArticleFactory(title=f"Same title {number % 2}", **dated),
    "quotes": lambda number, dated: QuoteFactory(article=ArticleFactory(**dated) if number % 3 else ArticleFactory()),
    "actors": lambda number, dated: ActorFactory(name=f"Actor {number % 3}", country=["TD", "", "SN"][number % 3]),
    "contingents": lambda number, dated: ContingentFactory(country=["TD", "SN", "TD"][number % 3], **dated),
    "strength-observations": lambda number, dated: StrengthObservationFactory(
        contingent=ContingentFactory(country=["TD", "SN"][number % 2]), personnel=[1000, 200, 1000][number % 3], **dated
    ),
    "incidents": incident,
    "places": lambda number, dated: PlaceFactory(name=f"Place {number % 2}", kind=["city", "region"][number % 2]),
    "figures": lambda number, dated: FigureFactory(value=[1, 2, 2][number % 3], **dated),
}


def make_records(endpoint: str) -> None:
    """Seven records of the endpoint's kind, with ties and nulls in the columns it sorts by."""
    dates = [None, datetime.date(2015, 1, 17), datetime.date(2015, 1, 17), datetime.date(2016, 5, 1), None]
    for number, date in enumerate([*dates, datetime.date(2014, 2, 2), datetime.date(2016, 5, 1)]):
        MAKERS[endpoint](number, {"date_from": date, "date_to": date, "date_precision": "day" if date else "unknown"})


def orderings() -> list[tuple[str, str | None]]:
    """Every list and every order it offers, both ways, and its default order."""
    cases = []
    for prefix, viewset in VIEWSETS.items():
        names = list(viewset.filterset_class.orderings)
        cases += [(prefix, None), *((prefix, term) for name in names for term in (name, f"-{name}"))]
    return cases


def pages(api, url: str, link: str = "next") -> list[list[int]]:
    """The ids of each page, following `link` from `url` to its end."""
    visited = []
    while url:
        body = api.get(url).json()
        assert "results" in body, body
        visited.append([row["id"] for row in body["results"]])
        url = body[link]
    return visited


def cursor_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["cursor"][0]


def walk(api, url: str) -> list[int]:
    return [pk for page in pages(api, url) for pk in page]


@pytest.mark.parametrize(("endpoint", "ordering"), orderings())
def test_next_and_previous_links_visit_every_record_once_in_the_lists_order(api, endpoint, ordering):
    """Following `next` from the first page, and `previous` back from the last, gives the records in exactly the
    order of one big page, whatever the order asked for, its ties and its nulls (last either way)."""
    make_records(endpoint)
    query = f"&ordering={ordering}" if ordering else ""
    everything = [row["id"] for row in api.get(f"/api/v1/{endpoint}/?page_size=1000{query}").json()["results"]]
    assert len(everything) >= 7
    forwards = walk(api, f"/api/v1/{endpoint}/?page_size=2{query}")
    assert forwards == everything
    last = api.get(f"/api/v1/{endpoint}/?page_size=2{query}&page=last").json()
    before_last = pages(api, last["previous"], "previous")
    backwards = [pk for page in reversed(before_last) for pk in page]
    assert backwards + [row["id"] for row in last["results"]] == everything


def test_nulls_sort_last_both_ways_and_ties_on_the_id(api):
    """Undated incidents come after the dated ones whether dates go up or down; equal dates go by id."""
    make_records("incidents")

    def dates(ordering):
        rows = walk(api, f"/api/v1/incidents/?page_size=2&ordering={ordering}&fields=id")
        incidents = Incident.objects.in_bulk(rows)
        return [incidents[pk].date_from for pk in rows], rows

    up, _ = dates("date_from")
    down, ids = dates("-date_from")
    assert up[-2:] == [None, None] and down[-2:] == [None, None]
    assert up[:-2] == sorted(up[:-2]) and down[:-2] == sorted(down[:-2], reverse=True)
    tied = [pk for pk, date in zip(ids, down, strict=True) if date == datetime.date(2016, 5, 1)]
    assert tied == sorted(tied)


def test_next_links_carry_a_cursor_and_previous_a_page_number_within_the_numbered_pages(api):
    """Page 1's `next` continues by keyset (no page number); a numbered page's `previous` is the page before."""
    make_records("incidents")
    first = api.get("/api/v1/incidents/", {"page_size": 2}).json()
    assert "cursor=" in first["next"] and "page=" not in first["next"] and first["previous"] is None
    assert first["count"] == 7 and first["count_precision"] == "exact"
    second = api.get(first["next"]).json()
    assert second["count"] == 7 and "cursor=" in second["previous"]
    third = api.get("/api/v1/incidents/", {"page_size": 2, "page": 3}).json()
    assert "page=2" in third["previous"] and "cursor=" not in third["previous"] and "cursor=" in third["next"]
    assert "page=" not in api.get("/api/v1/incidents/", {"page_size": 2, "page": 2}).json()["previous"]


@pytest.mark.parametrize("ordering", ["-date_from", "title", "-killed"])
def test_numbered_pages_read_their_ids_first_and_give_the_same_rows(api, ordering):
    """A numbered page walks the offset over the ids alone, then reads its records: the same records in the same
    order as the keyset walk, whatever the ordering."""
    make_records("incidents")
    expected = walk(api, f"/api/v1/incidents/?page_size=2&ordering={ordering}&fields=id")
    numbered = []
    for number in (1, 2, 3, 4):
        numbered += [
            row["id"]
            for row in api.get(
                "/api/v1/incidents/", {"page_size": 2, "page": number, "ordering": ordering, "fields": "id"}
            ).json()["results"]
        ]
    assert numbered == expected


def test_a_page_past_the_numbered_ones_is_a_400_that_points_at_the_next_links(api, monkeypatch):
    """An OFFSET that deep would read every record it skips: the answer says how to get there instead."""
    monkeypatch.setattr(pagination, "NUMBERED_RECORDS", 4)
    make_records("incidents")
    assert api.get("/api/v1/incidents/", {"page_size": 2, "page": 2}).status_code == 200
    response = api.get("/api/v1/incidents/", {"page_size": 2, "page": 3})
    assert response.status_code == 400
    assert "follow the `next` links" in response.json()["page"][0]
    assert "pagination=cursor" in response.json()["page"][0]
    deep = walk(api, "/api/v1/incidents/?page_size=2")
    assert len(deep) == 7  # the links go on past the numbered pages
    assert api.get("/api/v1/incidents/", {"page_size": 2, "page": "last"}).status_code == 400


def test_past_the_cap_the_count_is_an_estimate_or_a_lower_bound(api, monkeypatch):
    """Counting stops at the cap: an unfiltered list takes the table's estimate, a filtered one a lower bound (or
    the planner's estimate on PostgreSQL); both say so in count_precision."""
    monkeypatch.setattr(pagination, "NUMBERED_RECORDS", 4)
    make_records("incidents")
    if connection.vendor == "postgresql":  # a table never analysed has no estimate (a lower bound, then)
        # Whether autovacuum analysed the test table already depends on the run: either answer is honest.
        assert api.get("/api/v1/incidents/").json()["count_precision"] in ("lower_bound", "estimate")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_incident")
    unfiltered = api.get("/api/v1/incidents/").json()
    assert unfiltered["count_precision"] == "estimate" and unfiltered["count"] >= 5
    filtered = api.get("/api/v1/incidents/", {"incident_type": "attack_on_base"}).json()
    if connection.vendor == "postgresql":
        assert filtered["count_precision"] == "estimate" and filtered["count"] >= 5
    else:
        assert (filtered["count"], filtered["count_precision"]) == (5, "lower_bound")


def test_cursors_are_checked(api):
    """A cursor works only where it was made: its order, its pagination, without a page number."""
    make_records("incidents")
    cursor = cursor_of(api.get("/api/v1/incidents/", {"page_size": 2, "ordering": "title"}).json()["next"])
    assert api.get("/api/v1/incidents/", {"cursor": cursor, "ordering": "title"}).status_code == 200
    assert "cursor" in api.get("/api/v1/incidents/", {"cursor": cursor, "ordering": "-title"}).json()
    assert "cursor" in api.get("/api/v1/actors/", {"cursor": cursor, "ordering": "name"}).json()
    response = api.get("/api/v1/incidents/", {"cursor": cursor, "ordering": "title", "pagination": "cursor"})
    assert "cursor" in response.json()
    response = api.get("/api/v1/incidents/", {"cursor": cursor, "ordering": "title", "page": 2})
    assert response.status_code == 400 and "page" in response.json()
    assert api.get("/api/v1/incidents/", {"cursor": cursor[:-2] + "xx", "ordering": "title"}).status_code == 400
    walk_cursor = cursor_of(api.get("/api/v1/incidents/", {"pagination": "cursor", "page_size": 1}).json()["next"])
    response = api.get("/api/v1/incidents/", {"cursor": walk_cursor, "pagination": "page"})
    assert response.status_code == 400 and "cursor" in response.json()


@pytest.mark.parametrize("count", [5, 12])
def test_a_keyset_page_runs_the_same_queries_as_the_first(api, django_assert_num_queries, count):
    """Guards against N+1 queries and against depth costing queries: a page reached through `next` runs as many
    queries as the first page (validators, count, the page's ids, the page, prefetches), whatever the number of
    records. (A page that runs from the dated records into the undated ones reads each part with its own two
    queries: two more.)"""
    for number in range(count):
        IncidentFactory(date_from=datetime.date(2015, 1, 1 + number), date_to=datetime.date(2015, 1, 1 + number))
    with django_assert_num_queries(8) as first:
        url = api.get("/api/v1/incidents/", {"page_size": 2}).json()["next"]
    with django_assert_num_queries(len(first.captured_queries)):
        api.get(url)


@pytest.mark.django_db(transaction=True)
class TestAfterACommit:
    """What a client sees once writes have committed: the data version alone makes the validators."""

    def test_a_current_client_gets_a_304_without_a_query(self, api, django_assert_num_queries):
        """ETag and Last-Modified come from the data version in the cache: no query of the rows at any size."""
        IncidentFactory()
        for url in ("/api/v1/incidents/", "/api/v1/incidents/?ordering=-killed&page_size=5"):
            first = api.get(url)
            with django_assert_num_queries(0):
                assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
            with django_assert_num_queries(0):
                assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    def test_every_kind_of_write_changes_the_etag(self, api):
        """A save, a related record, a deletion, an audit-history entry and a bulk write each renew the ETag."""
        actor = ActorFactory(slug="habib")
        seen = set()

        def etag_is_new() -> bool:
            etags = {api.get("/api/v1/actors/")["ETag"], api.get("/api/v1/actors/habib/")["ETag"]}
            new = not etags & seen
            seen.update(etags)
            return new

        assert etag_is_new()
        actor.name = "Habib Ould Mahmoud"
        actor.save()
        assert etag_is_new()
        ArticleFactory()  # another kind of record: every ETag changes, as any write may change any answer
        assert etag_is_new()
        ActorFactory().delete()
        assert etag_is_new()
        entry = actor.history.first()
        entry.history_change_reason = "Corrected the source"
        entry.save()
        assert etag_is_new()
        datacache.bump_data_version()  # what synthesize and other writes without signals call
        assert etag_is_new()
        assert not etag_is_new()  # and nothing else does

    def test_a_list_with_a_cached_count_reads_only_its_page(self, api, django_assert_num_queries):
        """Guards against N+1 queries and scans: once counted, a list page runs the page's queries alone (the
        ids, the incidents, their actors, casualties and sources), no aggregate over the table; a write renews the
        count."""
        for _ in range(3):
            IncidentFactory()
        first = api.get("/api/v1/incidents/", {"page_size": 2}).json()
        with django_assert_num_queries(5) as queries:
            second = api.get("/api/v1/incidents/", {"page_size": 2}).json()
        sql = " ".join(query["sql"].upper() for query in queries.captured_queries)
        assert "COUNT(" not in sql and "MAX(" not in sql
        assert second["count"] == first["count"] == 3
        IncidentFactory()
        assert api.get("/api/v1/incidents/", {"page_size": 2}).json()["count"] == 4


def test_the_schema_documents_the_page_cap_the_cursor_and_the_count(api):
    """The OpenAPI schema says where numbered pages stop, what next links carry and how exact the count is, and
    states the page cap as a rule (x-constraints) so that its 400 is documented."""
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/incidents/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert "10,000" in parameters["page"]["description"] and "`next`" in parameters["page"]["description"]
    assert any("10,000" in rule for rule in parameters["page"]["x-constraints"])
    assert any("previous" in rule for rule in parameters["cursor"]["x-constraints"])
    components = schema["components"]["schemas"]

    def resolved(part: dict) -> dict:
        reference = part.get("$ref") or part.get("allOf", [{}])[0].get("$ref")
        return components[reference.rsplit("/", 1)[1]] if reference else part

    page = resolved(operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert resolved(page["properties"]["count_precision"])["enum"] == ["exact", "estimate", "lower_bound"]
    assert "keyset" in page["properties"]["next"]["description"]

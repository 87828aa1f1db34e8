"""`fields` and `expand` are bounded: repeats are de-duplicated, a parameter has a capped number of values and length,
and one request may expand only so many records (rows × expansions), so one GET cannot occupy a worker for minutes.
"""

import time

import pytest
from rest_framework.test import APIClient

from common.api.parameters import LIST_MAX_LENGTH, LIST_MAX_VALUES
from common.api.serializers import RecordSerializer
from events.models import IncidentActor
from events.tests.factories import IncidentActorFactory, IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def make_incidents(count: int) -> None:
    """Incidents each with a place and two actors, so every expansion has something to embed."""
    for _ in range(count):
        incident = IncidentFactory(place=PlaceFactory())
        IncidentActorFactory(incident=incident)
        IncidentActorFactory(incident=incident, role=IncidentActor.Role.TARGET)


@pytest.fixture
def expansions(monkeypatch) -> list[str]:
    """The names RecordSerializer.expand() is called with, one per embedding."""
    calls = []
    original = RecordSerializer.expand

    def counting(self, name, *args, **kwargs):
        calls.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(RecordSerializer, "expand", counting)
    return calls


def test_a_500_times_repeated_expand_is_refused_at_once(api, django_assert_max_num_queries):
    """`expand=actors,actors,…` 500 times (369 s of CPU once) is a 400 before any query: its query string is
    longer than any real one."""
    make_incidents(20)
    started = time.monotonic()
    with django_assert_max_num_queries(0):
        response = api.get(
            "/api/v1/incidents/", {"page_size": 1000, "fields": "id", "expand": ",".join(["actors"] * 500)}
        )
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert "The query string is" in response.json()["detail"]


def test_more_values_than_the_cap_are_refused_at_once(api, django_assert_max_num_queries):
    """Within the query-string cap, more than LIST_MAX_VALUES values of `expand` is a 400 naming the cap, before
    any query."""
    make_incidents(20)
    started = time.monotonic()
    with django_assert_max_num_queries(0):
        response = api.get(
            "/api/v1/incidents/",
            {"page_size": 1000, "fields": "id", "expand": ",".join(["actors"] * (LIST_MAX_VALUES + 1))},
        )
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert f"at most {LIST_MAX_VALUES} values" in response.json()["expand"][0]


def test_repeated_expand_and_fields_are_deduplicated(api, expansions, django_assert_num_queries):
    """A relation named twice is embedded once per record, costing no more than naming it once."""
    make_incidents(3)
    with django_assert_num_queries(10):
        response = api.get(
            "/api/v1/incidents/", {"expand": "actors,place,actors,place", "fields": "id,place,actors,id,place"}
        )
    assert response.status_code == 200
    assert sorted(expansions) == ["actors"] * 3 + ["place"] * 3
    assert list(response.json()["results"][0]) == ["id", "place", "actors"]


def test_repeated_parameter_occurrences_are_deduplicated_too(api, expansions):
    """`expand=place&expand=place` is one expansion, as `expand=place,place` is."""
    make_incidents(2)
    assert api.get("/api/v1/incidents/?expand=place&expand=place,place").status_code == 200
    assert expansions == ["place", "place"]


def test_an_expansion_that_fields_leaves_out_is_not_done(api, expansions, django_assert_num_queries):
    """`fields=id&expand=actors` embeds nothing and loads nothing for the actors: the answer would drop them."""
    make_incidents(3)
    with django_assert_num_queries(9):  # one fewer than with the actors expanded
        response = api.get("/api/v1/incidents/", {"fields": "id,place", "expand": "actors,place"})
    assert response.status_code == 200
    assert expansions == ["place"] * 3


def test_an_overlong_fields_parameter_is_refused(api):
    """A `fields` value longer than any list of real field names is a 400 giving the length allowed."""
    response = api.get("/api/v1/incidents/", {"fields": "x" * (LIST_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert f"at most {LIST_MAX_LENGTH} characters" in response.json()["fields"][0]


@pytest.mark.parametrize(("name", "value"), [("fields", ","), ("fields", "slug,,title"), ("expand", "place,")])
def test_an_empty_name_in_fields_or_expand_is_refused(api, name, value):
    """The schema's items are names: `fields=,` names none, so it is a 400 (found by schemathesis), while an empty
    `fields=` is no parameter at all."""
    response = api.get("/api/v1/incidents/", {name: value})
    assert response.status_code == 400
    assert response.json()[name] == [f"An empty value in {name}: separate the names with single commas."]
    assert api.get("/api/v1/incidents/", {name: ""}).status_code == 200


def test_a_page_over_the_expansion_budget_is_refused_with_how_to_fit(api, settings, expansions):
    """Rows × expansions over MINUSMA_API_EXPANSION_BUDGET is a 400 that gives the limit and a page size that
    fits, before anything is serialized; within the budget the same expansions are answered."""
    settings.MINUSMA_API_EXPANSION_BUDGET = 4
    make_incidents(3)
    response = api.get("/api/v1/incidents/", {"expand": "actors,place"})
    assert response.status_code == 400
    message = response.json()["expand"][0]
    assert "3 records × 2 expansions" in message
    assert "at most 4" in message
    assert "page_size=2" in message
    assert expansions == []
    assert api.get("/api/v1/incidents/", {"expand": "actors,place", "page_size": 2}).status_code == 200
    assert api.get("/api/v1/incidents/", {"expand": "actors"}).status_code == 200


def test_an_export_over_the_expansion_budget_is_refused_in_json(api, settings):
    """A streamed export expands every matching record, so the budget counts them all; the 400 is JSON."""
    settings.MINUSMA_API_EXPANSION_BUDGET = 4
    make_incidents(3)
    response = api.get("/api/v1/incidents/", {"format": "csv", "expand": "actors,place"})
    assert response.status_code == 400
    assert "3 records × 2 expansions" in response.json()["expand"][0]
    assert api.get("/api/v1/incidents/", {"format": "csv", "expand": "place"}).status_code == 200


def test_the_default_budget_allows_a_full_page_with_one_expansion():
    """By default a page of 1000 may expand one relation, 500 two, and so on."""
    from django.conf import settings

    from common.api.parameters import MAX_PAGE_SIZE

    assert settings.MINUSMA_API_EXPANSION_BUDGET == MAX_PAGE_SIZE


def test_the_schema_gives_the_caps_of_fields_and_expand(api):
    """Clients learn the caps from the OpenAPI description."""
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert parameters["fields"]["schema"]["maxItems"] == LIST_MAX_VALUES
    assert parameters["expand"]["schema"]["maxItems"] == LIST_MAX_VALUES
    assert "page_size × expansions" in parameters["expand"]["description"]

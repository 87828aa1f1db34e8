"""The API as a whole: its OpenAPI schema, its documentation pages, its root and the cross-entity search."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import IncidentFactory, PlaceAliasFactory, PlaceFactory

ENDPOINTS = ["articles", "quotes", "actors", "contingents", "strength-observations", "incidents", "places", "figures"]


@pytest.fixture
def api():
    return APIClient()


def test_schema_builds_without_warnings_and_validates(tmp_path):
    """drf-spectacular builds the OpenAPI 3 schema with no warning and it validates against the spec."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))


@pytest.mark.django_db
def test_schema_documents_filters_enums_and_lookups(api):
    """The served schema lists each list's filters with their enums, and the id-or-slug lookup."""
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    incidents = {param["name"]: param for param in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert "Battles" in incidents["acled_event_type"]["schema"]["enum"]
    assert {"place", "actor", "role", "min_killed", "page_size", "pagination", "fields", "expand"} <= set(incidents)
    assert "/api/v1/actors/{id_or_slug}/" in schema["paths"]
    assert "/api/v1/quotes/{id}/" in schema["paths"]
    assert "400" in schema["paths"]["/api/v1/incidents/"]["get"]["responses"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_documentation_is_served_offline(client, page):
    """Swagger UI and Redoc load their scripts from our static files, not from a CDN."""
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn." not in html and "unpkg" not in html


@pytest.mark.django_db
def test_root_lists_every_endpoint(api):
    """The API root links every collection and the search."""
    root = api.get("/api/v1/").json()
    assert set(root) == {*ENDPOINTS, "search", "deleted"}


@pytest.mark.django_db
def test_search_finds_every_kind_with_links(api):
    """Search looks through names, aliases, titles and quotations and says what each result is."""
    ActorAliasFactory(name="Kidal Defence Group")
    ArticleFactory(title="Attack in Kidal")
    PlaceAliasFactory(name="Kidal town")
    IncidentFactory(title="Kidal camp attack")
    ContingentFactory(unit_name="Kidal battalion")
    QuoteFactory(text="base in Kidal")
    results = api.get("/api/v1/search/", {"q": "kidal"}).json()["results"]
    assert {result["type"] for result in results} == {"actor", "article", "place", "incident", "contingent", "quote"}
    assert all(result["url"].startswith("http://testserver/api/v1/") for result in results)
    only = api.get("/api/v1/search/", {"q": "kidal", "type": "place,actor"}).json()["results"]
    assert {result["type"] for result in only} == {"place", "actor"}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 8])
def test_search_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: one query per kind searched, whatever the number of matches."""
    for _ in range(count):
        ActorFactory(name="Gao actor")
        PlaceFactory(name="Gao place")
        QuoteFactory(text="Mali")
    with django_assert_num_queries(6):
        response = api.get("/api/v1/search/", {"q": "gao"})
    assert len(response.json()["results"]) == 2 * count


@pytest.mark.django_db
def test_search_refuses_bad_input(api):
    """A missing or one-letter query, an unknown type or parameter answers 400."""
    assert api.get("/api/v1/search/").status_code == 400
    assert api.get("/api/v1/search/", {"q": "k"}).status_code == 400
    assert "actor" in api.get("/api/v1/search/", {"q": "kidal", "type": "army"}).json()["type"][0]
    assert api.get("/api/v1/search/", {"q": "kidal", "lmit": 3}).json()["unknown_parameters"] == ["lmit"]
    assert api.get("/api/v1/search/", {"q": "kidal", "limit": 0}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_list_refuses_unknown_parameters(api, endpoint):
    """No list quietly ignores a parameter it does not know."""
    response = api.get(f"/api/v1/{endpoint}/", {"colour": "blue"})
    assert response.status_code == 400
    assert "page_size" in response.json()["allowed_parameters"]


def test_throttle_rates_come_from_the_environment():
    """DJANGO_API_THROTTLE_ANON and _USER set the rates."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; r = settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']; print(r)"
    env = {**os.environ, "DJANGO_API_THROTTLE_ANON": "7/hour", "DJANGO_API_THROTTLE_USER": "70/hour"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "'anon': '7/hour'" in result.stdout and "'user': '70/hour'" in result.stdout

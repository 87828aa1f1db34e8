"""Bad input from a URL or query string is a 400 (or 404) that says what was wrong, never a 500, on every view.

Numbers are ASCII digits only: `²` and `٣` pass str.isdigit() but are not numbers a client means; NUL and other
control characters cannot be stored or searched in PostgreSQL text, so they are refused before any view runs.
"""

import base64

import pytest
from rest_framework.test import APIClient

from actors.tests.factories import ActorFactory
from articles.tests.factories import QuoteFactory
from events.tests.factories import FigureFactory, IncidentActorFactory, IncidentFactory

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO, ARABIC_THREE = "\u00b2", "\u0663"
TOO_BIG_FOR_AN_ID = "99999999999999999999"  # more than a 64-bit integer: no row can have it


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def records():
    IncidentActorFactory(incident=IncidentFactory(slug="kidal-attack"), actor=ActorFactory(slug="jnim"))
    QuoteFactory()
    FigureFactory()


def cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize("digit", [SUPERSCRIPT_TWO, ARABIC_THREE])
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/incidents/", "page"),
        ("/api/v1/incidents/", "page_size"),
        ("/api/v1/incidents/", "min_killed"),
        ("/api/v1/search/", "limit"),
        ("/api/v1/deleted/", "page"),
        ("/api/v1/deleted/", "page_size"),
    ],
)
def test_api_numbers_must_be_ascii_digits(api, records, path, parameter, digit):
    """A number parameter given a Unicode digit is a 400 naming the parameter, not a 500 or a silent 3."""
    response = api.get(path, ({"q": "kidal"} if "search" in path else {}) | {parameter: digit})
    assert response.status_code == 400, response.content
    assert parameter in response.json()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_THREE, TOO_BIG_FOR_AN_ID])
def test_api_record_filters_take_ids_and_slugs_only(api, records, value):
    """A record filter given a Unicode digit or an impossible id finds no such record: a 400 that says so."""
    response = api.get("/api/v1/incidents/", {"actor": value})
    assert response.status_code == 400, response.content
    assert "No actor has the id, slug, name or alias" in response.json()["actor"][0]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/incidents/{SUPERSCRIPT_TWO}/",
        f"/api/v1/actors/{ARABIC_THREE}/",
        f"/api/v1/incidents/{TOO_BIG_FOR_AN_ID}/",
        f"/api/v1/figures/{TOO_BIG_FOR_AN_ID}/",
        f"/api/v1/quotes/{TOO_BIG_FOR_AN_ID}/",
    ],
)
def test_api_details_by_odd_ids_are_not_found(api, records, path):
    """A detail addressed by a Unicode digit or an id no row can have is a 404."""
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    "value",
    [
        "not base64!",
        cursor("p=abc"),
        cursor(f"p={SUPERSCRIPT_TWO}"),
        cursor(f"p={TOO_BIG_FOR_AN_ID}"),
        cursor(f"o={SUPERSCRIPT_TWO}"),
        cursor("r=yes"),
        "w7c=",  # base64 of a non-ASCII byte
    ],
)
def test_api_tampered_cursor_is_a_400(api, records, value):
    """A cursor that is not one the API gave out is a 400 that says to follow the links, not a 500."""
    response = api.get("/api/v1/incidents/", {"pagination": "cursor", "cursor": value})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()


def test_api_cursor_from_a_next_link_still_walks(api, records):
    """The strict cursor check still takes the cursors the API hands out."""
    IncidentFactory()
    first = api.get("/api/v1/incidents/", {"pagination": "cursor", "page_size": 1}).json()
    second = api.get(first["next"]).json()
    assert second["results"][0]["id"] > first["results"][0]["id"]


@pytest.mark.parametrize("digit", [SUPERSCRIPT_TWO, ARABIC_THREE])
@pytest.mark.parametrize("parameter", ["page", "page_size", "min_killed"])
def test_web_list_numbers_must_be_ascii_digits(client, records, parameter, digit):
    """The web lists answer a Unicode digit in a number parameter with a 400 page."""
    assert client.get("/incidents/", {parameter: digit}).status_code == 400


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, TOO_BIG_FOR_AN_ID])
@pytest.mark.parametrize("path", ["/incidents/", "/map/", "/timeline/"])
def test_web_record_filters_take_ids_and_slugs_only(client, records, path, value):
    """The web lists, map and timeline answer an odd record id with a 400 page naming the filter."""
    response = client.get(path, {"actor": value})
    assert response.status_code == 400
    assert "No actor has the id, slug, name or alias" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=a%00",
        "/incidents/?actor=a%00",
        "/map/?actor=a%00",
        "/timeline/?actor=a%00",
        "/articles/?author=a%00",
        "/quotes/?speaker=a%00",
        "/map/incidents.geojson?place=a%00",
        "/incidents/?a%00=1",
        "/search/?q=a%01b",
        "/search/?q=a%7Fb",
        "/incidents/a%00/",
        "/",
    ],
)
def test_web_views_refuse_control_characters_with_a_400_page(client, records, url):
    """NUL (which PostgreSQL text cannot hold) or another control character in the path or a parameter is a 400
    page that says so, on every view, before any query."""
    if url == "/":
        url = "/?x=%00"
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/?actor=a%00",
        "/api/v1/articles/?search=a%00",
        "/api/v1/search/?q=ki%00dal",
        "/api/v1/deleted/?type=%00",
        "/api/v1/actors/mi%00nusma/",
        "/api/v1/incidents/?fields=id%1B",
    ],
)
def test_api_refuses_control_characters_with_a_json_400(api, records, url):
    """The API answers a control character in its path or parameters with a JSON 400 saying what is wrong."""
    response = api.get(url)
    assert response.status_code == 400
    assert "control character" in response.json()["detail"]


def test_tabs_and_line_breaks_in_a_search_are_not_control_characters_to_refuse(client, records):
    """Pasted text keeps its tabs and line breaks: only characters no text field holds are refused."""
    assert client.get("/search/", {"q": "kidal\tattack\r\n"}).status_code == 200


def test_an_overlong_query_string_is_refused(api, client, settings):
    """A query string longer than MINUSMA_MAX_QUERY_STRING_LENGTH is a 400 that gives the limit."""
    settings.MINUSMA_MAX_QUERY_STRING_LENGTH = 100
    response = api.get("/api/v1/incidents/", {"search": "a" * 120})
    assert response.status_code == 400
    assert "at most 100" in response.json()["detail"]
    assert client.get("/search/", {"q": "a" * 120}).status_code == 400
    assert api.get("/api/v1/incidents/", {"search": "a" * 50}).status_code == 200


def test_too_many_query_parameters_are_refused(api, client, settings):
    """More than MINUSMA_MAX_QUERY_PARAMETERS parameters (repeats counted) is a 400 that gives the limit."""
    settings.MINUSMA_MAX_QUERY_PARAMETERS = 5
    response = api.get("/api/v1/incidents/?" + "&".join(["fields=id"] * 6))
    assert response.status_code == 400
    assert "at most 5" in response.json()["detail"]
    assert client.get("/search/?" + "&".join(["q=kidal"] * 6)).status_code == 400
    assert api.get("/api/v1/incidents/?" + "&".join(["fields=id"] * 5)).status_code == 200


def test_query_string_caps_have_sensible_defaults():
    """By default a query string may carry every filter and field a list offers, but not thousands."""
    from django.conf import settings

    assert 2000 <= settings.MINUSMA_MAX_QUERY_STRING_LENGTH <= 8192
    assert 50 <= settings.MINUSMA_MAX_QUERY_PARAMETERS < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

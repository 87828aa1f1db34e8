"""The suggest endpoint: names for a filter's box as one types, at most ten, bounded work, throttled."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from common import datacache
from events.tests.factories import PlaceAliasFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def test_suggests_places_by_name_and_alias(client):
    """“tomb” finds Timbuktu by its French name, labelled with the alias matched; the value is the slug."""
    timbuktu = PlaceFactory(name="Timbuktu", slug="timbuktu")
    PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    PlaceFactory(name="Gao")
    response = client.get("/suggest/place/", {"q": "TOMB"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"suggestions": [{"value": "timbuktu", "label": "Timbuktu (Tombouctou)"}]}


def test_suggests_at_most_ten_whole_names_first(client):
    """Twelve actors start with “Mo”: ten are suggested, the one named exactly “Mo” first."""
    for number in range(11):
        ActorFactory(name=f"Mohamed {number:02}")
    ActorFactory(name="Mo", slug="mo")
    ActorFactory(name="Camp Mo", slug="camp-mo")
    suggestions = client.get("/suggest/actor/", {"q": "mo"}).json()["suggestions"]
    assert len(suggestions) == 10
    assert suggestions[0] == {"value": "mo", "label": "Mo"}


def test_suggests_contingents_outlets_and_countries(client):
    """Every kind a filter takes by name has suggestions: contingents by description or unit, countries by name."""
    contingent = ContingentFactory(country="TD", unit_name="GTIA Kidal")
    assert client.get("/suggest/contingent/", {"q": "gtia"}).json()["suggestions"] == [
        {"value": contingent.slug, "label": f"{contingent} (GTIA Kidal)"}
    ]
    assert client.get("/suggest/country/", {"q": "cote"}).json()["suggestions"] == [
        {"value": "CI", "label": "Côte d'Ivoire"}
    ]
    assert client.get("/suggest/outlet/", {"q": "x"}).json() == {"suggestions": []}


def test_empty_unknown_and_overlong_queries(client):
    """No q: no suggestions; an unknown kind is a 404 and an overlong q a 400, both saying why in JSON."""
    assert client.get("/suggest/place/").json() == {"suggestions": []}
    unknown = client.get("/suggest/article/", {"q": "un"})
    assert unknown.status_code == 404
    assert unknown.json() == {
        "errors": ["Nothing is suggested for “article”. Allowed: country, actor, place, outlet, contingent."]
    }
    overlong = client.get("/suggest/place/", {"q": "k" * 101})
    assert overlong.status_code == 400


def test_suggestions_cost_no_query_once_the_names_are_read(client, monkeypatch, django_assert_num_queries):
    """Guards against N+1 queries and unbounded work: the first request after a write reads the names (two
    queries), the next ones none, however many records match."""
    for number in range(30):
        ActorAliasFactory(actor=ActorFactory(name=f"Ag {number}"), name=f"Ag alias {number}")
    monkeypatch.setattr(datacache, "uncommitted_changes", lambda: False)
    with django_assert_num_queries(2):
        assert len(client.get("/suggest/actor/", {"q": "ag"}).json()["suggestions"]) == 10
    with django_assert_num_queries(0):
        assert len(client.get("/suggest/actor/", {"q": "ag al"}).json()["suggestions"]) == 10


def test_suggestions_are_throttled(client, monkeypatch):
    """Past the web_suggest rate (its own, apart from the pages'), a 429 in JSON with Retry-After."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "web_suggest", "2/minute")
    responses = [client.get("/suggest/place/", {"q": "ki"}) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[-1]["Retry-After"] and "errors" in responses[-1].json()


@pytest.mark.parametrize("path", ["/map/", "/timeline/"])
def test_the_map_and_timeline_boxes_take_names(client, path):
    """The map's and the timeline's place and actor boxes are labelled plainly and suggest names."""
    page = client.get(path).content.decode()
    assert "(slug)" not in page
    assert '<label for="filter-place">Place</label>' in page
    assert 'data-suggest="/suggest/place/"' in page and 'data-suggest="/suggest/actor/"' in page

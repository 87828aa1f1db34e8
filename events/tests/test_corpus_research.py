"""The corpus as a researcher meets it: unreported numbers never shown as 0, every placeable incident on the map with
its precision, and a full administrative chain for the places in Mali.

The whole corpus is loaded once for this module (conftest.loaded_corpus) and rolled back afterwards.
"""

import io
from collections import Counter

import pandas
import pytest
from django.urls import reverse

from actors.models import Contingent
from events import crosswalks, geo
from events.models import Incident, Place

LOCALITIES = ("capital", "city", "village")


pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_at_least_65_incidents_are_on_the_map_and_only_unknown_locations_are_not(loaded_corpus):
    """Counted as the map counts them: every incident with a place is drawn, at its own or an enclosing place's."""
    incidents = Incident.objects.all()
    assert incidents.count() >= 71
    drawn = geo.incident_map(incidents, Contingent.objects.none())
    assert len(drawn.features) >= 65
    assert all(incident.place is None for incident, _ in drawn.unmapped)
    precisions = Counter(feature["properties"]["geo_precision"] for feature in drawn.features)
    assert set(precisions) <= {1, 2, 3} and precisions[1] >= 20


def test_the_kidal_camp_attack_is_drawn_at_kidal_with_its_precision(loaded_corpus):
    """The fatal 2015-01-17 attack on the camp (no coordinates of its own) is drawn at Kidal: ACLED 1, UCDP 2."""
    location = Incident.objects.for_list().get(slug="2015-01-17-kidal-camp-attack").location
    assert location.point_place.slug == "kidal"
    assert (location.acled_geo_precision, location.ucdp_where_prec) == (1, 2)
    assert (location.admin1.slug, location.admin2.slug, location.country_code) == ("kidal-region", "kidal-cercle", "ML")


def test_every_locality_in_mali_lies_in_a_cercle_a_region_and_mali(loaded_corpus):
    """Country > region > cercle > locality: every town and village in Mali has the whole chain, each level sourced."""
    for place in Place.objects.filter(country="ML", kind__in=LOCALITIES).select_related("parent__parent__parent"):
        cercle = place.parent
        assert (cercle.kind, cercle.parent.kind, cercle.parent.parent.slug) == ("cercle", "region", "mali"), place
    for place in Place.objects.filter(kind__in=["country", "region", "cercle"]):
        assert place.coordinates_note and place.geonames_id, place


def test_every_incident_in_mali_with_a_place_has_its_country_and_those_below_a_region_their_admin1(loaded_corpus):
    """iso, country and admin1 are derivable: ML for every incident in Mali, a region wherever the place is in one."""
    for incident in Incident.objects.for_list().filter(in_mali=True):
        location = incident.location
        assert location.country_code == "ML", incident.slug
        inside_a_region = location.place is not None and location.place.kind not in ("country", "area")
        assert (location.admin1 is not None) == inside_a_region, incident.slug


def test_moura_reads_not_reported_and_the_airstrip_ied_its_seven_wounded(loaded_corpus, client):
    """Moura's page says “not reported”, never “Killed 0”; the Kidal airstrip IED's seven wounded are on the list."""
    page = client.get(reverse("events:incident_detail", args=["2022-03-moura-massacre"])).content.decode()
    assert "<dt>Killed</dt><dd>not reported" in page and "<dd>0" not in page
    listing = client.get(reverse("events:incident_list"), {"min_wounded": 7}).content.decode()
    assert "Kidal" in listing and '<td data-label="Wounded" class="count">7</td>' in listing


def read_shape(client, shape: str) -> pandas.DataFrame:
    response = client.get("/api/v1/incidents/", {"format": shape})
    text = b"".join(response.streaming_content).decode()
    return pandas.read_csv(io.StringIO(text), dtype_backend="numpy_nullable")


def test_the_corpus_reads_as_acled_and_ucdp_rows(loaded_corpus, client):
    """Every corpus incident is one row of each shape; the Kidal camp attack and Moura read as the codebooks ask."""
    acled, ucdp = read_shape(client, "acled"), read_shape(client, "ucdp")
    assert len(acled) == len(ucdp) == Incident.objects.count()
    assert list(acled.columns) == crosswalks.ACLED_COLUMNS and list(ucdp.columns) == crosswalks.UCDP_COLUMNS
    kidal = acled[acled["record_url"].str.endswith("/incidents/2015-01-17-kidal-camp-attack/")].iloc[0]
    assert (kidal["actor2"], kidal["inter2"], kidal["fatalities"], kidal["fatalities_reported"]) == (
        "MINUSMA",
        8,
        1,
        True,
    )
    assert (kidal["admin1"], kidal["geo_precision"], kidal["iso"]) == ("Kidal Region", 1, 466)
    moura = ucdp[ucdp["record_url"].str.endswith("/incidents/2022-03-moura-massacre/")].iloc[0]
    assert (moura["type_of_violence"], moura["side_b"], moura["adm_2"], moura["where_prec"]) == (
        3,
        "Civilians",
        "Djenné Cercle",
        4,
    )
    assert pandas.isna(moura["best"])
    assert acled["geo_precision"].notna().sum() >= 65

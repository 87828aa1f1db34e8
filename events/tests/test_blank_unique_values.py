"""A place's optional GeoNames id (unique when given) left blank is stored as NULL, so any number can lack one."""

import pytest
import tablib
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from events.models import Place
from events.resources import PlaceResource

pytestmark = pytest.mark.django_db


def test_importing_places_without_geonames_ids_saves_them_all():
    """Empty GeoNames cells import as NULL, row after row."""
    data = tablib.Dataset(headers=["slug", "name", "kind", "coordinates_note", "geonames_id"])
    for slug in ("aguelhok", "tessalit"):
        data.append([slug, slug.title(), "village", "Not yet located.", ""])
    result = PlaceResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert list(Place.objects.values_list("geonames_id", flat=True)) == [None, None]


def test_the_api_takes_a_null_geonames_id_and_refuses_a_blank_one():
    """JSON says none with null (two places without one are no duplicates); "" there is a clear 400."""
    api = APIClient()
    api.force_authenticate(User.objects.create_superuser("admin", password="pw"))
    for slug in ("aguelhok", "tessalit"):
        payload = {"name": slug.title(), "slug": slug, "kind": "village", "coordinates_note": "x", "geonames_id": None}
        assert api.post("/api/v1/places/", payload, format="json").status_code == 201
    assert list(Place.objects.values_list("geonames_id", flat=True)) == [None, None]
    payload = {"name": "Kidal", "slug": "kidal", "kind": "city", "coordinates_note": "x", "geonames_id": ""}
    response = api.post("/api/v1/places/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"geonames_id": ["A valid integer is required."]}

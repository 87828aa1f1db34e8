"""acled_event_id, the field added to show what adding a field costs (issue 10): the model, its serializer, its
FilterSet and its import resource are the only places that name it, and it reaches the admin, the web list's
filters, the API, every download and the curators' imports."""

import csv
import io
import json

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import Incident
from events.resources import IncidentResource

from .factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_admin_change_form_shows_it_and_the_model_validates_it(admin_client):
    """The admin's form is the model's: it shows the field, and its validation (full_clean) refuses a bad id."""
    incident = IncidentFactory()
    page = admin_client.get(reverse("admin:events_incident_change", args=[incident.pk])).content.decode()
    assert 'name="acled_event_id"' in page and "ACLED event id" in page
    incident.acled_event_id = "mli-1234"
    with pytest.raises(ValidationError) as refused:
        incident.full_clean()
    assert "event_id_cnty" in str(refused.value.message_dict["acled_event_id"])


def test_web_list_filters_by_it_and_api_serves_it_in_every_format(client):
    matched = IncidentFactory(acled_event_id="MLI1234")
    IncidentFactory()
    page = client.get(reverse("events:incident_list"), {"acled_event_id": "MLI1234"})
    assert 'name="acled_event_id"' in page.content.decode()
    assert [row.pk for row in page.context["listing"]["page"]["rows"]] == [matched.pk]
    api = APIClient()
    (record,) = api.get("/api/v1/incidents/", {"acled_event_id": "MLI1234"}).json()["results"]
    assert record["acled_event_id"] == "MLI1234"
    (row,) = csv.DictReader(
        io.StringIO(_body(api.get("/api/v1/incidents/", {"acled_event_id": "MLI1234", "format": "csv"})))
    )
    assert row["acled_event_id"] == "MLI1234"
    (line,) = _body(api.get("/api/v1/incidents/", {"acled_event_id": "MLI1234", "format": "jsonl"})).splitlines()
    assert json.loads(line)["acled_event_id"] == "MLI1234"
    collection = json.loads(_body(api.get("/api/v1/incidents/", {"acled_event_id": "MLI1234", "format": "geojson"})))
    assert collection["features"][0]["properties"]["acled_event_id"] == "MLI1234"


def test_api_write_refuses_a_malformed_id(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    incident = IncidentFactory()
    response = api.patch(f"/api/v1/incidents/{incident.pk}/", {"acled_event_id": "not an id"}, format="json")
    assert response.status_code == 400 and "event_id_cnty" in response.json()["acled_event_id"][0]
    response = api.patch(f"/api/v1/incidents/{incident.pk}/", {"acled_event_id": "MLI77"}, format="json")
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.acled_event_id == "MLI77"


def test_curators_import_sets_it():
    incident = IncidentFactory()
    exported = IncidentResource().export(Incident.objects.filter(pk=incident.pk))
    assert "acled_event_id" in exported.headers
    rows = tablib.Dataset(headers=exported.headers)
    row = list(exported[0])
    row[exported.headers.index("acled_event_id")] = "MLI4321"
    rows.append(row)
    result = IncidentResource().import_data(rows, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    incident.refresh_from_db()
    assert incident.acled_event_id == "MLI4321"

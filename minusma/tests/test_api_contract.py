"""The API does what its schema says (issue 9's honest contract), item by item; the schemathesis run checks the same
promises on generated input."""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.tests.factories import ActorFactory
from events.tests.factories import IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def curator():
    """A client with a curator's token (staff superuser)."""
    user = get_user_model().objects.create_superuser("curator", password=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def schema(api) -> dict:
    return api.get("/api/v1/schema/?format=json").json()


def test_an_unknown_format_is_a_400_naming_the_formats_offered(api):
    """?format=xml is bad input (400 with the formats offered), not a missing address (404 before)."""
    response = api.get("/api/v1/actors/?format=xml")
    assert response.status_code == 400
    assert "Offered: json" in response.json()["format"][0]
    assert "csv" in response.json()["format"][0]


def test_an_unacceptable_accept_header_is_a_406(api):
    """Content negotiation by header answers 406, as documented."""
    assert api.get("/api/v1/actors/", HTTP_ACCEPT="application/xml").status_code == 406


def test_an_empty_value_is_no_value(api):
    """`?date_from=&expand=&cursor=&ordering=` is the same request as no parameters (allowEmptyValue in the schema):
    an empty cursor with page pagination was a 400 before."""
    IncidentFactory()
    plain = api.get("/api/v1/incidents/").json()
    empty = api.get("/api/v1/incidents/?date_from=&expand=&cursor=&ordering=&pagination=page&fields=")
    assert empty.status_code == 200
    assert empty.json()["count"] == plain["count"] == 1


def test_modified_after_takes_rfc3339_or_a_date_only(api):
    """What the schema's date-time/date formats admit is accepted; a date-time without an offset is refused."""
    assert api.get("/api/v1/actors/?modified_after=2000-01-01T00:00:00Z").status_code == 200
    assert api.get("/api/v1/actors/?modified_after=2000-01-01").status_code == 200
    response = api.get("/api/v1/actors/?modified_after=2000-01-01T00:00:00")
    assert response.status_code == 400
    assert "RFC 3339" in response.json()["modified_after"][0]


def test_an_unknown_api_address_answers_json_404(api):
    """A client reading `detail` gets JSON under /api/, not the site's HTML page."""
    response = api.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/" in response.json()["detail"]


def test_an_undeclared_method_is_a_405_before_the_parameters_are_judged(curator):
    """PUT on a list is 405 with Allow, even with list parameters that a PUT would not take (400 before)."""
    response = curator.put("/api/v1/actors/?kind=person&page=1", {}, format="json")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_deleting_a_referenced_record_is_a_409_saying_what_refers_to_it(curator):
    """A place incidents happened at cannot be deleted: 409 and the counts, not a 500 (ProtectedError before)."""
    place = PlaceFactory(slug="kidal")
    IncidentFactory(place=place)
    IncidentFactory(place=place)
    response = curator.delete("/api/v1/places/kidal/")
    assert response.status_code == 409
    assert response.json()["referenced_by"] == {"incidents": 2}
    assert "2 incidents" in response.json()["detail"]


def test_writes_take_json_only(curator):
    """A form-encoded write is a 415 (the schema documents JSON request bodies only)."""
    response = curator.post("/api/v1/actors/", {"name": "X", "slug": "x", "kind": "person"}, format="multipart")
    assert response.status_code == 415


def test_a_write_answers_json_only(curator, schema):
    """A write's `format` offers json alone (a 204 with text/csv before): ?format=csv on a PATCH is a 400 and changes
    nothing; ?format=json answers JSON."""
    ActorFactory(slug="jnim", description="As it was.")
    refused = curator.patch("/api/v1/actors/jnim/?format=csv", {"description": "Changed."}, format="json")
    assert refused.status_code == 400
    assert "format" in refused.json()
    assert curator.get("/api/v1/actors/jnim/").json()["description"] == "As it was."
    response = curator.patch("/api/v1/actors/jnim/?format=json", {"description": "Changed."}, format="json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["description"] == "Changed."
    patch = {p["name"]: p for p in schema["paths"]["/api/v1/actors/{id_or_slug}/"]["patch"]["parameters"]}
    assert "csv" not in json.dumps(patch.get("format", {}))  # the schema offers no other format for a write


def test_a_nul_in_a_reference_is_a_400(curator):
    """A NUL in a related record's slug is bad input (400 on the field), not a 500 from PostgreSQL."""
    ActorFactory(slug="jnim")
    response = curator.post(
        "/api/v1/figures/", {"subject": "jn\x00im", "quantity": "troops", "value": 1}, format="json"
    )
    assert response.status_code == 400
    assert "subject" in response.json()


def test_reads_are_public_in_the_schema_and_writes_are_not(schema):
    """Every GET lists an empty security requirement (no credentials needed); writes do not."""
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            security = operation.get("security", [])
            assert ({} in security) == (method == "get"), (method, security)


def test_the_schema_documents_every_answer_the_server_gives(schema):
    """401/403 on writes, 404 on one record and past the last page, 409 on delete, 412 on writes to one record,
    415 on bodies, 304/406 on reads, 429 and 400 everywhere."""
    detail = schema["paths"]["/api/v1/actors/{id_or_slug}/"]
    listing = schema["paths"]["/api/v1/actors/"]
    assert {"200", "304", "400", "404", "406", "429"} <= set(detail["get"]["responses"])
    assert {"200", "304", "400", "404", "406", "429"} <= set(listing["get"]["responses"])
    assert {"201", "400", "401", "403", "415", "429"} <= set(listing["post"]["responses"])
    assert {"200", "400", "401", "403", "404", "412", "415", "429"} <= set(detail["patch"]["responses"])
    assert {"204", "401", "403", "404", "409", "412", "429"} <= set(detail["delete"]["responses"])


def test_rules_beyond_json_schema_are_documented_as_x_constraints(schema):
    """A cursor, a reference that must exist and a date range in order are stated on their parameters."""
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert parameters["cursor"]["x-constraints"]
    assert "existing actor" in parameters["actor"]["x-constraints"][0]
    assert "date_from" in parameters["date_to"]["x-constraints"][0]
    assert all(p.get("allowEmptyValue") for p in parameters.values() if p["in"] == "query")
    search = {p["name"]: p for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert search["q"]["schema"]["minLength"] == 2


def test_the_schema_does_not_leak_the_base_serializers_docstring(schema):
    """A record without a docstring of its own is not described by RecordSerializer's notes for developers."""
    assert "Validates writes as the admin does" not in json.dumps(schema)

"""Property-based tests of the API against its own OpenAPI schema (schemathesis, in-process over WSGI, no network):
whatever valid or odd input a client sends to a read, the answer is never a 5xx and always matches the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from actors.tests.factories import (
    ActorAliasFactory,
    ContingentFactory,
    ContingentSourceFactory,
    StrengthObservationFactory,
)
from articles.tests.factories import QuoteFactory
from events.models import IncidentActor
from events.tests.factories import (
    CasualtyFactory,
    FigureFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceAliasFactory,
    PlaceFactory,
)

# Random examples per operation, on top of schemathesis' deterministic boundary cases (its coverage phase): for the
# 18 GET operations about 3,000 requests in all, some 35 s on SQLite and 45 s on PostgreSQL.
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def in_process_requests():
    """Requests go straight to the WSGI handler, so keep it from closing the test's database connection after each
    one (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(db, monkeypatch, in_process_requests):
    """A few related records of every kind to answer with, one deletion, and no throttling."""
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.THROTTLE_RATES", {"anon": None, "user": None})
    region = PlaceFactory(slug="kidal-region", kind="region")
    place = PlaceFactory(slug="kidal", parent=region)
    PlaceAliasFactory(place=place)
    incident = IncidentFactory(slug="kidal-attack", place=place)
    IncidentFactory(place=None, location_precision="unknown")
    IncidentActorFactory(incident=incident)
    IncidentActorFactory(incident=incident, role=IncidentActor.Role.TARGET)
    contingent = ContingentFactory(slug="chad-kidal", base=place)
    ContingentSourceFactory(contingent=contingent)
    StrengthObservationFactory(contingent=contingent)
    CasualtyFactory(incident=incident, contingent=contingent)
    IncidentSourceFactory(incident=incident)
    ActorAliasFactory(actor=contingent.mission)
    QuoteFactory(speaker=contingent.mission)
    FigureFactory(subject=contingent.mission)
    FigureFactory().delete()


# The schema as the app serves it; building it needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@schema.include(method="GET").parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
    database=None,
)
def test_reads_never_fail_and_match_the_schema(case, records):
    """No 5xx and no answer outside the documented schema, for any generated GET of every operation."""
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

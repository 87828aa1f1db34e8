"""Property-based tests of the API against its own OpenAPI schema (schemathesis, in-process over WSGI, no network):
whatever valid or odd input a client sends to a read, the answer is never a 5xx and always matches the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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

# Examples per operation: about 20 GET operations, so some 600 requests, in well under a minute.
EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def records(db, monkeypatch):
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

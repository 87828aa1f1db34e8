"""Property-based tests of the API against its own OpenAPI schema (schemathesis, in-process over WSGI, no network),
with every check schemathesis has (schemathesis.toml): reads as an anonymous client, writes with a curator's token,
then the stateful phase that chains them (create, read back, change, delete). Whatever a client sends, the answer is
never a 5xx, has a documented status code and content type, matches the schema, accepts what the schema allows (or
refuses it for a rule the schema documents, see schemathesis_contract.py) and refuses what it forbids."""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from rest_framework.authtoken.models import Token

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
from minusma.tests.schemathesis_contract import refusals_are_documented

# Random examples per operation, on top of schemathesis' deterministic boundary cases (its coverage phase).
EXAMPLES_PER_OPERATION = 25
STATEFUL_STEPS, STATEFUL_RUNS = 12, 15
HYPOTHESIS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


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
    """A few related records of every kind to answer with, one deletion, a curator's token, and no throttling."""
    monkeypatch.setattr(
        "rest_framework.throttling.SimpleRateThrottle.THROTTLE_RATES", {"anon": None, "user": None, "web_export": None}
    )
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
    curator = get_user_model().objects.create_superuser("schemathesis-curator", password=None)
    Token.objects.create(user=curator, key=CURATOR_TOKEN)


# The schema as the app serves it; building it needs no database. Its config is schemathesis.toml.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
# The curator's token, fixed so that schemathesis can set it on cases it builds before any test (and database) runs;
# the records fixture creates the account that holds it.
CURATOR_TOKEN = "5c4e3a7ac0ffee0f0cafe5c4e3a7ac0ffee0f0ca"
# The examples, fuzzing and stateful phases run here, with every check; the coverage phase (deterministic boundary
# cases of every parameter, some 15,000 requests, 5-10 minutes) runs in bin/contract against a served app, so that
# each database's suite stays within CI's time.
schema.config.phases.coverage.enabled = False


@schema.auth(refresh_interval=None).skip_for(method="GET")
class CuratorToken:
    """Writes carry a curator's token (a staff superuser, so every write the schema offers is allowed); reads carry
    none, as a public client's. Registered as schemathesis' auth, so its auth checks know the token is a real one and
    probe the same writes without it and with a wrong one (401)."""

    def get(self, case, context) -> str:
        return CURATOR_TOKEN

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schema.include(method="GET").parametrize()
@settings(HYPOTHESIS, max_examples=EXAMPLES_PER_OPERATION)
def test_reads_keep_every_promise_of_the_schema(case, records):
    """Every check, for any generated GET of every operation, as an anonymous client: reads are public."""
    case.call_and_validate(additional_checks=[refusals_are_documented])


@schema.exclude(method="GET").parametrize()
@settings(HYPOTHESIS, max_examples=EXAMPLES_PER_OPERATION)
def test_writes_keep_every_promise_of_the_schema(case, records):
    """Every check, for any generated POST, PUT, PATCH or DELETE of every operation, with a curator's token (and, by
    schemathesis' auth checks, without it and with a wrong one: 401)."""
    case.call_and_validate(additional_checks=[refusals_are_documented])


def test_chains_of_calls_keep_every_promise_of_the_schema(records):
    """The stateful phase: schemathesis follows the links between operations (a created record read back, changed,
    deleted), with every check on every step."""
    base = schema.as_state_machine()

    class Workflow(base):
        def setup(self):
            """Each run of calls starts from the same records: what one run created or deleted is rolled back."""
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            super().validate_response(response, case, [*(additional_checks or []), refusals_are_documented], **kwargs)

    run_state_machine_as_test(
        Workflow, settings=settings(HYPOTHESIS, max_examples=STATEFUL_RUNS, stateful_step_count=STATEFUL_STEPS)
    )

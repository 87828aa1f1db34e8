"""Read replicas: requests that only read go to a replica; writes, locks, the admin, signed-in curators and everything
just after a write go to the primary. The test settings define `replica_1` as a test mirror of the test database;
these tests turn the router on (the rest of the suite runs without it, so its query counts stay on `default`)."""

import time
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from actors.models import Actor
from actors.tests.factories import ActorFactory
from common import datacache, db_router
from common.middleware import ReplicaReadsMiddleware
from events.models import Incident
from events.tests.factories import IncidentFactory

ROUTER = "common.db_router.PrimaryReplicaRouter"
REPLICA = "replica_1"


@pytest.fixture
def replicas(settings):
    """The router on, with the test settings' `replica_1`; a replication lag of 5 seconds."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.DATABASE_REPLICA_LAG_SECONDS = 5
    return settings


def _data_changed_seconds_ago(seconds: float) -> None:
    """Make the shared data version one made `seconds` ago (as the last write to the curated data would)."""
    made = time.time_ns() // 1000 - int(seconds * 1_000_000)
    cache.set(datacache.VERSION_KEY, f"{made}.{uuid.uuid4().hex}", timeout=None)


def _where_the_view_reads(request, view=None) -> str:
    """Which database the view's reads of incidents went to, through the middleware."""

    def reads_incidents(request):
        return HttpResponse(router.db_for_read(Incident))

    response = ReplicaReadsMiddleware(view or reads_incidents)(request)
    return response.content.decode()


def _get(path: str = "/incidents/", user=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return request


def test_without_the_router_every_read_goes_to_the_primary():
    """The test settings' mirror alone routes nothing: no router, no replicas, the middleware leaves requests alone."""
    assert db_router.replica_aliases() == []
    _data_changed_seconds_ago(60)
    assert _where_the_view_reads(_get()) == DEFAULT_DB_ALIAS


def test_an_anonymous_get_reads_from_a_replica(replicas):
    """A GET by nobody signed in, a minute after the last write, reads from the replica."""
    _data_changed_seconds_ago(60)
    assert db_router.replica_aliases() == [REPLICA]
    assert _where_the_view_reads(_get()) == REPLICA
    assert not db_router.reads_from_replicas(), "the request's routing ends with it"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_request_reads_from_the_primary(replicas, method):
    """Every request that may write reads what it reads from the primary."""
    _data_changed_seconds_ago(60)
    request = getattr(RequestFactory(), method)("/api/v1/incidents/")
    request.user = AnonymousUser()
    assert _where_the_view_reads(request) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_the_admin_and_signed_in_curators_read_from_the_primary(replicas):
    """/admin/ pages, and any page a signed-in curator opens, read from the primary: curators read back their edits."""
    _data_changed_seconds_ago(60)
    assert _where_the_view_reads(_get("/admin/events/incident/")) == DEFAULT_DB_ALIAS
    curator = User.objects.create_user("curator", is_staff=True)
    assert _where_the_view_reads(_get("/incidents/", user=curator)) == DEFAULT_DB_ALIAS


def test_every_read_goes_to_the_primary_just_after_a_write(replicas):
    """Within the replication lag of the last write, a replica may not have it yet: every request reads from the
    primary, whoever wrote; after the lag, reads go back to the replica."""
    _data_changed_seconds_ago(1)
    assert _where_the_view_reads(_get()) == DEFAULT_DB_ALIAS
    _data_changed_seconds_ago(6)
    assert _where_the_view_reads(_get()) == REPLICA


def test_a_request_that_learns_of_a_write_midway_reads_from_the_primary_from_then_on(replicas):
    """A write committed while a request runs: once the request reads the new data version (to cache or tag what it
    reads), it reads from the primary, so nothing it caches under that version comes from a lagging replica."""
    _data_changed_seconds_ago(60)

    def reads_before_and_after(request):
        before = router.db_for_read(Incident)
        _data_changed_seconds_ago(0)
        datacache.data_version()
        return HttpResponse(f"{before} {router.db_for_read(Incident)}")

    assert _where_the_view_reads(_get(), reads_before_and_after) == f"{REPLICA} {DEFAULT_DB_ALIAS}"


def test_a_request_that_writes_reads_its_writes_from_the_primary(replicas):
    """After the router sends a write to the primary, the same request reads from the primary too."""
    _data_changed_seconds_ago(60)

    def writes_then_reads(request):
        before = router.db_for_read(Incident)
        assert router.db_for_write(Incident) == DEFAULT_DB_ALIAS
        return HttpResponse(f"{before} {router.db_for_read(Incident)}")

    assert _where_the_view_reads(_get(), writes_then_reads) == f"{REPLICA} {DEFAULT_DB_ALIAS}"


def test_access_and_rate_limits_are_read_from_the_primary(replicas):
    """Sessions and API tokens (who is signed in) are read from the primary even where reads go to replicas, and
    writing them does not send the request's other reads to the primary."""
    with db_router.replica_reads():
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Token) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Incident) == REPLICA


def test_locks_and_writes_use_the_primary(replicas):
    """select_for_update (the API's If-Match check locks the row) and get_or_create go to the primary, even where
    reads go to replicas."""
    with db_router.replica_reads():
        assert Actor.objects.all().db == REPLICA
        assert Actor.objects.select_for_update().db == DEFAULT_DB_ALIAS
        assert router.db_for_write(Actor) == DEFAULT_DB_ALIAS


def test_an_export_streamed_after_the_view_returns_reads_from_a_replica(replicas):
    """A streaming response's rows are read while it is sent, after the middleware returned: they still come from a
    replica, and the server's context is left reading from the primary between chunks."""
    _data_changed_seconds_ago(60)

    def streams(request):
        return StreamingHttpResponse(router.db_for_read(Incident).encode() for _ in range(2))

    response = ReplicaReadsMiddleware(streams)(_get())
    chunks = []
    for chunk in response.streaming_content:
        chunks.append(chunk)
        assert not db_router.reads_from_replicas()
    assert chunks == [REPLICA.encode()] * 2


@pytest.mark.django_db
def test_relations_between_the_primary_and_replicas_are_allowed_and_only_the_primary_is_migrated(replicas):
    """A record read from a replica may point at one read from the primary; migrations run on the primary only."""
    on_primary, on_replica = ActorFactory(), ActorFactory()
    on_replica._state.db = REPLICA
    assert router.allow_relation(on_primary, on_replica) is True
    elsewhere = ActorFactory()
    elsewhere._state.db = "archive"
    assert db_router.PrimaryReplicaRouter().allow_relation(on_primary, elsewhere) is None
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "events", model_name="incident")
    assert not router.allow_migrate(REPLICA, "events", model_name="incident")


# Whole pages: the replica is the test database through a second connection, which sees committed rows only (as a
# real replica does), hence transactional tests.


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_a_list_page_reads_its_rows_from_the_replica(client, replicas):
    """GET /incidents/ reads the incidents through the replica's connection and none through the primary's."""
    IncidentFactory(title="Attack on the Kidal camp")
    _data_changed_seconds_ago(60)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get("/incidents/")
    assert response.status_code == 200
    assert "Attack on the Kidal camp" in response.content.decode()
    assert any("events_incident" in query["sql"] for query in on_replica.captured_queries)
    assert not any("events_incident" in query["sql"] for query in on_primary.captured_queries)


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_page_after_a_write_reads_from_the_primary(client, replicas):
    """Right after a write commits (the data version renewed), the same list page reads nothing from the replica."""
    IncidentFactory(title="Attack on the Kidal camp")  # commits, so the data version is renewed now
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/incidents/")
    assert response.status_code == 200
    assert "Attack on the Kidal camp" in response.content.decode()
    assert on_replica.captured_queries == []


@pytest.mark.django_db
def test_a_stale_if_match_write_is_refused_on_the_primary(replicas):
    """The API's lost-update check (If-Match, the row locked) runs on the primary: a stale ETag gets 412, a fresh one
    applies. The replica is never asked: this test may not query it (pytest-django refuses databases not named)."""
    from minusma.tests.test_lost_updates import _api_for

    alice, bob = _api_for("alice"), _api_for("bob")
    actor = ActorFactory(slug="habib", description="Leader.")
    _data_changed_seconds_ago(0)  # as the actor's commit does (the test's transaction never commits)
    url = f"/api/v1/actors/{actor.pk}/"
    etag = alice.get(url)["ETag"]
    assert bob.patch(url, {"description": "Bob's."}, format="json").status_code == 200
    assert alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    fresh = alice.get(url)["ETag"]
    assert alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    assert Actor.objects.get(pk=actor.pk).description == "Alice's."

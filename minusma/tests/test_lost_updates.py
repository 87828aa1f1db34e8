"""Nothing lost to a stale copy: an API write that names the version it read (If-Match, If-Unmodified-Since) and
an admin form opened before someone else's save are refused instead of silently reverting the newer change."""

import datetime
import threading
import time

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from actors.models import Actor
from actors.tests.factories import ActorFactory
from minusma.api_tools import RecordSerializer

pytestmark = pytest.mark.django_db


def _api_for(username: str) -> APIClient:
    """An API client authenticated as an Editor (who may change and delete)."""
    user = User.objects.create_user(username)
    user.groups.add(Group.objects.get(name="Editor"))
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def alice() -> APIClient:
    return _api_for("alice")


@pytest.fixture
def bob() -> APIClient:
    return _api_for("bob")


@pytest.fixture
def actor():
    return ActorFactory(slug="habib", name="Habib Ould Mahmoud", description="Leader.")


def _description(actor) -> str:
    return Actor.objects.get(pk=actor.pk).description


# API: If-Match


def test_a_stale_patch_is_refused_and_a_fresh_one_applies(alice, bob, actor):
    """Alice's PATCH with the ETag she read before Bob's change gets 412 and Bob's change stays; with the ETag of a
    fresh read (by id or slug, in any format) her PATCH goes through."""
    url = f"/api/v1/actors/{actor.pk}/"
    etag = alice.get("/api/v1/actors/habib/")["ETag"]
    assert bob.patch(url, {"description": "Bob's."}, format="json").status_code == 200

    stale = alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    body = stale.json()
    assert "changed" in body["detail"]
    assert body["etag"].startswith('"') and body["last_modified"]
    assert _description(actor) == "Bob's."

    fresh = alice.get(url, {"format": "csv"})["ETag"]
    response = alice.patch("/api/v1/actors/habib/", {"description": "Alice's."}, format="json", HTTP_IF_MATCH=fresh)
    assert response.status_code == 200, response.json()
    assert _description(actor) == "Alice's."


def test_the_etag_in_a_412_lets_the_writer_overwrite_deliberately(alice, bob, actor):
    """The 412 names the current ETag: sending it back overwrites on purpose."""
    url = f"/api/v1/actors/{actor.pk}/"
    etag = alice.get(url)["ETag"]
    bob.patch(url, {"description": "Bob's."}, format="json")
    current = alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_MATCH=etag).json()["etag"]
    assert alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_MATCH=current).status_code == 200
    assert _description(actor) == "Alice's."


def test_a_stale_put_and_a_stale_delete_are_refused(alice, bob, actor):
    """PUT and DELETE honour If-Match as PATCH does."""
    url = f"/api/v1/actors/{actor.pk}/"
    etag = alice.get(url)["ETag"]
    bob.patch(url, {"description": "Bob's."}, format="json")
    whole = {"name": actor.name, "slug": actor.slug, "kind": actor.kind, "description": "Alice's."}
    assert alice.put(url, whole, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert alice.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert _description(actor) == "Bob's."
    assert alice.delete(url, HTTP_IF_MATCH=alice.get(url)["ETag"]).status_code == 204
    assert not Actor.objects.filter(pk=actor.pk).exists()


def test_if_match_compares_the_record_not_another_resource(alice, actor):
    """`*` matches any existing record and a list may name several tags; a list's ETag, another record's ETag or a
    weak tag never matches."""
    url = f"/api/v1/actors/{actor.pk}/"
    other = ActorFactory()
    current = alice.get(url)["ETag"]

    def patch(if_match: str) -> int:
        return alice.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH=if_match).status_code

    assert patch(alice.get("/api/v1/actors/")["ETag"]) == 412
    assert patch(alice.get(f"/api/v1/actors/{other.pk}/")["ETag"]) == 412
    assert patch(f"W/{current}") == 412
    assert patch("*") == 200
    assert patch(f'"nothing", {alice.get(url)["ETag"]}') == 200


def test_writes_without_preconditions_work_as_before(alice, actor):
    """Honouring If-Match does not require it: a client that sends none still writes."""
    response = alice.patch(f"/api/v1/actors/{actor.pk}/", {"description": "Alice's."}, format="json")
    assert response.status_code == 200
    assert "ETag" not in response  # a write's answer carries no validators (RFC 9110 §9.3.4)


def test_a_conditional_write_to_a_missing_record_is_a_404(alice):
    """Preconditions are judged only for a record that exists."""
    assert alice.patch("/api/v1/actors/nobody/", {"name": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 404


# API: If-Unmodified-Since


def test_if_unmodified_since_refuses_a_write_over_a_later_change(alice, actor):
    """A date older than the record's last change is refused; the Last-Modified of a fresh read is accepted; an
    unreadable date is ignored, as HTTP says."""
    url = f"/api/v1/actors/{actor.pk}/"
    yesterday = http_date((timezone.now() - datetime.timedelta(days=1)).timestamp())
    refused = alice.patch(url, {"description": "Alice's."}, format="json", HTTP_IF_UNMODIFIED_SINCE=yesterday)
    assert refused.status_code == 412
    assert _description(actor) == "Leader."
    fresh = alice.get(url)["Last-Modified"]
    assert alice.patch(url, {"description": "A."}, format="json", HTTP_IF_UNMODIFIED_SINCE=fresh).status_code == 200
    assert alice.patch(url, {"description": "B."}, format="json", HTTP_IF_UNMODIFIED_SINCE="soon").status_code == 200


def test_if_match_takes_precedence_over_if_unmodified_since(alice, actor):
    """With both, If-Match decides (RFC 9110 §13.2.2)."""
    url = f"/api/v1/actors/{actor.pk}/"
    yesterday = http_date((timezone.now() - datetime.timedelta(days=1)).timestamp())
    headers = {"HTTP_IF_MATCH": alice.get(url)["ETag"], "HTTP_IF_UNMODIFIED_SINCE": yesterday}
    assert alice.patch(url, {"description": "Alice's."}, format="json", **headers).status_code == 200


def test_a_conditional_patch_runs_a_fixed_number_of_queries(alice, actor, django_assert_max_num_queries):
    """Guards against N+1 queries: checking the precondition adds no query to the write."""
    url = f"/api/v1/actors/{actor.pk}/"
    with django_assert_max_num_queries(25) as unconditional:
        alice.patch(url, {"description": "A."}, format="json")
    unconditional_count = len(unconditional)  # the next request resets the connection's query log
    etag = alice.get(url)["ETag"]
    with django_assert_max_num_queries(unconditional_count):
        assert alice.patch(url, {"description": "B."}, format="json", HTTP_IF_MATCH=etag).status_code == 200


def test_every_save_gives_a_new_version(actor):
    """`modified` keeps microseconds in the database, so two saves in the same second are two versions."""
    versions = set()
    for description in ("one", "two", "three"):
        actor.description = description
        actor.save()
        versions.add(Actor.objects.get(pk=actor.pk).modified)
    assert len(versions) == 3


# API: two writers at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_writers_with_the_same_etag_one_wins(monkeypatch):
    """Two PATCHes sent at once with the same If-Match: one 200 and one 412, never two 200s (the check and the
    write hold the row lock together)."""
    actor = ActorFactory(description="Leader.")
    clients = {name: _api_for(name) for name in ("alice", "bob")}
    url = f"/api/v1/actors/{actor.pk}/"
    etag = clients["alice"].get(url)["ETag"]
    validate = RecordSerializer.validate

    def slow_validate(serializer, attrs):
        time.sleep(0.5)  # between the precondition and the save: where a check without a lock lets both through
        return validate(serializer, attrs)

    monkeypatch.setattr(RecordSerializer, "validate", slow_validate)
    start, statuses = threading.Barrier(2), {}

    def write(name: str) -> None:
        try:
            start.wait()
            statuses[name] = clients[name].patch(url, {"description": name}, format="json", HTTP_IF_MATCH=etag)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(response.status_code for response in statuses.values()) == [200, 412]
    winner = next(name for name, response in statuses.items() if response.status_code == 200)
    assert _description(actor) == winner

"""Nothing lost to a stale copy: an API write that names the version it read (If-Match, If-Unmodified-Since) and
an admin form opened before someone else's save are refused instead of silently reverting the newer change."""

import datetime
import threading
import time

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from actors.models import Actor, ActorAlias
from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.tests.factories import QuoteFactory
from common.admin import OPENED_VERSION, CuratedAdmin, EditConflictForm
from common.api.serializers import RecordSerializer

pytestmark = pytest.mark.django_db


def _api_for(username: str) -> APIClient:
    """An API client authenticated as a user who may change and delete actors. (Permissions, not the Editor group:
    a transactional test's flush removes the groups the migrations made.)"""
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_actor", "delete_actor"]))
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
@pytest.mark.postgresql_only("row locks between concurrent connections need PostgreSQL")
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


# Admin: change forms


def _curator(username: str) -> Client:
    user = User.objects.create_user(username=username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def carol() -> Client:
    return _curator("carol")


@pytest.fixture
def dave() -> Client:
    return _curator("dave")


def _submitted(page, **changes) -> dict:
    """What a browser sends back from an admin change page, with `changes` made: every field of the form and of
    its inline forms (hidden ones included), and the inlines' management forms."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context.get("inline_admin_formsets", []):  # a revert form has none
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for field in form:
            if (value := field.value()) is not None:
                data[field.html_name] = value
    return {**data, **changes}


def test_a_stale_admin_form_is_refused_and_shows_what_changed(carol, dave, actor):
    """Carol opens the form, Dave saves a change, Carol saves her stale form: refused with Dave's change (field,
    old → new, who and when) shown, and the row keeps Dave's change."""
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    carols_page = carol.get(url)
    version = carols_page.context["adminform"].form[OPENED_VERSION].value()
    assert f'type="hidden" name="{OPENED_VERSION}" value="{version}"' in carols_page.content.decode()
    assert dave.post(url, _submitted(dave.get(url), description="Dave's.")).status_code == 302

    refused = carol.post(url, _submitted(carols_page, name="Habib Mahmoud"))
    assert refused.status_code == 200
    error = " ".join(refused.context["adminform"].form.non_field_errors())
    assert "dave" in error and "Description" in error and "Leader." in error and "Dave&#x27;s." in error
    actor.refresh_from_db()
    assert (actor.name, actor.description) == ("Habib Ould Mahmoud", "Dave's.")


def test_saving_again_after_a_conflict_overwrites_on_purpose(carol, dave, actor):
    """Having seen what changed, Carol may save her form again: that replaces Dave's change deliberately."""
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    carols_page = carol.get(url)
    dave.post(url, _submitted(dave.get(url), description="Dave's."))
    refused = carol.post(url, _submitted(carols_page, description="Carol's."))
    assert refused.status_code == 200
    assert carol.post(url, _submitted(refused)).status_code == 302
    assert _description(actor) == "Carol's."


def test_a_stale_inline_row_is_refused_whether_or_not_it_was_edited(carol, dave, actor):
    """An alias row of Carol's stale actor form that Dave renamed meanwhile is refused, edited by her or not (the
    admin would save her stale name back); a row nobody changed passes. Dave's name stays."""
    renamed, untouched = ActorAliasFactory(actor=actor, name="Habib"), ActorAliasFactory(actor=actor, name="HOM")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    carols_page = carol.get(url)
    rows = [form.instance.pk for form in carols_page.context["inline_admin_formsets"][0].formset.forms]
    row = rows.index(renamed.pk)
    assert f'name="aliases-{row}-{OPENED_VERSION}"' in carols_page.content.decode()
    alias_url = reverse("admin:actors_actoralias_change", args=[renamed.pk])
    assert dave.post(alias_url, _submitted(dave.get(alias_url), name="Habib O. M.")).status_code == 302

    for changes in ({f"aliases-{row}-name": "H. Ould Mahmoud"}, {"description": "Carol's."}):
        refused = carol.post(url, _submitted(carols_page, **changes))
        assert refused.status_code == 200
        forms = refused.context["inline_admin_formsets"][0].formset.forms
        assert "dave" in " ".join(forms[row].non_field_errors())
        assert not forms[rows.index(untouched.pk)].non_field_errors()
    assert ActorAlias.objects.get(pk=renamed.pk).name == "Habib O. M."
    assert _description(actor) == "Leader."


def test_a_revert_form_carries_the_current_version(carol, dave, actor):
    """Reverting from the history page works, and is refused like any change form when the row moved meanwhile."""
    first = actor.history.earliest()
    dave.post(
        reverse("admin:actors_actor_change", args=[actor.pk]),
        _submitted(dave.get(reverse("admin:actors_actor_change", args=[actor.pk])), description="Dave's."),
    )
    revert_url = reverse("admin:actors_actor_simple_history", args=[actor.pk, first.history_id])
    revert_page = carol.get(revert_url)
    assert carol.post(revert_url, _submitted(revert_page)).status_code == 302
    assert _description(actor) == "Leader."

    revert_page = carol.get(revert_url)
    change_url = reverse("admin:actors_actor_change", args=[actor.pk])
    dave.post(change_url, _submitted(dave.get(change_url), description="Dave's again."))
    assert carol.post(revert_url, _submitted(revert_page)).status_code == 200
    assert _description(actor) == "Dave's again."


def test_forms_with_their_own_field_layout_carry_the_version_too(admin_client):
    """Admins that list their fields (fieldsets, `fields`) still render the hidden version, for the record and for
    each inline row."""
    quote = QuoteFactory()
    article_page = admin_client.get(reverse("admin:articles_article_change", args=[quote.article.pk])).content
    assert article_page.decode().count(f'name="{OPENED_VERSION}"') == 1
    assert article_page.decode().count(f'name="quotes-0-{OPENED_VERSION}"') == 1
    quote_page = admin_client.get(reverse("admin:articles_quote_change", args=[quote.pk])).content
    assert quote_page.decode().count(f'name="{OPENED_VERSION}"') == 1


def test_every_curated_admin_and_inline_guards_against_stale_forms():
    """Each curated model's admin form and inline form checks the version it was opened at."""
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, CuratedAdmin):
            continue
        assert issubclass(model_admin.form, EditConflictForm), model
        for inline in model_admin.inlines:
            assert issubclass(inline.form, EditConflictForm), inline

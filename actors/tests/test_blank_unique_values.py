"""An optional unique code left blank (an actor's Wikidata id) is stored as NULL, whichever way the row comes in."""

import importlib

import pytest
import tablib
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from actors.admin import ActorForm
from actors.models import Actor
from actors.resources import ActorResource
from actors.tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def _stored_wikidata_ids() -> list:
    return list(Actor.objects.order_by("slug").values_list("wikidata_id", flat=True))


def test_a_blank_wikidata_id_is_stored_as_null():
    """Any number of actors can have no Wikidata id: a blank one is NULL, which the unique index allows twice."""
    Actor.objects.create(name="Ansar Dine", slug="ansar-dine", kind="armed_group", wikidata_id="")
    second = Actor(name="MNLA", slug="mnla", kind="armed_group", wikidata_id="  ")
    second.full_clean()
    second.save()
    assert _stored_wikidata_ids() == [None, None]


def test_importing_actors_without_wikidata_ids_saves_them_all():
    """A spreadsheet with empty Wikidata cells imports every row, this time and the next."""
    for slugs in (["ansar-dine", "mnla"], ["hcua"]):
        data = tablib.Dataset(headers=["slug", "name", "kind", "wikidata_id"])
        for slug in slugs:
            data.append([slug, slug.upper(), "armed_group", ""])
        result = ActorResource().import_data(data, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert _stored_wikidata_ids() == [None, None, None]


def test_creating_actors_through_the_api_with_an_empty_wikidata_id():
    """The API takes "" for "no Wikidata id" as the admin does, for every actor."""
    user = User.objects.create_user("curator", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_actor"))
    api = APIClient()
    api.force_authenticate(user)
    for slug in ("ansar-dine", "mnla"):
        payload = {"name": slug.upper(), "slug": slug, "kind": "armed_group", "wikidata_id": ""}
        response = api.post("/api/v1/actors/", payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["wikidata_id"] is None
    assert _stored_wikidata_ids() == [None, None]


def test_the_admin_form_saves_a_blank_wikidata_id_as_null():
    """The admin form leaves the Wikidata id empty for a second actor without complaint."""
    ActorFactory(slug="ansar-dine", wikidata_id=None)
    form = ActorForm(data={"name": "MNLA", "slug": "mnla", "kind": "armed_group", "wikidata_id": ""})
    assert form.is_valid(), form.errors
    form.save()
    assert _stored_wikidata_ids() == [None, None]


def test_the_data_migration_turns_stored_empty_wikidata_ids_into_null():
    """Rows saved with "" before the fix become NULL, so they no longer block each other."""
    migration = importlib.import_module("actors.migrations.0005_wikidata_id_blank_is_null")
    first, second = ActorFactory(wikidata_id=None), ActorFactory(wikidata_id="Q42")
    Actor.objects.filter(pk=first.pk).update(wikidata_id="")  # as the old code stored it
    migration.blank_wikidata_ids_to_null(django_apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.wikidata_id, second.wikidata_id) == (None, "Q42")

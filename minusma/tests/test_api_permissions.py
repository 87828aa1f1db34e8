"""API writes are for curators (staff accounts with the model permission), whatever credential they come with."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import Actor
from actors.tests.factories import ActorFactory

pytestmark = pytest.mark.django_db

NEW_ACTOR = {"name": "Ansar Dine", "slug": "ansar-dine", "kind": "armed_group"}


def _token_client(*, is_staff: bool) -> APIClient:
    """A token for an account holding every actor permission (through a permission, not a group)."""
    user = User.objects.create_user("holder", is_staff=is_staff)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="actors", codename__endswith="_actor"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_non_staff_token_cannot_write_even_with_the_model_permissions():
    """A token whose account is not staff gets 403 on create, change and delete; nothing changes."""
    api = _token_client(is_staff=False)
    actor = ActorFactory(name="MNLA", slug="mnla")
    assert api.post("/api/v1/actors/", NEW_ACTOR, format="json").status_code == 403
    assert api.patch("/api/v1/actors/mnla/", {"name": "Changed"}, format="json").status_code == 403
    assert api.put("/api/v1/actors/mnla/", {**NEW_ACTOR, "slug": "mnla"}, format="json").status_code == 403
    assert api.delete("/api/v1/actors/mnla/").status_code == 403
    assert list(Actor.objects.values_list("name", flat=True)) == [actor.name]


def test_the_refusal_says_why():
    """The 403 names the rule, so the token's owner knows what to ask for."""
    response = _token_client(is_staff=False).post("/api/v1/actors/", NEW_ACTOR, format="json")
    assert "staff" in response.json()["detail"]


def test_a_staff_token_with_the_model_permissions_writes():
    """A curator's token creates, changes and deletes."""
    api = _token_client(is_staff=True)
    assert api.post("/api/v1/actors/", NEW_ACTOR, format="json").status_code == 201
    assert api.patch("/api/v1/actors/ansar-dine/", {"name": "Ansar Eddine"}, format="json").status_code == 200
    assert api.delete("/api/v1/actors/ansar-dine/").status_code == 204


def test_a_staff_token_without_the_model_permission_cannot_write():
    """Staff alone is not enough: the model permission is still needed."""
    user = User.objects.create_user("staff-only", is_staff=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert api.post("/api/v1/actors/", NEW_ACTOR, format="json").status_code == 403


def test_an_editor_token_writes():
    """The Editor group's members (staff, as the README's curator model has them) write through the API."""
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert api.post("/api/v1/actors/", NEW_ACTOR, format="json").status_code == 201


def test_reads_stay_public_and_open_to_any_token():
    """Anonymous clients and non-staff tokens read as before."""
    ActorFactory(slug="mnla")
    assert APIClient().get("/api/v1/actors/").status_code == 200
    assert _token_client(is_staff=False).get("/api/v1/actors/mnla/").status_code == 200

"""Guessing passwords at the admin login locks that username out from that address for a while (django-axes)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the-right-password-42"
LOGIN = "/admin/login/?next=/admin/"


def _staff(username: str, role: str = "Curator") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _log_in(client: Client, username: str, password: str, address: str = "203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers or None
    )


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _guess_until_locked(client: Client, username: str, address: str = "203.0.113.7", **headers) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, username, "wrong-guess", address, **headers)


def test_the_right_password_after_too_many_wrong_ones_is_refused_with_a_clear_message(client):
    """After the failure limit, even the right password is refused with 429 and a message saying why and for how
    long."""
    _staff("curator")
    _guess_until_locked(client, "curator")
    response = _log_in(client, "curator", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed sign-ins" in text
    assert "minutes" in text
    assert not _logged_in(client)


def test_fewer_failures_than_the_limit_do_not_lock(client):
    """A few typos are forgiven: the right password still signs in, and resets the count."""
    _staff("curator")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "curator", "typo")
    assert _log_in(client, "curator", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_lockout_is_by_username_and_address_together():
    """One attacker cannot lock everyone out: the same user from another address, and another user from the
    attacker's address, still sign in."""
    _staff("curator")
    _staff("editor", "Editor")
    _guess_until_locked(Client(), "curator", "203.0.113.7")
    assert _log_in(Client(), "curator", PASSWORD, "203.0.113.7").status_code == 429
    other_address = Client()
    assert _log_in(other_address, "curator", PASSWORD, "198.51.100.20").status_code == 302
    other_user = Client()
    assert _log_in(other_user, "editor", PASSWORD, "203.0.113.7").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout():
    """Without a trusted proxy (NUM_PROXIES=0) the address is REMOTE_ADDR: a new X-Forwarded-For per attempt does not
    start a new count."""
    _staff("curator")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(), "curator", "wrong-guess", "203.0.113.7", x_forwarded_for=f"10.0.0.{n}")
    response = _log_in(Client(), "curator", PASSWORD, "203.0.113.7", x_forwarded_for="10.9.9.9")
    assert response.status_code == 429


def test_an_editor_cannot_lift_their_own_lockout():
    """The lockout records are not the Editors' to see, change or delete; the lock holds after their attempts."""
    from axes.models import AccessAttempt

    editor = _staff("editor", "Editor")
    _guess_until_locked(Client(), "editor")
    (attempt,) = AccessAttempt.objects.filter(username="editor")
    signed_in = Client()
    signed_in.force_login(editor)  # e.g. a session still open elsewhere
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert signed_in.get(changelist).status_code == 403
    assert signed_in.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk])).status_code == 403
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert signed_in.post(delete, {"post": "yes"}).status_code == 403
    bulk_delete = {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    assert signed_in.post(changelist, bulk_delete).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert not editor.groups.get().permissions.filter(content_type__app_label="axes").exists()
    assert _log_in(Client(), "editor", PASSWORD).status_code == 429


def test_a_superuser_can_lift_a_lockout(admin_client):
    """Lifting a lockout is for a superuser (or manage.py axes_reset_username)."""
    from axes.models import AccessAttempt

    _staff("curator")
    _guess_until_locked(Client(), "curator")
    (attempt,) = AccessAttempt.objects.filter(username="curator")
    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert _log_in(Client(), "curator", PASSWORD).status_code == 302


def test_failure_limit_and_lockout_time_come_from_the_environment():
    """DJANGO_LOGIN_FAILURE_LIMIT and DJANGO_LOGIN_LOCKOUT_MINUTES set the limit and the lockout's length."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    code = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"

    def read(**env) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=environment | env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert read() == "10 0:30:00"
    assert read(DJANGO_LOGIN_FAILURE_LIMIT="3", DJANGO_LOGIN_LOCKOUT_MINUTES="120") == "3 2:00:00"

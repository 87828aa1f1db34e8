"""Response headers: a strict Content-Security-Policy, opt-in HSTS extras, no server banner, and where sign-in leads."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from articles.tests.factories import ArticleFactory
from minusma.tests.gunicorn_server import ROOT, first_answer, gunicorn

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    "url",
    ["/", "/incidents/", "/map/", "/search/?q=mali", "/admin/login/", "/api/v1/actors/", "/api/v1/docs/"],
)
def test_every_answer_carries_a_strict_content_security_policy(client, url):
    """Scripts only from this site (no inline script, no eval), no plugins, no framing, forms post here only."""
    policy = _policy(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_inline_styles_are_allowed_in_attributes_only(client):
    """Leaflet, the timeline's bars and the admin's apps set style attributes; <style> elements stay refused."""
    policy = _policy(client.get("/"))
    assert policy["style-src"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]


def test_only_the_map_may_load_online_tiles(client):
    """OpenStreetMap's tiles are allowed on the map page, where a reader can pick them, and nowhere else."""
    assert "https://tile.openstreetmap.org" in _policy(client.get("/map/"))["img-src"]
    assert "https://tile.openstreetmap.org" not in _policy(client.get("/"))["img-src"]


def test_pages_have_no_inline_script(client):
    """Every <script> on the main pages loads a file (JSON data blocks aside), so the policy needs no nonce."""
    article = ArticleFactory()
    for url in ["/", "/map/", "/timeline/", "/incidents/", article.get_absolute_url(), "/api/v1/docs/"]:
        html = client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (url, opening)


def test_login_leads_to_the_admin():
    """Signing in (and a page that needs it) goes to the admin, the only place with accounts."""
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == reverse("admin:index")
    assert resolve_url(settings.LOGIN_URL) == reverse("admin:login")


def _hsts_flags(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "minusma.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Q2" * 12,
        "DJANGO_ALLOWED_HOSTS": "minusma.example.org",
        **env,
    }
    code = "from django.conf import settings as s; print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    return result.stdout.strip().splitlines()[-1]


def test_hsts_subdomains_and_preload_are_opt_in():
    """HSTS covers subdomains and asks for preloading only when told to (both bind other hosts for a long time);
    the deploy check passes either way."""
    assert _hsts_flags() == "False False"
    flags = _hsts_flags(DJANGO_HSTS_INCLUDE_SUBDOMAINS="true", DJANGO_HSTS_PRELOAD="true")
    assert flags == "True True"


def test_gunicorn_sends_no_server_banner(tmp_path):
    """Under the repository's gunicorn.conf.py (Dockerfile, docker compose) no Server header names the software."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "minusma.settings.local",
        "DJANGO_SECRET_KEY": "gunicorn-banner-test-" + "k3" * 20,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'banner.sqlite3'}",
    }
    with gunicorn("minusma.wsgi", env=environment) as (port, server):
        headers = first_answer(f"http://127.0.0.1:{port}/healthz", server, lambda response: response.headers, 2)
    assert headers["Date"]
    assert "Server" not in headers

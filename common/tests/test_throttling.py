"""Rate limits hold: per real client address, shared by every worker, on the API and on the website's heavy pages."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from events.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rate(monkeypatch):
    """Set one scope's rate for this test (DRF keeps the rates on the throttle class)."""

    def set_rate(scope: str, value: str) -> None:
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, value)

    return set_rate


# Who the client is: X-Forwarded-For only counts behind proxies of our own.


def test_a_new_forwarded_for_per_request_does_not_reset_the_api_limit(client, rate):
    """With no trusted proxy (NUM_PROXIES=0, the default) the connection's address is counted, whatever header the
    client writes."""
    rate("anon", "3/minute")
    codes = [client.get("/api/v1/", headers={"x-forwarded-for": f"10.0.0.{n}"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_behind_one_proxy_the_address_it_forwards_is_the_client(client, rate, settings):
    """With NUM_PROXIES=1, the address our proxy appended is the client: clients behind it are counted apart, and an
    address a client prepends itself changes nothing."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rate("anon", "2/minute")

    def status(forwarded_for: str) -> int:
        return client.get("/api/v1/", headers={"x-forwarded-for": forwarded_for}).status_code

    assert [status("198.51.100.1"), status("198.51.100.1"), status("198.51.100.1")] == [200, 200, 429]
    assert status("198.51.100.2") == 200
    assert status("10.9.9.9, 198.51.100.1") == 429


def _download(client, url: str, **params):
    """A list's download: the web address redirects to the API's list in that format, which streams it."""
    return client.get(client.get(url, params)["Location"], headers=params.pop("headers", {}))


def test_the_download_limit_ignores_a_forged_forwarded_for(client, rate):
    """The download limit counts the same address as the API's."""
    rate("web_export", "2/minute")
    url = reverse("api:incident-list")
    codes = [client.get(url, {"format": "csv"}, headers={"x-forwarded-for": f"10.0.0.{n}"}) for n in range(3)]
    assert [response.status_code for response in codes] == [200, 200, 429]


# Downloads and feeds firmly, pages generously, each with Retry-After and a message a person can read.


def test_a_download_over_the_limit_gets_429_with_retry_after_in_json(client, rate):
    """Past the export rate a list's CSV download (the API's) is refused with 429, Retry-After and a JSON reason, as
    every API error is written whatever format was asked for."""
    rate("web_export", "2/minute")
    url = reverse("events:incident_list")
    assert [_download(client, url, format="csv").status_code for _ in range(2)] == [200, 200]
    refused = _download(client, url, format="csv")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]


def test_json_pages_are_not_downloads(client, rate):
    """The API's paged JSON counts at the API's rates, not the download rate; a citation download does."""
    rate("web_export", "1/minute")
    url = reverse("api:article-list")
    assert [client.get(url, {"format": "json"}).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(url, {"format": "csl-json"}).status_code == 200
    assert client.get(url, {"format": "bibtex"}).status_code == 429


def test_list_pages_have_their_own_more_generous_limit(client, rate):
    """Downloads used up, the list page itself still opens; past the page rate it answers a readable 429 page."""
    rate("web_export", "1/minute")
    rate("web_page", "3/minute")
    url = reverse("events:incident_list")
    _download(client, url, format="csv")
    assert _download(client, url, format="csv").status_code == 429
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many requests" in refused.content.decode()


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("/search/?q=kidal", "web_page"),
        ("/map/", "web_page"),
        ("/timeline/", "web_page"),
        ("/map/incidents.geojson", "web_export"),
    ],
)
def test_search_map_timeline_and_the_map_feed_are_throttled(client, rate, url, scope):
    """Search, the map, the timeline and the map's GeoJSON feed each stop at their scope's rate."""
    IncidentFactory()
    rate(scope, "2/minute")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_details_and_the_health_check_are_not_throttled(client, rate):
    """A record's own page is cheap and what people cite; load balancers poll the health check."""
    incident = IncidentFactory()
    rate("web_page", "1/minute")
    assert {client.get(incident.get_absolute_url()).status_code for _ in range(3)} == {200}
    assert {client.get("/healthz").status_code for _ in range(3)} == {200}


def test_web_rates_come_from_the_environment():
    """DJANGO_WEB_THROTTLE_PAGES and DJANGO_WEB_THROTTLE_EXPORTS set the website's rates."""
    code = "from django.conf import settings; r = settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']; print(r)"
    env = {**os.environ, "DJANGO_WEB_THROTTLE_PAGES": "9/minute", "DJANGO_WEB_THROTTLE_EXPORTS": "4/hour"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "'web_page': '9/minute'" in result.stdout and "'web_export': '4/hour'" in result.stdout


# One count for every worker: the cache is shared, and simultaneous requests are each counted.


@pytest.mark.parametrize("throttle_path", ["AnonRateThrottle", "UserRateThrottle", "PageThrottle", "ExportThrottle"])
def test_simultaneous_requests_are_each_counted(monkeypatch, rf, rate, throttle_path):
    """Six requests from one client served at the same moment (as by six workers) against a rate of 3: exactly three
    pass, however the cache's reads and writes interleave."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import AnonymousUser
    from django.core.cache.backends.locmem import LocMemCache

    from common import throttling

    throttle_class = getattr(throttling, throttle_path)
    rate(throttle_class.scope, "3/minute")
    read = LocMemCache.get

    def read_then_pause(self, *args, **kwargs):
        value = read(self, *args, **kwargs)
        time.sleep(0.05)  # every worker reads before any writes back, unless the read and the write are one step
        return value

    monkeypatch.setattr(LocMemCache, "get", read_then_pause)

    def one_request(_) -> bool:
        request = rf.get("/", REMOTE_ADDR="203.0.113.9")
        request.user = AnonymousUser()
        return throttle_class().allow_request(request, None)

    with ThreadPoolExecutor(6) as workers:
        allowed = list(workers.map(one_request, range(6)))
    assert allowed.count(True) == 3


def _environment(**env: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return (
        clean | {"DJANGO_SETTINGS_MODULE": "minusma.settings.local", "DJANGO_SECRET_KEY": "throttle-" + "q8" * 25} | env
    )


def _manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_the_cache_is_redis_when_redis_url_is_set_and_the_database_otherwise():
    """REDIS_URL selects Redis; without it the database holds the cache, so the default run shares it too."""
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    assert _manage("shell", "-c", code, env=_environment()) == (
        "django.core.cache.backends.db.DatabaseCache minusma_cache"
    )
    redis = _manage("shell", "-c", code, env=_environment(REDIS_URL="redis://cache.example:6379/0"))
    assert redis == "django.core.cache.backends.redis.RedisCache redis://cache.example:6379/0"


def test_two_processes_share_one_count_through_the_database_cache(tmp_path):
    """Two processes, like two gunicorn workers, count together: what one let through, the other refuses past."""
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}", DJANGO_API_THROTTLE_ANON="3/minute")
    _manage("createcachetable", env=env)
    requests = (
        "from django.test import Client; client = Client(HTTP_HOST='localhost'); "
        "print(' '.join(str(client.get('/api/v1/').status_code) for _ in range({count})))"
    )
    assert _manage("shell", "-c", requests.format(count=2), env=env) == "200 200"
    assert _manage("shell", "-c", requests.format(count=2), env=env) == "200 429"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379 (this test only; CI needs none)")
def test_the_redis_cache_shares_the_count_between_connections(client, rate):
    """Under Redis, the count one connection writes is the count another connection reads."""
    from django.core.cache.backends.redis import RedisCache

    location, prefix = "redis://127.0.0.1:6379/0", f"minusma-test-{uuid.uuid4().hex}"
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location, "KEY_PREFIX": prefix}
    rate("anon", "2/minute")
    key = "throttle_anon_127.0.0.1"  # DRF's key for this scope and address
    try:
        with override_settings(CACHES={"default": redis}):
            assert [client.get("/api/v1/").status_code for _ in range(3)] == [200, 200, 429]
        another_connection = RedisCache(location, {"KEY_PREFIX": prefix})
        assert len(another_connection.get(key)) == 2
    finally:
        RedisCache(location, {"KEY_PREFIX": prefix}).delete_many([key, "throttle_user_127.0.0.1"])

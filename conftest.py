"""Shared test fixtures. Per-app factories live in <app>/tests/factories.py."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

CHROMIUM = os.environ.get("MINUSMA_CHROMIUM", "/usr/bin/chromium")
# The reason a `postgresql_only` test gives when it is skipped elsewhere; CI accepts no other skip.
POSTGRESQL_ONLY = "PostgreSQL only"


@pytest.fixture(autouse=True, scope="session")
def _expected_database_vendor(django_db_setup, django_db_blocker):
    """CI sets MINUSMA_EXPECT_DATABASE so a run meant for PostgreSQL cannot silently use SQLite."""
    expected = os.environ.get("MINUSMA_EXPECT_DATABASE")
    if expected:
        with django_db_blocker.unblock():
            assert connection.vendor == expected, f"tests ran on {connection.vendor}, expected {expected}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, threads) ends by emptying every table, the Curator and Editor groups that
    a migration made included: make them again, so the tests after it find the database as migrations leave it."""
    yield
    if nextitem is None:
        return  # the last test: the test database is already destroyed, and no test follows
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    if not transactional and not {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return
    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    from common.roles import assign_roles

    with item.config.stash[blocking_manager_key].unblock():
        assign_roles(apps)


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    """Tests of what only PostgreSQL has (row and advisory locks between real concurrent connections) say why they
    are skipped on SQLite, in words CI recognises."""
    marker = request.node.get_closest_marker("postgresql_only")
    if marker is not None and connection.vendor != "postgresql":
        pytest.skip(f"{POSTGRESQL_ONLY}: {marker.args[0]}")


@pytest.fixture(scope="module")
def loaded_corpus(django_db_setup, django_db_blocker):
    """The whole corpus (fixtures/), loaded once for the module inside a transaction rolled back after it; yields
    the load report. Modules that use it are marked `corpus`."""
    from django.conf import settings
    from django.db import transaction

    from common import corpus

    with django_db_blocker.unblock(), transaction.atomic():
        yield corpus.load(corpus.fixture_paths(Path(settings.BASE_DIR) / "fixtures"))
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; the tests never download a browser."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test body are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Rate limits (API and website) count requests in the cache; each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()

"""In a real browser: every kind of page works under the Content-Security-Policy without a single violation."""

import pytest
from django.contrib.auth.models import User

from actors.tests.factories import ActorFactory, ContingentFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import IncidentFactory, PlaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def violations(page) -> list[str]:
    """Chromium reports each refused script, style, image or connection as a console error naming the policy."""
    seen: list[str] = []

    def record(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"{message.text} at {message.location}")

    page.on("console", record)
    return seen


@pytest.fixture
def records():
    kidal = PlaceFactory(name="Kidal", slug="kidal", latitude="18.443450", longitude="1.409210")
    IncidentFactory(title="Attack on the Kidal camp", place=kidal)
    ContingentFactory(base=kidal)
    article = ArticleFactory(title="The UN’s Mission in Mali Is on Tenterhooks")
    quote = QuoteFactory(article=article)
    return {"article": article, "quote": quote, "actor": ActorFactory(name="Ansar Dine")}


def _visit(page, url: str) -> None:
    """Load a page, which must carry the policy (so that no violation means the policy held, not that it was absent)."""
    response = page.goto(url)
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
    page.wait_for_load_state("networkidle")


def test_public_pages_raise_no_policy_violation(page, violations, records):
    """Home, a list, the map (which draws), the timeline, search, an article reader and a quote's page (with their
    Cite controls' script) load without a violation."""
    for url in ["/", "/incidents/", "/timeline/", "/search/?q=Kidal", records["article"].get_absolute_url()]:
        _visit(page, url)
    _visit(page, records["quote"].get_absolute_url())
    page.locator("button.cite-copy").first.wait_for(state="attached")  # cite.js ran
    _visit(page, "/map/")
    page.locator("#map.leaflet-container .incident-marker").first.wait_for()
    assert violations == []


def test_admin_pages_raise_no_policy_violation(page, violations, records):
    """The admin's login, change forms (with the quote table and autocomplete widgets), history and import pages load
    without a violation."""
    User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    _visit(page, "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    article = records["article"]
    for url in [
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/quote/add/?article={article.pk}&return_to_article=1",  # autocomplete widgets
        "/admin/events/incident/import/",
        "/admin/events/incident/",
    ]:
        _visit(page, url)
    assert violations == []


def test_api_docs_raise_no_policy_violation(page, violations):
    """Swagger UI and Redoc render the schema without a violation, except Redoc's attribution logo, which its bundle
    always fetches from Redocly's CDN and which the policy blocks on purpose (the docs are served offline)."""
    _visit(page, "/api/v1/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert violations == []
    _visit(page, "/api/v1/redoc/")
    page.get_by_role("heading", name="MINUSMA research database API").wait_for()
    page.locator("h2", has_text="actors_list").first.wait_for()
    assert all("https://cdn.redoc.ly/" in violation for violation in violations), violations


def test_browsable_api_raises_no_policy_violation(page, violations, records):
    """A list with its filters and a record with the writer's forms, as the browsable API draws them
    (templates/rest_framework/api.html: no style attributes, the format choice as links)."""
    _visit(page, "/api/v1/incidents/?format=api")
    page.get_by_role("link", name="csv").wait_for()
    _visit(page, f"/api/v1/quotes/{records['quote'].pk}/?format=api")
    User.objects.create_superuser("writer", "writer@example.org", "a-long-test-password")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    _visit(page, f"/api/v1/quotes/{records['quote'].pk}/?format=api")
    page.get_by_role("heading", name="Change this record (JSON)").wait_for()
    assert violations == []

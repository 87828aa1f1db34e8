"""axe-core, run in Chromium over every page of the site's own templates with the corpus loaded: no violation allowed.

axe-core is vendored from the npm registry (`common/tests/vendor/axe-core-<version>/`, MPL-2.0, see
`static/vendor/README.md`); it is injected into each page by the test, never served by the site. Third-party markup
(Swagger UI, ReDoc, Django's own admin templates) is checked only where our templates wrap it.
"""

from pathlib import Path

import pytest
from django.conf import settings

from actors.models import Actor, Contingent
from articles.models import Article, Quote
from events.models import Figure, Incident, Place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE_SOURCE = next((Path(settings.BASE_DIR) / "common" / "tests" / "vendor").glob("axe-core-*/axe.min.js"))
# WCAG 2.0-2.2 A and AA, plus axe's best practices (landmarks, one h1, headings in order, …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Markers on a map are targets of 24 px (static/js/incident-map.js), but where a lone incident, a cluster and a base
# meet at one town they overlap: WCAG 2.5.8's "equivalent" exception covers them, as every incident the map draws is
# also a link in the page's table and every base a link in the contingents list. Only that rule, only on the markers,
# is set aside.
AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => {
    const onMapMarkers = node => node.target.every(selector => {
      const element = document.querySelector(selector);
      return element !== null && element.closest('.leaflet-marker-pane') !== null;
    });
    result.violations = result.violations
      .map(violation => violation.id !== 'target-size' ? violation
        : {...violation, nodes: violation.nodes.filter(node => !onMapMarkers(node))})
      .filter(violation => violation.nodes.length > 0);
    return result;
  })"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _public_pages() -> list[str]:
    """Every public page, list and record kind, with the corpus's records; filtered and searched lists too."""
    incident = Incident.objects.filter(casualties__isnull=False, place__isnull=False).first()
    chad = Actor.objects.get(slug="chad")
    return [
        "/",
        "/search/?q=Kidal",
        "/search/?q=zzzz-nothing",
        "/downloads/",
        "/incidents/",
        "/incidents/?q=Kidal&incident_type=suicide_attack",
        "/incidents/?date_from=not-a-date",
        incident.get_absolute_url(),
        "/places/",
        Place.objects.get(slug="kidal").get_absolute_url(),
        "/map/",
        "/map/?place=kidal",
        "/timeline/",
        "/timeline/?period=month&date_from=2013-01-01&date_to=2014-12-31",
        "/actors/",
        chad.get_absolute_url(),
        "/contingents/",
        Contingent.objects.filter(country="TD").first().get_absolute_url(),
        "/articles/",
        Article.objects.first().get_absolute_url(),
        "/quotes/",
        "/quotes/?speaker_organisation=united-nations",
        Quote.objects.first().get_absolute_url(),
        "/figures/",
        Figure.objects.first().get_absolute_url(),
        "/no-such-page/",
        "/api/v1/",
        "/api/v1/incidents/?format=api&page_size=2",
        f"/api/v1/incidents/{incident.pk}/?format=api",
    ]


def _violations(page, url: str, viewport: dict) -> list[str]:
    page.set_viewport_size(viewport)
    page.goto(url)
    page.add_script_tag(path=str(AXE_SOURCE))
    result = page.evaluate(AXE_RUN, AXE_TAGS)
    return [
        f"{url} ({viewport['width']} px): {violation['id']} — {violation['help']}: "
        + "; ".join(f"{' '.join(node['target'])} ({node['failureSummary']})" for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


@pytest.fixture
def corpus_loaded(transactional_db):
    from common import corpus

    corpus.load(corpus.fixture_paths(Path(settings.BASE_DIR) / "fixtures"))


@pytest.fixture
def axe_page(browser, live_server):
    """A page that may inject axe, which the site's Content-Security-Policy (rightly) refuses otherwise."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_axe_finds_nothing_on_any_public_page_on_a_desktop_or_a_phone(axe_page, corpus_loaded):
    page = axe_page
    violations = []
    for url in _public_pages():
        for viewport in (DESKTOP, PHONE):
            violations += _violations(page, url, viewport)
    assert not violations, "\n".join(violations)


def _curators_pages() -> list[str]:
    """The admin pages drawn by our own templates (templates/admin/): the changelists with our search box and
    pagination, the article change page with its quote table, intake, import, history and the actors' merge page."""
    article = Article.objects.first()
    incident = Incident.objects.first()
    return [
        "/admin/",
        "/admin/events/incident/",
        "/admin/events/incident/?q=Kidal",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/intake/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/events/incident/{incident.pk}/history/",
        "/admin/events/incident/import/",
        "/admin/articles/quote/import/",
    ]


def test_axe_finds_nothing_on_the_curators_own_admin_pages(axe_page, corpus_loaded, django_user_model):
    django_user_model.objects.create_superuser("curator", "curator@example.org", "a long enough passphrase")
    page = axe_page
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    violations = []
    for url in _curators_pages():
        violations += _violations(page, url, DESKTOP)
    assert not violations, "\n".join(violations)

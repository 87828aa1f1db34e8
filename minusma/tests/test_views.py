import pytest
from django.urls import reverse

from actors.tests.factories import ContingentFactory
from articles.tests.factories import ArticleFactory
from events.tests.factories import CasualtyFactory, IncidentFactory, PlaceFactory
from minusma.views import HOME_ARTICLES

pytestmark = pytest.mark.django_db


def test_home_shows_holdings_and_articles(client):
    """The home page counts what the database holds and lists the source articles."""
    ArticleFactory(title="Why Mali Is the Deadliest Nation for UN Peacekeepers")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Why Mali Is the Deadliest Nation for UN Peacekeepers" in response.content.decode()
    assert dict(response.context["holdings"])["articles"] == 1


def test_home_shows_a_search_box_a_timeline_and_a_map(client):
    """The home page searches through /search/?q=, charts incidents and killed per year and maps the incidents."""
    incident = IncidentFactory(title="Attack on the camp in Kidal")
    CasualtyFactory(incident=incident, best=1)
    content = client.get(reverse("home")).content.decode()
    assert '<form method="get" action="/search/" role="search"' in content
    assert '<input type="search" id="home-search" name="q"' in content
    assert 'aria-label="2015: 1 × Attack on a base or camp"' in content
    assert 'aria-label="2015: 1 killed"' in content
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in content
    assert incident.get_absolute_url() in content


@pytest.mark.parametrize("record_count", [1, 12])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, record_count):
    """Guards against N+1 queries: the count grows with neither articles nor incidents nor bases."""
    ArticleFactory.create_batch(record_count)
    for _ in range(record_count):
        CasualtyFactory(incident=IncidentFactory())
        ContingentFactory(base=PlaceFactory())
    # 7 holdings counts, articles and their authors, the incidents per year, the map's incidents, bases and labels
    with django_assert_num_queries(17):
        client.get(reverse("home"))


def test_home_refuses_writes(client):
    """The home page is read-only: POST gets 405, not a 500."""
    assert client.post(reverse("home")).status_code == 405


def test_health_reports_the_database(client):
    """The health check answers 200 with the database vendor when it can query."""
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_home_lists_recent_incidents(client):
    """The home page shows the latest dated incidents, linked to their records."""
    from events.tests.factories import IncidentFactory

    incident = IncidentFactory(title="Rocket attack on the Gao camp")
    assert incident.get_absolute_url() in client.get("/").content.decode()


def test_home_lists_the_newest_articles_and_links_to_all(client):
    """The home page shows the newest HOME_ARTICLES articles, not every one, and links to the full list."""
    ArticleFactory(title="The oldest article", date_from="2013-01-01", date_to="2013-01-01")
    ArticleFactory.create_batch(HOME_ARTICLES)
    content = client.get(reverse("home")).content.decode()
    assert "The oldest article" not in content
    assert f'href="{reverse("articles:article_list")}">All {HOME_ARTICLES + 1} articles' in content


def test_a_missing_page_is_the_sites_404_page_and_a_missing_api_address_is_json(client):
    """Outside /api/ a wrong address answers the site's own page (navigation, search, escaped path); under /api/ a
    JSON 404 a client can read."""
    response = client.get("/incidents/no-such-incident/<b>/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page and f'href="{reverse("search")}"' in page
    assert "<b>" not in page.split("<main", 1)[-1]
    api = client.get("/api/v1/nothing-here/")
    assert api.status_code == 404 and "No API address" in api.json()["detail"]

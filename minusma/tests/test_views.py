import pytest
from django.urls import reverse

from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_home_shows_holdings_and_articles(client):
    """The home page counts what the database holds and lists the source articles."""
    ArticleFactory(title="Why Mali Is the Deadliest Nation for UN Peacekeepers")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Why Mali Is the Deadliest Nation for UN Peacekeepers" in response.content.decode()
    assert dict(response.context["holdings"])["articles"] == 1


@pytest.mark.parametrize("article_count", [1, 12])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, article_count):
    """Guards against N+1 queries: the count does not grow with the number of articles."""
    ArticleFactory.create_batch(article_count)
    with django_assert_num_queries(9):
        client.get(reverse("home"))


def test_home_refuses_writes(client):
    """The home page is read-only: POST gets 405, not a 500."""
    assert client.post(reverse("home")).status_code == 405


def test_health_reports_the_database(client):
    """The health check answers 200 with the database vendor when it can query."""
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"

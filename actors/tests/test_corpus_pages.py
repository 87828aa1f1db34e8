"""Actor pages on the corpus as a researcher meets it (conftest.loaded_corpus, rolled back after the module)."""

import pytest
from django.urls import reverse

from actors.tests.test_views import ACTOR_PAGE_QUERIES, section

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_chad_page_lists_its_peacekeepers_deaths(loaded_corpus, client):
    """In the corpus, Chad's page lists the Chadian peacekeepers killed at Kidal's camp (2015) and by the landmine
    near Aguelhok (2016) as well as the incident it took part in, and its three contingents."""
    page = client.get(reverse("actors:actor_detail", args=["chad"])).content.decode()
    took_part = section(page, "incidents-heading")
    assert "Incidents Chad took part in (1)" in took_part
    assert "Chad says it is quitting Mali" in took_part
    victims = section(page, "victims-heading")
    assert "Incidents in which Chad’s people were victims (2)" in victims
    for slug in ("2015-01-17-kidal-camp-attack", "2016-05-19-mali-chadian-peacekeepers-landmine-attack"):
        assert reverse("events:incident_detail", args=[slug]) in victims
    assert "5 UN peacekeepers killed" in victims
    assert "Contingents (3)" in section(page, "contingents-heading")


@pytest.mark.parametrize("slug", ["chad", "minusma", "radhia-achouri"])
def test_corpus_actor_pages_run_a_bounded_number_of_queries(loaded_corpus, client, django_assert_max_num_queries, slug):
    """Guards against N+1 queries on real data: a state, the mission and a person, with very different numbers of
    records, run no more queries than the page with every section filled (actors/tests/test_views.py)."""
    with django_assert_max_num_queries(ACTOR_PAGE_QUERIES):
        assert client.get(reverse("actors:actor_detail", args=[slug])).status_code == 200

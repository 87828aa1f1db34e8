"""Search: ranked results with marked words, on PostgreSQL (full text + trigrams) and on SQLite (fallback)."""

import pytest
from django.urls import reverse

from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.models import PlaceAlias
from events.tests.factories import IncidentFactory, PlaceFactory
from minusma.search import search

pytestmark = pytest.mark.django_db


def test_quote_is_found_by_its_words_with_them_marked():
    """A quote's own words find it, and the snippet marks them."""
    QuoteFactory()
    (hit,) = search("forefront")["quote"]
    assert "<mark>forefront</mark>" in hit.snippet


def test_quote_is_found_by_its_speakers_name_and_alias():
    """Searching the speaker's name or an alias finds what they said."""
    speaker = ActorFactory(name="Radhia Achouri")
    ActorAliasFactory(actor=speaker, name="Achouri")
    QuoteFactory(speaker=speaker)
    assert [hit.title for hit in search("Radhia Achouri")["quote"]] == ["Radhia Achouri"]
    assert [hit.title for hit in search("Achouri")["quote"]] == ["Radhia Achouri"]


def test_actor_is_found_without_its_accents_and_through_aliases():
    """Jezequel finds Jézéquel; NMLA finds the MNLA through its alias."""
    ActorFactory(name="Jean-Hervé Jézéquel", slug="jean-herve-jezequel")
    mnla = ActorFactory(name="National Movement for the Liberation of Azawad", kind="armed_group")
    ActorAliasFactory(actor=mnla, name="NMLA")
    assert [hit.title for hit in search("Jezequel")["actor"]] == ["Jean-Hervé Jézéquel"]
    assert [hit.title for hit in search("NMLA")["actor"]] == [mnla.name]


def test_place_is_found_by_its_other_spelling():
    """Tombouctou finds Timbuktu, and incidents there."""
    timbuktu = PlaceFactory(name="Timbuktu", slug="timbuktu")
    PlaceAlias.objects.create(place=timbuktu, name="Tombouctou", kind="other_language", language="fr")
    IncidentFactory(title="Clash near the city", place=timbuktu)
    assert [hit.title for hit in search("Tombouctou")["place"]] == ["Timbuktu"]
    assert [hit.title for hit in search("Tombouctou")["incident"]] == ["Clash near the city"]


def test_articles_rank_by_relevance_and_mark_matches():
    """An article about Kidal outranks one that mentions it once; its snippet marks the word."""
    ArticleFactory(title="Peace talks", body="Talks in Algiers. Kidal was mentioned once.")
    ArticleFactory(title="Kidal under fire", body="Kidal camp attacked. Kidal again. The Kidal base.")
    hits = search("Kidal")["article"]
    assert [hit.title for hit in hits] == ["Kidal under fire", "Peace talks"]
    assert "<mark>Kidal</mark>" in hits[0].snippet


@pytest.mark.parametrize("copies", [1, 6])
def test_search_runs_a_fixed_number_of_queries(django_assert_max_num_queries, copies):
    """Guards against N+1 queries: one query per kind of record (plus the name scan on SQLite)."""
    for _ in range(copies):
        QuoteFactory()
        IncidentFactory(title="Attack on the forefront")
    with django_assert_max_num_queries(9):
        search("forefront")


def test_search_page_shows_marked_results_and_advertises_json(client):
    """The page lists results by kind with marked words and links to its JSON twin."""
    QuoteFactory()
    page = client.get(reverse("search"), {"q": "forefront"}).content.decode()
    assert "<mark>forefront</mark>" in page
    assert 'rel="alternate" type="application/json" href="/api/v1/search/?q=forefront"' in page


@pytest.mark.parametrize(("query", "message"), [("x", "at least two"), ("k" * 201, "at most 200")])
def test_bad_search_is_a_400_with_a_message(client, query, message):
    """Too short or too long a query answers 400 and says why."""
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_search_text_is_escaped(client):
    """Markup typed into the search box is shown as text, never run."""
    page = client.get(reverse("search"), {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_snippets_start_and_end_on_whole_words():
    """The fallback's snippet window never cuts a word in half."""
    from minusma.search import highlight

    text = "alpha " * 40 + "Kidal" + " omega" * 40
    snippet = str(highlight(text, ["Kidal"]))
    assert snippet.startswith("… alpha ") and snippet.endswith("omega …")
    assert "<mark>Kidal</mark>" in snippet

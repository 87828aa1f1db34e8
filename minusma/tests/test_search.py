"""The site's search: the /search/ page and /api/v1/search/ over the one engine (common/search.py), ranked, with the
matched words marked, on PostgreSQL (full text + trigrams) and SQLite (FTS5) alike."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from common.search import KINDS
from common.search import search_site as search
from events.models import Incident, PlaceAlias
from events.tests.factories import IncidentFactory, PlaceAliasFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


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
def test_search_runs_a_fixed_number_of_queries(django_assert_num_queries, copies):
    """Guards against N+1 queries: one query per kind of record, on both databases, whatever the number of hits."""
    for _ in range(copies):
        QuoteFactory()
        IncidentFactory(title="Attack on the forefront")
    with django_assert_num_queries(len(KINDS)):
        results = search("forefront")
    assert len(results["quote"]) == len(results["incident"]) == copies


@pytest.mark.parametrize("copies", [1, 6])
def test_search_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the page costs one query per kind, whatever the number of hits."""
    for _ in range(copies):
        QuoteFactory()
        IncidentFactory(title="Attack on the forefront")
    with django_assert_num_queries(len(KINDS)):
        assert client.get(reverse("search"), {"q": "forefront"}).status_code == 200


def test_contingents_are_searched_on_the_page_too():
    """Contingents, once only in the API's search, are a section of the page."""
    ContingentFactory(unit_name="Chadian battalion")
    assert [hit.title for hit in search("Chadian battalion")["contingent"]] == ["Chadian battalion"]


@pytest.mark.parametrize("query", ["Kidal", "killing", "Tombouctou", "Kidal -report", "NMLA", '"the mission"'])
def test_page_and_api_give_the_same_records_in_the_same_order(client, api, query):
    """/search/ and /api/v1/search/ are one engine: the same records, in the same order, for the same query."""
    timbuktu = PlaceFactory(name="Timbuktu")
    PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    mnla = ActorFactory(name="National Movement for the Liberation of Azawad", description="Killing in Kidal.")
    ActorAliasFactory(actor=mnla, name="NMLA")
    for n in range(12):
        ArticleFactory(title=f"Kidal report {n}", body=f"Kidal {'and Kidal ' * n}attack in Gao; the mission held.")
        IncidentFactory(title=f"Attack {n} near the city", place=timbuktu, description=f"{n} were killed.")
    QuoteFactory(speaker=mnla)
    ContingentFactory(unit_name="Kidal battalion", base=timbuktu)
    page = client.get(reverse("search"), {"q": query}).context["sections"]
    from_page = [(kind.name, hit.record.pk) for kind, hits in page for hit in hits]
    from_api = [(row["type"], row["id"]) for row in api.get("/api/v1/search/", {"q": query}).json()["results"]]
    assert from_page == from_api
    assert len(from_page) > 1


def test_api_search_results_carry_the_snippet_rank_and_web_page(api):
    """Each API result gives the marked snippet, its rank and the record's page on the website."""
    article = ArticleFactory(title="Kidal", body="The camp in Kidal was shelled.")
    (result,) = api.get("/api/v1/search/", {"q": "Kidal", "type": "article"}).json()["results"]
    assert result["snippet"].startswith("The camp in <mark>Kidal</mark> was shelled")
    assert isinstance(result["rank"], float) and result["rank"] > 0
    assert result["web_url"] == f"http://testserver{article.get_absolute_url()}"


def test_the_lists_search_parameter_ranks_with_the_engine(api):
    """`search=` on an API list finds what the engine finds: stems, accents, a place's alias, no duplicates."""
    timbuktu = PlaceFactory(name="Timbuktu")
    PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    PlaceAliasFactory(place=timbuktu, name="Tumbutu")
    killed = IncidentFactory(title="Camp attacked", description="Two peacekeepers were killed.")
    there = IncidentFactory(title="Clash near the city", place=timbuktu)
    IncidentFactory(title="Patrol")

    def ids(path, text):
        return [row["id"] for row in api.get(path, {"search": text}).json()["results"]]

    assert ids("/api/v1/incidents/", "killing") == [killed.pk]
    assert ids("/api/v1/incidents/", "Tombouctou") == [there.pk]
    assert ids("/api/v1/places/", "Tombouctou") == [timbuktu.pk]
    assert ids("/api/v1/articles/", "Jezequel") == []
    article = ArticleFactory(body="Jean-Hervé Jézéquel said so.")
    assert ids("/api/v1/articles/", "Jezequel") == [article.pk]


@pytest.mark.parametrize("path", ["/api/v1/incidents/", "/incidents/"])
def test_q_on_a_list_finds_what_the_engine_finds_on_the_web_and_in_the_api(client, api, path):
    """`q` on a list finds what the engine finds; the web list shows the best match first unless an ordering is
    asked for; the API's pages walk every match once by keyset."""
    matches = [
        IncidentFactory(title="Kidal camp attack in Kidal", description="Kidal again."),
        IncidentFactory(title="Gao patrol", description="A convoy left Kidal."),
        IncidentFactory(title="Kidal airstrip mine"),
        IncidentFactory(title="Timbuktu shelling", description="Shells fell; Kidal was quiet."),
    ]
    IncidentFactory(title="Nothing here")
    expected = list(Incident.objects.search("Kidal").by_search_rank().values_list("pk", flat=True))
    assert sorted(expected) == sorted(match.pk for match in matches)
    assert expected[0] == matches[0].pk  # three times in the title and description
    if path.startswith("/api/"):
        seen, url = [], path + "?q=Kidal&page_size=1"
        while url:
            page = api.get(url).json()
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
        # The API keeps the list's order (newest first), so that its pages walk by keyset: every match once.
        assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
        by_title = [row["id"] for row in api.get(path, {"q": "Kidal", "ordering": "title"}).json()["results"]]
    else:
        seen = [row.pk for row in client.get(path, {"q": "Kidal"}).context["listing"]["page"]["rows"]]
        assert seen == expected
        by_title = [
            row.pk for row in client.get(path, {"q": "Kidal", "ordering": "title"}).context["listing"]["page"]["rows"]
        ]
    assert by_title == [match.pk for match in sorted(matches, key=lambda incident: incident.title)]


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
    """A snippet of a long text is a window of whole words round the match, never a word cut in half."""
    ArticleFactory(title="Long", body="alpha " * 40 + "Kidal" + " omega" * 40)
    (hit,) = search("Kidal", kinds=["article"])["article"]
    words = re.sub(r"</?mark>", "", hit.snippet).replace("…", " ").split()
    assert set(words) == {"alpha", "Kidal", "omega"}
    assert "<mark>Kidal</mark>" in hit.snippet and len(words) < 60


@pytest.mark.parametrize(
    ("path", "fields"),
    [("/api/v1/articles/", "title, subtitle or body"), ("/api/v1/incidents/", "description or the place's names")],
)
def test_the_lists_search_parameter_is_documented_from_the_spec(api, path, fields):
    """The OpenAPI description of each list's `q` says what the engine looks at, from the model's spec."""
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    (search_param,) = [param for param in schema["paths"][path]["get"]["parameters"] if param["name"] == "q"]
    assert fields in search_param["description"] and "stems" in search_param["description"]

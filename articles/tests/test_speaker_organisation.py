"""Quotes by the speaker's organisation: “what did UN officials say”, on the quote list and in the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actors.models import ActorRelation, Position
from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from articles.views import QuoteListView
from common.timelimit import queries_per_limit

pytestmark = pytest.mark.django_db

QUOTES = reverse("articles:quote_list")


@pytest.fixture
def united_nations():
    """The UN with MINUSMA as its part; quotes of the UN itself, of MINUSMA, of MINUSMA's spokeswoman, of the head
    of the UN's peacekeeping department (a position), of a UN member state, and of an outside analyst."""
    article = ArticleFactory()
    un = ActorFactory(name="United Nations", slug="united-nations", kind="intergovernmental")
    minusma = ActorFactory(name="MINUSMA", slug="minusma", kind="un_mission")
    ActorRelation.objects.create(subject=minusma, kind="part_of", object=un, source=article, excerpt="Kidal")
    spokeswoman = ActorFactory(name="Radhia Achouri", slug="radhia-achouri")
    ActorRelation.objects.create(
        subject=spokeswoman, kind="spokesperson_of", object=minusma, source=article, excerpt="an analyst"
    )
    under_secretary = ActorFactory(name="Hervé Ladsous", slug="herve-ladsous")
    Position.objects.create(person=under_secretary, title="head", organisation=un, source=article, excerpt="Mali")
    france = ActorFactory(name="France", slug="france", kind="state")
    ActorRelation.objects.create(subject=france, kind="member_of", object=un, source=article, excerpt="The mission")
    quotes = {
        speaker.slug: QuoteFactory(speaker=speaker)
        for speaker in (un, minusma, spokeswoman, under_secretary, france, ActorFactory(slug="analyst"))
    }
    return quotes


def test_quotes_of_an_organisation_its_parts_and_its_people(client, united_nations, django_assert_num_queries):
    """“United Nations”: the UN, MINUSMA (a part), its spokeswoman and a UN official; not a member state or an
    analyst. Guards against N+1 queries: the name (slug tried, names, record), the parts in one query whatever their
    depth, the count, the rows' ids, the rows and their authors, one per column facet and five for the
    organisations' facet."""
    column_facets = len(QuoteListView.facets) - 1
    with django_assert_num_queries(9 + column_facets + 5 + len(QuoteListView.facets) * queries_per_limit()):
        response = client.get(QUOTES, {"speaker_organisation": "United Nations"})
    assert response.status_code == 200
    speakers = {quote.speaker.slug for quote in response.context["listing"]["page"]["rows"]}
    assert speakers == {"united-nations", "minusma", "radhia-achouri", "herve-ladsous"}


def test_a_part_has_only_its_own_people(client, united_nations):
    """MINUSMA's quotes are its own and its spokeswoman's, not the whole UN's."""
    response = client.get(QUOTES, {"speaker_organisation": "minusma"})
    assert {quote.speaker.slug for quote in response.context["listing"]["page"]["rows"]} == {
        "minusma",
        "radhia-achouri",
    }


def test_the_api_has_the_filter_too(united_nations):
    """The API's quote list takes speaker_organisation (the same FilterSet)."""
    response = APIClient().get("/api/v1/quotes/", {"speaker_organisation": "united-nations"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4
    assert APIClient().get("/api/v1/quotes/", {"speaker_organisation": "nobody"}).status_code == 400


def test_the_quote_list_offers_the_filter_with_suggestions(client):
    """The quote list's form has a “Speaker’s organisation” box that suggests actors' names."""
    page = client.get(QUOTES).content.decode()
    assert '<label for="id_speaker_organisation">Speaker’s organisation:</label>' in page
    assert 'data-suggest="/suggest/actor/"' in page


def _organisation_facet(response) -> list[tuple[str, int]]:
    (facet,) = [block for block in response.context["listing"]["facets"] if block["param"] == "speaker_organisation"]
    return [(option["label"], option["count"]) for option in facet["options"]]


def test_the_organisations_facet_counts_each_side_once_per_quote(client, united_nations):
    """“United Nations” counts the quotes of the UN, MINUSMA, the spokeswoman and the official (4, not the member
    state's); MINUSMA its own and its spokeswoman's; France its own. Persons are not organisations, and each option
    is the filter of the same name, so "what did UN officials say" is one choice away from the quotes page."""
    response = client.get(QUOTES)
    assert _organisation_facet(response) == [("United Nations", 4), ("MINUSMA", 2), ("France", 1)]
    (facet,) = [block for block in response.context["listing"]["facets"] if block["param"] == "speaker_organisation"]
    un_quotes = client.get(facet["options"][0]["url"])
    speakers = {quote.speaker.slug for quote in un_quotes.context["listing"]["page"]["rows"]}
    assert speakers == {"united-nations", "minusma", "radhia-achouri", "herve-ladsous"}
    assert _organisation_facet(un_quotes)[0] == ("United Nations", 4)


def test_the_organisations_facet_counts_only_the_quotes_listed(client, united_nations):
    """Filtered to one article, only that article's quotes are counted."""
    article = united_nations["minusma"].article
    response = client.get(QUOTES, {"article": article.slug})
    assert _organisation_facet(response) == [("MINUSMA", 1), ("United Nations", 1)]

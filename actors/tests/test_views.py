import pytest
from django.urls import reverse

from actors.models import ActorRelation, Position, StrengthObservation
from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory, MissionFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.models import Casualty, IncidentActor
from events.tests.factories import IncidentFactory, IncidentSourceFactory

pytestmark = pytest.mark.django_db


def _actor_with_records(copies: int):
    actor = ActorFactory(name="Radhia Achouri")
    ActorAliasFactory(actor=actor, name="Achouri")
    mission = MissionFactory()
    for _ in range(copies):
        article = ArticleFactory()
        QuoteFactory(article=article, speaker=actor)
        Position.objects.create(
            person=actor, title="spokeswoman", organisation=mission, source=article, excerpt="an analyst"
        )
        ActorRelation.objects.create(
            subject=actor, kind="spokesperson_of", object=mission, source=article, excerpt="an analyst"
        )
        source = IncidentSourceFactory(source=article)
        IncidentActor.objects.create(incident=source.incident, actor=actor, role="target", confidence="confirmed")
    return actor


def test_actor_page_links_quotes_positions_relations_incidents_and_articles(client):
    """An actor's page shows what they said, held, and took part in, each linked both ways."""
    actor = _actor_with_records(1)
    page = client.get(actor.get_absolute_url()).content.decode()
    quote = actor.quotes.get()
    assert f"{quote.article.get_absolute_url()}#quote-{quote.pk}" in page
    assert "spokeswoman" in page and "spokesperson of" in page
    incident = actor.incidents.get()
    assert incident.get_absolute_url() in page
    assert "(target, confirmed)" in page
    assert "Achouri" in page


@pytest.mark.parametrize("copies", [1, 4])
def test_actor_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the count does not grow with the actor's quotes, roles and relations."""
    actor = _actor_with_records(copies)
    with django_assert_num_queries(14):
        client.get(actor.get_absolute_url())


@pytest.mark.parametrize("copies", [1, 4])
def test_contingent_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: strength observations, sources and casualties are fetched once each."""
    contingent = ContingentFactory(slug="td-infantry-kidal-2015")
    for _ in range(copies):
        article = ArticleFactory()
        contingent.sources.create(source=article, excerpt="killing a Chadian peacekeeper")
        StrengthObservation.objects.create(contingent=contingent, personnel=1200, source=article, excerpt="Kidal")
        Casualty.objects.create(
            incident=IncidentFactory(),
            contingent=contingent,
            category="peacekeepers",
            outcome="killed",
            best=1,
            source=article,
            excerpt="killing a Chadian peacekeeper",
        )
    with django_assert_num_queries(7):
        page = client.get(contingent.get_absolute_url()).content.decode()
    assert "1200 personnel" in page
    assert "passage=" in page


def test_unknown_actor_is_a_404(client):
    """A slug that names no actor answers 404."""
    assert client.get(reverse("actors:actor_detail", args=["nobody"])).status_code == 404

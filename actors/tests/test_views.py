import datetime

import pytest
from django.urls import reverse

from actors.models import ActorKind, ActorRelation, Position, StrengthObservation
from actors.tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    ContingentFactory,
    MissionFactory,
    StrengthObservationFactory,
)
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.models import Casualty, IncidentActor
from events.tests.factories import (
    CasualtyFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db

# The actor page with every section filled; Django skips the prefetches of a section without rows, so fewer then.
ACTOR_PAGE_QUERIES = 22


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


def section(page: str, heading_id: str) -> str:
    """The HTML of the page's section labelled by the heading `heading_id`."""
    start = page.index(f'<section aria-labelledby="{heading_id}">')
    return page[start : page.index("</section>", start)]


def _state_with_records(copies: int):
    """Chad with, per copy: an incident it took part in, one where a Chadian was killed, one where a soldier of its
    contingent was, one where its own force lost a man, a contingent with two strength observations, and a quote."""
    chad = ActorFactory(name="Chad", slug="chad", kind=ActorKind.STATE, country="TD")
    for _ in range(copies):
        IncidentActorFactory(actor=chad, role="associated")
        CasualtyFactory(nationality="TD")
        contingent = ContingentFactory(contributor=chad, country="TD", base=PlaceFactory(kind="military_base"))
        StrengthObservationFactory(contingent=contingent, personnel=1200)
        StrengthObservationFactory(
            contingent=contingent,
            personnel=1400,
            date_from=datetime.date(2016, 1, 1),
            date_to=datetime.date(2016, 1, 1),
        )
        CasualtyFactory(nationality="", contingent=contingent)
        CasualtyFactory(nationality="", armed_actor=chad, category=Casualty.Category.NATIONAL_FORCES)
        QuoteFactory(speaker=chad)
    return chad


@pytest.mark.parametrize("copies", [1, 4])
def test_actor_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the count does not grow with the actor's quotes, roles and relations."""
    actor = _actor_with_records(copies)
    with django_assert_num_queries(16):
        client.get(actor.get_absolute_url())


@pytest.mark.parametrize("copies", [1, 4])
def test_state_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: incidents, victims, contingents with their strength and quotes are read in the
    same queries whatever their number."""
    chad = _state_with_records(copies)
    with django_assert_num_queries(ACTOR_PAGE_QUERIES):
        page = client.get(chad.get_absolute_url()).content.decode()
    assert f"Incidents in which Chad’s people were victims ({3 * copies})" in page
    assert f"Contingents ({copies})" in page


def test_state_page_gathers_the_incidents_its_people_suffered(client):
    """A state's victims are its nationals, the soldiers of its contingents and those a source counts as its own;
    each incident lists the casualty rows that make it one, with the contingent linked."""
    chad = ActorFactory(name="Chad", slug="chad", kind=ActorKind.STATE, country="TD")
    contingent = ContingentFactory(contributor=chad, country="TD")
    by_nationality = CasualtyFactory(nationality="TD", incident__title="Chadian civilians killed").incident
    by_contingent = CasualtyFactory(nationality="", contingent=contingent, incident__title="Camp attacked").incident
    by_force = CasualtyFactory(
        nationality="", armed_actor=chad, category="national_forces", incident__title="Patrol ambushed"
    ).incident
    CasualtyFactory(nationality="FR", incident__title="French soldier killed")
    StrengthObservationFactory(contingent=contingent, personnel=1200)

    page = client.get(chad.get_absolute_url()).content.decode()

    victims = section(page, "victims-heading")
    assert "Incidents in which Chad’s people were victims (3)" in victims
    for incident in (by_nationality, by_contingent, by_force):
        assert f'<a href="{incident.get_absolute_url()}">{incident.title}</a>' in victims
    assert "French soldier killed" not in page
    assert f'(<a href="{contingent.get_absolute_url()}">{contingent}</a>)' in victims
    assert "1 UN peacekeeper killed" in victims
    contingents = section(page, "contingents-heading")
    assert "Contingents (1)" in contingents
    assert "1,200 personnel" in contingents  # thousands separated


def test_mission_page_gathers_its_contingents_and_their_casualties(client):
    """The mission's contingents are those serving in it, whoever contributes them; their dead are its people."""
    mission = MissionFactory()
    contingent = ContingentFactory(mission=mission, contributor=ActorFactory(kind=ActorKind.STATE))
    incident = CasualtyFactory(nationality="", contingent=contingent).incident
    page = client.get(mission.get_absolute_url()).content.decode()
    assert contingent.get_absolute_url() in section(page, "contingents-heading")
    victims = section(page, "victims-heading")
    assert "Incidents in which MINUSMA’s people were victims (1)" in victims
    assert incident.get_absolute_url() in victims


def test_organisation_page_lists_the_positions_held_in_it(client):
    """An organisation's page lists who holds which position in it, each linked to the person."""
    person = _actor_with_records(1)
    positions = section(client.get(MissionFactory().get_absolute_url()).content.decode(), "positions-heading")
    assert "Positions in MINUSMA (1)" in positions
    assert f'<a href="{person.get_absolute_url()}">Radhia Achouri</a>: <strong>spokeswoman</strong>' in positions


def test_a_persons_country_does_not_make_its_nationals_victims_its_own(client):
    """A Chadian person's page does not list every Chadian killed: only a state's nationals are its people."""
    person = ActorFactory(kind=ActorKind.PERSON, country="TD")
    CasualtyFactory(nationality="TD")
    page = client.get(person.get_absolute_url()).content.decode()
    assert f"Incidents in which {person.name}’s people were victims (0)" in page


def test_empty_sections_say_so_once_without_a_list(client):
    """An actor with no records: each section has its heading with (0) and one sentence, no empty list or table."""
    actor = ActorFactory(kind=ActorKind.ARMED_GROUP)
    page = client.get(actor.get_absolute_url()).content.decode()
    for heading_id, heading, sentence in [
        ("incidents-heading", "took part in (0)", "No incidents recorded."),
        ("victims-heading", "were victims (0)", "No casualties among its people recorded."),
        ("contingents-heading", "Contingents (0)", "No contingents recorded."),
        ("quotes-heading", "Quotes (0)", "No quotes recorded."),
        ("positions-heading", f"Positions in {actor.name} (0)", "No positions recorded."),
        ("relations-heading", "Relations (0)", "No relations recorded."),
    ]:
        text = section(page, heading_id)
        assert heading in text
        assert f"<p>{sentence}</p>" in text
        assert "<li>" not in text and "<table>" not in text
    assert page.count("No quotes recorded.") == 1


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
    assert "1,200 personnel" in page
    assert "passage=" in page


def test_unknown_actor_is_a_404(client):
    """A slug that names no actor answers 404."""
    assert client.get(reverse("actors:actor_detail", args=["nobody"])).status_code == 404

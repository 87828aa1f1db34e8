import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import Actor, ActorAlias, ActorKind, ActorRelation, Contingent, Position, StrengthObservation
from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory, MissionFactory
from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_relation_cites_a_verbatim_excerpt():
    """A relation's excerpt is located in its source and refused when it is not there."""
    article = ArticleFactory()
    relation = ActorRelation(
        subject=ActorFactory(),
        kind="spokesperson_of",
        object=MissionFactory(),
        source=article,
        excerpt="said Jeff Laurenti, an analyst",
    )
    relation.full_clean()
    relation.save()
    assert article.body[relation.excerpt_start : relation.excerpt_end] == relation.excerpt
    relation.excerpt = "said Jeff Laurenti, an economist"
    with pytest.raises(ValidationError) as error:
        relation.full_clean()
    assert "excerpt" in error.value.message_dict


def test_database_refuses_an_unsourced_excerpt_on_every_claim_table():
    """The triggers guard every sourced table, not just quotes."""
    article = ArticleFactory()
    contingent = ContingentFactory()
    bogus = {"source": article, "excerpt": "invented", "excerpt_start": 0, "excerpt_end": 8}
    with pytest.raises(IntegrityError), transaction.atomic():
        StrengthObservation.objects.bulk_create([StrengthObservation(contingent=contingent, personnel=5, **bogus)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.bulk_create([Position(person=ActorFactory(), title="head", **bogus)])


def test_relation_to_itself_is_refused():
    """An actor cannot be related to itself."""
    actor = ActorFactory()
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorRelation.objects.create(subject=actor, kind="allied_with", object=actor, source=article, excerpt="Kidal")


def test_wikidata_id_is_validated_and_unique():
    """Wikidata ids look like Q123 and identify one actor at most."""
    with pytest.raises(ValidationError):
        ActorFactory.build(wikidata_id="123").full_clean()
    ActorFactory(wikidata_id="Q1234")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorFactory(wikidata_id="Q1234")


def test_alias_is_unique_per_actor_and_found_by_name_lookup():
    """Aliases make actors findable under every name the sources use."""
    alias = ActorAliasFactory(name="MNLA")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorAlias.objects.create(actor=alias.actor, name="MNLA", kind="acronym")
    assert Actor.objects.matching_folded_name("mnla") == [alias.actor]


def test_position_is_held_by_a_person():
    """Organisations hold no positions."""
    article = ArticleFactory()
    organisation = ActorFactory(kind=ActorKind.OTHER_ORGANISATION)
    position = Position(person=organisation, title="head", source=article, excerpt="an analyst")
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert "person" in error.value.message_dict


def test_contingent_belongs_to_a_un_mission():
    """A contingent's mission must be an actor of kind UN mission."""
    contingent = ContingentFactory.build(mission=ActorFactory(kind=ActorKind.STATE), slug="x")
    with pytest.raises(ValidationError) as error:
        contingent.full_clean()
    assert "mission" in error.value.message_dict


def test_contingents_active_on_a_date():
    """active_on keeps contingents whose period covers the day, or is open-ended."""
    deployed = ContingentFactory(
        date_from=datetime.date(2015, 1, 1), date_to=datetime.date(2015, 12, 31), date_precision="year"
    )
    ContingentFactory(date_from=datetime.date(2013, 7, 1), date_to=datetime.date(2013, 7, 1), date_precision="day")
    assert list(Contingent.objects.active_on(datetime.date(2015, 6, 1))) == [deployed]


def test_strength_counts_cannot_be_negative():
    """Personnel counts are non-negative in the database."""
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StrengthObservation.objects.create(
            contingent=ContingentFactory(), personnel=-1, source=article, excerpt="Kidal"
        )

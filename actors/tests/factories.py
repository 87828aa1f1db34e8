import datetime

import factory

from actors.models import Actor, ActorAlias, ActorKind, Contingent, ContingentSource, PersonnelType, StrengthObservation
from articles.tests.factories import ArticleFactory


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = ActorKind.PERSON


class MissionFactory(ActorFactory):
    name = "MINUSMA"
    slug = "minusma"
    kind = ActorKind.UN_MISSION
    acled_actor_type = 8

    class Meta:
        model = Actor
        django_get_or_create = ["slug"]


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    kind = ActorAlias.Kind.ACRONYM


class ContingentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contingent

    slug = factory.Sequence(lambda n: f"contingent-{n}")
    country = "TD"
    mission = factory.SubFactory(MissionFactory)
    personnel_type = PersonnelType.CONTINGENT_TROOP
    capability = Contingent.Capability.INFANTRY
    status = Contingent.Status.DEPLOYED


class ContingentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContingentSource

    contingent = factory.SubFactory(ContingentFactory)
    source = factory.SubFactory(ArticleFactory)
    excerpt = "killing a Chadian peacekeeper"


class StrengthObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrengthObservation

    contingent = factory.SubFactory(ContingentFactory)
    personnel = 1000
    source = factory.SubFactory(ArticleFactory)
    excerpt = "a Chadian peacekeeper"
    date_from = datetime.date(2015, 1, 17)
    date_to = datetime.date(2015, 1, 17)
    date_precision = "day"


__all__ = [
    "ActorAliasFactory",
    "ActorFactory",
    "ArticleFactory",
    "ContingentFactory",
    "ContingentSourceFactory",
    "MissionFactory",
    "StrengthObservationFactory",
]

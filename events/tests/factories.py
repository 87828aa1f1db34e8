import datetime

import factory

from events.models import (
    Casualty,
    Figure,
    Incident,
    IncidentActor,
    IncidentExternalDate,
    IncidentSource,
    Place,
    PlaceAlias,
)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    kind = Place.Kind.CITY
    country = "ML"
    latitude = "18.443450"
    longitude = "1.409210"
    geo_precision = Place.GeoPrecision.TOWN
    coordinates_note = "test gazetteer"


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    slug = factory.Sequence(lambda n: f"incident-{n}")
    incident_type = "attack_on_base"
    acled_disorder_type = "Political violence"
    acled_event_type = "Explosions/Remote violence"
    acled_sub_event_type = "Suicide bomb"
    place = factory.SubFactory(PlaceFactory)
    location_precision = Incident.LocationPrecision.TOWN
    date_as_written = "Jan. 17"
    date_from = datetime.date(2015, 1, 17)
    date_to = datetime.date(2015, 1, 17)
    date_precision = "day"


class IncidentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentSource

    incident = factory.SubFactory(IncidentFactory)
    source = factory.SubFactory("articles.tests.factories.ArticleFactory")
    excerpt = "occurred at the mission’s base in Kidal"


class PlaceAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceAlias

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Place alias {n}")
    kind = PlaceAlias.Kind.OTHER_SPELLING


class IncidentActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentActor

    incident = factory.SubFactory(IncidentFactory)
    actor = factory.SubFactory("actors.tests.factories.ActorFactory")
    role = IncidentActor.Role.PERPETRATOR


class CasualtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Casualty

    incident = factory.SubFactory(IncidentFactory)
    category = Casualty.Category.PEACEKEEPERS
    outcome = Casualty.Outcome.KILLED
    best = 1
    nationality = "TD"
    source = factory.SubFactory("articles.tests.factories.ArticleFactory")
    excerpt = "killing a Chadian peacekeeper"


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    quantity = "peacekeepers_killed"
    value = 1
    subject = factory.SubFactory("actors.tests.factories.MissionFactory")
    source = factory.SubFactory("articles.tests.factories.ArticleFactory")
    excerpt = "killing a Chadian peacekeeper"
    date_from = datetime.date(2015, 1, 17)
    date_to = datetime.date(2015, 1, 17)
    date_precision = "day"


class IncidentExternalDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentExternalDate

    incident = factory.SubFactory(IncidentFactory, date_as_written="")
    source = factory.SubFactory("articles.tests.factories.ExternalSourceFactory")
    reasoning = "The article gives no date; the report dates the killings to 27-31 March 2022."

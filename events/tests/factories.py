import datetime

import factory

from events.models import Incident, IncidentSource, Place


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

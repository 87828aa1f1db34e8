from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from actors.models import Actor
from actors.serializers import ActorSerializer
from articles.models import Article
from articles.serializers import ArticleSerializer, ExternalSourceSerializer
from common.api.fields import RecordUrlField, RefField, WebUrlField
from common.api.serializers import (
    DATE_FIELDS,
    SOURCE_FIELDS,
    AliasSerializer,
    FuzzyDateFields,
    RecordSerializer,
    SourceSerializer,
)

from .models import CASUALTY_TOTAL_FIELDS, Casualty, Figure, Incident, IncidentActor, IncidentExternalDate, Place


class PlaceSerializer(RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    parent = RefField(queryset=Place.objects.all(), allow_null=True, required=False)
    aliases = AliasSerializer(many=True, read_only=True)

    expandable = {"parent": lambda: PlaceSerializer}  # the class itself, named once it exists

    class Meta:
        model = Place
        fields = [
            "id",
            "url",
            "web_url",
            "slug",
            "name",
            "kind",
            "parent",
            "country",
            "latitude",
            "longitude",
            "geo_precision",
            "coordinates_note",
            "geonames_id",
            "description",
            "aliases",
            "created",
            "modified",
        ]
        read_only_fields = ["created", "modified"]
        extra_kwargs = {"latitude": {"coerce_to_string": False}, "longitude": {"coerce_to_string": False}}


class PlaceDetailSerializer(PlaceSerializer):
    children = RefField(many=True, read_only=True, help_text="Places directly inside this one.")

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "children"]


class IncidentActorSerializer(serializers.ModelSerializer):
    actor = RefField(read_only=True)

    class Meta:
        model = IncidentActor
        fields = ["actor", "role", "confidence"]


class IncidentActorExpandedSerializer(IncidentActorSerializer):
    """A participation with the whole actor embedded (`expand=actors`)."""

    actor = ActorSerializer(read_only=True)


class CasualtySerializer(CountryFieldMixin, serializers.ModelSerializer):
    contingent = RefField(read_only=True)
    armed_actor = RefField(read_only=True)
    source = RefField(read_only=True)

    class Meta:
        model = Casualty
        fields = [
            "category",
            "outcome",
            "low",
            "best",
            "high",
            "nationality",
            "contingent",
            "armed_actor",
            "un_type_of_incident",
            *SOURCE_FIELDS,
        ]


class IncidentExternalDateSerializer(serializers.ModelSerializer):
    source = ExternalSourceSerializer(read_only=True)

    class Meta:
        model = IncidentExternalDate
        fields = ["source", "reasoning"]


def casualty_total(name: str) -> serializers.IntegerField:
    """A stored casualty total: null when no source reports a number (never 0 for unknown)."""
    help_text = Incident._meta.get_field(name).help_text
    return serializers.IntegerField(read_only=True, allow_null=True, help_text=help_text)


class IncidentSerializer(FuzzyDateFields, RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    place = RefField(queryset=Place.objects.all(), allow_null=True, required=False)
    actors = IncidentActorSerializer(
        source="actor_roles", many=True, read_only=True, help_text="Who took part, in which role, how surely."
    )
    casualties = CasualtySerializer(many=True, read_only=True, help_text="Killed, wounded or abducted, by source.")
    latitude = serializers.FloatField(
        source="location.latitude", read_only=True, allow_null=True, help_text="WGS84 latitude of `located_at`."
    )
    longitude = serializers.FloatField(
        source="location.longitude", read_only=True, allow_null=True, help_text="WGS84 longitude of `located_at`."
    )
    located_at = RefField(
        source="location.point_place",
        read_only=True,
        allow_null=True,
        help_text="The place whose point stands for the incident: its own place, or the nearest place it lies in "
        "that has coordinates (see geo_precision and where_prec). Null when neither has any.",
    )
    geo_precision = serializers.IntegerField(
        source="location.acled_geo_precision",
        read_only=True,
        allow_null=True,
        help_text="ACLED geo_precision of the point: 1 the town itself, 2 near a town or part of a region, "
        "3 a larger region or the country.",
    )
    where_prec = serializers.IntegerField(
        source="location.ucdp_where_prec",
        read_only=True,
        allow_null=True,
        help_text="UCDP where_prec of the point: 1 exact, 2 within ~25 km, 3 the cercle (ADM2), 4 the region "
        "(ADM1), 5 a wider area, 6 the country.",
    )
    country = serializers.CharField(
        source="location.country_code",
        read_only=True,
        allow_null=True,
        help_text="ISO 3166-1 alpha-2 code of the country, from the place's chain (ML when only “in Mali” is known).",
    )
    admin1 = RefField(
        source="location.admin1", read_only=True, allow_null=True, help_text="The region the place lies in."
    )
    admin2 = RefField(
        source="location.admin2", read_only=True, allow_null=True, help_text="The cercle the place lies in."
    )
    killed = casualty_total("killed")
    killed_low = casualty_total("killed_low")
    killed_high = casualty_total("killed_high")
    wounded = casualty_total("wounded")
    wounded_low = casualty_total("wounded_low")
    wounded_high = casualty_total("wounded_high")
    abducted = casualty_total("abducted")
    abducted_low = casualty_total("abducted_low")
    abducted_high = casualty_total("abducted_high")
    sources = SourceSerializer(many=True, read_only=True, help_text="The articles and passages it rests on.")
    date_source = serializers.ChoiceField(
        choices=Incident.DateSource.choices,
        read_only=True,
        help_text="article: the date is what the cited articles give; external: no cited article gives it, and it is "
        "taken from the source in `external_date`.",
    )
    external_date = IncidentExternalDateSerializer(
        read_only=True,
        allow_null=True,
        help_text="Where the date comes from when it is not from the articles (null when it is): the outside source "
        "and the reasoning.",
    )

    expandable = {
        "place": PlaceSerializer,
        "actors": IncidentActorExpandedSerializer,
    }

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "web_url",
            "slug",
            "title",
            "incident_type",
            "acled_disorder_type",
            "acled_event_type",
            "acled_sub_event_type",
            "ucdp_type_of_violence",
            "acled_event_id",
            *DATE_FIELDS,
            "date_source",
            "external_date",
            "place",
            "location_as_written",
            "location_precision",
            "in_mali",
            "country",
            "admin1",
            "admin2",
            "located_at",
            "latitude",
            "longitude",
            "geo_precision",
            "where_prec",
            "description",
            "actors",
            *CASUALTY_TOTAL_FIELDS,
            "casualties",
            "sources",
            "created",
            "modified",
        ]
        read_only_fields = ["created", "modified"]


class FigureSerializer(FuzzyDateFields, RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    subject = RefField(queryset=Actor.objects.all(), help_text="What the number is about.")
    source = RefField(queryset=Article.objects.all())

    expandable = {"subject": ActorSerializer, "source": ArticleSerializer}

    class Meta:
        model = Figure
        fields = [
            "id",
            "url",
            "web_url",
            "quantity",
            "value",
            "value_high",
            "qualifier",
            "unit",
            "subject",
            "scope",
            "note",
            *DATE_FIELDS,
            *SOURCE_FIELDS,
            "created",
            "modified",
        ]
        read_only_fields = ["excerpt_start", "excerpt_end", "created", "modified"]
        extra_kwargs = {"value": {"coerce_to_string": False}, "value_high": {"coerce_to_string": False}}

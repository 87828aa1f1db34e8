from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from actors.models import Actor
from actors.serializers import ActorSerializer
from articles.models import Article
from minusma.api_tools import (
    DATE_FIELDS,
    SOURCE_FIELDS,
    AliasSerializer,
    FuzzyDateFields,
    RecordSerializer,
    RefField,
    SourceSerializer,
    WebUrlField,
)

from .models import CASUALTY_TOTAL_FIELDS, Casualty, Figure, Incident, IncidentActor, Place


class PlaceSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_url_kwarg="id_or_slug")
    web_url = WebUrlField()
    parent = RefField(queryset=Place.objects.all(), allow_null=True, required=False)
    aliases = AliasSerializer(many=True, read_only=True)

    expandable = {"parent": "events.serializers.PlaceSerializer"}

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


def casualty_total(name: str) -> serializers.IntegerField:
    """A stored casualty total: null when no source reports a number (never 0 for unknown)."""
    help_text = Incident._meta.get_field(name).help_text
    return serializers.IntegerField(read_only=True, allow_null=True, help_text=help_text)


class IncidentSerializer(FuzzyDateFields, RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:incident-detail", lookup_url_kwarg="id_or_slug")
    web_url = WebUrlField()
    place = RefField(queryset=Place.objects.all(), allow_null=True, required=False)
    actors = IncidentActorSerializer(
        source="actor_roles", many=True, read_only=True, help_text="Who took part, in which role, how surely."
    )
    casualties = CasualtySerializer(many=True, read_only=True, help_text="Killed, wounded or abducted, by source.")
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

    expandable = {
        "place": "events.serializers.PlaceSerializer",
        "actors": "events.serializers.IncidentActorExpandedSerializer",
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
            *DATE_FIELDS,
            "place",
            "location_as_written",
            "location_precision",
            "in_mali",
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
    url = serializers.HyperlinkedIdentityField(view_name="api:figure-detail")
    web_url = WebUrlField()
    subject = RefField(queryset=Actor.objects.all(), help_text="What the number is about.")
    source = RefField(queryset=Article.objects.all())

    expandable = {"subject": "actors.serializers.ActorSerializer", "source": "articles.serializers.ArticleSerializer"}

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

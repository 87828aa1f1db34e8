from rest_framework import serializers

from articles.models import Article
from articles.serializers import ArticleSerializer
from common.api.fields import RecordUrlField, RefField, WebUrlField
from common.api.serializers import (
    DATE_FIELDS,
    SOURCE_FIELDS,
    AliasSerializer,
    FuzzyDateFields,
    RecordSerializer,
    SourceSerializer,
)
from events.models import Place

from .models import Actor, ActorRelation, Contingent, Position, StrengthObservation


def place_serializer():
    from events.serializers import PlaceSerializer  # events.serializers imports this module

    return PlaceSerializer


class ActorSerializer(RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    aliases = AliasSerializer(many=True, read_only=True)

    class Meta:
        model = Actor
        fields = [
            "id",
            "url",
            "web_url",
            "slug",
            "name",
            "kind",
            "description",
            "country",
            "wikidata_id",
            "acled_actor_type",
            "aliases",
            "created",
            "modified",
        ]
        read_only_fields = ["created", "modified"]


class RelationSerializer(FuzzyDateFields, serializers.ModelSerializer):
    subject = RefField(read_only=True)
    object = RefField(read_only=True)
    source = RefField(read_only=True)

    class Meta:
        model = ActorRelation
        fields = ["id", "subject", "kind", "object", "certainty", *DATE_FIELDS, *SOURCE_FIELDS]


class PositionSerializer(FuzzyDateFields, serializers.ModelSerializer):
    person = RefField(read_only=True)
    organisation = RefField(read_only=True)
    source = RefField(read_only=True)

    class Meta:
        model = Position
        fields = ["id", "person", "title", "organisation", "certainty", *DATE_FIELDS, *SOURCE_FIELDS]


class ActorDetailSerializer(ActorSerializer):
    relations_as_subject = RelationSerializer(many=True, read_only=True, help_text="This actor —kind→ another.")
    relations_as_object = RelationSerializer(many=True, read_only=True, help_text="Another actor —kind→ this one.")
    positions = PositionSerializer(many=True, read_only=True, help_text="Positions this person held.")

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "relations_as_subject", "relations_as_object", "positions"]


class ContingentSerializer(FuzzyDateFields, RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    contributor = RefField(queryset=Actor.objects.all(), allow_null=True, required=False)
    mission = RefField(queryset=Actor.objects.all())
    base = RefField(queryset=Place.objects.all(), allow_null=True, required=False)
    sources = SourceSerializer(many=True, read_only=True, help_text="The articles and passages it rests on.")

    expandable = {
        "contributor": ActorSerializer,
        "mission": ActorSerializer,
        "base": place_serializer,
    }

    class Meta:
        model = Contingent
        fields = [
            "id",
            "url",
            "web_url",
            "slug",
            "country",
            "contributor",
            "mission",
            "personnel_type",
            "capability",
            "unit_name",
            "base",
            "status",
            *DATE_FIELDS,
            "notes",
            "sources",
            "created",
            "modified",
        ]
        read_only_fields = ["created", "modified"]


class StrengthInContingentSerializer(FuzzyDateFields, serializers.ModelSerializer):
    url = RecordUrlField()
    source = RefField(read_only=True)

    class Meta:
        model = StrengthObservation
        fields = ["id", "url", "personnel", "unit_of_count", "qualifier", "basis", *DATE_FIELDS, *SOURCE_FIELDS]


class ContingentDetailSerializer(ContingentSerializer):
    strength_observations = StrengthInContingentSerializer(many=True, read_only=True)

    class Meta(ContingentSerializer.Meta):
        fields = [*ContingentSerializer.Meta.fields, "strength_observations"]


class StrengthObservationSerializer(FuzzyDateFields, RecordSerializer):
    url = RecordUrlField()
    contingent = RefField(queryset=Contingent.objects.all())
    source = RefField(queryset=Article.objects.all())

    expandable = {
        "contingent": ContingentSerializer,
        "source": ArticleSerializer,
    }

    class Meta:
        model = StrengthObservation
        fields = [
            "id",
            "url",
            "contingent",
            "personnel",
            "unit_of_count",
            "qualifier",
            "basis",
            *DATE_FIELDS,
            *SOURCE_FIELDS,
            "created",
            "modified",
        ]
        read_only_fields = ["excerpt_start", "excerpt_end", "created", "modified"]

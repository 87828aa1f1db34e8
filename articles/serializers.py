from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from actors.models import Actor
from common.api.fields import RecordUrlField, RefField, WebUrlField
from common.api.serializers import DATE_FIELDS, FuzzyDateFields, RecordSerializer

from .models import Article, ExternalSource, Outlet, Quote


def actor_serializer():
    from actors.serializers import ActorSerializer  # actors.serializers imports this module

    return ActorSerializer


class OutletSerializer(CountryFieldMixin, serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "slug", "name", "kind", "country", "acled_source_scale", "website"]


class ExternalSourceSerializer(serializers.ModelSerializer):
    """A publication outside the corpus that a record cites for a fact no article states."""

    class Meta:
        model = ExternalSource
        fields = ["slug", "title", "publisher", "published", "url", "note"]


class QuoteInArticleSerializer(serializers.ModelSerializer):
    url = RecordUrlField()
    speaker = RefField(read_only=True)

    class Meta:
        model = Quote
        fields = ["id", "url", "speaker", "speaker_description", "speaker_role", "text", "text_start", "text_end"]


class ArticleSerializer(FuzzyDateFields, RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField()
    outlet = RefField(queryset=Outlet.objects.all(), representation=OutletSerializer)
    authors = RefField(queryset=Actor.objects.all(), many=True, required=False)
    original_url = serializers.URLField(
        source="url", max_length=500, required=False, allow_blank=True, help_text="Where the article was published."
    )

    expandable = {"authors": actor_serializer}

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "web_url",
            "slug",
            "title",
            "title_inferred",
            "subtitle",
            "outlet",
            "authors",
            *DATE_FIELDS,
            "date_reasoning",
            "attribution_note",
            "original_url",
            "language",
            "body",
            "word_count",
            "seed_file",
            "created",
            "modified",
        ]
        read_only_fields = ["word_count", "created", "modified"]


class ArticleDetailSerializer(ArticleSerializer):
    quotes = QuoteInArticleSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "quotes"]


class QuoteSerializer(RecordSerializer):
    url = RecordUrlField()
    web_url = WebUrlField(
        url_of=lambda quote: f"{quote.article.get_absolute_url()}#quote-{quote.pk}",
        help_text="The quote, highlighted, in the article's page on the website.",
    )
    article = RefField(queryset=Article.objects.all(), help_text="The article the quote is printed in.")
    speaker = RefField(queryset=Actor.objects.all(), allow_null=True, required=False)

    expandable = {"speaker": actor_serializer, "article": ArticleSerializer}

    class Meta:
        model = Quote
        fields = [
            "id",
            "url",
            "web_url",
            "article",
            "speaker",
            "speaker_description",
            "speaker_role",
            "text",
            "text_start",
            "text_end",
            "created",
            "modified",
        ]
        read_only_fields = ["text_start", "text_end", "created", "modified"]

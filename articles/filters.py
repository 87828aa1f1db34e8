"""Article and quote filters: one FilterSet per model, for the web lists and the API alike."""

from django_filters import rest_framework as filters

from actors.models import Actor, ActorKind
from common.filters import ChoiceFilter, DateRangeForm, IdOrSlugFilter, RecordFilterSet
from events.models import Place

from .models import Article, Outlet, Quote


class ArticleFilter(RecordFilterSet):
    orderings = {
        "date_from": ("date_from",),
        "title": ("title",),
        "outlet": ("outlet__name",),
        "word_count": ("word_count",),
        "id": ("id",),
    }
    ordering_aliases = {"date": "date_from", "words": "word_count"}
    outlet = IdOrSlugFilter(queryset=Outlet.objects.all(), method="filter_outlet", help_text="Outlet name, id or slug.")
    author = IdOrSlugFilter(queryset=Actor.objects.all(), method="filter_author", help_text="Author name, id or slug.")
    date_from = filters.DateFilter(
        method="filter_date_from", help_text="Published (as far as we know) on or after this day (YYYY-MM-DD)."
    )
    date_to = filters.DateFilter(
        method="filter_date_to", help_text="Published (as far as we know) on or before this day (YYYY-MM-DD)."
    )
    actor = IdOrSlugFilter(
        queryset=Actor.objects.all(),
        method="filter_actor",
        help_text="Actor name, id or slug: articles that quote it or source a claim about it.",
    )
    place = IdOrSlugFilter(
        queryset=Place.objects.all(),
        method="filter_place",
        help_text="Place name, id or slug: articles that source an incident or contingent there or inside it.",
    )

    class Meta:
        model = Article
        form = DateRangeForm
        fields = ["outlet", "author", "date_from", "date_to", "actor", "place"]

    def filter_outlet(self, queryset, name, value):
        return queryset.in_outlet(value)

    def filter_author(self, queryset, name, value):
        return queryset.by_author(value)

    def filter_date_from(self, queryset, name, value):
        return queryset.in_period(start=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.in_period(end=value)

    def filter_actor(self, queryset, name, value):
        return queryset.mentioning_actor(value)

    def filter_place(self, queryset, name, value):
        return queryset.mentioning_place(value)


class QuoteFilter(RecordFilterSet):
    orderings = {
        "date": ("article__date_from",),
        "speaker": ("speaker__name", "speaker_description"),
        "article": ("article__title",),
        "outlet": ("article__outlet__name",),
        "text_start": ("text_start",),
        "id": ("id",),
    }
    speaker = IdOrSlugFilter(
        queryset=Actor.objects.all(), method="filter_speaker", help_text="Speaker name, id or slug."
    )
    speaker_kind = ChoiceFilter(
        choices=ActorKind.choices, method="filter_speaker_kind", help_text="Kind of actor speaking."
    )
    speaker_organisation = IdOrSlugFilter(
        label="Speaker’s organisation",
        queryset=Actor.objects.all(),
        method="filter_speaker_organisation",
        help_text="Organisation name, id or slug: quotes of it, of its parts (MINUSMA is part of the United Nations) "
        "and of the people who hold a position in, lead, speak for, work for or are members of any of them.",
    )
    article = IdOrSlugFilter(queryset=Article.objects.all(), method="filter_article", help_text="Article id or slug.")
    outlet = IdOrSlugFilter(queryset=Outlet.objects.all(), method="filter_outlet", help_text="Outlet name, id or slug.")
    date_from = filters.DateFilter(
        method="filter_date_from", help_text="From articles published on or after this day (YYYY-MM-DD)."
    )
    date_to = filters.DateFilter(
        method="filter_date_to", help_text="From articles published on or before this day (YYYY-MM-DD)."
    )

    class Meta:
        model = Quote
        form = DateRangeForm
        fields = ["speaker", "speaker_kind", "speaker_organisation", "article", "outlet", "date_from", "date_to"]

    def filter_speaker(self, queryset, name, value):
        return queryset.by_speaker(value)

    def filter_speaker_kind(self, queryset, name, value):
        return queryset.by_speaker_kind(value)

    def filter_speaker_organisation(self, queryset, name, value):
        return queryset.by_speaker_organisation(value)

    def filter_article(self, queryset, name, value):
        return queryset.in_article(value)

    def filter_outlet(self, queryset, name, value):
        return queryset.in_outlet(value)

    def filter_date_from(self, queryset, name, value):
        return queryset.in_period(start=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.in_period(end=value)

import datetime
from collections import Counter
from collections.abc import Collection
from typing import Self

from django.apps import apps
from django.db import models
from django.db.models import Prefetch, Q

from common.fuzzydates import FuzzyDateQuerySet
from common.search import SearchableQuerySet, SearchSpec

# Speakers that are nobody's organisation (the kind-of-speaker facet lists them).
NOT_ORGANISATIONS = ("person", "document")


class ArticleQuerySet(SearchableQuerySet, FuzzyDateQuerySet):
    search_spec = SearchSpec(document={"title": "A", "subtitle": "B", "body": "C"}, snippet="body")

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        """Articles with their outlet and authors; `expand=authors` embeds whole actors."""
        queryset = self.select_related("outlet")
        if "authors" in expand:
            return queryset.prefetch_related("authors__aliases")
        return queryset.prefetch_related("authors")

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        """As for_list, plus the article's quotes with their speakers."""
        quotes = apps.get_model("articles", "Quote").objects.select_related("speaker")
        return self.for_list(expand=expand).prefetch_related(Prefetch("quotes", queryset=quotes))

    def in_outlet(self, outlet: models.Model) -> Self:
        return self.filter(outlet=outlet)

    def by_author(self, actor: models.Model) -> Self:
        return self.filter(pk__in=self.model.authors.through.objects.filter(actor=actor).values("article_id"))

    def mentioning_actor(self, actor: models.Model) -> Self:
        """Articles that the data ties to the actor: quoting it, or citing a claim about it.

        The claims are relations, positions, figures, incident roles, casualties and contingents that a
        record sources to the article; a name merely appearing in the text is not a mention here.
        """
        model = apps.get_model
        cited = [
            model("articles", "Quote").objects.filter(speaker=actor).values("article_id"),
            model("actors", "ActorRelation").objects.filter(Q(subject=actor) | Q(object=actor)).values("source_id"),
            model("actors", "Position").objects.filter(Q(person=actor) | Q(organisation=actor)).values("source_id"),
            model("events", "Figure").objects.filter(subject=actor).values("source_id"),
            model("events", "IncidentSource").objects.filter(incident__actor_roles__actor=actor).values("source_id"),
            model("events", "Casualty").objects.filter(armed_actor=actor).values("source_id"),
            model("actors", "ContingentSource")
            .objects.filter(Q(contingent__contributor=actor) | Q(contingent__mission=actor))
            .values("source_id"),
        ]
        return self.filter(_any_pk_in(cited))

    def mentioning_place(self, place: models.Model) -> Self:
        """Articles that source an incident or a contingent at the place or any place inside it."""
        model = apps.get_model
        place_ids = model("events", "Place").objects.self_and_descendant_ids(place)
        cited = [
            model("events", "IncidentSource").objects.filter(incident__place__in=place_ids).values("source_id"),
            model("actors", "ContingentSource").objects.filter(contingent__base__in=place_ids).values("source_id"),
            model("actors", "StrengthObservation").objects.filter(contingent__base__in=place_ids).values("source_id"),
        ]
        return self.filter(_any_pk_in(cited))


class QuoteQuerySet(SearchableQuerySet):
    search_spec = SearchSpec(
        document={"text": "A", "speaker_description": "B", "speaker_role": "B"},
        related_names=("speaker",),
        snippet="text",
    )

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        """Quotes with their article and speaker; `expand` embeds the whole speaker or article."""
        queryset = self.select_related("article", "speaker")
        if "speaker" in expand:
            queryset = queryset.prefetch_related("speaker__aliases")
        if "article" in expand:
            queryset = queryset.select_related("article__outlet").prefetch_related("article__authors")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        return self.for_list(expand=expand)

    def by_speaker(self, actor: models.Model) -> Self:
        return self.filter(speaker=actor)

    def by_speaker_kind(self, kind: str) -> Self:
        return self.filter(speaker__kind=kind)

    def by_speaker_organisation(self, organisation: models.Model) -> Self:
        """Quotes of the organisation, of its parts and of its people (ActorQuerySet.affiliated_with)."""
        actors = apps.get_model("actors", "Actor").objects
        return self.filter(speaker__in=actors.affiliated_with(organisation).values("pk"))

    def speaker_organisation_counts(self) -> list[dict]:
        """How many of these quotes each organisation's side said (by_speaker_organisation's sense: the organisation,
        its parts and its people), most first, as {value: slug, label: name, count}: the quotes page's facet, so that
        "what did UN officials say" is one choice. One GROUP BY of the quotes by speaker, then the speakers'
        organisations (ActorQuerySet.organisations_of) and their names; persons are not organisations here."""
        actors = apps.get_model("actors", "Actor").objects
        by_speaker = dict(
            self.order_by().exclude(speaker=None).values_list("speaker_id").annotate(said=models.Count("*"))
        )
        counts: Counter[int] = Counter()
        for speaker, organisations in actors.organisations_of(by_speaker).items():
            counts.update(dict.fromkeys(organisations, by_speaker[speaker]))
        named = actors.filter(pk__in=counts).exclude(kind__in=NOT_ORGANISATIONS).values_list("pk", "slug", "name")
        rows = [{"value": slug, "label": name, "count": counts[pk]} for pk, slug, name in named]
        return sorted(rows, key=lambda row: (-row["count"], row["label"]))

    def in_article(self, article: models.Model) -> Self:
        return self.filter(article=article)

    def in_outlet(self, outlet: models.Model) -> Self:
        return self.filter(article__outlet=outlet)

    def in_period(self, start: datetime.date | None = None, end: datetime.date | None = None) -> Self:
        """Quotes from articles published (as far as we know) within [start, end]."""
        return self.filter(FuzzyDateQuerySet.period_q(start, end, prefix="article__"))


def _any_pk_in(subqueries: list[models.QuerySet]) -> Q:
    condition = Q()
    for subquery in subqueries:
        condition |= Q(pk__in=subquery)
    return condition

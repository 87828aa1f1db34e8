from collections.abc import Collection
from typing import Self

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Min, OuterRef, PositiveIntegerField, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncYear
from django.db.models.functions.datetime import TruncBase

from common import datacache
from common.fuzzydates import FuzzyDateQuerySet
from common.querysets import NamedWithAliasesQuerySet, reachable
from common.search import SearchableQuerySet, SearchSpec

from .locations import CHAIN_DEPTH, PLACE_CHAIN

CASUALTY_OUTCOMES = ("killed", "wounded", "abducted")


def casualty_total_expressions() -> dict[str, Subquery]:
    """Per outcome, from the incident's casualty rows grouped by source (two articles reporting the same deaths
    must not be added up): `killed` the largest total any one source gives (of the rows' best counts), `killed_low`
    the smallest (of their lows, else bests), `killed_high` the largest (of their highs, else bests). No row: null.
    So low <= best <= high, and a sourced count of 0 stays 0."""
    casualties = apps.get_model("events", "Casualty").objects
    expressions = {}
    for outcome in CASUALTY_OUTCOMES:
        per_source = casualties.filter(incident=OuterRef("pk"), outcome=outcome).order_by().values("source")
        for name, value, order in (
            (outcome, "best", "-total"),
            (f"{outcome}_low", Coalesce("low", "best"), "total"),
            (f"{outcome}_high", Coalesce("high", "best"), "-total"),
        ):
            totals = per_source.annotate(total=Sum(value)).order_by(order).values("total")[:1]
            expressions[name] = Subquery(totals, output_field=PositiveIntegerField())
    return expressions


class PlaceQuerySet(SearchableQuerySet, NamedWithAliasesQuerySet):
    search_spec = SearchSpec(
        document={"name": "A", "description": "C"}, names=("name",), aliases="aliases", snippet="description"
    )

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        queryset = self.select_related("parent").prefetch_related("aliases")
        if "parent" in expand:
            queryset = queryset.select_related("parent__parent").prefetch_related("parent__aliases")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        """As for_list, plus the places directly inside this one."""
        return self.for_list(expand=expand).prefetch_related("children")

    def with_ancestors(self) -> Self:
        """The places each lies in, as far up as an incident's chain is selected (events.locations.CHAIN_DEPTH)."""
        return self.select_related("parent" + "__parent" * (CHAIN_DEPTH - 2))

    def mentioned_in(self, article: models.Model) -> Self:
        """Places of the incidents the article is cited for and the bases of the contingents it is cited for."""
        model = apps.get_model
        incidents = model("events", "IncidentSource").objects.filter(source=article).values("incident__place_id")
        bases = model("actors", "ContingentSource").objects.filter(source=article).values("contingent__base_id")
        return self.filter(Q(pk__in=incidents) | Q(pk__in=bases))

    def self_and_descendant_ids(self, place: models.Model) -> list[int]:
        """The place's id and those of every place inside it, at any depth. One query: the gazetteer is small."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in self.model._base_manager.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        return sorted(reachable({place.pk}, children))

    def within(self, place: models.Model) -> Self:
        """The place itself and every place inside it."""
        return self.filter(pk__in=self.self_and_descendant_ids(place))


class IncidentQuerySet(SearchableQuerySet, FuzzyDateQuerySet):
    search_spec = SearchSpec(
        document={"title": "A", "location_as_written": "B", "description": "C"},
        related_names=("place",),
        snippet="description",
    )

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        """Incidents with their place and the places it lies in (for their location), the outside source of the date
        if any, actors and their roles, casualties and sources."""
        model = apps.get_model
        # Each child list in its models' order within one incident, ordered without the join to the incidents that
        # their Meta.ordering (which starts with "incident") adds: PostgreSQL planned that join over every incident
        # (1 s per 500 incidents at a million).
        roles = model("events", "IncidentActor").objects.select_related("actor").order_by("role", "actor__name")
        if "actors" in expand:
            roles = roles.prefetch_related("actor__aliases")
        casualties = (
            model("events", "Casualty")
            .objects.select_related("source", "contingent__base", "armed_actor")
            .order_by("category", "outcome", "pk")
        )
        sources = (
            model("events", "IncidentSource")
            .objects.select_related("source__outlet")
            .order_by("-source__date_from", "source__title", "excerpt_start")
        )
        queryset = self.select_related(PLACE_CHAIN, "external_date__source").prefetch_related(
            Prefetch("actor_roles", queryset=roles),
            Prefetch("casualties", queryset=casualties),
            Prefetch("sources", queryset=sources),
        )
        if "place" in expand:
            queryset = queryset.prefetch_related("place__aliases")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        return self.for_list(expand=expand)

    def with_citations(self) -> Self:
        """After for_list() or for_detail(): the authors of the articles the incident cites too (one query), so that
        each source can be cited in full."""
        return self.prefetch_related("sources__source__authors")

    def dated_from(self, date_source: str) -> Self:
        """Incidents whose date the cited articles give ("article") or that is taken from outside them
        ("external": an IncidentExternalDate says where from)."""
        return self.filter(external_date__isnull=date_source != "external")

    def for_export(self) -> Self:
        """What an ACLED or UCDP row reads (events/crosswalks.py): the place chain, the actor roles, the casualty
        rows and the sources with their outlets, as for_list() loads them: four queries for any number of rows."""
        return self.for_list()

    def refresh_casualty_totals(self) -> int:
        """Recompute the stored casualty totals of these incidents from their casualty rows (see
        casualty_total_expressions): one UPDATE, whatever their number. Casualty.save() and delete() call it."""
        return self.update(**casualty_total_expressions())

    def with_at_least(self, outcome: str, count: int) -> Self:
        """Incidents where one source reports at least `count` people killed, wounded or abducted. An incident with
        no reported number never matches, not even `count` 0 (unknown is not zero)."""
        return self.filter(**{f"{outcome}__gte": count})

    def at_place(self, place: models.Model) -> Self:
        """Incidents at the place or anywhere inside it (a region's towns, a town's bases)."""
        place_ids = apps.get_model("events", "Place").objects.self_and_descendant_ids(place)
        return self.filter(place__in=place_ids)

    def involving(self, actor: models.Model | None = None, role: str | None = None) -> Self:
        """Incidents in which the actor took part, in the given role if one is given (both on one row)."""
        condition = Q()
        if actor is not None:
            condition &= Q(actor=actor)
        if role:
            condition &= Q(role=role)
        if not condition:
            return self
        roles = apps.get_model("events", "IncidentActor").objects.filter(condition)
        return self.filter(pk__in=roles.values("incident_id"))

    def counted_by_type_and_period(self, truncate: type[TruncBase], outcome: str) -> models.QuerySet:
        """One row per incident type and pair of periods (`truncate`: TruncMonth or TruncYear) in which the date range
        starts and ends: `count` incidents, the people `outcome` (killed, wounded or abducted) they add up to
        (`casualties`) and how many of them have that number reported (`reported`). One GROUP BY."""
        return (
            self.order_by()
            .values("incident_type", start=truncate("date_from"), end=truncate("date_to"))
            .annotate(count=Count("pk"), casualties=Sum(outcome), reported=Count(outcome))
        )

    def with_victims_of_nationality(self, country: str) -> Self:
        casualties = apps.get_model("events", "Casualty").objects.filter(nationality=country)
        return self.filter(pk__in=casualties.values("incident_id"))

    def with_victims_from_contingent(self, contingent: models.Model) -> Self:
        casualties = apps.get_model("events", "Casualty").objects.filter(contingent=contingent)
        return self.filter(pk__in=casualties.values("incident_id"))

    def with_victims_of(self, actor: models.Model) -> Self:
        """Incidents in which the actor's own people were killed, wounded or abducted (CasualtyQuerySet.suffered_by),
        each with those casualty rows as `victims_of_actor` (one query for all)."""
        casualties = apps.get_model("events", "Casualty").objects.suffered_by(actor)
        victims = casualties.select_related("contingent__base", "source").order_by("outcome", "source__date_from")
        return self.filter(pk__in=casualties.values("incident_id")).prefetch_related(
            Prefetch("casualties", queryset=victims, to_attr="victims_of_actor")
        )


class CasualtyQuerySet(models.QuerySet):
    """Bulk writes keep the incidents' stored totals in step too, as Casualty.save() and delete() do."""

    def suffered_by(self, actor: models.Model) -> Self:
        """Casualties among the actor's own people: victims the source says belonged to it (`armed_actor`), who
        served in one of its contingents (ContingentQuerySet.of_actor), or, for a state, who are its nationals
        (Actor.nationals_country)."""
        # Each alternative on its own indexed column (no join), so PostgreSQL can OR three index scans.
        contingents = apps.get_model("actors", "Contingent").objects.of_actor(actor).values("pk")
        condition = Q(armed_actor=actor) | Q(contingent__in=contingents)
        if actor.nationals_country:
            condition |= Q(nationality=actor.nationals_country)
        return self.filter(condition)

    def incidents(self) -> models.QuerySet:
        return apps.get_model("events", "Incident").objects.using(self.db)

    def refresh_derived(self) -> None:
        """Bring the totals of these casualties' incidents in step: for writers that skip save(), such as the corpus
        loader's raw saves and bulk inserts."""
        self.incidents().filter(pk__in=self.values("incident_id")).refresh_casualty_totals()

    def delete(self) -> tuple[int, dict[str, int]]:
        incident_ids = set(self.values_list("incident_id", flat=True))
        result = super().delete()
        self.incidents().filter(pk__in=incident_ids).refresh_casualty_totals()
        return result

    def update(self, **kwargs) -> int:
        incident_ids = set(self.values_list("incident_id", flat=True))
        rows = super().update(**kwargs)
        datacache.data_changed(self.model, using=self.db)  # an UPDATE sends no signal: renew the cached counts, ETags
        moved_to = kwargs.get("incident_id", kwargs.get("incident"))
        incident_ids |= {getattr(moved_to, "pk", moved_to)} - {None}
        self.incidents().filter(pk__in=incident_ids).refresh_casualty_totals()
        return rows


class FigureQuerySet(SearchableQuerySet, FuzzyDateQuerySet):
    search_spec = SearchSpec(document={"excerpt": "A", "note": "C"}, related_names=("subject",), snippet="excerpt")

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        queryset = self.select_related("subject", "source")
        if "subject" in expand:
            queryset = queryset.prefetch_related("subject__aliases")
        if "source" in expand:
            queryset = queryset.select_related("source__outlet").prefetch_related("source__authors")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        return self.for_list(expand=expand)

    def largest_claim_per_source_and_year(self) -> models.QuerySet:
        """One row per quantity, unit, source and year (TruncYear of date_from; None if undated): the largest `value`
        claimed, how many `claims` there are, and one of them (`figure_id`). One GROUP BY."""
        return (
            self.order_by()
            .values("quantity", "unit", "source__slug", "source__title", year=TruncYear("date_from"))
            .annotate(value=Max("value"), figure_id=Min("pk"), claims=Count("pk"))
        )

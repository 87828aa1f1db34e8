from collections.abc import Collection
from typing import Self

from django.apps import apps
from django.db import models
from django.db.models import IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from common.fuzzydates import FuzzyDateQuerySet
from common.querysets import NamedWithAliasesQuerySet
from common.search import SearchableQuerySet, SearchSpec


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
        found, frontier = [place.pk], [place.pk]
        while frontier:
            frontier = [child for pk in frontier for child in children.get(pk, []) if child not in found]
            found.extend(frontier)
        return found

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
        """Incidents with place, the outside source of the date if any, actors and their roles, casualties, sources
        and the number killed."""
        model = apps.get_model
        roles = model("events", "IncidentActor").objects.select_related("actor")
        if "actors" in expand:
            roles = roles.prefetch_related("actor__aliases")
        casualties = model("events", "Casualty").objects.select_related("source", "contingent__base", "armed_actor")
        sources = model("events", "IncidentSource").objects.select_related("source__outlet")
        queryset = (
            self.select_related("place__parent", "external_date__source")
            .prefetch_related(
                Prefetch("actor_roles", queryset=roles),
                Prefetch("casualties", queryset=casualties),
                Prefetch("sources", queryset=sources),
            )
            .with_killed()
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

    def with_killed(self) -> Self:
        """Annotate `killed`: the largest total of people killed that any one source reports (0 if none).

        Per source, because two articles reporting the same deaths must not be added up.
        """
        per_source = (
            apps.get_model("events", "Casualty")
            .objects.filter(incident=OuterRef("pk"), outcome="killed")
            .values("source")
            .annotate(total=Sum("best"))
            .order_by("-total")
            .values("total")[:1]
        )
        return self.annotate(killed=Coalesce(Subquery(per_source), Value(0), output_field=IntegerField()))

    def with_at_least_killed(self, count: int) -> Self:
        """Incidents where one source reports at least `count` people killed (see with_killed)."""
        per_source = (
            apps.get_model("events", "Casualty")
            .objects.filter(outcome="killed")
            .values("incident", "source")
            .annotate(total=Sum("best"))
            .filter(total__gte=count)
            .values("incident")
        )
        return self if count <= 0 else self.filter(pk__in=per_source)

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

    def with_victims_of_nationality(self, country: str) -> Self:
        casualties = apps.get_model("events", "Casualty").objects.filter(nationality=country)
        return self.filter(pk__in=casualties.values("incident_id"))

    def with_victims_from_contingent(self, contingent: models.Model) -> Self:
        casualties = apps.get_model("events", "Casualty").objects.filter(contingent=contingent)
        return self.filter(pk__in=casualties.values("incident_id"))


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

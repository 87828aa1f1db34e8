import datetime
from collections.abc import Collection
from typing import Self

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from common.fuzzydates import FuzzyDateQuerySet
from common.names import RecordName
from common.querysets import NamedWithAliasesQuerySet, reachable
from common.search import SearchableQuerySet, SearchSpec

# The relations that make a person one of an organisation's people (ActorRelation.Kind's values; a state that is a
# member of the African Union does not speak for it).
PERSONAL_AFFILIATIONS = ("member_of", "leader_of", "spokesperson_of", "employed_by")


class ActorQuerySet(SearchableQuerySet, NamedWithAliasesQuerySet):
    search_spec = SearchSpec(
        document={"name": "A", "description": "C"}, names=("name",), aliases="aliases", snippet="description"
    )

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        return self.prefetch_related("aliases")

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        """As for_list, plus the actor's sourced relations and positions."""
        model = apps.get_model
        relations = model("actors", "ActorRelation").objects.select_related("subject", "object", "source")
        positions = model("actors", "Position").objects.select_related("person", "organisation", "source")
        return self.for_list(expand=expand).prefetch_related(
            Prefetch("relations_as_subject", queryset=relations),
            Prefetch("relations_as_object", queryset=relations),
            Prefetch("positions", queryset=positions),
        )

    def with_positions_held_in(self) -> Self:
        """The positions people hold in the actor (an organisation's page lists them), in one query."""
        positions = apps.get_model("actors", "Position").objects.select_related("person", "source")
        return self.prefetch_related(Prefetch("positions_held_in", queryset=positions))

    def mentioned_in(self, article: models.Model) -> Self:
        """Actors the data ties to the article: quoted in it, or party to a claim it is cited for.

        The mirror of ArticleQuerySet.mentioning_actor; a name merely appearing in the text does not count.
        """
        model = apps.get_model
        tied = (
            Q(pk__in=model("articles", "Quote").objects.filter(article=article).values("speaker_id"))
            | Q(pk__in=article.authors.values("pk"))
            | Q(pk__in=model("actors", "ActorRelation").objects.filter(source=article).values("subject_id"))
            | Q(pk__in=model("actors", "ActorRelation").objects.filter(source=article).values("object_id"))
            | Q(pk__in=model("actors", "Position").objects.filter(source=article).values("person_id"))
            | Q(pk__in=model("events", "Figure").objects.filter(source=article).values("subject_id"))
            | Q(
                pk__in=model("events", "IncidentActor")
                .objects.filter(incident__sources__source=article)
                .values("actor_id")
            )
        )
        return self.filter(tied)

    def parts_of(self, organisation: models.Model) -> set[int]:
        """The organisation's id and those of its parts at any depth (MINUSMA is part of the United Nations, its
        force part of MINUSMA). One query over the part-of relations."""
        parts: dict[int, list[int]] = {}
        for part, whole in _part_of_pairs():
            parts.setdefault(whole, []).append(part)
        return reachable({organisation.pk}, parts)

    def affiliated_with(self, organisation: models.Model) -> Self:
        """The organisation, its parts, and the people the data ties to any of them: holding a position there, or
        leading, speaking for, working for or being a member of it. Whatever the date: few positions and relations
        are dated, so “UN officials” includes someone quoted before or after their UN post."""
        model = apps.get_model
        ids = self.parts_of(organisation)
        positions = model("actors", "Position").objects.filter(organisation__in=ids).values("person_id")
        relations = (
            model("actors", "ActorRelation")
            .objects.filter(kind__in=PERSONAL_AFFILIATIONS, object__in=ids, subject__kind="person")
            .values("subject_id")
        )
        return self.filter(Q(pk__in=ids) | Q(pk__in=positions) | Q(pk__in=relations))

    def organisations_of(self, actor_ids: Collection[int]) -> dict[int, set[int]]:
        """For each actor, the organisations whose affiliated_with() includes it: itself, where it holds a position,
        what it leads, speaks for, works for or is a member of (a person), and every whole these are part of at any
        depth. affiliated_with() turned round, for many actors in four queries (persons included: the caller keeps
        the kinds it wants)."""
        model = apps.get_model
        actor_ids = set(actor_ids)
        direct = {pk: {pk} for pk in actor_ids}
        positions = model("actors", "Position").objects.filter(person__in=actor_ids).order_by()
        for person, organisation in positions.values_list("person_id", "organisation_id"):
            direct[person].add(organisation)
        relations = model("actors", "ActorRelation").objects.filter(
            kind__in=PERSONAL_AFFILIATIONS, subject__in=actor_ids, subject__kind="person"
        )
        for person, organisation in relations.order_by().values_list("subject_id", "object_id"):
            direct[person].add(organisation)
        wholes: dict[int, list[int]] = {}
        for part, whole in _part_of_pairs():
            wholes.setdefault(part, []).append(whole)
        return {actor: reachable(found, wholes) for actor, found in direct.items()}

    def with_quotes(self, present: bool = True) -> Self:
        """Actors who are quoted at least once (or, with present=False, never)."""
        quoted = Exists(apps.get_model("articles", "Quote").objects.filter(speaker=OuterRef("pk")))
        return self.filter(quoted if present else ~quoted)


def _part_of_pairs() -> list[tuple[int, int]]:
    """Every (part, whole) of the part-of relations, in one query."""
    relations = apps.get_model("actors", "ActorRelation").objects.filter(kind="part_of").order_by()
    return list(relations.values_list("subject_id", "object_id"))


class ContingentQuerySet(SearchableQuerySet, FuzzyDateQuerySet):
    # The slug names the contributor, capability and base (bf-infantry-timbuktu-2015), which have no text field here.
    search_spec = SearchSpec(
        document={"unit_name": "A", "notes": "C", "slug": "D"},
        names=("unit_name",),
        related_names=("contributor", "base"),
        snippet="notes",
    )

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        """Contingents with their mission, contributor, base and sources; `expand` embeds whole records."""
        sources = apps.get_model("actors", "ContingentSource").objects.select_related("source")
        queryset = self.select_related("mission", "contributor", "base").prefetch_related(
            Prefetch("sources", queryset=sources)
        )
        for actor in {"mission", "contributor"} & set(expand):
            queryset = queryset.prefetch_related(f"{actor}__aliases")
        if "base" in expand:
            queryset = queryset.select_related("base__parent").prefetch_related("base__aliases")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        """As for_list, plus the contingent's strength observations."""
        observations = apps.get_model("actors", "StrengthObservation").objects.select_related("source")
        return self.for_list(expand=expand).prefetch_related(Prefetch("strength_observations", queryset=observations))

    def record_names(self) -> list[RecordName]:
        """A contingent goes by its description (“Chad infantry in Kidal (deployed)”) and its unit's name, which the
        filters and the suggest endpoint find it by (common/names.py). One query."""
        names = []
        for contingent in (
            self.order_by()
            .select_related("base")
            .only("slug", "country", "capability", "status", "unit_name", "base__name")
        ):
            names.append(RecordName(contingent.pk, contingent.slug, str(contingent)))
            if contingent.unit_name:
                names.append(RecordName(contingent.pk, contingent.slug, str(contingent), contingent.unit_name))
        return names

    def of_actor(self, actor: models.Model) -> Self:
        """The actor's contingents: those it contributes, or those serving in it when it is the mission."""
        return self.filter(Q(contributor=actor) | Q(mission=actor))

    def active_on(self, day: datetime.date):
        return self.filter(
            Q(date_from__lte=day) | Q(date_from__isnull=True), Q(date_to__gte=day) | Q(date_to__isnull=True)
        )


class StrengthObservationQuerySet(SearchableQuerySet, FuzzyDateQuerySet):
    """Strength observations: what a row and its embedded contingent or source need, and their domain filters."""

    search_spec = SearchSpec(document={"excerpt": "A"}, related_names=("contingent",), snippet="excerpt")

    def for_list(self, *, expand: Collection[str] = ()) -> Self:
        queryset = self.select_related("contingent__base", "source")
        if "contingent" in expand:
            sources = apps.get_model("actors", "ContingentSource").objects.select_related("source")
            queryset = queryset.select_related("contingent__mission", "contingent__contributor").prefetch_related(
                Prefetch("contingent__sources", queryset=sources)
            )
        if "source" in expand:
            queryset = queryset.select_related("source__outlet").prefetch_related("source__authors")
        return queryset

    def for_detail(self, *, expand: Collection[str] = ()) -> Self:
        return self.for_list(expand=expand)

    def of_contingent_country(self, country: str) -> Self:
        return self.filter(contingent__country=country)

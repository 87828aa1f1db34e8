"""QuerySet building blocks shared by the apps' querysets."""

from django.db import models

from common.names import RecordName
from common.text import fold


def ids_first(queryset: models.QuerySet, start: int, stop: int) -> list:
    """queryset[start:stop], read as its ids first, then those records whole (with what they select and prefetch).

    The ids are a narrow read that the order's index answers. Read in one query with the records' joins, a page led
    the planners astray: for a page of a few incidents SQLite sorted the whole table (?ordering=-killed&page_size=1:
    226 ms at 100k), and PostgreSQL sorted the joined rows of a million (1.3 s)."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    by_id = {record.pk: record for record in queryset.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


class NamedQuerySet(models.QuerySet):
    """Records with a `name` and a `slug`, which the filters and the suggest endpoint find by name
    (common/names.py)."""

    def record_names(self) -> list[RecordName]:
        """Every record's name. One query."""
        return [RecordName(pk, slug, name) for pk, slug, name in self.order_by().values_list("pk", "slug", "name")]


class NamedWithAliasesQuerySet(NamedQuerySet):
    """Records with a `name` and aliases (a related model with `name`, reached by `aliases`): actors and places.

    Matching folds case and accents in Python, which SQLite needs for accents; the tables are small (names only).
    """

    def record_names(self) -> list[RecordName]:
        """Every record's name and aliases. Two queries."""
        own = super().record_names()
        by_pk = {record_name.pk: record_name for record_name in own}
        relation = self.model._meta.get_field("aliases")
        aliases = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": self}).order_by()
        return own + [
            RecordName(pk, by_pk[pk].slug, by_pk[pk].name, alias)
            for pk, alias in aliases.values_list(relation.field.attname, "name")
            if pk in by_pk
        ]

    def matching_folded_name(self, folded: str) -> list:
        """Records whose name or an alias folds (case and accents aside) to `folded`. Two queries."""
        pks = self.ids_with_folded_name(lambda name: name == folded)
        return list(self.filter(pk__in=pks)) if pks else []

    def ids_with_folded_name(self, matches) -> set[int]:
        """Ids whose name or an alias, folded, satisfies `matches` (given the folded name). Two queries."""
        relation = self.model._meta.get_field("aliases")
        aliases = relation.related_model.objects.filter(**{f"{relation.field.name}__in": self})
        names = [*self.values_list("pk", "name"), *aliases.values_list(relation.field.attname, "name")]
        return {pk for pk, name in names if matches(fold(name))}


def reachable(start: set[int], edges: dict[int, list[int]]) -> set[int]:
    """`start` and every id reached from it along `edges` (id → ids), at any depth; a loop in bad data ends the walk."""
    found, frontier = set(start), list(start)
    while frontier:
        frontier = [neighbour for pk in frontier for neighbour in edges.get(pk, []) if neighbour not in found]
        found.update(frontier)
    return found

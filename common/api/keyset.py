"""Keyset pagination: a page starts after the last record of the page before it, found through the ordering's
indexes (`WHERE date_from <= '2016-03-01' AND (…)`) instead of counted past with OFFSET, so the 20,000th page costs
what the first does (Datasette's `_next`).

A list's order is a list of SortKeys ending on the primary key, so that it is total: every record has one place,
and "after this record" means the same on every request. Nulls sort last in both directions, as the API has always
said (an unreported number after every number, never as 0); a walk backwards (a `previous` link) reads the order
reversed, nulls first.

A position travels as a cursor: the ordering it was made for and the sort values of the record it is next to,
signed with the site's secret key (django.core.signing), so that a cursor is either one the API gave out or a 400.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, OrderBy, Q

from common.querysets import ids_first

SALT = "common.api.keyset"


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order: an ORM path to a column, its direction, and whether it can be null."""

    path: str
    descending: bool = False
    nullable: bool = False
    model_field: models.Field | None = field(default=None, compare=False, repr=False)

    @property
    def term(self) -> str:
        return f"-{self.path}" if self.descending else self.path

    def order(self, *, reverse: bool = False) -> OrderBy:
        """The ORDER BY term: nulls last (first when reversed). Only where there can be nulls: said of a column that
        has none, NULLS LAST keeps PostgreSQL from reading the column's index backwards."""
        descending = self.descending != reverse
        nulls = {"nulls_first" if reverse else "nulls_last": True} if self.nullable else {}
        return F(self.path).desc(**nulls) if descending else F(self.path).asc(**nulls)

    def value_of(self, record: models.Model):
        """The record's value of this key, following the (select_related) relations of the path, as the database
        compares it (a country's code, not the Country)."""
        value = record
        for part in self.path.split("__"):
            if value is None:
                return None
            value = value.pk if part == "pk" else getattr(value, part)
        return None if value is None else self.model_field.get_prep_value(value)


def sort_keys(model: type[models.Model], terms: Iterable[str]) -> list[SortKey]:
    """The keys of an ordering given as ORM terms (`-date_from`, `article__date_from`, a model's Meta.ordering),
    resolved as Django resolves them (a relation orders by its model's own ordering), stopping at the first unique
    key and ending on the primary key."""
    keys: list[SortKey] = []
    for term in [*terms, "pk"]:
        for key in _resolve(model, term.removeprefix("-"), term.startswith("-")):
            if key.path not in {k.path for k in keys}:
                keys.append(key)
            if key.path == "pk":
                return keys
    return keys  # pragma: no cover - "pk" always ends the loop


def _resolve(model: type[models.Model], path: str, descending: bool, prefix: str = "", nullable: bool = False):
    meta = model._meta
    parts = path.split("__")
    for position, part in enumerate(parts):
        if part == "pk" or (part == meta.pk.name and position == len(parts) - 1):
            target = "pk" if not prefix and position == 0 else "__".join([*parts[:position], "pk"])
            yield SortKey(f"{prefix}{target}", descending, nullable, meta.pk)
            return
        try:
            model_field = meta.get_field(part)
        except FieldDoesNotExist:
            raise ValueError(f"{model.__name__} has no field {part!r} to order by") from None
        if model_field.many_to_many or model_field.one_to_many:
            raise ValueError(f"{model.__name__}.{part}: a list cannot be ordered through a to-many relation")
        nullable = nullable or model_field.null
        if model_field.is_relation:
            meta = model_field.related_model._meta
            if position == len(parts) - 1:  # ordered by the relation: by its model's ordering, or its id
                here = f"{prefix}{'__'.join(parts)}__"
                for term in meta.ordering or ["pk"]:
                    yield from _resolve(
                        model_field.related_model,
                        term.removeprefix("-"),
                        descending != term.startswith("-"),
                        here,
                        nullable,
                    )
                return
    yield SortKey(f"{prefix}{path}", descending, nullable, model_field)


def signature(model: type[models.Model], keys: Sequence[SortKey]) -> list[str]:
    """What a cursor must have been made for: the model and its order."""
    return [model._meta.label, *(key.term for key in keys)]


@dataclass(frozen=True)
class Cursor:
    """A position in a list: next to the record whose sort values are `values`; `backwards` reads the records before
    it (a `previous` link), else those after it. `mode` is the pagination it was made by ("page" or "cursor")."""

    mode: str
    values: tuple
    backwards: bool = False


class InvalidCursor(Exception):
    """Not a cursor the API gave out for this list and order."""


def _plain(value):
    """A sort value as JSON can carry it (decoded again by the key's field)."""
    if isinstance(value, datetime.date | decimal.Decimal | uuid.UUID):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return value


def encode(cursor: Cursor, sign: list[str]) -> str:
    payload = {"m": cursor.mode, "o": sign, "v": [_plain(value) for value in cursor.values], "b": cursor.backwards}
    return signing.dumps(payload, salt=SALT, compress=True)


def decode(token: str) -> dict:
    """The payload of a cursor the API signed; InvalidCursor for anything else."""
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidCursor from None
    if not isinstance(payload, dict) or payload.get("m") not in {"page", "cursor"}:
        raise InvalidCursor
    return payload


def position(payload: dict, sign: list[str], keys: Sequence[SortKey]) -> Cursor:
    """The cursor of a payload, checked against the list's order and its values read by the keys' fields."""
    values = payload.get("v")
    if payload.get("o") != sign or not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor
    try:
        typed = tuple(
            None if value is None else key.model_field.to_python(value) for key, value in zip(keys, values, strict=True)
        )
    except (ValidationError, TypeError, ValueError):
        raise InvalidCursor from None
    return Cursor(payload["m"], typed, bool(payload.get("b")))


def _beyond(key: SortKey, value, reverse: bool) -> Q:
    """Rows with a (non-null) value strictly past `value` in the order."""
    return Q(**{f"{key.path}__{'lt' if key.descending != reverse else 'gt'}": value})


def _after(keys: Sequence[SortKey], values: Sequence, reverse: bool) -> Q:
    """Rows past the position on the keys; an OR of each key's ties, for the keys after the first."""
    key, value = keys[0], values[0]
    if len(keys) == 1:
        return _beyond(key, value, reverse)
    rest = _after(keys[1:], values[1:], reverse)
    nulls_later = key.nullable and not reverse  # nulls come last, after every value
    if value is None:
        tied = Q(**{f"{key.path}__isnull": True}) & rest
        return tied if nulls_later else tied | Q(**{f"{key.path}__isnull": False})
    past = _beyond(key, value, reverse) | (Q(**{key.path: value}) & rest)
    return past | Q(**{f"{key.path}__isnull": True}) if nulls_later else past


def bands(keys: Sequence[SortKey], values: Sequence, reverse: bool) -> list[tuple[Q, list[SortKey]]]:
    """The rows past the position as consecutive parts of the order, each a condition and the keys it is ordered by.

    The first key gets a range condition an index can start from (`date_from <= v`); its nulls, which sort after
    (or, reversed, before) every value, are a part of their own, ordered by the other keys only, so that no part
    has an OR across a key's values and its nulls, which would keep the database from reading an index in order."""
    key, value = keys[0], values[0]
    if len(keys) == 1:
        return [(_beyond(key, value, reverse), list(keys))]
    rest = _after(keys[1:], values[1:], reverse)
    null, not_null = Q(**{f"{key.path}__isnull": True}), Q(**{f"{key.path}__isnull": False})
    if value is None:  # among the nulls: the remaining nulls, then (reversed: nulls first) every value
        parts = [(null & rest, list(keys[1:]))]
        return [*parts, (not_null, list(keys))] if key.nullable and reverse else parts
    start = Q(**{f"{key.path}__{'lte' if key.descending != reverse else 'gte'}": value})
    parts = [(start & (_beyond(key, value, reverse) | (Q(**{key.path: value}) & rest)), list(keys))]
    return [*parts, (null, list(keys[1:]))] if key.nullable and not reverse else parts


def rows_past(queryset: models.QuerySet, keys: Sequence[SortKey], cursor: Cursor | None, limit: int) -> list:
    """Up to `limit` records of the queryset past the cursor (from the start without one), in the cursor's
    direction: the ids then the records, per part of the order it reaches (usually one), then the queryset's
    prefetches once."""
    lookups = queryset._prefetch_related_lookups
    plain = queryset.prefetch_related(None)
    reverse = cursor is not None and cursor.backwards
    parts = [(Q(), list(keys))] if cursor is None else bands(keys, cursor.values, reverse)
    rows: list = []
    for condition, part_keys in parts:
        if len(rows) >= limit:
            break
        ordered = plain.filter(condition).order_by(*(key.order(reverse=reverse) for key in part_keys))
        rows += ids_first(ordered, 0, limit - len(rows))
    if lookups:
        models.prefetch_related_objects(rows, *lookups)
    return rows

"""django-filter building blocks shared by every FilterSet, so the web lists and the API reject bad input alike.

A filter value that cannot be understood is an error that says what is allowed, never a filter quietly dropped.
"""

import functools
import re
from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django_countries import countries
from django_filters import rest_framework as filters
from django_filters.utils import get_model_field, label_for_filter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common.api.keyset import sort_keys
from common.names import NameIndex, RecordName, has_names, name_index
from common.text import fold

# The largest integer a database id (a 64-bit signed column) can hold; no row has a larger one.
MAX_ID = 2**63 - 1
ASCII_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")


def whole_number(raw) -> int | None:
    """The value of `raw` when it is ASCII digits (spaces around aside) no larger than MAX_ID, else None.

    The one parse for every id, page, page size and count in a URL or query string: str.isdigit() and int() also
    take “²”, “٣” or “1_000”, which no client means (and int("²") then fails as a 500).
    """
    text = str(raw).strip()
    if not ASCII_WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class StrictIntegerField(forms.IntegerField):
    """An IntegerField that takes ASCII digits only (see whole_number()), with an optional minus sign so that
    min_value, not the parse, says why -1 is refused."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        number = whole_number(text.removeprefix("-"))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return -number if text.startswith("-") else number


def _named_list(record_names: list[RecordName]) -> str:
    return ", ".join(f"{record_name.name} ({record_name.slug})" for record_name in record_names)


def found_by_name(index: NameIndex, value: str, *, kind: str, kinds: str) -> RecordName:
    """The one record `value` names in `index`: the only one with that name or alias, or the only one whose own name
    it is (“Kidal” is the town, though the region has it as an alias). Else a ValidationError that names the
    candidates, both in its message (the API's 400 says it) and as `choices` in its params (the web form offers them
    as links)."""
    named = index.named(value)
    own = [record_name for record_name in named if not record_name.alias]
    if len(named) == 1 or len(own) == 1:
        return (own or named)[0]
    params = {"model": kind, "models": kinds, "value": value}
    if named:
        raise ValidationError(
            "“%(value)s” is the name of %(count)s %(models)s: %(candidates)s. Give the slug of the one you mean.",
            code="ambiguous",
            params={**params, "count": len(named), "candidates": _named_list(named), "choices": named},
        )
    near = index.suggestions(value, limit=5)
    hint = " Did you mean %(candidates)s?" if near else ""
    raise ValidationError(
        "No %(model)s has the id, slug, name or alias “%(value)s”." + hint,
        code="invalid_choice",
        params={**params, "candidates": _named_list(near), "choices": near},
    )


class IdOrSlugChoiceField(forms.ModelChoiceField):
    """A record named by its numeric id, its slug (the API's detail routes accept both too) or, for records with
    names (common/names.py), by a name or an alias in any case, with or without accents: “Kidal”, “tombouctou”."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        model = self.queryset.model
        number = whole_number(value)
        lookup = {"pk": number} if number is not None else {"slug": value}
        try:
            return self.queryset.get(**lookup)
        except model.DoesNotExist:
            pass
        if number is None and has_names(model):
            index = name_index(model, self.queryset.db)
            meta = model._meta
            record_name = found_by_name(index, value, kind=meta.verbose_name, kinds=meta.verbose_name_plural)
            try:
                return self.queryset.get(pk=record_name.pk)
            except model.DoesNotExist:
                pass  # a record this filter does not offer
        # The value goes in params: a % in it must not be read as a placeholder.
        raise ValidationError(
            "No %(model)s has the id or slug “%(value)s”. Use an id or a slug of an existing %(model)s.",
            code="invalid_choice",
            params={"model": model._meta.verbose_name, "value": value},
        )


@extend_schema_field(OpenApiTypes.STR)
class IdOrSlugFilter(filters.ModelChoiceFilter):
    field_class = IdOrSlugChoiceField


class ChoiceFilter(filters.ChoiceFilter):
    """A choice filter whose error lists the allowed values."""

    def __init__(self, *args, choices, **kwargs):
        allowed = ", ".join(str(value) for value, _label in choices)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"“%(value)s” is not allowed. Allowed values: {allowed}."},
        )
        super().__init__(*args, choices=choices, **kwargs)


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error rather than “no filter”."""

    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise ValidationError(
            "“%(value)s” is not a boolean. Allowed values: true, false.", code="invalid", params={"value": value}
        )


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # django-filter's boolean widgets turn an unknown word into “no filter”; the field must see it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


@functools.cache
def country_index() -> NameIndex:
    """Every country's English name, and its French one as an alias (the sources are often French: “Tchad”), with its
    ISO code as its slug."""
    with translation.override("fr"):
        french = {code: str(name) for code, name in countries}
    with translation.override("en"):
        english = list(countries)
    names = []
    for number, (code, name) in enumerate(english):
        names.append(RecordName(number, code, str(name)))
        if fold(french[code]) != fold(str(name)):
            names.append(RecordName(number, code, str(name), french[code]))
    return NameIndex(names)


class CountryCodeField(forms.CharField):
    """A country: its ISO 3166-1 alpha-2 code in any case, or its name (“Mali”, “côte d'ivoire”)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value or value.upper() in countries:
            return value.upper()
        try:
            return found_by_name(country_index(), value, kind="country", kinds="countries").slug
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            near = error.params["candidates"]
            raise ValidationError(
                "“%(value)s” is neither a country's name nor its ISO 3166-1 alpha-2 code (two letters, e.g. ML for "
                "Mali)." + (" Did you mean %(candidates)s?" if near else ""),
                code="invalid",
                params={"value": value, "candidates": near, "choices": error.params["choices"]},
            ) from None


@extend_schema_field({"type": "string", "example": "ML"})
class CountryFilter(filters.CharFilter):
    field_class = CountryCodeField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = StrictIntegerField


class DateRangeForm(forms.Form):
    """The form of a FilterSet with date_from and date_to (its Meta.form): a range that ends before it starts is an
    error, not an empty list that looks like “nothing happened”."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                f"{end.isoformat()} is before date_from {start.isoformat()}: give date_to on or after date_from.",
            )
        return cleaned


class RecordFilterSet(filters.FilterSet):
    """A model's one FilterSet, used by its web list and its API endpoint alike, with the list's one ordering
    vocabulary: `orderings` names each way to order (as `ordering=name` or `ordering=-name`) with the field paths it
    orders by; `ordering_aliases` keeps older names working (the web lists' former `sort` keys, e.g. date → date_from).
    """

    orderings: ClassVar[dict[str, tuple[str, ...]]] = {}
    ordering_aliases: ClassVar[dict[str, str]] = {}

    @classmethod
    def get_filters(cls):
        """The filters, each labelled once here: the model field's verbose name (“ACLED disorder type”), else the
        parameter's name in words. django-filter would work a label out the first time a filter's form field is
        made, and only on a FilterSet instance: the API schema makes the class's own fields first, label-less, and
        every form after copied those, so a label changed between renders."""
        filters = super().get_filters()
        model = cls._meta.model
        for name, filter_ in filters.items():
            if filter_._label is not None:
                continue
            if model is not None and filter_.method is None and get_model_field(model, filter_.field_name):
                filter_.label = capfirst(label_for_filter(model, filter_.field_name, filter_.lookup_expr))
            else:
                filter_.label = capfirst(name.replace("_", " "))
        return filters

    @classmethod
    def ordering_names(cls, raw: str) -> list[str]:
        """`raw` (comma-separated names, each optionally after -) in the canonical names; ValueError saying what is
        allowed when a name is unknown."""
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        canonical, unknown = [], []
        for term in terms:
            descending, name = term.startswith("-"), term.removeprefix("-")
            name = cls.ordering_aliases.get(name, name)
            if name not in cls.orderings:
                unknown.append(term)
            canonical.append(f"-{name}" if descending else name)
        if unknown or not terms:
            raise ValueError(
                f"Cannot order by {', '.join(unknown) or 'nothing'}. Order by one of {', '.join(cls.orderings)}, "
                "with - before it to reverse (several separated by commas)."
            )
        return canonical

    @classmethod
    def ordering_terms(cls, names: list[str]) -> list[str]:
        """The ORM terms (`-date_from`, `place__name`) of canonical ordering names."""
        return [
            f"-{path}" if name.startswith("-") else path for name in names for path in cls.orderings[name.lstrip("-")]
        ]

    @classmethod
    def ordered(cls, queryset: models.QuerySet, names: list[str]) -> models.QuerySet:
        """The queryset in the order of these canonical names (the model's own without any), ending on the primary
        key so pages never overlap, nulls last either way: the API's keyset pages read the same order."""
        terms = cls.ordering_terms(names) if names else queryset.model._meta.ordering
        return queryset.order_by(*(key.order() for key in sort_keys(queryset.model, terms)))

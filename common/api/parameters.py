"""Query parameters every list shares, on the web and in the API: their names (with older names as aliases), the
one unknown-parameter check, and strict parsing of their values."""

import contextlib
import datetime
import re
from collections.abc import Iterable

from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from common.filters import whole_number

FIELDS_PARAM, EXPAND_PARAM, SEARCH_PARAM, ORDERING_PARAM = "fields", "expand", "q", "ordering"
PAGE_PARAM, PAGE_SIZE_PARAM, PAGINATION_PARAM, CURSOR_PARAM = "page", "page_size", "pagination", "cursor"
MODIFIED_AFTER_PARAM, FORMAT_PARAM = "modified_after", api_settings.URL_FORMAT_OVERRIDE
LOOKUP_KWARG = "id_or_slug"
MAX_PAGE_SIZE = 1000
# Older names that keep bookmarks and scripts working: the web lists' `sort`, the API's `search`.
PARAMETER_ALIASES = {"sort": ORDERING_PARAM, "search": SEARCH_PARAM}
# Numbered pages start within the first this many records (an OFFSET reads every record it skips); deeper pages are
# reached by the keyset links of `next` and `previous`. Counts are exact up to this many too (common.counting).
NUMBERED_RECORDS = 10_000


# A comma-separated parameter (fields, expand, type), all its occurrences together: more than every name a list
# offers, fewer than an abuse needs.
LIST_MAX_VALUES, LIST_MAX_LENGTH = 50, 1000


def unknown_parameters(query: QueryDict, allowed: Iterable[str]) -> dict | None:
    """The one answer to a misspelt parameter, on the web lists and in the API alike: a filter that is not
    understood must not quietly return everything. None when every parameter is known.

    (A NUL or other control character never gets this far: RequestBoundsMiddleware refuses it for every view.)"""
    allowed = sorted(set(allowed))
    unknown = sorted(set(query) - set(allowed))
    if not unknown:
        return None
    detail = f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}."
    for name in unknown:
        if PARAMETER_ALIASES.get(name) in allowed:
            detail += f" {name} is an older name for {PARAMETER_ALIASES[name]}: give one of them."
    return {"detail": detail, "unknown_parameters": unknown, "allowed_parameters": allowed}


def reject_unknown_parameters(request, allowed: Iterable[str]) -> None:
    if error := unknown_parameters(request.query_params, allowed):
        raise ValidationError(error)


def comma_separated(request, name: str, allowed: Iterable[str]) -> list[str]:
    """The values of a comma-separated (or repeated) parameter, each checked against `allowed`, in order and each
    once: `expand=actors,actors` must not embed the actors twice."""
    raw_values = request.query_params.getlist(name)
    if sum(len(raw) for raw in raw_values) > LIST_MAX_LENGTH:
        raise ValidationError({name: [f"Give at most {LIST_MAX_LENGTH} characters of {name}."]})
    values = [value.strip() for raw in raw_values if raw.strip() for value in raw.split(",")]
    if "" in values:  # `fields=,` or `a,,b`: the schema's items are names, and an empty one is none of them
        raise ValidationError({name: [f"An empty value in {name}: separate the names with single commas."]})
    if len(values) > LIST_MAX_VALUES:
        raise ValidationError({name: [f"Give at most {LIST_MAX_VALUES} values of {name}; each counts once anyway."]})
    allowed = list(allowed)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValidationError(
            {
                name: [
                    f"Unknown value{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                    f"Allowed: {', '.join(allowed) or 'none'}."
                ]
            }
        )
    return list(dict.fromkeys(values))


RFC3339_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?", re.ASCII)


def parse_moment(raw: str, name: str) -> datetime.datetime:
    """An RFC 3339 date-time (2023-06-30T12:00:00Z, or with an offset) or a full date (its midnight, UTC), as an
    aware UTC datetime: exactly what the schema's `date-time` or `date` formats admit, nothing looser."""
    text = raw.strip()
    if RFC3339_MOMENT.fullmatch(text):
        try:
            moment = datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:  # a full date
                moment = moment.replace(tzinfo=datetime.UTC)
            with contextlib.suppress(OverflowError):  # 0001-01-01T00:00:00+23:00 is before year 1 in UTC
                return moment.astimezone(datetime.UTC)
    raise ValidationError(
        {
            name: [
                f"“{raw}” is not an RFC 3339 date-time or a date. Use e.g. 2023-06-30T12:00:00Z, "
                "2023-06-30T14:00:00+02:00 or 2023-06-30."
            ]
        }
    )


MOMENT_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
    "example": "2023-06-30T12:00:00Z",
}


def canonical_query(query: QueryDict) -> QueryDict:
    """The query string as every list reads it: empty values left out (`?date_from=&expand=` is the same request as
    `?`, as an HTML form sends it for the fields left blank; the schema says so with allowEmptyValue), and an older
    parameter name under its current one (`sort=date` is `ordering=date`) unless both are given, which the
    unknown-parameter check then refuses."""
    kept = QueryDict(mutable=True)
    given = {name for name, values in query.lists() if any(value.strip() for value in values)}
    for name, values in query.lists():
        current = PARAMETER_ALIASES.get(name)
        if current is not None and current not in given:
            name = current
        for value in values:
            if value.strip():
                kept.appendlist(name, value)
    kept._mutable = False
    return kept


def strict_page_size(request, default: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return default
    size = whole_number(raw)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({PAGE_SIZE_PARAM: [f"“{raw}” is not a page size: use 1 to {MAX_PAGE_SIZE}."]})
    return size

"""Query parameters every API list and detail shares: their names, and strict parsing of their values."""

import datetime
from collections.abc import Iterable

from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from common.filters import whole_number

FIELDS_PARAM, EXPAND_PARAM, SEARCH_PARAM, ORDERING_PARAM = "fields", "expand", "search", "ordering"
PAGE_PARAM, PAGE_SIZE_PARAM, PAGINATION_PARAM, CURSOR_PARAM = "page", "page_size", "pagination", "cursor"
MODIFIED_AFTER_PARAM, FORMAT_PARAM = "modified_after", api_settings.URL_FORMAT_OVERRIDE
LOOKUP_KWARG = "id_or_slug"
MAX_PAGE_SIZE = 1000


# A comma-separated parameter (fields, expand, type), all its occurrences together: more than every name a list
# offers, fewer than an abuse needs.
LIST_MAX_VALUES, LIST_MAX_LENGTH = 50, 1000


def reject_unknown_parameters(request, allowed: Iterable[str]) -> None:
    """A misspelt filter must not quietly return everything: name it and say what is allowed.

    (A NUL or other control character never gets this far: RequestBoundsMiddleware refuses it for every view.)"""
    allowed = sorted(set(allowed))
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError(
            {
                "detail": f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
                "unknown_parameters": unknown,
                "allowed_parameters": allowed,
            }
        )


def comma_separated(request, name: str, allowed: Iterable[str]) -> list[str]:
    """The values of a comma-separated (or repeated) parameter, each checked against `allowed`, in order and each
    once: `expand=actors,actors` must not embed the actors twice."""
    raw_values = request.query_params.getlist(name)
    if sum(len(raw) for raw in raw_values) > LIST_MAX_LENGTH:
        raise ValidationError({name: [f"Give at most {LIST_MAX_LENGTH} characters of {name}."]})
    values = [value.strip() for raw in raw_values for value in raw.split(",")]
    values = [value for value in values if value]
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


def parse_moment(raw: str, name: str) -> datetime.datetime:
    """An ISO 8601 date-time (a date alone means its midnight; no offset means UTC), as an aware UTC datetime."""
    try:
        moment = parse_datetime(raw.strip())
        if moment is None and (day := parse_date(raw.strip())) is not None:
            moment = datetime.datetime.combine(day, datetime.time())
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.UTC)
            return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        pass
    raise ValidationError(
        {name: [f"“{raw}” is not an ISO 8601 date-time. Use e.g. 2023-06-30T12:00:00Z (UTC when no offset)."]}
    )


def strict_page_size(request, default: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return default
    size = whole_number(raw)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({PAGE_SIZE_PARAM: [f"“{raw}” is not a page size: use 1 to {MAX_PAGE_SIZE}."]})
    return size

"""Numbered pages by default, a cursor walk on request; strict page numbers and sizes; deep pages by keyset.

Numbered pages (`page=N`) start within the first NUMBERED_RECORDS records, read with OFFSET; their `next` and
`previous` links carry a keyset cursor instead (the sort values of the page's last or first record, see
common.api.keyset), so a client that follows the links reads page 20,000 as fast as page 1 and never skips or repeats
a record when others are added before its position. `count` comes from the shared cache (common.datacache) or a
count that stops at NUMBERED_RECORDS (common.counting), never from a scan of a large table. `pagination=cursor`
walks every record in id order with the same cursors and no count.
"""

import math

from django.core.exceptions import EmptyResultSet
from django.template import loader
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common import datacache
from common.api import keyset
from common.api.filters import StrictOrderingFilter
from common.api.parameters import (
    CURSOR_PARAM,
    MAX_PAGE_SIZE,
    NUMBERED_RECORDS,
    ORDERING_PARAM,
    PAGE_PARAM,
    PAGE_SIZE_PARAM,
    PAGINATION_PARAM,
    strict_page_size,
)
from common.counting import ESTIMATE, EXACT, LOWER_BOUND, RowCount, capped_count
from common.filters import whole_number
from common.querysets import ids_first

INVALID_CURSOR = "Invalid cursor: use the next or previous link as given."


class StrictPagePagination(pagination.PageNumberPagination):
    """Numbered pages by OFFSET, counted exactly: for lists that are not ordered records (the deletions' feed)."""

    page_size = 50
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        return strict_page_size(request, self.page_size)

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param) or "1"
        if number in self.last_page_strings:
            return paginator.num_pages
        page = whole_number(number)
        if not page:  # None, or page 0
            raise ValidationError({self.page_query_param: [f"“{number}” is not a page number (1, 2, … or last)."]})
        return page


def matching_count(queryset) -> RowCount:
    """How many records the filtered queryset holds: from the shared cache while the data is unchanged, else counted
    up to NUMBERED_RECORDS (and estimated past that)."""
    unordered = queryset.order_by()
    try:
        sql, params = unordered.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (.none(), a search with no words to look for)
        return RowCount(0, "exact")
    label = queryset.model._meta.label
    return datacache.cached(
        "api-count", (queryset.db, label, sql, params), lambda: capped_count(unordered, up_to=NUMBERED_RECORDS)
    )


class KeysetPagination(pagination.BasePagination):
    """Pages read after (or, for a `previous` link, before) a cursor's position, with links that carry the next
    position. `payload` is the decoded cursor of the request, if it has one."""

    mode = ""  # what cursors this pagination makes and takes: "page" or "cursor"
    page_size = 50
    template = "rest_framework/pagination/previous_and_next.html"

    def __init__(self, payload: dict | None = None) -> None:
        self.payload = payload

    def sort_keys(self, request, queryset, view) -> list[keyset.SortKey]:
        raise NotImplementedError

    def begin(self, queryset, request, view) -> keyset.Cursor | None:
        """Read the request's page size, order and cursor."""
        self.request = request
        self.size = strict_page_size(request, self.page_size)
        self.keys = self.sort_keys(request, queryset, view)
        self.signature = keyset.signature(queryset.model, self.keys)
        if self.payload is None:
            return None
        try:
            return keyset.position(self.payload, self.signature, self.keys)
        except keyset.InvalidCursor:
            raise ValidationError({CURSOR_PARAM: [INVALID_CURSOR]}) from None

    def read(self, queryset, cursor: keyset.Cursor | None) -> list:
        """A page of records past the cursor (one more is read, to know whether there are more)."""
        rows = keyset.rows_past(queryset, self.keys, cursor, self.size + 1)
        more, rows = len(rows) > self.size, rows[: self.size]
        if cursor is not None and cursor.backwards:
            rows.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_previous, self.has_next = cursor is not None, more
        self.rows, self.cursor = rows, cursor
        return rows

    def link(self, record, *, backwards: bool) -> str:
        """The address of the page after (or before) the record, with every other parameter as asked."""
        values = [key.value_of(record) for key in self.keys] if record is not None else self.cursor.values
        token = keyset.encode(keyset.Cursor(self.mode, tuple(values), backwards), self.signature)
        url = remove_query_param(self.request.build_absolute_uri(), PAGE_PARAM)
        return replace_query_param(url, CURSOR_PARAM, token)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return self.link(self.rows[-1] if self.rows else None, backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        return self.link(self.rows[0] if self.rows else None, backwards=True)

    @property
    def display_page_controls(self) -> bool:
        return self.has_next or self.has_previous

    def get_html_context(self) -> dict:
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}

    def to_html(self) -> str:
        return loader.get_template(self.template).render(self.get_html_context())


class NumberedPagination(KeysetPagination):
    """Numbered pages in the list's order: `page=N` within the first NUMBERED_RECORDS records, `next` and
    `previous` links by keyset at any depth, and the count."""

    mode = "page"

    def sort_keys(self, request, queryset, view) -> list[keyset.SortKey]:
        return StrictOrderingFilter().sort_keys(request, queryset, view)

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self.begin(queryset, request, view)
        self.count = matching_count(queryset)
        if cursor is not None:
            return self.read(queryset, cursor)
        self.number = self.page_number(request)
        offset = (self.number - 1) * self.size
        # The offset walked over the ids alone (a narrow, index-ordered read), then only the page's records read
        # whole: an OFFSET over the full rows would build every joined row it skips.
        rows = ids_first(queryset, offset, offset + self.size + 1)
        if not rows and self.number > 1:
            raise NotFound("Invalid page.")
        self.rows, self.cursor = rows[: self.size], None
        self.has_previous, self.has_next = self.number > 1, len(rows) > self.size
        return self.rows

    def page_number(self, request) -> int:
        """The page asked for: a number (or `last`) whose first record is among the first NUMBERED_RECORDS."""
        raw = request.query_params.get(PAGE_PARAM) or "1"
        if raw == "last":
            if not self.count.exact:
                raise ValidationError({PAGE_PARAM: [self.too_deep("The last page")]})
            number = max(1, math.ceil(self.count.value / self.size))
        else:
            number = whole_number(raw)
            if not number:  # None, or page 0
                raise ValidationError({PAGE_PARAM: [f"“{raw}” is not a page number (1, 2, … or last)."]})
        if (number - 1) * self.size >= NUMBERED_RECORDS:
            raise ValidationError({PAGE_PARAM: [self.too_deep(f"Page {number}")]})
        return number

    @staticmethod
    def too_deep(what: str) -> str:
        return (
            f"{what} starts after the first {NUMBERED_RECORDS:,} records, past which pages are not numbered (an "
            "offset that deep reads every record it skips): follow the `next` links, which continue after the last "
            "record of each page at any depth, or walk every record with pagination=cursor."
        )

    def get_previous_link(self) -> str | None:
        if self.cursor is not None or not self.has_previous:
            return super().get_previous_link()
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, PAGE_PARAM)
        return replace_query_param(url, PAGE_PARAM, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count.value,
                "count_precision": self.count.precision,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


class WalkPagination(KeysetPagination):
    """Walks every matching record once, in id order, however the data changes meanwhile."""

    mode = "cursor"

    def sort_keys(self, request, queryset, view) -> list[keyset.SortKey]:
        if ORDERING_PARAM in request.query_params:
            raise ValidationError({ORDERING_PARAM: ["A cursor walk is always in id order; leave out ordering."]})
        return keyset.sort_keys(queryset.model, ["pk"])

    def paginate_queryset(self, queryset, request, view=None):
        return self.read(queryset, self.begin(queryset, request, view))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})


class RecordPagination(pagination.BasePagination):
    """Numbered pages (count, next, previous, results) by default; `pagination=cursor` walks everything with
    cursor links instead, which stay correct while records are added. A cursor says which of the two made it."""

    query_parameters = (PAGE_PARAM, PAGE_SIZE_PARAM, PAGINATION_PARAM, CURSOR_PARAM)
    modes = {"page": NumberedPagination, "cursor": WalkPagination}
    # The pagination in use, once a list has been paginated; a detail has none (the browsable API still asks).
    delegate: pagination.BasePagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        mode = params.get(PAGINATION_PARAM)
        if mode is not None and mode not in self.modes:
            raise ValidationError({PAGINATION_PARAM: [f"“{mode}” is not allowed. Allowed values: page, cursor."]})
        payload = None
        if CURSOR_PARAM in params:
            try:
                payload = keyset.decode(params[CURSOR_PARAM])
            except keyset.InvalidCursor:
                raise ValidationError({CURSOR_PARAM: [INVALID_CURSOR]}) from None
            if mode is not None and payload["m"] != mode:
                raise ValidationError({CURSOR_PARAM: [f"This cursor is from pagination={payload['m']}, not {mode}."]})
            mode = payload["m"]
            if PAGE_PARAM in params:
                raise ValidationError({PAGE_PARAM: ["A cursor carries its own position: leave out page."]})
        mode = mode or "page"
        if mode == "cursor" and PAGE_PARAM in params:
            raise ValidationError({PAGE_PARAM: ["A cursor walk has no page numbers; follow the next links."]})
        self.delegate = self.modes[mode](payload)
        return self.delegate.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.delegate.get_paginated_response(data)

    @property
    def display_page_controls(self) -> bool:
        return getattr(self.delegate, "display_page_controls", False)

    def to_html(self):
        return self.delegate.to_html() if self.delegate is not None else ""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "How many records match (numbered pages only): exact up to "
                    f"{NUMBERED_RECORDS:,}; past that, as `count_precision` says, the database's estimate or a "
                    "lower bound, so that no answer counts a large table row by row.",
                },
                "count_precision": {
                    "type": "string",
                    "enum": [EXACT, ESTIMATE, LOWER_BOUND],
                    "example": EXACT,
                    "description": "How `count` is known (numbered pages only): `exact`; `estimate`, the "
                    "database's estimate; or `lower_bound`, at least this many.",
                },
                "next": {
                    **link,
                    "example": "https://example.org/api/v1/incidents/?cursor=eyJtIjoicGFnZSJ9:1t2x:abc",
                    "description": "The page after this one, by keyset: it continues after this page's last "
                    "record, as fast at any depth. Null on the last page.",
                },
                "previous": {
                    **link,
                    "example": "https://example.org/api/v1/incidents/?page=2",
                    "description": "The page before this one: a page number within the numbered pages, else by "
                    "keyset before this page's first record. Null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def parameter(name, schema, description):
            return {"name": name, "required": False, "in": "query", "description": description, "schema": schema}

        return [
            parameter(
                PAGE_PARAM,
                {"type": "integer", "minimum": 1},
                f"Page number (numbered pages), or `last`; a page must start within the first {NUMBERED_RECORDS:,} "
                "records: deeper pages are reached through `next` links.",
            ),
            parameter(
                PAGE_SIZE_PARAM,
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50},
                f"Records per page, at most {MAX_PAGE_SIZE}.",
            ),
            parameter(
                PAGINATION_PARAM,
                {"type": "string", "enum": ["page", "cursor"], "default": "page"},
                "`cursor` walks every matching record in id order through `next` links, without a count.",
            ),
            parameter(
                CURSOR_PARAM,
                {"type": "string"},
                "Opaque position from a `next` or `previous` link: the page after (or before) a record, in the "
                "list's order; it says which pagination made it.",
            ),
        ]

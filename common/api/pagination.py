"""Numbered pages by default, a cursor walk on request; strict page numbers and sizes."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from common.api.parameters import (
    CURSOR_PARAM,
    MAX_PAGE_SIZE,
    ORDERING_PARAM,
    PAGE_PARAM,
    PAGE_SIZE_PARAM,
    PAGINATION_PARAM,
    strict_page_size,
)
from common.filters import whole_number


class StrictPagePagination(pagination.PageNumberPagination):
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


class WalkPagination(pagination.CursorPagination):
    """Walks every matching record once, in id order, however the data changes meanwhile."""

    ordering = ("id",)
    page_size = 50
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        return strict_page_size(request, self.page_size)

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        if ORDERING_PARAM in request.query_params:
            raise ValidationError({ORDERING_PARAM: ["A cursor walk is always in id order; leave out ordering."]})
        return self.ordering

    def decode_cursor(self, request):
        invalid = ValidationError({CURSOR_PARAM: ["Invalid cursor: use the next or previous link as given."]})
        try:
            cursor = super().decode_cursor(request)
        except Exception:  # noqa: BLE001 - DRF signals a bad cursor with NotFound; it is bad input here
            raise invalid from None
        # The position is the id the walk stopped at; DRF would hand anything else to the query, to fail there.
        if cursor is not None and cursor.position is not None and whole_number(cursor.position) is None:
            raise invalid
        return cursor


class RecordPagination(pagination.BasePagination):
    """Numbered pages (count, next, previous, results) by default; `pagination=cursor` walks everything with
    cursor links instead, which stay correct while records are added."""

    query_parameters = (PAGE_PARAM, PAGE_SIZE_PARAM, PAGINATION_PARAM, CURSOR_PARAM)
    # The pagination in use, once a list has been paginated; a detail has none (the browsable API still asks).
    delegate: pagination.BasePagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        mode = request.query_params.get(PAGINATION_PARAM, "cursor" if CURSOR_PARAM in request.query_params else "page")
        if mode not in {"page", "cursor"}:
            raise ValidationError({PAGINATION_PARAM: [f"“{mode}” is not allowed. Allowed values: page, cursor."]})
        if mode == "page" and CURSOR_PARAM in request.query_params:
            raise ValidationError({CURSOR_PARAM: ["A cursor needs pagination=cursor."]})
        if mode == "cursor" and PAGE_PARAM in request.query_params:
            raise ValidationError({PAGE_PARAM: ["A cursor walk has no page numbers; follow the next links."]})
        self.delegate = WalkPagination() if mode == "cursor" else StrictPagePagination()
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
                    "description": "How many records match (numbered pages only).",
                },
                "next": {**link, "example": "https://example.org/api/v1/incidents/?page=3"},
                "previous": {**link, "example": "https://example.org/api/v1/incidents/?page=1"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def parameter(name, schema, description):
            return {"name": name, "required": False, "in": "query", "description": description, "schema": schema}

        return [
            parameter(PAGE_PARAM, {"type": "integer", "minimum": 1}, "Page number (numbered pages)."),
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
            parameter(CURSOR_PARAM, {"type": "string"}, "Opaque position of a cursor walk, from a `next` link."),
        ]

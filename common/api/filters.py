"""Filter backends every list shares: search, modified_after and strict ordering."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

from common.api.keyset import SortKey, sort_keys
from common.api.parameters import MODIFIED_AFTER_PARAM, ORDERING_PARAM, SEARCH_PARAM, parse_moment


class QuerySetSearchFilter(filters.BaseFilterBackend):
    """`search` calls the queryset's own search(), the one the cross-entity search endpoint uses too."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(SEARCH_PARAM, "").strip()
        return queryset.search(text) if text else queryset

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": SEARCH_PARAM,
                "required": False,
                "in": "query",
                "description": view.search_description,
                "schema": {"type": "string"},
            }
        ]


class ModifiedAfterFilter(filters.BaseFilterBackend):
    """`modified_after`: only records changed since a moment, for clients that sync incrementally (deletions are
    in /api/v1/deleted/)."""

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(MODIFIED_AFTER_PARAM)
        if raw is None:
            return queryset
        return queryset.filter(modified__gt=parse_moment(raw, MODIFIED_AFTER_PARAM))

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": MODIFIED_AFTER_PARAM,
                "required": False,
                "in": "query",
                "description": "Only records created or changed after this moment (ISO 8601; UTC when no offset is "
                "given). Pass the largest `modified` seen so far to fetch what changed since.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


class StrictOrderingFilter(filters.OrderingFilter):
    """Ordering by a field that is not offered is an error, not ignored; ties are broken by id so pages are
    stable."""

    ordering_param = ORDERING_PARAM

    @staticmethod
    def offered(view) -> dict[str, str]:
        """Public ordering names and the ORM paths they order by (a view may give a list or a mapping)."""
        fields = view.ordering_fields
        return dict(fields) if isinstance(fields, dict) else {name: name for name in fields}

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return None
        offered = self.offered(view)
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        unknown = [term for term in terms if term.lstrip("-") not in offered]
        if unknown or not terms:
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {', '.join(unknown) or 'nothing'}. Allowed: "
                        f"{', '.join(offered)}, each optionally prefixed with - for descending."
                    ]
                }
            )
        return [("-" if term.startswith("-") else "") + offered[term.lstrip("-")] for term in terms]

    def sort_keys(self, request, queryset, view) -> list[SortKey]:
        """The list's order, asked for or the model's own, ending on the id: the keys keyset pages continue on."""
        ordering = self.get_ordering(request, queryset, view) or queryset.model._meta.ordering
        return sort_keys(queryset.model, ordering)

    def filter_queryset(self, request, queryset, view):
        # Nulls last either way, as on the web lists: an unreported count sorts after every number, never as 0.
        return queryset.order_by(*(key.order() for key in self.sort_keys(request, queryset, view)))

    def get_schema_operation_parameters(self, view) -> list[dict]:
        values = [term for name in self.offered(view) for term in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields to order by; prefix - for descending.",
                "schema": {"type": "array", "items": {"type": "string", "enum": values}},
                "style": "form",
                "explode": False,
            }
        ]

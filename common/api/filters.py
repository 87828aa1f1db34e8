"""Filter backends every list shares: search, modified_after and strict ordering."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

from common.api.keyset import SortKey, sort_keys
from common.api.parameters import MODIFIED_AFTER_PARAM, ORDERING_PARAM, SEARCH_PARAM, parse_moment
from common.text import CONTROL_CHARACTERS


class QuerySetSearchFilter(filters.BaseFilterBackend):
    """`search` calls the queryset's own search(), the one the cross-entity search endpoint uses too."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(SEARCH_PARAM, "").strip()
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError({SEARCH_PARAM: ["Search for text: control characters are not allowed."]})
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
    """`ordering` in the list's one vocabulary (its FilterSet's orderings, old names as aliases): a name that is not
    offered is an error, not ignored; ties are broken by id so pages are stable."""

    ordering_param = ORDERING_PARAM

    def get_ordering(self, request, queryset, view) -> list[str] | None:
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return None
        try:
            return view.filterset_class.ordering_names(raw)
        except ValueError as error:
            raise ValidationError({self.ordering_param: [str(error)]}) from None

    def sort_keys(self, request, queryset, view) -> list[SortKey]:
        """The list's order, asked for (its names' field paths) or the model's own, ending on the id: the keys keyset
        pages continue on. A search keeps this order too, so that its pages walk the same way."""
        names = self.get_ordering(request, queryset, view)
        terms = view.filterset_class.ordering_terms(names) if names else queryset.model._meta.ordering
        return sort_keys(queryset.model, terms)

    def filter_queryset(self, request, queryset, view):
        # Nulls last either way, as on the web lists: an unreported count sorts after every number, never as 0.
        return queryset.order_by(*(key.order() for key in self.sort_keys(request, queryset, view)))

    def get_schema_operation_parameters(self, view) -> list[dict]:
        filterset = view.filterset_class
        values = [term for name in filterset.orderings for term in (name, f"-{name}")]
        aliases = ", ".join(f"{old} for {new}" for old, new in filterset.ordering_aliases.items())
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated names to order by; prefix - for descending (ties by id). Without "
                "it, the list's default order (a search's too, so that its pages walk by keyset)."
                + (f" Older names still accepted: {aliases}." if aliases else ""),
                "schema": {"type": "array", "items": {"type": "string", "enum": values}},
                "style": "form",
                "explode": False,
            }
        ]

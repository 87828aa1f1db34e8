"""The researchers' list pages: the apps' FilterSets, a ranked search, facets with counts, ordering and
pagination, with every state in the URL so that a page can be bookmarked, shared, reloaded, and downloaded as exactly
what it shows.

Each list is a RecordListView subclass in its app's views.py that names its FilterSet, columns, facets and the API
endpoint that serves its data. The parameters are the API's (common/api/parameters.py: `q`, `ordering` in the
FilterSet's vocabulary, `page`, `page_size`, the filters; older names as aliases) and its downloads are the API's
formats with the same filters: one schema per record, drawn as HTML here and as JSON, CSV, GeoJSON… there.

A page costs a fixed number of queries whatever its size: the filter values' lookups, one COUNT, the rows with the
queryset's for_list() prefetches, and one GROUP BY per facet over the filtered rows (each within a time budget). The
COUNT and the facets' counts are kept in the shared cache until the data changes (common/datacache.py).
"""

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django_countries import countries
from django_countries.fields import CountryField

from common import datacache, throttling
from common.api import renderers
from common.api.parameters import (
    FORMAT_PARAM,
    MAX_PAGE_SIZE,  # one page cap for the web lists and the API
    ORDERING_PARAM,
    PAGE_PARAM,
    PAGE_SIZE_PARAM,
    SEARCH_PARAM,
    canonical_query,
    unknown_parameters,
)
from common.filters import CountryCodeField, IdOrSlugChoiceField, StrictBooleanField, whole_number
from common.names import has_names
from common.querysets import ids_first
from common.search import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH
from common.timelimit import TimeLimitExceeded, time_limited

DEFAULT_PAGE_SIZE = 50
PAGE_SIZES = (10, 25, 50, 100, 250, 500)
FACET_SIZE = 15  # options shown per facet, the most frequent first
FACET_TIMED_OUT_SECONDS = 300  # how long a facet that ran out of time is shown as timed out without trying again
CONTROL_PARAMETERS = (SEARCH_PARAM, ORDERING_PARAM, PAGE_PARAM, PAGE_SIZE_PARAM)


@dataclass(frozen=True)
class Column:
    """A table column; `ordering` (a name in the FilterSet's ordering vocabulary) makes it sortable."""

    key: str
    label: str
    ordering: str = ""


@dataclass(frozen=True)
class Facet:
    """Counts of the filtered rows by `path`, each option a link setting the FilterSet parameter `param`.

    `path` holds the parameter's value (a slug, a code); `display`, when given, the option's label. `counts`, when
    given, names a method of the model's QuerySet that counts the values itself (rows of value, label and count,
    most first), for a facet that is not a GROUP BY of one column (the quotes' speakers' organisations).
    """

    param: str
    label: str
    path: str
    display: str = ""
    counts: str = ""


class BadListRequest(Exception):
    """A query string the list cannot answer: said on the page with a 400 (or 404), never a 500."""

    def __init__(self, messages: list[str], status: int = 400):
        super().__init__(" ".join(messages))
        self.messages, self.status = messages, status


class CountedPaginator(Paginator):
    """Django's Paginator over a count already known (kept in the shared cache until the data changes), so that
    paginating never counts the rows again."""

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def field_at(model: type[models.Model], path: str) -> tuple[models.Field, bool]:
    """The model field at the end of a `__` path, and whether the path crosses a to-many relation."""
    meta, many, field = model._meta, False, None
    for part in path.split("__"):
        field = meta.get_field(part)
        many = many or field.many_to_many or field.one_to_many
        if field.is_relation and field.related_model is not None:
            meta = field.related_model._meta
    return field, many


def value_label(field: models.Field | forms.Field, value) -> str:
    """How a filter or facet value reads on the page: a choice's label, a country's name, yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(field, CountryField | CountryCodeField):
        return countries.name(value) or str(value)
    choices = getattr(field, "flatchoices", None) or getattr(field, "choices", None) or []
    return str({str(key): label for key, label in choices}.get(str(value), value))


def parameter_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, models.Model):
        return getattr(value, "slug", None) or str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def suggesting(kind: str) -> dict[str, str]:
    """A text box's attributes for names of `kind` suggested as one types (the site's suggest endpoint)."""
    return {"autocomplete": "off", "data-suggest": reverse("suggest", kwargs={"kind": kind})}


def without_empty_parameters(query: QueryDict) -> QueryDict | None:
    """The query string without its empty parameters (`date_from=&place=`), or None when it has none."""
    kept, removed = QueryDict(mutable=True), False
    for name, values in query.lists():
        filled = [value for value in values if value.strip()]
        removed = removed or len(filled) < len(values)
        if filled:
            kept.setlist(name, filled)
    return kept if removed else None


class RecordListView(View):
    """A filtered, searched, faceted, ordered, paginated list; subclasses describe the model's list and name the API
    endpoint (`api_viewset`) whose formats are the list's downloads."""

    http_method_names = ["get", "head", "options"]
    model: type[models.Model]
    filterset_class: type
    api_viewset: type
    template_name: str
    columns: list[Column]
    default_ordering: str
    facets: list[Facet] = []
    intro = ""

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.all()

    def for_list(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.for_list()

    # The request

    @cached_property
    def params(self) -> QueryDict:
        """The query string in the parameters' current names, without empty values (as the API reads it)."""
        return canonical_query(self.request.GET)

    def get(self, request: HttpRequest) -> HttpResponse:
        # A form submitted without JavaScript sends every box, filled or not: the page moves to the short address
        # (what a permalink should be); the API reads empty parameters as absent and is left as it is.
        if (short := without_empty_parameters(request.GET)) is not None:
            query = short.urlencode()
            return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        if FORMAT_PARAM in self.params:
            return self.download_redirect()
        if refused := throttling.refusal(request, throttling.PageThrottle, throttling.PAGE):
            return refused
        filterset = self.filterset_class(data=self.params, queryset=self.get_queryset(), request=request)
        self.prepare_form(filterset.form)
        try:
            if error := unknown_parameters(self.params, [*filterset.form.fields, *CONTROL_PARAMETERS]):
                raise BadListRequest([f"{error['detail']} Allowed: {', '.join(error['allowed_parameters'])}."])
            names = self.ordering_names()
            text = self.search_text()
            if not filterset.is_valid():
                raise BadListRequest(["Some filters could not be understood; each error is given with its filter."])
            filtered = filterset.qs.search(text) if text else filterset.qs
            page = self.paginate(filtered, self.ordered(filtered, names))
        except BadListRequest as error:
            return self.error_response(request, filterset, error)
        facets = self.facet_blocks(filtered, filterset.form.cleaned_data)
        context = {"listing": self.page_context(request, filterset, names, page, facets=facets)}
        return render(request, self.template_name, context)

    def download_redirect(self) -> HttpResponse:
        """A download asked of the page (`?format=csv`, as the lists offered before the API drew them) moves to the
        API's list in that format with the same filters and order: one schema, one set of writers."""
        return HttpResponsePermanentRedirect(self.api_url(self.params.get(FORMAT_PARAM)))

    def api_url(self, export_format: str) -> str:
        """The API's list of exactly these rows (every page of them) in a format."""
        params = self.params.copy()
        for name in (PAGE_PARAM, PAGE_SIZE_PARAM, FORMAT_PARAM):
            params.pop(name, None)
        if ORDERING_PARAM in params:
            with contextlib.suppress(ValueError):  # an unknown name is left for the API to explain
                params[ORDERING_PARAM] = ",".join(self.filterset_class.ordering_names(params[ORDERING_PARAM]))
        params.setlist(FORMAT_PARAM, [export_format])
        return f"{reverse(f'api:{self.model._meta.model_name}-list')}?{params.urlencode()}"

    def ordering_names(self) -> list[str]:
        """The asked-for order in the FilterSet's canonical names; [] with a search and no order (best match first)."""
        raw = self.params.get(ORDERING_PARAM)
        if raw is None:
            return [] if SEARCH_PARAM in self.params else [self.default_ordering]
        try:
            return self.filterset_class.ordering_names(raw)
        except ValueError as error:
            raise BadListRequest([str(error)]) from None

    def search_text(self) -> str:
        text = self.params.get(SEARCH_PARAM, "").strip()
        if text and not MIN_QUERY_LENGTH <= len(text) <= MAX_QUERY_LENGTH:
            raise BadListRequest([f"Search for {MIN_QUERY_LENGTH} to {MAX_QUERY_LENGTH} characters."])
        return text

    def ordered(self, filtered: models.QuerySet, names: list[str]) -> models.QuerySet:
        rows = self.for_list(filtered)
        return rows.by_search_rank() if not names else self.filterset_class.ordered(rows, names)

    def paginate(self, filtered: models.QuerySet, ordered: models.QuerySet) -> dict:
        page_size = self.positive_integer(PAGE_SIZE_PARAM, DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        number = self.positive_integer(PAGE_PARAM, 1)
        # Counted on the filtered rows alone (for_list()'s annotations would make the COUNT compute them all), once
        # per data version: the shared cache keeps it until the data changes.
        paginator = CountedPaginator(ordered, page_size, self.row_count(filtered))
        try:
            page = paginator.page(number)
        except EmptyPage:
            pages = paginator.num_pages
            message = f"There is no page {number}: the list has {pages} page{'s' * (pages > 1)}."
            raise BadListRequest([message], 404) from None
        first = (number - 1) * page_size  # the page's ids first: see ids_first
        rows = ids_first(ordered, first, first + page_size)
        return {
            "rows": rows,
            "count": paginator.count,
            "number": number,
            "pages": paginator.num_pages,
            "page_size": page_size,
            "first_row": page.start_index() if rows else 0,
            "last_row": page.end_index() if rows else 0,
            "elided": list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)),
        }

    def row_count(self, filtered: models.QuerySet) -> int:
        try:
            sql, params = filtered.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return 0
        return datacache.cached("list-count", (self.model._meta.label, sql, params), filtered.count)

    def positive_integer(self, name: str, default: int, maximum: int | None = None) -> int:
        raw = self.params.get(name, "").strip()
        if not raw:
            return default
        number = whole_number(raw)
        if number is None or number < 1 or (maximum and number > maximum):
            bound = f" from 1 to {maximum}" if maximum else " from 1"
            raise BadListRequest([f"“{name}” must be a whole number{bound}; “{raw}” is not."])
        return number

    def error_response(self, request, filterset, error: BadListRequest) -> HttpResponse:
        context = {"listing": self.page_context(request, filterset, [], None, facets=[], errors=error.messages)}
        return render(request, self.template_name, context, status=error.status)

    # The form

    def prepare_form(self, form: forms.Form) -> None:
        """Plain controls for the page: records and countries in a text box that takes a name (and, with JavaScript,
        suggests names as one types: static/js/combobox.js over the suggest endpoint), dates as date pickers, yes/no
        selects. The labels are the FilterSet's own (RecordFilterSet.get_filters), the same on every render.

        Only this form instance changes; the API uses the same FilterSet with its own widgets.
        """
        for field in form.fields.values():
            if isinstance(field, IdOrSlugChoiceField):
                model = field.queryset.model
                attrs = suggesting(model._meta.model_name) if has_names(model) else {"autocomplete": "off"}
                field.widget = forms.TextInput(attrs=attrs)
            elif isinstance(field, CountryCodeField):
                field.widget = forms.TextInput(attrs=suggesting("country"))
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"})
            elif isinstance(field, StrictBooleanField):
                field.widget = forms.Select(choices=[("", "any"), ("true", "yes"), ("false", "no")])
            elif isinstance(field, forms.ChoiceField):
                field.empty_label = "any"
                field.widget.choices = list(field.choices)

    # The page

    def url(self, **changes) -> str:
        """This list's URL with some parameters changed (None removes one)."""
        params = self.params.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        query = params.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path

    def facet_blocks(self, filtered: models.QuerySet, cleaned: dict) -> list[dict]:
        """One GROUP BY per facet over the filtered rows, never a query per option; each within its time budget
        (settings.MINUSMA_FACET_TIME_LIMIT_MS, as Datasette's facet_time_limit_ms) and kept in the shared cache until
        the data changes. A facet whose counting runs out of time is shown as timed out, never as an error."""
        blocks = []
        for facet, rows in zip(self.facets, self.facet_counts(filtered), strict=True):
            if rows is None:
                blocks.append({"label": facet.label, "param": facet.param, "options": [], "timed_out": True})
                continue
            field, _ = field_at(self.model, facet.path)
            current = cleaned.get(facet.param)
            options = []
            for row in rows[:FACET_SIZE]:
                value = row["value"]
                if value is None or value == "":
                    continue
                param = parameter_value(value)
                selected = current not in (None, "") and parameter_value(current) in (param, param.upper())
                options.append(
                    {
                        "label": row["label"] if facet.display else value_label(field, value),
                        "count": row["count"],
                        "selected": selected,
                        "url": self.url(**{facet.param: None if selected else param, "page": None}),
                    }
                )
            if options:
                more = len(rows) > FACET_SIZE
                blocks.append({"label": facet.label, "param": facet.param, "options": options, "more": more})
        return blocks

    def facet_counts(self, filtered: models.QuerySet) -> list[list[dict] | None]:
        """Each facet's most frequent values among the filtered rows (FACET_SIZE + 1 dicts of value, label, count), or
        None for a facet whose counting ran out of time. A time-out is remembered for FACET_TIMED_OUT_SECONDS, so the
        pages after it do not spend their budget on it again."""
        try:
            sql, params = filtered.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return [[] for _ in self.facets]
        limit = settings.MINUSMA_FACET_TIME_LIMIT_MS

        def counting(facet: Facet) -> Callable[[], list[dict] | None]:
            def count() -> list[dict] | None:
                try:
                    with time_limited(limit, using=filtered.db):
                        return self.count_facet(filtered, facet)
                except TimeLimitExceeded:
                    return None

            return count

        jobs = [((self.model._meta.label, facet, sql, params), counting(facet)) for facet in self.facets]
        return datacache.cached_all(
            "facet", jobs, timeout=lambda rows: FACET_TIMED_OUT_SECONDS if rows is None else datacache.TIMEOUT
        )

    def count_facet(self, filtered: models.QuerySet, facet: Facet) -> list[dict]:
        """Count the facet's values in one GROUP BY, on the table that holds them.

        A value behind a to-many relation (an incident's actors, through its actor roles) is counted on that child
        table, grouped by the child's column and counting distinct parents; the parents are joined only when the list
        is filtered, and then as a semi-join on their ids, never as a join of every row to be made distinct again. A
        value on a record the child rows point to (an actor's slug and name) is grouped by the foreign key, and the
        few records shown are looked up after. Ties are listed by label."""
        if facet.counts:
            return getattr(filtered, facet.counts)()[: FACET_SIZE + 1]
        first, _, rest = facet.path.partition("__")
        relation = self.model._meta.get_field(first)
        if relation.one_to_many and rest:
            child_key = relation.field.name
            rows = relation.related_model._base_manager.order_by()
            if filtered.query.where:
                rows = rows.filter(**{f"{child_key}__in": filtered.order_by().values("pk")})
            counted = Count(relation.field.attname, distinct=True)
            path, display = rest, facet.display.partition("__")[2] if facet.display else ""
        else:
            rows, path, display = filtered.order_by(), facet.path, facet.display
            # COUNT(*) where rows cannot repeat: PostgreSQL can then count from the column's index alone.
            many = field_at(self.model, facet.path)[1]
            counted = Count("pk", distinct=True) if many else Count("*")
        pointer, _, attribute = path.partition("__")
        target = rows.model._meta.get_field(pointer)
        # On a child table (millions of rows) the labels are looked up after grouping; a list's own small related
        # tables (an article's outlet) are cheaper joined.
        by_pointer = relation.one_to_many and bool(attribute) and target.many_to_one and "__" not in attribute
        if by_pointer and display and display.partition("__")[0] != pointer:
            by_pointer = False
        if not by_pointer:
            label = display or path
            grouped = rows.values(*dict.fromkeys([path, label])).annotate(facet_count=counted)
            found = grouped.order_by("-facet_count", label)[: FACET_SIZE + 1]
            return [{"value": row[path], "label": row[label], "count": row["facet_count"]} for row in found]
        grouped = rows.values(target.attname).annotate(facet_count=counted)
        found = list(grouped.order_by("-facet_count", target.attname)[: FACET_SIZE + 1])
        label_attribute = display.partition("__")[2] if display else attribute
        fields = dict.fromkeys(["pk", attribute, label_attribute])
        records = target.related_model._base_manager.filter(pk__in=[row[target.attname] for row in found])
        by_pk = {record["pk"]: record for record in records.values(*fields)}
        results = []
        for row in found:
            record = by_pk.get(row[target.attname], {})
            results.append(
                {"value": record.get(attribute), "label": record.get(label_attribute), "count": row["facet_count"]}
            )
        results.sort(key=lambda result: (-result["count"], str(result["label"] or "")))
        return results

    def page_context(self, request, filterset, names: list[str], page: dict | None, facets: list, errors=()) -> dict:
        form = filterset.form
        cleaned = getattr(form, "cleaned_data", {})
        current = names[0] if len(names) == 1 else ""
        descending, key = current.startswith("-"), current.removeprefix("-")
        columns = []
        for column in self.columns:
            is_current = bool(column.ordering) and column.ordering == key
            next_ordering = f"-{column.ordering}" if is_current and not descending else column.ordering
            columns.append(
                {
                    "label": column.label,
                    "sort_url": self.url(**{ORDERING_PARAM: next_ordering, PAGE_PARAM: None})
                    if column.ordering
                    else "",
                    "aria_sort": ("descending" if descending else "ascending") if is_current else "",
                }
            )
        active = []
        for name, value in cleaned.items():
            if value in (None, "") or name in form.errors:
                continue
            field = form.fields[name]
            active.append(
                {
                    "label": field.label,
                    "value": value_label(field, value),
                    "remove_url": self.url(**{name: None, PAGE_PARAM: None}),
                }
            )
        ordering = self.params.get(ORDERING_PARAM, "")
        return {
            "title": str(self.model._meta.verbose_name_plural).capitalize(),
            "intro": self.intro,
            "form": form,
            "q": self.params.get(SEARCH_PARAM, ""),
            "ordering": ordering,
            "ordering_label": self.ordering_label(ordering),
            "page_size": page["page_size"] if page else DEFAULT_PAGE_SIZE,
            "default_page_size": DEFAULT_PAGE_SIZE,  # sent as no parameter at all, for short addresses
            "page_sizes": PAGE_SIZES,
            "columns": columns,
            "facets": facets,
            "active_filters": active,
            "clear_url": request.path,
            "errors": list(errors),
            "page": page,
            "pagination": self.pagination_links(page) if page else None,
            "exports": [
                {"label": renderers.FORMAT_LABELS[name], "format": name, "url": self.api_url(name)}
                for name in self.download_formats()
            ],
            "alternates": [
                {"type": media_type, "url": self.api_url(name)}
                for name, media_type in (
                    ("json", "application/json"),
                    (renderers.CSV, renderers.CSVRenderer.media_type),
                )
            ],
        }

    def ordering_label(self, ordering: str) -> str:
        """“Date, descending” for ordering=-date_from: the sorted column's label, as the caption says it."""
        labels = {column.ordering: column.label for column in self.columns if column.ordering}
        names = [name for name in ordering.split(",") if name]
        return ", ".join(
            f"{labels.get(name.removeprefix('-'), name.removeprefix('-'))}{', descending' * name.startswith('-')}"
            for name in names
        )

    def download_formats(self) -> list[str]:
        """The API endpoint's formats: its JSON pages, then every streamed format it offers (CSV, GeoJSON…)."""
        return ["json", *self.api_viewset.streamed_formats()]

    def pagination_links(self, page: dict) -> dict:
        number, pages = page["number"], page["pages"]
        links = []
        for n in page["elided"]:
            if n == Paginator.ELLIPSIS:
                links.append({"gap": True})
            else:
                links.append(
                    {"number": n, "url": self.url(**{PAGE_PARAM: n if n > 1 else None}), "current": n == number}
                )
        return {
            "previous_url": self.url(**{PAGE_PARAM: number - 1 if number > 2 else None}) if number > 1 else "",
            "next_url": self.url(**{PAGE_PARAM: number + 1}) if number < pages else "",
            "links": links,
        }


__all__ = ["BadListRequest", "Column", "Facet", "RecordListView"]

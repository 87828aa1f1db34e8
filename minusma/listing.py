"""The researchers' list pages: the apps' FilterSets, facets with counts, sorting, pagination and exports, with
every state in the URL so that a page can be bookmarked, shared, reloaded, and downloaded as exactly what it shows.

Each list is a RecordListView subclass in its app's views.py that names its FilterSet, columns, facets and export
columns. A page costs a fixed number of queries whatever its size: the filter values' lookups, one COUNT, the rows
with the queryset's for_list() prefetches, and one GROUP BY per facet over the filtered rows (each within a time
budget). The COUNT and the facets' counts are kept in the shared cache until the data changes (common/datacache.py).
"""

import datetime
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import models
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.views import View
from django_countries import countries
from django_countries.fields import CountryField

from common import citations, datacache, exports, throttling
from common.api.parameters import MAX_PAGE_SIZE  # one page cap for the web lists and the API
from common.exports import EXPORT_CHUNK_SIZE
from common.filters import CountryCodeField, IdOrSlugChoiceField, StrictBooleanField, whole_number
from common.timelimit import TimeLimitExceeded, time_limited

DEFAULT_PAGE_SIZE = 50
PAGE_SIZES = (10, 25, 50, 100, 250, 500)
FACET_SIZE = 15  # options shown per facet, the most frequent first
FACET_TIMED_OUT_SECONDS = 300  # how long a facet that ran out of time is shown as timed out without trying again
CONTROL_PARAMETERS = ("sort", "page", "page_size", "format")


@dataclass(frozen=True)
class Column:
    """A table column; `order_by` (field paths) makes it sortable with ?sort=key or ?sort=-key."""

    key: str
    label: str
    order_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facet:
    """Counts of the filtered rows by `path`, each option a link setting the FilterSet parameter `param`.

    `path` holds the parameter's value (a slug, a code); `display`, when given, the option's label.
    """

    param: str
    label: str
    path: str
    display: str = ""


@dataclass(frozen=True)
class ExportColumn:
    """An export column: `value` is a dotted attribute path or a function of the record; `url` makes it absolute."""

    name: str
    value: str | Callable[[Any], Any]
    url: bool = False

    def of(self, record, absolute_url: Callable[[str], str]):
        if callable(self.value):
            value = self.value(record)
        else:
            value = record
            for attribute in self.value.split("."):
                value = getattr(value, attribute, None)
                if value is None:
                    break
        if self.url and isinstance(value, list):
            return [absolute_url(item) for item in value]
        if self.url and value:
            return absolute_url(value)
        return value


@dataclass(frozen=True)
class ExportFormat:
    label: str
    content_type: str
    extension: str
    attachment: bool = True


FORMATS = {
    "csv": ExportFormat("CSV", "text/csv; charset=utf-8", "csv"),
    "json": ExportFormat("JSON", "application/json", "json", attachment=False),
    "geojson": ExportFormat("GeoJSON", "application/geo+json", "geojson"),
    **{
        name: ExportFormat(spec.label, spec.content_type, spec.extension)
        for name, spec in citations.CITATION_FORMATS.items()
        if name in ("bibtex", "ris", "csl-json")
    },
    "acled": ExportFormat("ACLED", "text/csv; charset=utf-8", "acled.csv"),
    "ucdp": ExportFormat("UCDP GED", "text/csv; charset=utf-8", "ucdp.csv"),
}
JSON_FORMATS = {"json", "geojson", "csl-json"}


class BadListRequest(Exception):
    """A query string the list cannot answer: said on the page (or in JSON) with a 400, never a 500."""

    def __init__(self, messages: list[str], status: int = 400):
        super().__init__(" ".join(messages))
        self.messages, self.status = messages, status


def field_at(model: type[models.Model], path: str) -> tuple[models.Field, bool]:
    """The model field at the end of a `__` path, and whether the path crosses a to-many relation."""
    meta, many, field = model._meta, False, None
    for part in path.split("__"):
        field = meta.get_field(part)
        many = many or field.many_to_many or field.one_to_many
        if field.is_relation and field.related_model is not None:
            meta = field.related_model._meta
    return field, many


def may_be_null(model: type[models.Model], path: str) -> bool:
    """Whether a sort path can be NULL: a nullable column, a path through a nullable or to-many relation, or an
    annotation (not a field)."""
    if path == "pk":
        return False
    meta = model._meta
    for part in path.split("__"):
        try:
            field = meta.get_field(part)
        except FieldDoesNotExist:
            return True
        if field.null or field.one_to_many or field.many_to_many or (field.is_relation and not field.concrete):
            return True
        if field.is_relation:
            meta = field.related_model._meta
    return False


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


class RecordListView(View):
    """A filtered, faceted, sortable, paginated list with its exports; subclasses describe the model's list."""

    http_method_names = ["get", "head", "options"]
    model: type[models.Model]
    filterset_class: type
    template_name: str
    columns: list[Column]
    default_sort: str
    facets: list[Facet] = []
    export_columns: list[ExportColumn]
    formats: tuple[str, ...] = ("csv", "json")
    intro = ""

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.all()

    def for_list(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.for_list()

    def point(self, record) -> tuple[float, float] | None:
        """(longitude, latitude) of a record, for GeoJSON."""
        return None

    # The request

    def get(self, request: HttpRequest) -> HttpResponse:
        export_format = request.GET.get("format", "")
        if refused := self.throttle(request, export_format):
            return refused
        filterset = self.filterset_class(data=request.GET, queryset=self.get_queryset(), request=request)
        self.prepare_form(filterset.form)
        try:
            self.check_parameters(filterset)
            ordering, sort = self.ordering()
            if export_format not in ("", *self.formats):
                formats = ", ".join(self.formats)
                raise BadListRequest([f"“{export_format}” is not an export format here. Use {formats}."])
            if not filterset.is_valid():
                raise BadListRequest(["Some filters could not be understood; each error is given with its filter."])
        except BadListRequest as error:
            return self.error_response(request, filterset, export_format, error)
        filtered = filterset.qs
        ordered = self.for_list(filtered).order_by(*ordering)
        if export_format:
            return self.export(request, export_format, ordered)
        try:
            page = self.paginate(request, filtered, ordered)
        except BadListRequest as error:
            return self.error_response(request, filterset, export_format, error)
        facets = self.facet_blocks(filtered, filterset.form.cleaned_data)
        context = {"listing": self.page_context(request, filterset, sort, page, facets=facets)}
        return render(request, self.template_name, context)

    def throttle(self, request: HttpRequest, export_format: str) -> HttpResponse | None:
        """Pages count at the generous page rate, exports at the firm export rate; a 429 past either."""
        if not export_format:
            return throttling.refusal(request, throttling.PageThrottle, throttling.PAGE)
        answer = throttling.JSON if export_format in JSON_FORMATS else throttling.TEXT
        return throttling.refusal(request, throttling.ExportThrottle, answer)

    def check_parameters(self, filterset) -> None:
        allowed = [*filterset.form.fields, *CONTROL_PARAMETERS]
        unknown = sorted(set(self.request.GET) - set(allowed))
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            raise BadListRequest([f"Unknown parameter{plural}: {', '.join(unknown)}. Allowed: {', '.join(allowed)}."])

    def sort_keys(self) -> dict[str, Column]:
        return {column.key: column for column in self.columns if column.order_by}

    def ordering(self) -> tuple[list, str]:
        """The ORDER BY for ?sort=, nulls last either way, ending on the primary key so pages never overlap."""
        sort = self.request.GET.get("sort") or self.default_sort
        descending, key = sort.startswith("-"), sort.removeprefix("-")
        column = self.sort_keys().get(key)
        if column is None:
            allowed = ", ".join(self.sort_keys())
            raise BadListRequest([f"Cannot sort by “{sort}”. Sort by one of {allowed}, with “-” before it to reverse."])
        ordering = []
        for path in (*column.order_by, "pk"):
            # NULLS LAST only where there can be nulls: said of a column that has none, it keeps PostgreSQL from
            # reading the column's index in order (it sorts every row instead).
            nulls_last = True if may_be_null(self.model, path) else None
            ordering.append(F(path).desc(nulls_last=nulls_last) if descending else F(path).asc(nulls_last=nulls_last))
        return ordering, sort

    def paginate(self, request: HttpRequest, filtered: models.QuerySet, ordered: models.QuerySet) -> dict:
        page_size = self.positive_integer("page_size", DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        number = self.positive_integer("page", 1)
        # Counted on the filtered rows alone (for_list()'s annotations would make the COUNT compute them all), once
        # per data version: the shared cache keeps it until the data changes.
        count = self.row_count(filtered)
        pages = max(1, math.ceil(count / page_size))
        if number > pages:
            raise BadListRequest([f"There is no page {number}: the list has {pages} page{'s' * (pages > 1)}."], 404)
        offset = (number - 1) * page_size
        rows = list(ordered[offset : offset + page_size])
        return {
            "rows": rows,
            "count": count,
            "number": number,
            "pages": pages,
            "page_size": page_size,
            "first_row": offset + 1 if rows else 0,
            "last_row": offset + len(rows),
        }

    def row_count(self, filtered: models.QuerySet) -> int:
        try:
            sql, params = filtered.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return 0
        return datacache.cached("list-count", (self.model._meta.label, sql, params), filtered.count)

    def positive_integer(self, name: str, default: int, maximum: int | None = None) -> int:
        raw = self.request.GET.get(name, "").strip()
        if not raw:
            return default
        number = whole_number(raw)
        if number is None or number < 1 or (maximum and number > maximum):
            bound = f" from 1 to {maximum}" if maximum else " from 1"
            raise BadListRequest([f"“{name}” must be a whole number{bound}; “{raw}” is not."])
        return number

    def error_response(self, request, filterset, export_format: str, error: BadListRequest) -> HttpResponse:
        if export_format in JSON_FORMATS:
            errors = filterset.form.errors.get_json_data() if filterset.form.is_bound else {}
            field_errors = {name: [e["message"] for e in messages] for name, messages in errors.items()}
            return JsonResponse({"errors": error.messages, "filters": field_errors}, status=error.status)
        if export_format:
            lines = [*error.messages, *(f"{n}: {' '.join(m)}" for n, m in filterset.form.errors.items())]
            return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=error.status)
        context = {"listing": self.page_context(request, filterset, "", None, facets=[], errors=error.messages)}
        return render(request, self.template_name, context, status=error.status)

    # The form

    def prepare_form(self, form: forms.Form) -> None:
        """Plain controls for the page: records by slug in a text box, dates as date pickers, yes/no selects.

        Only this form instance changes; the API uses the same FilterSet with its own widgets.
        """
        for name, field in form.fields.items():
            if not field.label or field.label == "[invalid name]":  # django-filter's label for a method filter
                field.label = name.replace("_", " ").capitalize()
            if isinstance(field, IdOrSlugChoiceField):
                field.widget = forms.TextInput(attrs={"autocomplete": "off"})
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"})
            elif isinstance(field, StrictBooleanField):
                field.widget = forms.Select(choices=[("", "any"), ("true", "yes"), ("false", "no")])
            elif isinstance(field, forms.ChoiceField):
                field.empty_label = "any"
                field.widget.choices = list(field.choices)

    # The page

    def url(self, **changes) -> str:
        """This list's URL with some parameters changed (None removes one); empty parameters are dropped."""
        params = QueryDict(mutable=True)
        for key, values in self.request.GET.lists():
            kept = [value for value in values if value != ""]
            if kept:
                params.setlist(key, kept)
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

    def page_context(self, request, filterset, sort: str, page: dict | None, facets: list, errors=()) -> dict:
        form = filterset.form
        cleaned = getattr(form, "cleaned_data", {})
        descending, key = sort.startswith("-"), sort.removeprefix("-")
        columns = []
        for column in self.columns:
            current = column.key == key
            next_sort = f"-{column.key}" if current and not descending else column.key
            columns.append(
                {
                    "label": column.label,
                    "sort_url": self.url(sort=next_sort, page=None) if column.order_by else "",
                    "aria_sort": ("descending" if descending else "ascending") if current else "",
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
                    "remove_url": self.url(**{name: None, "page": None}),
                }
            )
        base_exports = {"page": None, "page_size": None}
        return {
            "title": str(self.model._meta.verbose_name_plural).capitalize(),
            "intro": self.intro,
            "form": form,
            "sort": sort if request.GET.get("sort") else "",
            "page_size": page["page_size"] if page else DEFAULT_PAGE_SIZE,
            "page_sizes": PAGE_SIZES,
            "columns": columns,
            "facets": facets,
            "active_filters": active,
            "clear_url": request.path,
            "errors": list(errors),
            "page": page,
            "pagination": self.pagination_links(page) if page else None,
            "exports": [
                {"label": FORMATS[name].label, "format": name, "url": self.url(format=name, **base_exports)}
                for name in self.formats
            ],
            "alternates": [
                {"type": FORMATS[name].content_type.split(";")[0], "url": self.url(format=name, **base_exports)}
                for name in self.formats
                if name in ("json", "csv")
            ],
        }

    def pagination_links(self, page: dict) -> dict:
        number, pages = page["number"], page["pages"]
        nearby = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
        links, previous = [], 0
        for n in nearby:
            if n - previous > 1:
                links.append({"gap": True})
            links.append({"number": n, "url": self.url(page=n if n > 1 else None), "current": n == number})
            previous = n
        return {
            "previous_url": self.url(page=number - 1 if number > 2 else None) if number > 1 else "",
            "next_url": self.url(page=number + 1) if number < pages else "",
            "links": links,
        }

    # Exports

    def export_rows(self, records: Iterable) -> Iterator[dict]:
        absolute = self.request.build_absolute_uri
        for record in records:
            yield {column.name: column.of(record, absolute) for column in self.export_columns}

    def export(self, request: HttpRequest, export_format: str, ordered: models.QuerySet) -> StreamingHttpResponse:
        """Every filtered row in the page's order, streamed: no row cap, a chunk of rows in memory at a time."""
        records = ordered.iterator(chunk_size=EXPORT_CHUNK_SIZE)
        chunks = self.writers()[export_format](records)
        spec = FORMATS[export_format]
        response = StreamingHttpResponse(chunks, content_type=spec.content_type)
        filename = f"{self.model._meta.verbose_name_plural}.{spec.extension}".replace(" ", "-")
        disposition = "attachment" if spec.attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        return response

    def writers(self) -> dict[str, Callable[[Iterable], Iterator[str]]]:
        """Each export format the list can write, with its writer; `formats` says which this list offers."""
        return {"csv": self.export_csv, "json": self.export_json, "geojson": self.export_geojson}

    def export_csv(self, records: Iterable) -> Iterator[str]:
        return exports.csv_lines([column.name for column in self.export_columns], self.export_rows(records))

    def export_json(self, records: Iterable) -> Iterator[str]:
        return exports.json_array(self.export_rows(records))

    def export_geojson(self, records: Iterable) -> Iterator[str]:
        absolute = self.request.build_absolute_uri

        def features():
            for record in records:
                row = {column.name: column.of(record, absolute) for column in self.export_columns}
                yield record.pk, self.point(record), row

        return exports.geojson_feature_collection(features())


class CitationExportsMixin:
    """Articles also export as citations: BibTeX, RIS and CSL-JSON."""

    formats = ("csv", "json", "bibtex", "ris", "csl-json")

    def writers(self) -> dict[str, Callable[[Iterable], Iterator[str]]]:
        return {
            **super().writers(),
            "bibtex": self.export_bibtex,
            "ris": self.export_ris,
            "csl-json": self.export_csl_json,
        }

    def export_bibtex(self, records: Iterable) -> Iterator[str]:
        return citations.bibtex_entries(records, self.request.build_absolute_uri)

    def export_ris(self, records: Iterable) -> Iterator[str]:
        return citations.ris_records(records, self.request.build_absolute_uri)

    def export_csl_json(self, records: Iterable) -> Iterator[str]:
        return exports.json_array(citations.csl_items(records, self.request.build_absolute_uri))


def fuzzy_date_columns(path: str = "", prefix: str = "") -> list[ExportColumn]:
    """A FuzzyDate as written, its ISO range and its precision (`path` reaches a related record's date)."""
    return [
        ExportColumn(f"{prefix}{name}", f"{path}{name}")
        for name in ("date_as_written", "date_from", "date_to", "date_precision")
    ]


def source_columns() -> list[ExportColumn]:
    """A SourcedClaim's article and verbatim excerpt, with the address of the passage in our reader."""
    return [
        ExportColumn("source", "source.slug"),
        ExportColumn("source_title", "source.title"),
        ExportColumn("source_date_from", "source.date_from"),
        ExportColumn("excerpt", "excerpt"),
        ExportColumn("source_passage_url", lambda claim: claim.get_source_url(), url=True),
    ]


def sources_columns(attribute: str = "sources") -> list[ExportColumn]:
    """The same for a record's several sourcing rows (prefetched by for_list), as lists."""
    return [
        ExportColumn("sources", lambda record: [claim.source.slug for claim in getattr(record, attribute).all()]),
        ExportColumn("excerpts", lambda record: [claim.excerpt for claim in getattr(record, attribute).all()]),
        ExportColumn(
            "source_passage_urls",
            lambda record: [claim.get_source_url() for claim in getattr(record, attribute).all()],
            url=True,
        ),
    ]


__all__ = [
    "CitationExportsMixin",
    "Column",
    "ExportColumn",
    "Facet",
    "RecordListView",
    "fuzzy_date_columns",
    "source_columns",
    "sources_columns",
]

"""The base viewset of every API endpoint: lists, details, streamed formats and conditional writes."""

import datetime
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Max, ProtectedError, QuerySet, RestrictedError
from django.http import Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from common import datacache, exports
from common.api import renderers
from common.api.chunked import ChunkedRepresentation, NotChunkable, chunks
from common.api.conditional import if_match_passes, latest_history_change, record_version
from common.api.filters import ModifiedAfterFilter, QuerySetSearchFilter, StrictOrderingFilter
from common.api.pagination import NumberedPagination, RecordPagination, matching_count
from common.api.parameters import (
    EXPAND_PARAM,
    FIELDS_PARAM,
    LOOKUP_KWARG,
    MODIFIED_AFTER_PARAM,
    ORDERING_PARAM,
    SEARCH_PARAM,
    canonical_query,
    comma_separated,
    reject_unknown_parameters,
    strict_page_size,
)
from common.api.schema import RecordSchema
from common.exports import EXPORT_CHUNK_SIZE
from common.filters import whole_number
from common.models import has_slug
from common.throttling import DownloadThrottle

WRITE_ACTIONS = ("update", "partial_update", "destroy")  # on one record, so If-Match and If-Unmodified-Since apply


class ApiViewMixin:
    """What every API view shares: an empty query value is no value (`?date_from=` is `?`), the rule the schema
    states with allowEmptyValue and the web forms rely on."""

    def initialize_request(self, request, *args, **kwargs):
        request.GET = canonical_query(request.GET)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs) -> None:
        """A method the address does not offer is 405, before anything else about the request is judged."""
        offered = getattr(self, "action_map", None)
        if offered is not None and request.method.lower() not in {*offered, "options"}:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class RecordViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """A model's endpoint: list (filtered, searched, ordered, paginated), detail by id or slug, and writes that
    need a token or session plus the model permission. Queries come from the queryset's for_list()/for_detail().
    """

    schema = RecordSchema()
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, DownloadThrottle]
    pagination_class = RecordPagination
    filter_backends = [
        *api_settings.DEFAULT_FILTER_BACKENDS,
        ModifiedAfterFilter,
        QuerySetSearchFilter,
        StrictOrderingFilter,
    ]
    detail_serializer_class: type[serializers.Serializer] | None = None
    search_description = "Text to look for."
    # A record's point as [longitude, latitude], or None; a viewset that sets it offers GeoJSON.
    geometry: Callable[[Any], list[float] | None] | None = None
    # Formats of this endpoint alone, each with a fixed shape (the incidents' ACLED and UCDP columns, the articles'
    # citation formats), by name with their renderers; fixed_shape_chunks() writes them.
    extra_formats: dict[str, type[renderers.FixedShapeRenderer]] = {}

    @classmethod
    def streamed_formats(cls) -> list[str]:
        shared = [renderers.CSV, renderers.JSONL, *([renderers.GEOJSON] if cls.geometry is not None else [])]
        return [*shared, *cls.extra_formats]

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def __init_subclass__(cls, **kwargs) -> None:
        """Records with a slug are found by id or slug (/actors/12/, /actors/minusma/), the others by id."""
        super().__init_subclass__(**kwargs)
        if getattr(cls, "queryset", None) is not None:
            slugged = has_slug(cls.queryset.model)
            cls.lookup_url_kwarg = LOOKUP_KWARG if slugged else "pk"
            cls.lookup_value_regex = "[^/.]+" if slugged else "[0-9]+"
        streamed = {
            renderers.CSV: renderers.CSVRenderer,
            renderers.JSONL: renderers.JSONLinesRenderer,
            renderers.GEOJSON: renderers.GeoJSONRenderer,
            **cls.extra_formats,
        }
        cls.renderer_classes = [
            *api_settings.DEFAULT_RENDERER_CLASSES,
            *(streamed[name] for name in cls.streamed_formats()),
        ]

    def get_renderers(self):
        """Reads come in every format; a write answers in JSON (or the browsable API), whatever `format` says."""
        if self.request is not None and self.request.method not in ("GET", "HEAD"):
            return [renderer() for renderer in api_settings.DEFAULT_RENDERER_CLASSES]
        return super().get_renderers()

    def allowed_query_parameters(self) -> set[str]:
        allowed = {FIELDS_PARAM, EXPAND_PARAM, api_settings.URL_FORMAT_OVERRIDE}
        if self.action == "list":
            allowed |= {SEARCH_PARAM, ORDERING_PARAM, MODIFIED_AFTER_PARAM, *RecordPagination.query_parameters}
            allowed |= set(self.filterset_class.base_filters)
        return allowed

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, self.allowed_query_parameters())

    @cached_property
    def expand(self) -> list[str]:
        """The relations to embed: those asked for that `fields` keeps (an expansion left out is work wasted)."""
        expand = comma_separated(self.request, EXPAND_PARAM, self.get_serializer_class().expandable)
        return [name for name in expand if not self.selected_fields or name in self.selected_fields]

    @cached_property
    def selected_fields(self) -> list[str]:
        return comma_separated(self.request, FIELDS_PARAM, self.get_serializer_class()().fields)

    def get_queryset(self):
        queryset = self.queryset.all()
        if self.action == "list":
            return queryset.for_list(expand=self.expand)
        if self.action in WRITE_ACTIONS:
            # Locked until the write commits, so a concurrent writer checks its precondition against the result.
            return queryset.for_detail(expand=self.expand).select_for_update(of=("self",))
        return queryset.for_detail(expand=self.expand)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and self.action is not None:
            context.update(expand=self.expand, fields=self.selected_fields)
        return context

    # Reading: lists and details, in every format, answering 304 to a client whose copy is current.

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        self.check_expansion_budget(queryset)
        if not_modified := self.not_modified(rows=queryset):
            return not_modified
        if self.streamed_format is not None:
            if used := sorted(set(RecordPagination.query_parameters) & set(request.query_params)):
                raise ValidationError(
                    {used[0]: [f"A {self.streamed_format} export carries every matching record: leave out {used[0]}."]}
                )
            return self.stream(queryset)
        chunked = self.chunked_representation(queryset, whole_records=True)
        if chunked is None:
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # The page's rows with the relations the queryset selects (its keyset cursor reads them), represented together
        # rather than one by one: the children and references in a query per kind, not prefetched and serialized.
        page = self.paginate_queryset(queryset.prefetch_related(None))
        return self.get_paginated_response(chunked.represent(list(page)))

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if not_modified := self.not_modified(record=instance):
            return not_modified
        if self.streamed_format is not None:
            return self.stream([instance])
        return Response(self.get_serializer(instance).data)

    def check_expansion_budget(self, queryset) -> None:
        """Refuse, before anything is serialized, a request that would embed more than MINUSMA_API_EXPANSION_BUDGET
        records: the rows it answers (a page, or every matching row for a streamed export) × the expansions. The
        rows are counted only when a full page could pass the budget (from the cache, or up to NUMBERED_RECORDS)."""
        if not self.expand:
            return
        budget, expansions = settings.MINUSMA_API_EXPANSION_BUDGET, len(self.expand)
        streamed = self.streamed_format is not None
        page_size = strict_page_size(self.request, NumberedPagination.page_size)
        if not streamed and page_size * expansions <= budget:
            return
        count = matching_count(queryset).value
        rows = count if streamed else min(count, page_size)
        if rows * expansions <= budget:
            return
        fitting = budget // expansions
        if not fitting:
            advice = "Expand fewer relations."
        elif streamed:
            advice = f"Narrow the filters, expand fewer relations, or page through JSON with page_size={fitting}."
        else:
            advice = f"Ask for page_size={fitting} or fewer, or expand fewer relations."
        raise ValidationError(
            {
                EXPAND_PARAM: [
                    f"{rows} record{'s' * (rows != 1)} × {expansions} expansion{'s' * (expansions != 1)} would "
                    f"embed {rows * expansions} records; one request may embed at most {budget}. {advice}"
                ]
            }
        )

    @property
    def streamed_format(self) -> str | None:
        accepted = getattr(self.request, "accepted_renderer", None)
        return accepted.format if accepted is not None and accepted.format in self.streamed_formats() else None

    def stream(self, records: Iterable) -> StreamingHttpResponse:
        """CSV, JSON Lines or GeoJSON, serialized a chunk of records at a time, as for JSON (fields, expand); or one
        of the endpoint's fixed-shape formats. `records`: a list's queryset, or a record in a list."""
        if self.streamed_format in self.extra_formats:
            if isinstance(records, QuerySet):
                records = rows_read_in_one_transaction(records)
            return self.stream_fixed_shape(records)
        chunks = self._serialized_chunks(records)
        if self.streamed_format == renderers.CSV:
            body = renderers.csv_lines(self.get_serializer().flat_columns(), itertools.chain.from_iterable(chunks))
        elif self.streamed_format == renderers.JSONL:
            body = renderers.json_lines(itertools.chain.from_iterable(chunks))
        else:
            body = renderers.feature_collection(
                self.get_serializer().flat_columns(),
                (
                    (record.pk, type(self).geometry(record), data)
                    for batch, serialized in chunks
                    for record, data in zip(batch, serialized, strict=True)
                ),
            )
        response = StreamingHttpResponse(
            exports.in_blocks(body), content_type=renderers.STREAMED_MEDIA_TYPES[self.streamed_format]
        )
        if self.streamed_format == renderers.CSV and self.action == "list":
            name = self.queryset.model._meta.verbose_name_plural.replace(" ", "-")
            response["Content-Disposition"] = f'inline; filename="{name}.csv"'
        return response

    def stream_fixed_shape(self, records: Iterable) -> StreamingHttpResponse:
        renderer = self.extra_formats[self.streamed_format]
        for name in (FIELDS_PARAM, EXPAND_PARAM):
            if name in self.request.query_params:
                label = renderers.FORMAT_LABELS[renderer.format]
                raise ValidationError({name: [f"The {label} format has a fixed shape of its own: leave out {name}."]})
        body = self.fixed_shape_chunks(renderer.format, records)
        response = StreamingHttpResponse(exports.in_blocks(body), content_type=f"{renderer.media_type}; charset=utf-8")
        name = self.queryset.model._meta.verbose_name_plural.replace(" ", "-")
        response["Content-Disposition"] = f'inline; filename="{name}-{renderer.format}.{renderer.extension}"'
        return response

    def fixed_shape_chunks(self, export_format: str, records: Iterable) -> Iterator[str]:
        """The text of one of `extra_formats`, record by record: a viewset that offers such formats writes them."""
        raise NotImplementedError

    def _serialized_chunks(self, records: Iterable) -> Iterator:
        """(records, their serialized data) per EXPORT_CHUNK_SIZE records; only the data for CSV and JSON Lines.

        A list's records are represented a chunk at a time (common/api/chunked.py), the same data at a fraction of
        the cost; with `expand`, or where the serializer has a field that cannot be, by the serializer itself."""
        represent = None
        if isinstance(records, QuerySet):
            # Each GeoJSON feature's point reads the record outside the serializer's fields.
            chunked = self.chunked_representation(records, whole_records=self.streamed_format == renderers.GEOJSON)
            if chunked is not None:
                records, represent = chunked.for_export(records), chunked.represent
            records = rows_read_in_one_transaction(records)
        if represent is None:
            represent = lambda batch: self.get_serializer(batch, many=True).data  # noqa: E731
        for batch in chunks(records, EXPORT_CHUNK_SIZE):
            data = represent(batch)
            yield (batch, data) if self.streamed_format == renderers.GEOJSON else data

    def chunked_representation(self, queryset, *, whole_records: bool = False) -> ChunkedRepresentation | None:
        """The list's records represented a chunk at a time, or None where the serializer must do it (`expand`, or a
        field chunked representation does not handle)."""
        if self.expand:
            return None
        try:
            return ChunkedRepresentation(self.get_serializer(), queryset, whole_records=whole_records)
        except NotChunkable:
            return None

    def not_modified(self, *, record=None, rows=None):
        """A 304 when the client's ETag or date is current; else None, with the validators kept for the answer."""
        self.validators, latest = self.current_validators(record=record, rows=rows)
        return get_conditional_response(
            self.request._request,
            etag=self.validators["ETag"],
            last_modified=int(latest.timestamp()) if latest is not None else None,
        )

    def current_validators(self, *, record=None, rows=None) -> tuple[dict[str, str], datetime.datetime | None]:
        """The ETag and Last-Modified of this answer (a record, or a list's rows), and the moment Last-Modified gives.

        They come from the data version (common/datacache.py), which every committed write to the curated data
        renews (a save, a deletion, a relation, an audit-history entry, a bulk write that says so), with the request's
        full address and media type: no query of the rows, so a current client gets its 304 at any table size
        without a row being read, counted or serialized; the price is that any write anywhere renews every ETag.
        Last-Modified is when the version was made (just after the commit that renewed it), or a record's own
        `modified` if that is later (a write that renewed nothing).

        Inside a transaction that has written and not committed (the version does not describe what it sees yet), they
        come from the rows instead: their latest `modified` and count (one aggregate over a list's rows) and the
        latest entry of any audit history.

        A record's ETag starts with the record's own version (see record_version), the part a writer's If-Match
        is compared on: the same whatever format or address (id or slug) it was read in.
        """
        if datacache.uncommitted_changes():
            if record is not None:
                latest_modified, count = record.modified, 1
            else:
                summary = rows.order_by().aggregate(latest=Max("modified"), count=Count("pk"))
                latest_modified, count = summary["latest"], summary["count"]
            changed = latest_history_change()
            latest = max(filter(None, [latest_modified, changed]), default=None)
            state = [count, latest_modified and latest_modified.isoformat(), changed and changed.isoformat()]
        else:
            version = datacache.data_version()
            latest = datacache.version_made_at(version)
            if record is not None:
                latest = max(latest, record.modified)
            state = [version, record.modified.isoformat() if record is not None else None]
        request = self.request
        # The browsable page also shows who reads it (a writer's forms): a browser that signs in must not be given
        # back, as current, the page it kept from before.
        reader = request.user.pk if request.accepted_media_type.startswith("text/html") else None
        variant = "|".join(str(part) for part in (request.get_full_path(), request.accepted_media_type, reader, *state))
        etag = hashlib.sha256(variant.encode()).hexdigest()[:32]
        if record is not None:
            etag = f"{record_version(record)}.{etag}"
        validators = {"ETag": quote_etag(etag)}
        if latest is not None:
            validators["Last-Modified"] = http_date(latest.timestamp())
        return validators, latest

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            for header, value in getattr(self, "validators", {}).items():
                response[header] = value
        patch_vary_headers(response, ["Accept"])
        return response

    def handle_exception(self, exc):
        """Errors are JSON whatever format was asked for: a CSV reader cannot show what was wrong."""
        if getattr(self.request, "accepted_renderer", None) is not None and self.streamed_format is not None:
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    def get_object(self):
        """By numeric id, or else by slug (where the model has one)."""
        value = str(self.kwargs[self.lookup_url_kwarg])
        number = whole_number(value)
        lookup = {"pk": number} if number is not None else {"slug": value}
        queryset = self.filter_queryset(self.get_queryset())
        try:
            if "slug" in lookup and not has_slug(queryset.model):
                raise queryset.model.DoesNotExist
            obj = queryset.get(**lookup)
        except queryset.model.DoesNotExist:
            raise Http404(f"No {queryset.model._meta.verbose_name} with the id or slug “{value}”.") from None
        self.check_object_permissions(self.request, obj)
        return obj

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset  # filters, search and ordering are for lists; a detail is found by its id or slug
        return super().filter_queryset(queryset)

    # Writing: a PUT, PATCH or DELETE that says which version it read (If-Match, or If-Unmodified-Since) is
    # refused with 412 when the record changed since, instead of silently reverting the newer change.

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()  # row locked from here to the commit
            if refused := self.precondition_failed(instance):
                return refused
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        return Response(serializer.data)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()  # row locked from here to the commit
            if refused := self.precondition_failed(instance):
                return refused
            try:
                with transaction.atomic():
                    self.perform_destroy(instance)
            except (ProtectedError, RestrictedError) as error:
                return self.still_referenced(instance, error)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def still_referenced(self, record, error: ProtectedError | RestrictedError) -> Response:
        """A 409 naming what still cites the record (a place an incident happened at, an article a quote is from):
        deleting it would orphan sourced facts, so those must be deleted or re-pointed first."""
        referencing = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
        kinds = Counter(str(obj._meta.verbose_name_plural) for obj in referencing)
        listed = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        return Response(
            {
                "detail": f"This {record._meta.verbose_name} is still referenced by {listed}: delete or change those "
                "first.",
                "referenced_by": dict(sorted(kinds.items())),
            },
            status=status.HTTP_409_CONFLICT,
        )

    def precondition_failed(self, record) -> Response | None:
        """A 412 when the writer's copy is older than the record (RFC 9110 §13.2): If-Match names no current
        version of it (`*` matches any), or, without If-Match, If-Unmodified-Since is before its last change. A
        client that sends neither writes unconditionally, as before."""
        if_match = self.request.headers.get("If-Match")
        if if_match is not None:
            current = if_match_passes(record, if_match)
        else:
            since = parse_http_date_safe(self.request.headers.get("If-Unmodified-Since", ""))
            current = since is None or int(record.modified.timestamp()) <= since  # an unreadable date is ignored
        if current:
            return None
        validators, _ = self.current_validators(record=record)
        name = record._meta.verbose_name
        return Response(
            {
                "detail": f"This {name} changed since your copy: fetch it again, reapply your change, and send the "
                "new ETag in If-Match.",
                "etag": validators["ETag"],
                "last_modified": validators["Last-Modified"],
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
        )

    def perform_create(self, serializer) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


def rows_read_in_one_transaction(queryset) -> Iterator:
    """The rows of a streamed export, EXPORT_CHUNK_SIZE at a time with their prefetches. On PostgreSQL from a
    server-side cursor read inside one transaction: outside a transaction PostgreSQL opens the cursor WITH HOLD, which
    makes it compute and store every joined row of the result (16.8 s for a million incidents) before the first one
    can be sent. Not on SQLite, whose transactions here begin IMMEDIATE (taking the write lock: an export would
    hold off every writer) and whose cursor reads row by row anyway."""
    rows = queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    if connections[queryset.db].vendor != "postgresql":
        yield from rows
        return
    with transaction.atomic(using=queryset.db):
        yield from rows

"""What every API endpoint shares: references to related records, model validation on writes, `fields` and
`expand`, strict query parameters, page or cursor pagination, search and ordering, and their OpenAPI description.

Each app's serializers subclass RecordSerializer and its viewsets RecordViewSet; minusma/api.py routes them.
"""

import contextlib
import datetime
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from corsheaders.middleware import CorsMiddleware
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, OrderBy
from django.http import Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import cached_property
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag
from django.utils.module_loading import import_string
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import filters, pagination, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from common.filters import whole_number
from minusma import renderers

FIELDS_PARAM, EXPAND_PARAM, SEARCH_PARAM, ORDERING_PARAM = "fields", "expand", "search", "ordering"
PAGE_PARAM, PAGE_SIZE_PARAM, PAGINATION_PARAM, CURSOR_PARAM = "page", "page_size", "pagination", "cursor"
MODIFIED_AFTER_PARAM, FORMAT_PARAM = "modified_after", api_settings.URL_FORMAT_OVERRIDE
LOOKUP_KWARG = "id_or_slug"
MAX_PAGE_SIZE = 1000
WRITE_ACTIONS = ("update", "partial_update", "destroy")  # on one record, so If-Match and If-Unmodified-Since apply
# A comma-separated parameter (fields, expand, type), all its occurrences together: more than every name a list
# offers, fewer than an abuse needs.
LIST_MAX_VALUES, LIST_MAX_LENGTH = 50, 1000
EXPORT_CHUNK_SIZE = 500  # rows fetched, with their prefetched relations, per round trip of a streamed export
REF_KEYS = ("id", "slug", "name", "url")


def has_slug(model) -> bool:
    return any(field.name == "slug" for field in model._meta.concrete_fields)


def detail_url(obj, request) -> str:
    """The API address of a record, by id (the stable form even where a slug also works)."""
    kwarg = LOOKUP_KWARG if has_slug(type(obj)) else "pk"
    return reverse(f"api:{obj._meta.model_name}-detail", kwargs={kwarg: obj.pk}, request=request)


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


class RefField(serializers.RelatedField):
    """A related record. Read as {id, slug, name, url}; written as its id, its slug, or {"id": …}."""

    default_error_messages = {
        "does_not_exist": "No {model} has the id or slug “{value}”.",
        "incorrect_type": "Give the id (an integer) or the slug (a string) of a {model}.",
    }

    def __init__(self, representation: type[serializers.Serializer] | None = None, **kwargs):
        self.representation = representation  # for records without an endpoint of their own, e.g. outlets
        super().__init__(**kwargs)

    def bind(self, field_name, parent) -> None:
        """A read-only reference to a nullable foreign key may be null: say so, so the schema does too."""
        super().bind(field_name, parent)
        model = getattr(getattr(parent, "Meta", None), "model", None)
        if self.read_only and model is not None and self.source != "*":
            with contextlib.suppress(FieldDoesNotExist):
                self.allow_null = self.allow_null or model._meta.get_field(self.source).null

    def to_representation(self, obj) -> dict:
        if self.representation is not None:
            return self.representation(obj, context=self.context).data
        ref = {"id": obj.pk}
        if has_slug(type(obj)):
            ref["slug"] = obj.slug
        ref["name"] = str(obj)
        ref["url"] = detail_url(obj, self.context.get("request"))
        return ref

    def get_choices(self, cutoff=None) -> dict:
        """Choices by id (DRF keys them by to_representation(), here a dict, which cannot be a key)."""
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        model = queryset.model._meta.verbose_name
        if isinstance(data, dict):
            data = data.get("id")
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", model=model)
        value = str(data).strip()
        number = whole_number(value)
        lookup = {"pk": number} if number is not None else {"slug": value}
        if "slug" in lookup and not has_slug(queryset.model):
            self.fail("incorrect_type", model=model)
        try:
            return queryset.get(**lookup)
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", model=model, value=value)


@extend_schema_field({"type": "string", "format": "uri", "example": "https://example.org/actors/minusma/"})
class WebUrlField(serializers.Field):
    """The absolute address of the record's page on the website (its get_absolute_url(), or `url_of(record)`)."""

    def __init__(self, url_of: Callable[[Any], str] | None = None, **kwargs):
        self.url_of = url_of
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The record's page on the website.")
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        url = self.url_of(obj) if self.url_of is not None else obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class RefFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RefField

    def map_serializer_field(self, auto_schema, direction):
        representation = getattr(self.target, "representation", None) or getattr(
            getattr(self.target, "child_relation", None), "representation", None
        )
        if direction == "request":
            return {
                "oneOf": [{"type": "integer"}, {"type": "string"}],
                "description": "The related record's id or slug.",
                "example": 1,
            }
        if representation is not None:
            return auto_schema.resolve_serializer(representation, direction).ref
        return {
            "type": "object",
            "description": "A related record: its id, slug (where it has one), name and API address.",
            "properties": {
                "id": {"type": "integer", "example": 1},
                "slug": {"type": "string", "example": "minusma"},
                "name": {"type": "string", "example": "MINUSMA"},
                "url": {"type": "string", "format": "uri", "example": "https://example.org/api/v1/actors/1/"},
            },
            "required": ["id", "name", "url"],
        }


def field_columns(field, name: str) -> list[str]:
    """The flat columns a serializer field's value gives: dotted for nested objects, one per key for lists."""
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, RefField):
        if field.representation is None:
            return [f"{name}.{key}" for key in REF_KEYS]
        field = field.representation()
    if isinstance(field, serializers.BaseSerializer):
        return [column for key, child in field.fields.items() for column in field_columns(child, f"{name}.{key}")]
    return [name]


class RecordSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Validates writes as the admin does (the model's full_clean, so a quote must be verbatim) and answers
    `fields` and `expand` on the top-level record.

    `expandable` maps a field to the serializer (dotted path) that embeds the related record(s) in place of
    the reference; the queryset's for_list(expand=…) loads what that needs.
    """

    expandable: dict[str, str] = {}

    def _is_top_level(self) -> bool:
        return self.parent is None or (
            isinstance(self.parent, serializers.ListSerializer) and self.parent.parent is None
        )

    def to_representation(self, instance) -> dict:
        data = super().to_representation(instance)
        if not self._is_top_level():
            return data
        embed_context = {"request": self.context.get("request")}
        for name in self.context.get("expand", ()):
            data[name] = self.expand(name, instance, import_string(self.expandable[name]), embed_context)
        wanted = self.context.get("fields")
        return {key: value for key, value in data.items() if key in wanted} if wanted else data

    def expand(self, name: str, instance, serializer_class, context):
        related = getattr(instance, self.fields[name].source)
        if related is None:
            return None
        if hasattr(related, "all"):
            return serializer_class(related.all(), many=True, context=context).data
        return serializer_class(related, context=context).data

    def flat_columns(self) -> list[str]:
        """The CSV header for this serializer's records with the request's `fields` and `expand`: every column
        renderers.flatten() can give, from the fields rather than the data, so a streamed export can start with it.
        """
        wanted, expanded = self.context.get("fields"), self.context.get("expand", ())
        columns = []
        for name, field in self.fields.items():
            if wanted and name not in wanted:
                continue
            if name in expanded:
                field = import_string(self.expandable[name])()
            columns.extend(field_columns(field, name))
        return columns

    def get_validators(self) -> list:
        return []  # uniqueness and constraints are checked by the model's full_clean() in validate()

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.instance if self.instance is not None else model()
        self._many_to_many = {}
        for name, value in attrs.items():
            if model._meta.get_field(name).many_to_many:
                self._many_to_many[name] = value
            else:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise ValidationError(self._field_errors(error)) from None
        self._cleaned_instance = instance
        return attrs

    def _field_errors(self, error: DjangoValidationError) -> dict:
        """The model's errors under the API's field names."""
        if not hasattr(error, "error_dict"):
            return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
        by_source = {field.source: name for name, field in self.fields.items()}
        errors = {}
        for name, messages in error.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else by_source.get(name, name)
            errors.setdefault(key, []).extend(messages)
        return errors

    @transaction.atomic
    def create(self, validated_data: dict):
        return self._save_cleaned()

    @transaction.atomic
    def update(self, instance, validated_data: dict):
        return self._save_cleaned()

    def _save_cleaned(self):
        """Save exactly the instance full_clean() checked, with the offsets and derived fields it filled in.

        Should the database still refuse it (a verbatim trigger or a constraint seeing a row written meanwhile), the
        answer is a 400 in the model's words where validation now sees the problem, else in the database's.
        """
        instance = self._cleaned_instance
        try:
            with transaction.atomic():
                instance.save()
                for name, values in self._many_to_many.items():
                    getattr(instance, name).set(values)
        except IntegrityError as error:
            try:
                instance.full_clean()
            except DjangoValidationError as validation:
                raise ValidationError(self._field_errors(validation)) from None
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [f"The database refused the change: {error}"]}
            ) from None
        return instance


DATE_FIELDS = ["date_as_written", "date_from", "date_to", "date_precision", "acled_time_precision", "ucdp_date_prec"]
SOURCE_FIELDS = ["source", "excerpt", "excerpt_start", "excerpt_end"]


class FuzzyDateFields(serializers.Serializer):
    """The date as the source gives it, with ACLED's and UCDP's precision codes derived from its precision."""

    acled_time_precision = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="ACLED time_precision: 1 day, 2 week, 3 month or coarser."
    )
    ucdp_date_prec = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="UCDP date_prec: 1 day … 5 year."
    )


class SourceSerializer(serializers.Serializer):
    """Where a claim comes from: the article and the passage, verbatim, with its offsets in the body."""

    source = RefField(read_only=True)
    excerpt = serializers.CharField(read_only=True)
    excerpt_start = serializers.IntegerField(read_only=True)
    excerpt_end = serializers.IntegerField(read_only=True)


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)


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


def strict_page_size(request, default: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return default
    size = whole_number(raw)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({PAGE_SIZE_PARAM: [f"“{raw}” is not a page size: use 1 to {MAX_PAGE_SIZE}."]})
    return size


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


def nulls_last(term: str) -> OrderBy:
    """An ordering term (`name` or `-name`) that puts nulls last in both directions, on every database."""
    return F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc(nulls_last=True)


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

    def filter_queryset(self, request, queryset, view):
        # Nulls last either way, as on the web lists: an unreported count sorts after every number, never as 0.
        ordering = [nulls_last(term) for term in self.get_ordering(request, queryset, view) or []]
        return queryset.order_by(*(ordering or queryset.model._meta.ordering), "pk")

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


STREAMED_SCHEMAS = {
    renderers.CSVRenderer.media_type: {
        "type": "string",
        "description": "A header line, then one row per record: nested fields as dotted columns "
        "(place.name), the items of a list joined with ` | ` (sources.excerpt).",
    },
    renderers.JSONLinesRenderer.media_type: {
        "type": "string",
        "description": "JSON Lines: one record per line, as the JSON format gives it.",
    },
    renderers.GeoJSONRenderer.media_type: {
        "type": "object",
        "description": "An RFC 7946 FeatureCollection: Point geometries in WGS84 [longitude, latitude] (null when "
        "the record has no coordinates), the record's flattened fields as properties.",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "integer"},
                        "geometry": {
                            "type": "object",
                            "nullable": True,
                            "required": ["type", "coordinates"],
                            "properties": {
                                "type": {"type": "string", "enum": ["Point"]},
                                "coordinates": {
                                    "type": "array",
                                    "items": {"type": "number"},
                                    "minItems": 2,
                                    "maxItems": 2,
                                },
                            },
                        },
                        "properties": {"type": "object", "additionalProperties": True},
                    },
                },
            },
        },
    },
}


ERROR_RESPONSE = OpenApiResponse(
    response={
        "type": "object",
        "description": "What was wrong, by parameter or field name, and what is allowed.",
        "additionalProperties": True,
    },
    description="Bad input: an unknown query parameter, an invalid filter value, or a record that fails validation.",
    examples=[
        OpenApiExample(
            "Unknown parameter",
            value={
                "detail": "Unknown query parameter: kidn.",
                "unknown_parameters": ["kidn"],
                "allowed_parameters": ["country", "kind", "page", "page_size", "search"],
            },
        ),
        OpenApiExample("Invalid filter value", value={"date_from": ["Enter a valid date."]}),
    ],
)


class RecordSchema(AutoSchema):
    """Documents what RecordViewSet adds: the id-or-slug lookup, `fields`, `expand` and the 400 answers."""

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        view = self.view
        if f"{{{LOOKUP_KWARG}}}" in self.path:
            parameters.append(
                OpenApiParameter(
                    LOOKUP_KWARG,
                    str,
                    OpenApiParameter.PATH,
                    description="The record's numeric id, or its slug.",
                    examples=[OpenApiExample("By id", value="12"), OpenApiExample("By slug", value="minusma")],
                )
            )
        serializer_class = view.get_serializer_class()
        field_names = list(serializer_class().fields)
        parameters.append(
            OpenApiParameter(
                FIELDS_PARAM,
                {"type": "array", "items": {"type": "string", "enum": field_names}, "maxItems": LIST_MAX_VALUES},
                description="Comma-separated fields to return; all when left out.",
                style="form",
                explode=False,
            )
        )
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    FORMAT_PARAM,
                    {"type": "string", "enum": ["json", *view.streamed_formats()]},
                    description="The answer's format, instead of an Accept header. csv, jsonl and geojson carry "
                    "every matching record, streamed, without pages; a CSV row is the record flattened: "
                    "nested fields as dotted columns, lists joined with ` | `.",
                )
            )
        if serializer_class.expandable:
            parameters.append(
                OpenApiParameter(
                    EXPAND_PARAM,
                    {
                        "type": "array",
                        "items": {"type": "string", "enum": sorted(serializer_class.expandable)},
                        "maxItems": LIST_MAX_VALUES,
                    },
                    description="Comma-separated relations to embed as whole records instead of references, each "
                    "once however often named. The records answered × the relations expanded (page_size × "
                    "expansions; every matching record for csv, jsonl and geojson) may be at most "
                    f"{settings.MINUSMA_API_EXPANSION_BUDGET}: ask for a smaller page_size or fewer expansions.",
                    style="form",
                    explode=False,
                )
            )
        return parameters

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """A record as answered: `fields` may leave out any field, so none is required, and each expandable field
        is either the reference or, with `expand`, the whole related record."""
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        serializer = force_instance(serializer)
        if direction != "response" or not isinstance(serializer, RecordSerializer):
            return schema
        schema.pop("required", None)
        own_doc = type(serializer).__dict__.get("__doc__")
        schema["description"] = (
            f"{own_doc.strip()} " if own_doc else ""
        ) + "Every field is present unless `fields` names the ones wanted."
        for name, path in serializer.expandable.items():
            reference = schema["properties"].get(name)
            if reference is None:
                continue
            expanded = self.resolve_serializer(import_string(path), direction).ref
            if reference.get("type") == "array":
                items = {"anyOf": [reference["items"], expanded]}
                schema["properties"][name] = {**reference, "items": items}
            else:
                outer = {key: reference.pop(key) for key in ("nullable", "readOnly", "description") if key in reference}
                schema["properties"][name] = {"anyOf": [reference, expanded], **outer}
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        responses["400"] = self._get_response_for_code(ERROR_RESPONSE, "400", direction=direction)
        return responses

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        """JSON's schema for JSON; CSV and JSON Lines as text; GeoJSON as a FeatureCollection. Errors are JSON."""
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        for media_type in list(content):
            if media_type not in STREAMED_SCHEMAS:
                continue
            if not str(status_code).startswith("2"):
                del content[media_type]
            else:
                content[media_type] = {"schema": STREAMED_SCHEMAS[media_type]}
        return response


class RecordViewSet(viewsets.ModelViewSet):
    """A model's endpoint: list (filtered, searched, ordered, paginated), detail by id or slug, and writes that
    need a token or session plus the model permission. Queries come from the queryset's for_list()/for_detail().
    """

    schema = RecordSchema()
    pagination_class = RecordPagination
    filter_backends = [
        *api_settings.DEFAULT_FILTER_BACKENDS,
        ModifiedAfterFilter,
        QuerySetSearchFilter,
        StrictOrderingFilter,
    ]
    detail_serializer_class: type[serializers.Serializer] | None = None
    ordering_fields: list[str] | dict[str, str] = []
    search_description = "Text to look for."
    # A record's point as [longitude, latitude], or None; a viewset that sets it offers GeoJSON.
    geometry: Callable[[Any], list[float] | None] | None = None
    # Formats of this endpoint alone, by name, with their renderers (the incidents' ACLED and UCDP shapes); the
    # viewset's stream() writes them.
    extra_formats: dict[str, type] = {}

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
        summary = queryset.order_by().aggregate(latest=Max("modified"), count=Count("pk"))
        self.check_expansion_budget(summary["count"])
        if not_modified := self.not_modified(summary["latest"], summary["count"]):
            return not_modified
        if self.streamed_format is not None:
            if used := sorted(set(RecordPagination.query_parameters) & set(request.query_params)):
                raise ValidationError(
                    {used[0]: [f"A {self.streamed_format} export carries every matching record: leave out {used[0]}."]}
                )
            return self.stream(queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if not_modified := self.not_modified(instance.modified, 1, record=instance):
            return not_modified
        if self.streamed_format is not None:
            return self.stream([instance])
        return Response(self.get_serializer(instance).data)

    def check_expansion_budget(self, count: int) -> None:
        """Refuse, before anything is serialized, a request that would embed more than MINUSMA_API_EXPANSION_BUDGET
        records: the rows it answers (a page, or every matching row for a streamed export) × the expansions."""
        if not self.expand:
            return
        budget, expansions = settings.MINUSMA_API_EXPANSION_BUDGET, len(self.expand)
        streamed = self.streamed_format is not None
        rows = count if streamed else min(count, strict_page_size(self.request, StrictPagePagination.page_size))
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
        """CSV, JSON Lines or GeoJSON, serialized a chunk of records at a time, as for JSON (fields, expand)."""
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
        response = StreamingHttpResponse(body, content_type=renderers.STREAMED_MEDIA_TYPES[self.streamed_format])
        if self.streamed_format == renderers.CSV and self.action == "list":
            name = self.queryset.model._meta.verbose_name_plural.replace(" ", "-")
            response["Content-Disposition"] = f'inline; filename="{name}.csv"'
        return response

    def _serialized_chunks(self, records: Iterable) -> Iterator:
        """(records, their serialized data) per EXPORT_CHUNK_SIZE records; only the data for CSV and JSON Lines."""
        iterator = iter(records)
        while batch := list(itertools.islice(iterator, EXPORT_CHUNK_SIZE)):
            data = self.get_serializer(batch, many=True).data
            yield (batch, data) if self.streamed_format == renderers.GEOJSON else data

    def not_modified(self, latest_modified: datetime.datetime | None, count: int, record=None):
        """A 304 when the client's ETag or date is current; else None, with the validators kept for the answer."""
        self.validators, latest = self.current_validators(latest_modified, count, record)
        return get_conditional_response(
            self.request._request,
            etag=self.validators["ETag"],
            last_modified=int(latest.timestamp()) if latest is not None else None,
        )

    def current_validators(
        self, latest_modified: datetime.datetime | None, count: int, record=None
    ) -> tuple[dict[str, str], datetime.datetime | None]:
        """The ETag and Last-Modified of this answer, and the moment Last-Modified gives.

        The validators come from the rows' latest `modified` and their count (for a list, one aggregate query over
        the filtered rows: an added or deleted row changes the count) and from the latest entry of any audit
        history (one query: a renamed alias or a corrected source excerpt changes a record's JSON without touching
        its own `modified`). Both are index lookups, not per row, so a current client gets its 304 without
        anything being serialized; the price is that any edit anywhere renews every ETag.

        A record's ETag starts with the record's own version (see record_version), the part a writer's If-Match
        is compared on: the same whatever format or address (id or slug) it was read in.
        """
        changed = latest_history_change()
        latest = max(filter(None, [latest_modified, changed]), default=None)
        variant = "|".join(
            str(part)
            for part in (
                self.request.get_full_path(),
                self.request.accepted_media_type,
                count,
                latest_modified and latest_modified.isoformat(),
                changed and changed.isoformat(),
            )
        )
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
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

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
        validators, _ = self.current_validators(record.modified, 1, record)
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


def record_version(record) -> str:
    """One version of one record, as the start of its ETag: its model, id and `modified` to the microsecond (every
    save changes it), hashed."""
    key = f"{record._meta.label}|{record.pk}|{record.modified.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def if_match_passes(record, header: str) -> bool:
    """Whether an If-Match header names the record's current version: `*`, or an ETag that starts with it. Strong
    comparison, as HTTP asks: a weak tag (W/"…") never matches."""
    tags = parse_etags(header)
    prefix = f'"{record_version(record)}.'
    return tags == ["*"] or any(tag.startswith(prefix) for tag in tags)


def latest_history_change() -> datetime.datetime | None:
    """When anything curated was last created, changed or deleted, from the audit history: one query of indexed
    MAX()es over every history table."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if getattr(model, "history_type", None) is not None and hasattr(model, "instance_type")
    )
    if not tables:
        return None
    quote = connection.ops.quote_name
    # Table names come from the models, never from a request.
    latest = " UNION ALL ".join(f"SELECT MAX({quote('history_date')}) AS latest FROM {quote(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(latest) FROM ({latest}) AS changes")  # noqa: S608
        (value,) = cursor.fetchone()
    if isinstance(value, str):  # SQLite hands back the stored text
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS for the API's reads only: a page on another site may GET (and preflight) the API, but a write's answer
    carries no Access-Control-Allow-Origin, and preflights allow only the safe methods (CORS_ALLOW_METHODS)."""

    def is_enabled(self, request) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS") and super().is_enabled(request)

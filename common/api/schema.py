"""The OpenAPI description of the API: what RecordViewSet adds (lookups, fields, expand, formats), and for every
operation exactly what the server does: public reads, every status code it can answer, empty values allowed, and the
rules a JSON Schema cannot state (`x-constraints`), so that a client, or schemathesis, can tell a documented refusal
from a broken promise."""

from django.conf import settings
from django_countries import countries
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from common.api import renderers
from common.api.parameters import (
    CURSOR_PARAM,
    EXPAND_PARAM,
    FIELDS_PARAM,
    FORMAT_PARAM,
    LIST_MAX_VALUES,
    LOOKUP_KWARG,
    NUMBERED_RECORDS,
    ORDERING_PARAM,
    PAGE_PARAM,
    PAGE_SIZE_PARAM,
    PAGINATION_PARAM,
)
from common.api.serializers import RecordSerializer
from common.filters import MAX_ID, CountryFilter, DateRangeForm, IdOrSlugFilter
from common.text import NON_TEXT_CHARACTERS

STREAMED_SCHEMAS = {
    renderers.CSVRenderer.media_type: {
        "type": "string",
        "description": "A header line, then one row per record, with flat column names: a reference as its slug "
        "under the field's name and its other keys after an underscore (place, place_name, place_id), nested fields "
        "joined with _ , the items of a list joined with ` | ` (sources, sources_excerpt).",
    },
    renderers.BibTeXRenderer.media_type: {"type": "string", "description": "BibTeX: one entry per article."},
    renderers.RISRenderer.media_type: {"type": "string", "description": "RIS: one record per article."},
    renderers.CSLJSONRenderer.media_type: {
        "type": "array",
        "items": {"type": "object"},
        "description": "CSL-JSON: one item per article, for Zotero, Pandoc or citeproc.",
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


def error_answer(description: str, example: dict | None = None) -> dict:
    """A refusal, in JSON whatever format was asked for: `detail` says what was wrong, other keys name the parameter
    or field at fault."""
    schema = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": True,
    }
    if example is not None:
        schema["example"] = example
    return {"description": description, "content": {"application/json": {"schema": schema}}}


READ_ANSWERS = {
    "304": {"description": "Not modified: the client's copy (If-None-Match or If-Modified-Since) is current."},
    "406": error_answer("No format offered here matches the Accept header."),
}
WRITE_ANSWERS = {
    "401": error_answer("Writing needs authentication: a curator's token (Authorization: Token …) or session."),
    "403": error_answer("The account may not write this kind of record (a staff account with its permission)."),
}
BODY_ANSWERS = {"415": error_answer("The request body must be JSON (Content-Type: application/json).")}
ONE_RECORD_WRITE_ANSWERS = {
    "412": error_answer(
        "The record changed since the client's copy (If-Match or If-Unmodified-Since): fetch it again.",
        {"detail": "This actor changed since your copy: …", "etag": '"…"', "last_modified": "…"},
    )
}
DELETE_ANSWERS = {
    "409": error_answer(
        "The record is still referenced (an incident at this place, a quote from this article): delete or change "
        "those first.",
        {"detail": "This place is still referenced by 3 incidents: …", "referenced_by": {"incidents": 3}},
    )
}
NOT_FOUND = error_answer("No record with this id or slug, or a page past the last one.")
THROTTLED = error_answer(
    "Too many requests from this client: wait the seconds Retry-After gives.",
    {"detail": "Request was throttled. Expected available in 12 seconds."},
)
BAD_INPUT = error_answer(
    "Bad input: an unknown query parameter, an invalid or conflicting value, or a record that "
    "fails validation; each key names the parameter or field and says why.",
    {
        "detail": "Unknown query parameter: kidn.",
        "unknown_parameters": ["kidn"],
        "allowed_parameters": ["country", "kind", "page", "page_size", "q"],
    },
)
VALIDATED_BODY = (
    "The record must pass the same validation as in the admin: every excerpt verbatim in its article, dates in order "
    "and within the plausible range, unique slugs and identifiers, single-line text without control characters. A "
    "400 names each field that fails and why."
)


# The characters a query value or an address may hold: no C0 control character but tab, line feed and carriage
# return, no DEL (common.middleware.RequestBoundsMiddleware refuses the others before any view runs).
ALLOWED_CHARACTER = f"[^{NON_TEXT_CHARACTERS}]"
WITHOUT_CONTROL_CHARACTERS = rf"^{ALLOWED_CHARACTER}*$"


def forbid_control_characters(schema: dict) -> None:
    """Say in a free-text parameter's schema what RequestBoundsMiddleware refuses."""
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = WITHOUT_CONTROL_CHARACTERS
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        forbid_control_characters(schema["items"])


def query_constraints(view) -> dict[str, list[str]]:
    """The rules on each query parameter that its JSON Schema cannot state: combinations with other parameters,
    references to records that must exist, budgets. A request that breaks one is answered 400 naming the parameter."""
    constraints: dict[str, list[str]] = {
        PAGINATION_PARAM: ["pagination=cursor takes neither page nor ordering (a cursor walk is in id order)."],
        CURSOR_PARAM: [
            "Only a value taken from a next or previous link, with the list's ordering as in that link, without page, "
            "and with no other pagination than the one that made it."
        ],
        PAGE_PARAM: [
            f"The page must start within the first {NUMBERED_RECORDS:,} records ((page - 1) × page_size < "
            f"{NUMBERED_RECORDS:,}; `last` only while the count is exact): deeper pages are reached through next "
            "links. Not with pagination=cursor or a cursor; a page past the last one answers 404."
        ],
        ORDERING_PARAM: ["Not in a cursor walk (pagination=cursor, or its cursor), which is always in id order."],
        FORMAT_PARAM: [
            "csv, jsonl and geojson answer every matching record at once: not with page, page_size, pagination or "
            "cursor."
        ],
        PAGE_SIZE_PARAM: ["Not with format=csv, jsonl or geojson, which have no pages."],
        EXPAND_PARAM: [
            "The records answered (page_size, or every match for csv, jsonl and geojson) × the relations expanded "
            f"may be at most {settings.MINUSMA_API_EXPANSION_BUDGET}."
        ],
    }
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        for name, filter_ in filterset_class.base_filters.items():
            if isinstance(filter_, IdOrSlugFilter):
                model = filter_.queryset.model._meta.verbose_name
                constraints.setdefault(name, []).append(f"The id or slug of an existing {model}.")
        if issubclass(filterset_class._meta.form, DateRangeForm):
            constraints.setdefault("date_to", []).append("On or after date_from.")
    return constraints


class ApiSchema(AutoSchema):
    """Every operation of the API: see the module's docstring."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._describe_parameters(operation)
        self._describe_security(operation)
        self._describe_answers(operation)
        return operation

    def _describe_parameters(self, operation: dict) -> None:
        constraints = query_constraints(self.view)
        country_filters = {
            name
            for name, filter_ in getattr(getattr(self.view, "filterset_class", None), "base_filters", {}).items()
            if isinstance(filter_, CountryFilter)
        }
        for parameter in operation.get("parameters", []):
            forbid_control_characters(parameter.get("schema", {}))
            if parameter["in"] != "query":
                continue
            if not parameter.get("required"):
                parameter["allowEmptyValue"] = True  # an empty value is no value (ApiViewMixin)
            number = parameter.get("schema", {})
            if number.get("type") == "integer" and "enum" not in number:
                # Whole numbers as common.filters.whole_number reads them: ASCII digits, at most MAX_ID.
                number.setdefault("minimum", 0)
                number.setdefault("maximum", MAX_ID)
            if parameter["name"] == FORMAT_PARAM and self.method not in ("GET", "HEAD"):
                parameter["schema"] = {"type": "string", "enum": ["json"]}
                parameter["description"] = "A write answers in JSON."
            if parameter["name"] in country_filters:
                parameter["schema"] = {"type": "string", "enum": [code for code, _name in countries]}
            if rules := constraints.get(parameter["name"]):
                parameter["x-constraints"] = rules
                parameter["description"] = " ".join([parameter.get("description", ""), *rules]).strip()
        if "requestBody" in operation:
            operation["requestBody"]["x-constraints"] = [VALIDATED_BODY]

    def _describe_security(self, operation: dict) -> None:
        """Reads are public: a GET works with a token, a session, or nothing at all."""
        security = operation.get("security")
        if self.method in ("GET", "HEAD") and security and {} not in security:
            security.append({})

    def _describe_answers(self, operation: dict) -> None:
        answers = operation["responses"]
        answers.setdefault("400", BAD_INPUT)
        answers.setdefault("429", THROTTLED)
        one_record = "{" in self.path
        if self.method == "GET":
            answers.update(READ_ANSWERS)
            if one_record or any(p["name"] == PAGE_PARAM for p in operation.get("parameters", [])):
                answers["404"] = NOT_FOUND
        else:
            answers.update(WRITE_ANSWERS)
        if self.method in ("POST", "PUT", "PATCH"):
            answers.update(BODY_ANSWERS)
        if self.method in ("PUT", "PATCH", "DELETE"):
            answers.update(ONE_RECORD_WRITE_ANSWERS)
            answers["404"] = NOT_FOUND
        if self.method == "DELETE":
            answers.update(DELETE_ANSWERS)
        operation["responses"] = dict(sorted(answers.items()))


class RecordSchema(ApiSchema):
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
        if isinstance(serializer, RecordSerializer) and not type(serializer).__dict__.get("__doc__"):
            schema.pop("description", None)  # RecordSerializer's own docstring is for developers, not clients
        if direction != "response" or not isinstance(serializer, RecordSerializer):
            return schema
        schema.pop("required", None)
        own_doc = type(serializer).__dict__.get("__doc__")
        schema["description"] = (
            f"{own_doc.strip()} " if own_doc else ""
        ) + "Every field is present unless `fields` names the ones wanted."
        for name in serializer.expandable:
            reference = schema["properties"].get(name)
            if reference is None:
                continue
            expanded = self.resolve_serializer(serializer.expansion(name), direction).ref
            if reference.get("type") == "array":
                items = {"anyOf": [reference["items"], expanded]}
                schema["properties"][name] = {**reference, "items": items}
            else:
                outer = {key: reference.pop(key) for key in ("nullable", "readOnly", "description") if key in reference}
                schema["properties"][name] = {"anyOf": [reference, expanded], **outer}
        return schema

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

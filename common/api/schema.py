"""The OpenAPI description of what RecordViewSet adds: lookups, fields, expand, formats and error answers."""

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from common.api import renderers
from common.api.parameters import EXPAND_PARAM, FIELDS_PARAM, FORMAT_PARAM, LIST_MAX_VALUES, LOOKUP_KWARG
from common.api.serializers import RecordSerializer

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

"""Serializer fields for related records and web addresses, and the flat columns a field gives."""

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.parameters import LOOKUP_KWARG
from common.filters import whole_number
from common.models import has_slug
from common.reversing import PLACEHOLDER, record_path

REF_KEYS = ("id", "slug", "name", "url")


@functools.cache
def detail_url_template(model, request) -> str:
    """The API address of the model's records with reversing.PLACEHOLDER for the id (see detail_url)."""
    kwarg = LOOKUP_KWARG if has_slug(model) else "pk"
    path = record_path(f"api:{model._meta.model_name}-detail", PLACEHOLDER, kwarg)
    return request.build_absolute_uri(path) if request is not None else path


def detail_url(obj, request) -> str:
    """The API address of a record, by id (the stable form even where a slug also works), without the request's
    `?format=` (DRF's reverse would carry `format=csv` into every address of a CSV)."""
    return detail_url_template(type(obj), request).replace(PLACEHOLDER, str(obj.pk), 1)


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
        if "\x00" in value:  # no slug holds one, and PostgreSQL cannot even compare it
            self.fail("does_not_exist", model=model, value=value.replace("\x00", "\N{REPLACEMENT CHARACTER}"))
        number = whole_number(value)
        lookup = {"pk": number} if number is not None else {"slug": value}
        if "slug" in lookup and not has_slug(queryset.model):
            self.fail("incorrect_type", model=model)
        try:
            return queryset.get(**lookup)
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", model=model, value=value)


@extend_schema_field({"type": "string", "format": "uri", "example": "https://example.org/api/v1/actors/1/"})
class RecordUrlField(serializers.Field):
    """The record's own API address (see detail_url)."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The record's address in the API.")
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        return detail_url(obj, self.context.get("request"))


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
                "oneOf": [
                    {"type": "integer"},
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {"id": {"oneOf": [{"type": "integer"}, {"type": "string"}]}},
                        "required": ["id"],
                        "description": "A reference as read ({id, slug, name, url}): its id is what counts.",
                    },
                ],
                "description": "The related record's id or slug, or the reference as read.",
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

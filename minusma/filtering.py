"""django-filter building blocks shared by every FilterSet, so the web lists and the API reject bad input alike.

A filter value that cannot be understood is an error that says what is allowed, never a filter quietly dropped.
"""

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class IdOrSlugChoiceField(forms.ModelChoiceField):
    """A record named by its numeric id or by its slug (the API's detail routes accept both too)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        lookup = {"pk": int(value)} if value.isdigit() else {"slug": value}
        try:
            return self.queryset.get(**lookup)
        except self.queryset.model.DoesNotExist:
            name = self.queryset.model._meta.verbose_name
            raise ValidationError(
                f"No {name} has the id or slug “{value}”. Use an id or a slug of an existing {name}.",
                code="invalid_choice",
            ) from None


@extend_schema_field(OpenApiTypes.STR)
class IdOrSlugFilter(filters.ModelChoiceFilter):
    field_class = IdOrSlugChoiceField


class ChoiceFilter(filters.ChoiceFilter):
    """A choice filter whose error lists the allowed values."""

    def __init__(self, *args, choices, **kwargs):
        allowed = ", ".join(str(value) for value, _label in choices)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"“%(value)s” is not allowed. Allowed values: {allowed}."},
        )
        super().__init__(*args, choices=choices, **kwargs)


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error rather than “no filter”."""

    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise ValidationError(f"“{value}” is not a boolean. Allowed values: true, false.", code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # django-filter's boolean widgets turn an unknown word into “no filter”; the field must see it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, any case."""

    def to_python(self, value):
        value = super().to_python(value).strip().upper()
        if value and value not in countries:
            raise ValidationError(
                f"“{value}” is not an ISO 3166-1 alpha-2 country code. Use two letters, e.g. ML for Mali.",
                code="invalid",
            )
        return value


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "ML"})
class CountryFilter(filters.CharFilter):
    field_class = CountryCodeField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField

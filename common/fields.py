"""Model fields shared by the apps."""

from django.db import models
from django.db.models.query_utils import DeferredAttribute


class _BlankIsNullAttribute(DeferredAttribute):
    """Stores a blank string as None on assignment, whoever assigns it: form, import, API, fixture or code."""

    def __set__(self, instance, value):
        if isinstance(value, str) and not value.strip():
            value = None
        instance.__dict__[self.field.attname] = value


class NullIfBlankCharField(models.CharField):
    """For an optional code that is unique when given (a Wikidata id): blank means none and is stored as NULL,
    because a unique index allows any number of NULLs but only one "" (a second blank row would be a duplicate).
    Use with null=True, blank=True, unique=True."""

    descriptor_class = _BlankIsNullAttribute

    def deconstruct(self):
        # Only assignment differs, not the column: migrations see a plain CharField (no table rebuild on SQLite).
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

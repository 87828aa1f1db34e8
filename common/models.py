"""Base models and managers every curated model shares."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import models

from common.text import refuse_control_characters, refuse_control_characters_in_text


def has_slug(model) -> bool:
    """Whether the model's records have a slug, which addresses them in pages and the API."""
    return any(field.name == "slug" for field in model._meta.concrete_fields)


class NaturalKeyManager(models.Manager):
    """Finds a record by its natural key, so fixtures refer to records by name rather than by database id.

    `lookups` are the field paths the model's natural_key() returns, in order, e.g. ("actor__slug", "name").
    """

    def __init__(self, *lookups: str):
        super().__init__()
        self.lookups = lookups or ("slug",)

    def get_by_natural_key(self, *values):
        found = _BULK_LOAD.get()
        if found is None:
            return self.get(**dict(zip(self.lookups, values, strict=True)))
        key = (self.model._meta.label, self.db, values)
        if key not in found:  # a miss is not remembered: the record may be loaded next
            record = self.get(**dict(zip(self.lookups, values, strict=True)))
            found[key] = found[(self.model._meta.label, self.db, "pk", record.pk)] = record
        return found[key]


# Set while a bulk load runs (see bulk_load()): the records found by natural key so far.
_BULK_LOAD: ContextVar[dict | None] = ContextVar("bulk_load", default=None)


@contextlib.contextmanager
def bulk_load() -> Iterator[None]:
    """Within, records found by natural key are remembered (a fixture names the same article hundreds of times), and
    models leave their constraints to the database (see validate_own_constraints). For a load that saves each row
    in a savepoint and, should the database refuse one, asks the model why (common/corpus.py)."""
    token = _BULK_LOAD.set({})
    try:
        yield
    finally:
        _BULK_LOAD.reset(token)


def attach_found_records(instance: models.Model, using: str) -> list[models.ForeignKey]:
    """In a bulk load, set on the instance the records its foreign keys point to that were found by natural key
    (resolving them), as if it had read them: its clean() reads an article's body, its natural key an actor's slug.
    Returns the foreign keys whose records were found so, which therefore exist."""
    found = _BULK_LOAD.get()
    if found is None:
        return []
    found_fields = []
    for field in instance._meta.concrete_fields:
        if field.many_to_one:
            record = found.get((field.related_model._meta.label, using, "pk", getattr(instance, field.attname)))
            if record is not None:
                if not field.is_cached(instance):
                    field.set_cached_value(instance, record)
                found_fields.append(field)
    return found_fields


def validate_own_constraints(instance: models.Model) -> None:
    """instance.validate_constraints(), for a clean() whose constraints involve fields no form shows (the admin's form
    would skip them); skipped in a bulk load, where the database checks them on save (a query each otherwise)."""
    if _BULK_LOAD.get() is None:
        instance.validate_constraints()


class TimeStamped(models.Model):
    """Abstract base of every curated model: when a row was created and last changed (sync clients use
    `modified`), and single-line text that stays on one line."""

    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Every CharField (names, titles, slugs, URLs, codes) refuses control characters, so a model gains the rule
        with each new field; TextFields (bodies, notes) keep their line breaks and tabs but refuse the rest (NUL,
        which PostgreSQL cannot store). Runs in every full_clean: admin, API, import and load_corpus."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or (exclude and field.name in exclude):
                continue
            value = field.value_from_object(self)
            refuse = (
                refuse_control_characters if isinstance(field, models.CharField) else refuse_control_characters_in_text
            )
            try:
                refuse(value if value is None else str(value))  # str(): a Country is its code
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

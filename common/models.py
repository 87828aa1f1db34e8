"""Base models and managers every curated model shares."""

from django.core.exceptions import ValidationError
from django.db import models

from common.text import refuse_control_characters, refuse_control_characters_in_text


class NaturalKeyManager(models.Manager):
    """Finds a record by its natural key, so fixtures refer to records by name rather than by database id.

    `lookups` are the field paths the model's natural_key() returns, in order, e.g. ("actor__slug", "name").
    """

    def __init__(self, *lookups: str):
        super().__init__()
        self.lookups = lookups or ("slug",)

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.lookups, values, strict=True)))


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

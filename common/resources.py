"""The import/export base every curated model's resource shares (django-import-export): rows validated like the admin
form, one import per model at a time, ids never imported, cells a spreadsheet shows rather than runs, and mistakes
told in plain words with the nearest right value."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from import_export import resources, widgets

from common import exports
from common.imports import ImportInProgress, closest, did_you_mean, lock_imports_of


class _PlainWordsWidget:
    """A cell that cannot be read is told as what was written and what is expected, not as the parser's error
    (“Value could not be parsed using defined formats.”, or decimal's “[<class 'decimal.ConversionSyntax'>]”)."""

    expected = ""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, TypeError, ArithmeticError):
            raise ValueError(f"“{value}” is not {self.expected}") from None


class DateWidget(_PlainWordsWidget, widgets.DateWidget):
    expected = "a date written year-month-day, like 2015-01-17"


class DecimalWidget(_PlainWordsWidget, widgets.DecimalWidget):
    expected = "a number, like 6300 or 18.44345"


class IntegerWidget(_PlainWordsWidget, widgets.IntegerWidget):
    expected = "a whole number, like 2455290"


class SlugWidget(widgets.ForeignKeyWidget):
    """A related record named by its slug. A slug that names nothing is a plain-words error offering the records
    whose slug or name is closest (“Kidl” → kidal (Kidal)), instead of the model's raw DoesNotExist."""

    def __init__(self, model: type[models.Model], **kwargs):
        super().__init__(model, "slug", **kwargs)
        self._candidates: dict[str, str] | None = None  # per import: a resource's fields are copied for each

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            name = self.model._meta.verbose_name
            raise ValueError(f"no {name} has the slug “{value}”{did_you_mean(self.suggestions(str(value)))}") from None

    def suggestions(self, value: str) -> list[str]:
        if self._candidates is None:
            label = next(
                (field for field in ("name", "title") if any(f.name == field for f in self.model._meta.fields)), "slug"
            )
            self._candidates = {}
            for slug, text in self.get_queryset(value, None).values_list("slug", label).iterator():
                shown = slug if text == slug else f"{slug} ({text})"
                self._candidates.setdefault(slug.lower(), shown)
                self._candidates.setdefault(text.lower(), shown)
        return closest(value, self._candidates)


class CuratedResource(resources.ModelResource):
    """Rows are validated like the admin form (full_clean) and a failed import rolls back whole.

    One import per model at a time (common.imports.lock_imports_of); ids are never imported, so the id sequence
    is never touched.
    """

    # An example row or two for the import page's sample file, by column; the tests import them.
    sample_rows: tuple[dict[str, str], ...] = ()

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DateField": DateWidget,
        "DecimalField": DecimalWidget,
        **{
            name: IntegerWidget
            for name, widget in resources.ModelResource.WIDGETS_MAP.items()
            if widget is widgets.IntegerWidget
        },
    }

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def column_names(self) -> list[str]:
        """The columns an import reads, in order: the header of the import page's template file."""
        return [field.column_name for field in self.get_import_fields()]

    def before_import(self, dataset, **kwargs) -> None:
        """A column this import does not read is a mistake to tell (its values would be dropped silently)."""
        known = self.column_names()
        unknown = [header for header in dataset.headers or [] if header and header not in known]
        if unknown:
            problems = []
            for header in unknown:
                suggestions = closest(header, {name.lower(): name for name in known})
                guess = f" (did you mean {' or '.join(suggestions)}?)" if suggestions else ""
                problems.append(f"“{header}”{guess}")
            raise ValueError(
                f"The file has columns this import does not read: {'; '.join(problems)}. "
                f"The columns are: {', '.join(known)}."
            )

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        using = self.get_db_connection_name()
        with transaction.atomic(using=using):
            try:
                lock_imports_of(self._meta.model, using)
            except ImportInProgress as refusal:
                if raise_errors:
                    raise
                result = self.get_result_class()()
                result.total_rows = len(dataset)
                result.append_base_error(self.get_error_result_class()(refusal))
                return result
            return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def init_instance(self, row=None):
        # A row naming an id that finds nothing would otherwise create a row with that id behind the sequence.
        if row and "id" in self.get_import_id_fields() and row.get("id") not in (None, ""):
            name = self._meta.model._meta.verbose_name
            raise ValidationError({"id": f"No {name} has id {row['id']}; leave id empty to add a new {name}."})
        return super().init_instance(row)

    def after_import(self, dataset, result, **kwargs):
        """Leave the id sequence alone (import-export resets it to max(id), which inside this transaction rewinds it
        under a concurrent insert: the next row then takes an id already used)."""

    def export_resource(self, instance, selected_fields=None, **kwargs) -> list:
        """A row whose cells a spreadsheet shows rather than runs, in CSV and XLSX alike (exports.spreadsheet_safe).

        Done here rather than by IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, which only drops a leading “=” (losing it)
        and turns every XLSX cell into text, numbers and empty cells (“None”) included.
        """
        values = super().export_resource(instance, selected_fields, **kwargs)
        return [exports.spreadsheet_safe(value) for value in values]

    def before_import_row(self, row, **kwargs) -> None:
        """Undo export_resource's escaping, so that an exported file imported back changes nothing."""
        for column, value in row.items():
            row[column] = exports.spreadsheet_value(value)

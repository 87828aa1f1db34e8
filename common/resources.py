"""The import/export base every curated model's resource shares (django-import-export): rows validated like the admin
form, one import per model at a time, ids never imported, and cells a spreadsheet shows rather than runs."""

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import resources

from common import exports
from common.imports import ImportInProgress, lock_imports_of


class CuratedResource(resources.ModelResource):
    """Rows are validated like the admin form (full_clean) and a failed import rolls back whole.

    One import per model at a time (common.imports.lock_imports_of); ids are never imported, so the id sequence
    is never touched.
    """

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

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

"""Spreadsheet imports (django-import-export): one at a time per model, and admin messages that tell the truth.

The resources' base (actors.resources.CuratedResource) takes the lock; the admins use CuratedImportMixin.
"""

import re
import tempfile
import time
import zlib
from pathlib import Path
from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import OperationalError, connections, models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import Result
from import_export.tmp_storages import BaseStorage

# PostgreSQL advisory locks are keyed by two int4: this namespace, then a checksum of the model's label.
_LOCK_NAMESPACE = zlib.crc32(b"common.imports") - 2**31
_FAILURE_DETAILS_SHOWN = 5


class ImportInProgress(Exception):
    """Another import of the same model holds the lock."""

    def __init__(self, model: type[models.Model]):
        super().__init__(
            f"Another import of {model._meta.verbose_name_plural} is running; nothing was imported. "
            "Try again when it has finished."
        )


def _lock_key(model: type[models.Model]) -> int:
    return zlib.crc32(model._meta.label_lower.encode()) - 2**31


def lock_imports_of(model: type[models.Model], using: str = "default") -> None:
    """Hold the import lock of `model` until the current transaction ends; ImportInProgress if another holds it.

    PostgreSQL: a transaction-level advisory lock keyed on the model, so imports of other models go ahead.
    SQLite has no advisory locks but one write lock for the whole database, which every import takes at its first
    row anyway: an empty UPDATE takes it now, so a concurrent import waits for it (up to the busy timeout) or is
    refused here with the same message, instead of failing half-way through its rows.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_imports_of() holds the lock until the transaction ends: call it inside atomic().")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, _lock_key(model)])
            (acquired,) = cursor.fetchone()
            if not acquired:
                raise ImportInProgress(model)
            return
        table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
        try:
            cursor.execute(f"UPDATE {table} SET {pk} = {pk} WHERE 1 = 0")  # noqa: S608 - quoted names, no input
        except OperationalError as error:  # "database is locked" (or "database table is locked" in shared cache)
            raise ImportInProgress(model) from error


def failure_message(result: Result) -> str:
    """What went wrong, for a curator: the refusal itself, or the first few bad rows and why."""
    reasons = [str(error.error) for error in result.base_errors]
    if reasons and not result.error_rows and not result.invalid_rows:
        return " ".join(reasons)
    for error_row in result.error_rows:
        reasons.extend(f"Row {error_row.number}: {error.error}" for error in error_row.errors)
    for invalid in result.invalid_rows:
        problems = [
            " ".join(field_messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(field_messages)}"
            for field, field_messages in invalid.error_dict.items()
        ]
        reasons.append(f"Row {invalid.number}: {'; '.join(problems)}")
    shown = reasons[:_FAILURE_DETAILS_SHOWN]
    more = f" (and {len(reasons) - len(shown)} more)" if len(reasons) > len(shown) else ""
    return f"Import failed; nothing was imported. {' '.join(shown)}{more}"


class PendingImportMissing(Exception):
    """The upload a confirm step names is not kept (any more)."""


class PendingImportStorage(BaseStorage):
    """The uploaded file kept between the preview and the confirm step, in a folder of its own.

    import-export's TempFolderStorage leaves a file for every preview that is not confirmed and reads any file in
    the temp folder the confirm form names. Here names are random and checked, a preview that offers no confirm
    deletes its file at once, and saving a new upload deletes those older than MAX_AGE_SECONDS. A shared folder,
    not a per-process cache, so the confirm may reach another worker than the preview did.
    """

    MAX_AGE_SECONDS = 24 * 3600
    _NAME = re.compile(r"[0-9a-f]{32}")

    @staticmethod
    def directory() -> Path:
        return Path(tempfile.gettempdir()) / "minusma-pending-imports"

    def save(self, data: bytes) -> None:
        directory = self.directory()
        directory.mkdir(mode=0o700, exist_ok=True)
        self._remove_expired(directory)
        self.name = uuid4().hex
        (directory / self.name).write_bytes(data)

    def read(self):
        path = self._path()
        try:
            with path.open(self.read_mode, encoding=self.encoding) as file:
                return file.read()
        except FileNotFoundError:
            raise PendingImportMissing(self.name) from None

    def remove(self) -> None:
        self._path().unlink(missing_ok=True)

    def _path(self) -> Path:
        if not self.name or not self._NAME.fullmatch(self.name):
            raise PendingImportMissing(self.name)
        return self.directory() / self.name

    def _remove_expired(self, directory: Path) -> None:
        expired_before = time.time() - self.MAX_AGE_SECONDS
        for path in directory.iterdir():
            try:
                if path.stat().st_mtime < expired_before:
                    path.unlink()
            except FileNotFoundError:
                pass  # another worker removed it first


class CuratedImportMixin(ImportExportMixin):
    """Import/export in the admin: all or nothing at the confirm step too, success only when it is one, and no
    upload kept longer than needed."""

    tmp_storage_class = PendingImportStorage
    import_formats = export_formats = [CSV, XLSX]

    def import_action(self, request: HttpRequest, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = getattr(form, "cleaned_data", {}).get("import_file") if form is not None else None
        pending_name = getattr(upload, "tmp_storage_name", None)
        if pending_name and "confirm_form" not in context:
            # Bad rows or an unreadable file: there will be no confirm step to delete the upload.
            self.tmp_storage_class(name=pending_name).remove()
        return response

    def process_import(self, request: HttpRequest, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except PendingImportMissing:
            messages.error(
                request,
                "This import's uploaded file is no longer kept (it was imported already, or the preview is more "
                "than a day old); nothing was imported. Upload the file again.",
            )
            return self._changelist_redirect()

    def get_import_data_kwargs(self, **kwargs):
        # A row that became invalid between the preview and the confirm refuses the whole import.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result: Result, request: HttpRequest):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, failure_message(result))
            return self._changelist_redirect()
        return super().process_result(result, request)

    def _changelist_redirect(self) -> HttpResponseRedirect:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(url)

"""Spreadsheet imports (django-import-export): one at a time per model, a template and a sample file to start from,
the file's format recognised, every mistake of every row told in plain words, and admin messages that tell the truth.

The resources' base (common.resources.CuratedResource) takes the lock; the admins use CuratedImportMixin.
"""

import difflib
import re
import tempfile
import time
import zlib
from pathlib import Path
from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied
from django.db import OperationalError, connections, models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from import_export.results import Result
from import_export.tmp_storages import BaseStorage

from common import exports

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


SUGGESTIONS = 3  # close matches offered for a value that names nothing


def closest(value: str, candidates: dict[str, str]) -> list[str]:
    """The values of `candidates` whose keys (lower case) are closest to `value` (difflib), best first, no repeats."""
    keys = difflib.get_close_matches(value.strip().lower(), list(candidates), n=SUGGESTIONS * 2, cutoff=0.6)
    return list(dict.fromkeys(candidates[key] for key in keys))[:SUGGESTIONS]


def did_you_mean(suggestions: list[str]) -> str:
    return f" — did you mean {' or '.join(suggestions)}?" if suggestions else ""


def row_problems(result: Result, resource=None) -> list[str]:
    """Every mistake the import found, one sentence each: the file's own first (a refusal, unknown columns), then
    each row's, every field of it: “Row 3, place: no place has the slug “Kidl” — did you mean kidal (Kidal)?”.
    Rows are counted from the first after the header. `resource`, when given, names the columns as the file does
    and offers the nearest choice for a value that is not one."""
    problems = [str(error.error) for error in result.base_errors]
    by_row: dict[int, list[tuple[str | None, str]]] = {}
    for error_row in result.error_rows:
        by_row.setdefault(error_row.number, []).extend((None, str(error.error)) for error in error_row.errors)
    columns = [field.attribute for field in resource.get_import_fields()] if resource is not None else []
    for invalid in result.invalid_rows:
        errors = getattr(invalid.error, "error_dict", None) or {NON_FIELD_ERRORS: invalid.error.error_list}
        # In the file's column order (the row's own mistakes first), as the curator reads the row.
        in_file_order = sorted(errors.items(), key=lambda item: _position(columns, item[0]))
        for field, field_errors in in_file_order:
            column = None if field == NON_FIELD_ERRORS else _column(resource, field)
            for error in field_errors:
                text = " ".join(error.messages)
                if suggestion := _choice_suggestion(resource, field, error):
                    text = text.rstrip(".") + suggestion
                by_row.setdefault(invalid.number, []).append((column, text))
    for number in sorted(by_row):
        problems.extend(
            f"Row {number}, {column}: {text}" if column else f"Row {number}: {text}" for column, text in by_row[number]
        )
    return problems


def _position(columns: list[str], field_name: str) -> int:
    if field_name == NON_FIELD_ERRORS:
        return -1
    return columns.index(field_name) if field_name in columns else len(columns)


def _column(resource, field_name: str) -> str:
    """The file's column for a model field (they differ when a resource renames one)."""
    if resource is not None:
        for field in resource.get_import_fields():
            if field.attribute == field_name:
                return field.column_name
    return field_name


def _choice_suggestion(resource, field_name: str, error) -> str:
    """“ — did you mean armed_group?” after a value that is not one of the field's choices, when one is close."""
    if resource is None or error.code != "invalid_choice" or not error.params:
        return ""
    try:
        field = resource._meta.model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return ""
    candidates = {}
    for value, label in field.flatchoices:
        candidates.setdefault(str(value).lower(), str(value))
        candidates.setdefault(str(label).lower(), str(value))
    return did_you_mean(closest(str(error.params.get("value", "")), candidates))


def failure_message(result: Result, resource=None) -> str:
    """What went wrong, for a curator: the refusal itself, or the first few problems and how many more."""
    problems = row_problems(result, resource)
    if result.base_errors and not result.error_rows and not result.invalid_rows:
        return " ".join(problems)
    shown = problems[:_FAILURE_DETAILS_SHOWN]
    more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
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
        for pending in directory.iterdir():
            try:
                if pending.stat().st_mtime < expired_before:
                    pending.unlink()
            except FileNotFoundError:
                pass  # another worker removed it first


XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive


def recognised_format(upload, formats: list) -> int | None:
    """The index in `formats` of the upload's format: by its name's extension, else by its first bytes (a ZIP
    archive is XLSX, UTF-8 text is CSV); None when neither tells."""
    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    for index, file_format in enumerate(formats):
        if extension and file_format().get_extension() == extension:
            return index
    start = upload.read(4096)
    upload.seek(0)
    by_content = XLSX if start.startswith(XLSX_MAGIC) else None
    if by_content is None:
        try:
            start.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            by_content = CSV if error.start >= len(start) - 3 else None
        else:
            by_content = CSV
    return formats.index(by_content) if by_content in formats else None


class CuratedImportForm(ImportForm):
    """The import form, whose format may be left to be recognised from the file (its name, else its content)."""

    RECOGNISE = ""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        field = self.fields["format"]
        field.required = False
        others = [choice for choice in field.choices if choice[0] != self.RECOGNISE]
        field.choices = [(self.RECOGNISE, "Recognise it from the file"), *others]
        field.help_text = "Leave it to be recognised from the file's name (.csv, .xlsx) or content."
        self.fields["import_file"].help_text = "A CSV (UTF-8) or XLSX file whose first row names the columns."

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None and cleaned.get("format") in (None, self.RECOGNISE):
            index = recognised_format(upload, self.formats)
            if index is None:
                self.add_error("format", "The file's format could not be recognised: choose it here.")
            else:
                cleaned["format"] = str(index)
        return cleaned


class CuratedImportMixin(ImportExportMixin):
    """Import/export in the admin: all or nothing at the confirm step too, success only when it is one, and no
    upload kept longer than needed."""

    tmp_storage_class = PendingImportStorage
    import_formats = export_formats = [CSV, XLSX]
    import_form_class = CuratedImportForm
    import_template_name = "admin/curated_import.html"

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        files = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_file),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/sample/",
                self.admin_site.admin_view(self.import_sample_file),
                name="{}_{}_import_sample".format(*info),
            ),
        ]
        return files + super().get_urls()  # before the admin's catch-all “<object_id>/”

    def import_template_file(self, request: HttpRequest) -> HttpResponse:
        """A CSV file with the import's header row only, to fill in."""
        return self._import_file(request, "template", with_samples=False)

    def import_sample_file(self, request: HttpRequest) -> HttpResponse:
        """The same header with an example row or two, showing how values are written."""
        return self._import_file(request, "sample", with_samples=True)

    def _import_file(self, request: HttpRequest, kind: str, *, with_samples: bool) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self._import_resource(request)
        header = resource.column_names()
        samples = resource.sample_rows if with_samples else ()
        rows = ({name: sample.get(name, "") for name in header} for sample in samples)
        response = HttpResponse("".join(exports.csv_lines(header, rows)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}-import-{kind}.csv"'
        return response

    def _import_resource(self, request: HttpRequest):
        """The model's one import resource (the curated admins have one each)."""
        return self.get_import_resource_classes(request)[0](**self.get_import_resource_kwargs(request))

    def add_data_read_fail_error_to_form(self, form, e):
        file_format = form.cleaned_data.get("format")
        title = self.get_import_formats()[int(file_format)]().get_title() if file_format not in (None, "") else ""
        form.add_error(
            "import_file",
            f"The file could not be read as {title or 'the chosen format'} ({type(e).__name__}). Check that it is a "
            "CSV file in UTF-8 or an XLSX file, and that the format above is right (or left to be recognised).",
        )

    def import_action(self, request: HttpRequest, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "opts" in context:  # the import page (not a refusal)
            opts = self.model._meta
            context["template_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template")
            context["sample_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_import_sample")
            if (result := context.get("result")) is not None:
                context["problems"] = row_problems(result, self._import_resource(request))
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
            messages.error(request, failure_message(result, self._import_resource(request)))
            return self._changelist_redirect()
        return super().process_result(result, request)

    def _changelist_redirect(self) -> HttpResponseRedirect:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(url)

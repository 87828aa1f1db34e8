"""What every curated model's admin shares: audit history, CSV export of selected rows, verbatim context, and
change forms that refuse to save over someone else's newer change."""

import datetime
from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import router, transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.template_utils import HistoricalRecordContextHelper

from common import exports
from common.verbatim import sentence_around


@admin.action(description="Export selected rows as CSV", permissions=["view"])
def export_selected_as_csv(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> StreamingHttpResponse:
    opts = modeladmin.model._meta
    fields = list(opts.concrete_fields)
    header = [field.name for field in fields]
    # The stored values (a foreign key's id), so a null is an empty cell rather than value_to_string's "None".
    rows = (
        {field.name: field.value_from_object(obj) for field in fields}
        for obj in queryset.order_by("pk").iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(exports.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{opts.model_name}-selected.csv"'
    return response


OPENED_VERSION = "opened_version"


class EditConflictForm(forms.ModelForm):
    """A change form that remembers the version of the row it was opened at (its `modified`, to the microsecond, in
    a hidden field) and refuses to save over a newer one, listing what changed meanwhile from the audit history.

    The refused form then carries the current version, so saving it again replaces the newer change on purpose,
    after the curator has seen it. A submission without the hidden field (not from the admin page) is not checked.
    """

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # The admin saves the record's own form whole even when nothing in it changed, stale values included; an
    # inline row is saved only when changed (InlineEditConflictForm).
    saved_when_unchanged = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[OPENED_VERSION].initial = current_modified(self.instance).isoformat()

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get(OPENED_VERSION)
        if not opened or self.instance.pk is None or not (self.saved_when_unchanged or self.has_changed()):
            return cleaned
        # Locked until the admin's transaction commits, so no one can save between this check and this save.
        model = type(self.instance)
        rows = model._base_manager.select_for_update().filter(pk=self.instance.pk)
        current = rows.values_list("modified", flat=True).first()
        opened_at = parse_moment(opened)
        if current is None or current == opened_at:
            return cleaned  # a row deleted meanwhile is the formset's or the view's to report
        self.data = self.data.copy()
        self.data[self.add_prefix(OPENED_VERSION)] = current.isoformat()
        raise forms.ValidationError(edit_conflict_message(self.instance, opened_at), code="edit_conflict")


class InlineEditConflictForm(EditConflictForm):
    saved_when_unchanged = False


def parse_moment(raw: str) -> datetime.datetime | None:
    """The moment in a hidden version field, or None when it is unreadable (then any version is newer)."""
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


def current_modified(record) -> datetime.datetime:
    """The row's `modified` as stored now. A revert form shows an old version of the row, but is opened at the
    current one."""
    if to_historic(record) is None:
        return record.modified
    return type(record)._base_manager.values_list("modified", flat=True).get(pk=record.pk)


def edit_conflict_message(record, opened_at: datetime.datetime | None) -> SafeString:
    """Who saved the record after `opened_at`, when, and which fields they changed from what to what."""
    saves = []
    for entry, changes in changes_since(record, opened_at):
        who = entry.history_user or "someone"
        when = timezone.localtime(entry.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
        if changes:
            what = format_html_join("; ", "{}: “{}” → “{}”", ((c["field"], c["old"], c["new"]) for c in changes))
            saves.append(format_html("{} at {} changed {}", who, when, what))
        else:
            saves.append(format_html("{} saved it at {}", who, when))
    listing = format_html_join("", "<li>{}</li>", ((save,) for save in saves))
    return format_html(
        "Someone else saved this {} after you opened this form, so your changes were not saved.{} "
        "Your values are still in the form below: compare them with these changes, then save again to replace the "
        "changes with your values.",
        record._meta.verbose_name,
        format_html("<ul>{}</ul>", listing) if saves else "",
    )


def changes_since(record, opened_at: datetime.datetime | None) -> list[tuple]:
    """Each history entry of the record saved after `opened_at`, oldest first, with its changes against the entry
    before it (as the history page shows them)."""
    if opened_at is None:
        return []
    history = record.history.select_related("history_user").order_by("history_date", "history_id")
    previous = history.filter(modified__lte=opened_at).last()
    entries = []
    for entry in history.filter(modified__gt=opened_at):
        changes = []
        if previous is not None:
            delta = entry.diff_against(previous, foreign_keys_are_objs=True)
            changes = HistoricalRecordContextHelper(type(record), entry).context_for_delta_changes(delta)
        entries.append((entry, changes))
        previous = entry
    return entries


class EditConflictAdminMixin:
    """Shows the form's hidden version field even where the admin lists its fields (fields, fieldsets)."""

    form = EditConflictForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if OPENED_VERSION in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *others = fieldsets
        return [(name, {**options, "fields": [*options["fields"], OPENED_VERSION]}), *others]


class CuratedAdmin(EditConflictAdminMixin, SimpleHistoryAdmin):
    """Base admin: history with diffs and revert (django-simple-history), CSV export of the selection, and change
    forms that refuse to overwrite a newer change (EditConflictForm)."""

    actions = [export_selected_as_csv]
    list_per_page = 50

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A revert, like a change, in one transaction: the version check holds the row until the save."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class CuratedTabularInline(EditConflictAdminMixin, admin.TabularInline):
    form = InlineEditConflictForm


class CuratedStackedInline(EditConflictAdminMixin, admin.StackedInline):
    form = InlineEditConflictForm


def verbatim_context(body: str, start: int | None, end: int | None) -> SafeString:
    """The sentence around a verified passage, with the passage marked."""
    if start is None or end is None:
        return format_html("<em>{}</em>", "Saved passages are located in the article body and shown here.")
    sentence = sentence_around(body, start, end)
    offset = body.find(sentence)
    if offset < 0:
        return format_html("<mark>{}</mark>", body[start:end])
    before, passage, after = body[offset:start], body[start:end], body[end : offset + len(sentence)]
    return format_html(
        '<span class="verified">✔ Found verbatim at characters {}–{}:</span> <q>{}<mark>{}</mark>{}</q>',
        start,
        end,
        before,
        passage,
        after,
    )


def highlighted_body(body: str, spans: Iterable[tuple[int, int, str]]) -> SafeString:
    """The body as paragraphs with each (start, end, title) span marked; overlapping spans are merged."""
    pieces: list[str] = []
    cursor = 0
    for start, end, title in sorted(spans):
        if start < cursor:
            continue
        pieces.append(escape(body[cursor:start]))
        pieces.append(f'<mark title="{escape(title)}">{escape(body[start:end])}</mark>')
        cursor = end
    pieces.append(escape(body[cursor:]))
    paragraphs = "".join(pieces).split("\n\n")
    return mark_safe("".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))  # noqa: S308 - every piece is escaped


class SourcedClaimAdminMixin:
    """For admins and inlines of SourcedClaim models: the excerpt's verified context instead of raw offsets."""

    @admin.display(description="Where it is in the article")
    def verified_context(self, claim):
        if not claim.pk:
            return "—"
        return verbatim_context(claim.source.body, claim.excerpt_start, claim.excerpt_end)


class SourcedClaimInline(SourcedClaimAdminMixin, CuratedStackedInline):
    """An inline of sourced claims: pick the article, paste the excerpt, see where it was found."""

    extra = 0
    autocomplete_fields = ["source"]
    readonly_fields = ["verified_context"]
    exclude = ["excerpt_start", "excerpt_end"]


class SourcedClaimAdmin(SourcedClaimAdminMixin, CuratedAdmin):
    """The admin of a SourcedClaim model: pick the article, paste the excerpt, see where it was found."""

    readonly_fields = ["verified_context"]
    exclude = ["excerpt_start", "excerpt_end"]

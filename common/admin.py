"""What every curated model's admin shares: audit history (word diffs, a reason given with each save), CSV export
of selected rows, verbatim context, and change forms that refuse to save over someone else's newer change."""

import datetime
from collections.abc import Iterable
from functools import cached_property

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.core.paginator import Paginator
from django.db import connections, models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.template_utils import HistoricalRecordContextHelper

from common import exports
from common.counting import estimated_rows, planned_rows
from common.filters import whole_number
from common.models import has_slug
from common.search import MAX_QUERY_LENGTH, SearchableQuerySet
from common.textdiff import word_diff
from common.timelimit import TimeLimitExceeded, time_limited
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
CHANGE_REASON = "change_reason"


class EditConflictForm(forms.ModelForm):
    """A change form that remembers the version of the row it was opened at (its `modified`, to the microsecond, in
    a hidden field) and refuses to save over a newer one, listing what changed meanwhile from the audit history.

    The refused form then carries the current version, so saving it again replaces the newer change on purpose,
    after the curator has seen it. A submission without the hidden field (not from the admin page) is not checked.
    """

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Stored as the audit history's change reason (CuratedAdmin.save_model); its length is that column's.
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Optional: why you made this change (a source, a correction). Shown in the history.",
    )
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
    change_reason = None  # an inline row is saved with the reason given on the record's own form


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


# --- Changelists at scale: no full counts, no per-row date functions, search through the indexes ------------------


class EstimatedCountPaginator(Paginator):
    """A changelist paginator that never counts a large table whole (Datasette's and django-postgres-fuzzycount's
    idea): an unfiltered list of a table with more than EXACT_UP_TO rows takes the database's estimate ("about N"),
    a filtered or searched list counts at most CAPPED_AT rows ("more than N" beyond that, and its pages stop there),
    or, on PostgreSQL when even that takes longer than COUNT_TIME_LIMIT_MS, takes the planner's estimate ("about N").
    Small tables and small selections are counted exactly, as before. `count_qualifier` says which."""

    EXACT_UP_TO = 10_000
    CAPPED_AT = 10_000
    COUNT_TIME_LIMIT_MS = 200  # PostgreSQL: a capped count slower than this gives way to the planner's estimate

    count_qualifier = ""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, models.QuerySet):
            return super().count
        if not queryset.query.where and not queryset.query.distinct:
            estimate = estimated_rows(queryset.model, queryset.db)
            if estimate is not None and estimate > self.EXACT_UP_TO:
                self.count_qualifier = "about"
                return estimate
            return queryset.count()
        capped = queryset.order_by()[: self.CAPPED_AT + 1]
        if connections[queryset.db].vendor == "postgresql":
            try:
                with time_limited(self.COUNT_TIME_LIMIT_MS, using=queryset.db):
                    counted = capped.count()
            except TimeLimitExceeded:  # a selection that is slow to count (a broad search): the planner's estimate
                self.count_qualifier = "about"
                return planned_rows(queryset)
        else:
            counted = capped.count()
        if counted > self.CAPPED_AT:
            self.count_qualifier = "more than"
            return self.CAPPED_AT
        return counted


class YearFilter(admin.SimpleListFilter):
    """The list by year of `date_from`, in place of the admin's date hierarchy: the years come from two index
    lookups (the first and last date) and a year is an indexed range, where the date hierarchy truncates the date of
    every row (on SQLite in a Python function per row)."""

    title = "year"
    parameter_name = "year"
    field_name = "date_from"

    def lookups(self, request, model_admin):
        dated = model_admin.model._default_manager.exclude(**{self.field_name: None}).values_list(
            self.field_name, flat=True
        )
        first, last = dated.order_by(self.field_name).first(), dated.order_by(f"-{self.field_name}").first()
        if first is None or last is None:
            return []
        return [(str(year), str(year)) for year in range(last.year, first.year - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        year = whole_number(value)
        if year is None or not 1 <= year <= 9998:
            raise IncorrectLookupParameters(f"“{value}” is not a year.")  # the admin's “?e=1” redirect, not a 500
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class EngineSearchAdminMixin:
    """The changelist's search box through the search engine (common/search.py) and its indexes, instead of the
    admin's `icontains` on every search field joined together (a scan of every row, and of every related row).

    A row matches when its model's own search finds it (if its QuerySet is searchable), when a record it points to
    through one of `search_through` is found by that model's search (an incident actor by its incident or actor),
    when one of `search_text_fields` contains the text (trigram-indexed on PostgreSQL), or when its slug is the text.
    Each is answered by an index (a related record's by a subquery), never by a join. `search_fields` still names
    what the box looks at (and shows it); the autocomplete widgets keep the admin's own matching, which finds words
    as they are typed.
    """

    search_through: tuple[str, ...] = ()
    search_text_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            return super().get_search_results(request, queryset, search_term)
        text = " ".join(search_term.split())[:MAX_QUERY_LENGTH]
        if not text:
            return queryset, False
        return queryset.filter(self.search_condition(text)), False

    def search_condition(self, text: str) -> Q:
        """What the text finds, as one condition: the search engine's own (whose parts its indexes answer), or a
        related record it finds, or a text field holding it, or the slug. A condition rather than a UNION of ids, so
        that a page of a broad search walks the list's order and stops at the page (a UNION would first collect the
        100,000 incidents that mention Kidal)."""
        model = self.model
        own = model._default_manager.all()
        condition = own.matching(text) if isinstance(own, SearchableQuerySet) else Q()
        for relation in self.search_through:
            # EXISTS, row by row through the related table's primary key, as the page walks its order: an IN list of
            # every incident the text finds would be scanned whole for each row (PostgreSQL cannot hash 100,000 ids
            # in work_mem), 3.4 s for “Kidal” at a million.
            field = model._meta.get_field(relation)
            related = field.related_model._default_manager.all()
            condition |= Exists(related.filter(related.matching(text), pk=OuterRef(field.attname)))
        for name in self.search_text_fields:
            condition |= Q(**{f"{name}__icontains": text})
        if has_slug(model):
            condition |= Q(slug=text)
        return condition


class HistoryDiffContextHelper(HistoricalRecordContextHelper):
    """Each change of a history entry as the field's whole new value with what changed marked word by word (<del>,
    <ins>), rather than simple-history's old and new values cut to 100 characters around the first difference."""

    def context_for_delta_changes(self, delta) -> list[dict]:
        changes = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            old = self.as_text(field, self.prepare_delta_change_value(change, change.old))
            new = self.as_text(field, self.prepare_delta_change_value(change, change.new))
            changes.append({"field": capfirst(field.verbose_name), "diff": word_diff(old, new)})
        return changes

    @staticmethod
    def as_text(field, value) -> str:
        """A value as the curator sees it on the form: nothing for an empty one (never “None”), a choice's label,
        a list's items one after the other."""
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)


class CuratedAdmin(EditConflictAdminMixin, SimpleHistoryAdmin):
    """Base admin: history with word diffs, change reasons and revert (django-simple-history), CSV export of the
    selection, change forms that refuse to overwrite a newer change (EditConflictForm), and changelists that never
    count a large table whole (EstimatedCountPaginator)."""

    actions = [export_selected_as_csv]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    object_history_template = "admin/curated_object_history.html"
    object_history_list_template = "admin/curated_object_history_list.html"

    def get_fieldsets(self, request, obj=None):
        """The optional reason for the change in a fieldset of its own, last, for whoever may save the form (an admin
        without listed fields would otherwise show it among the record's own, as a form field)."""
        fieldsets = [
            (name, {**options, "fields": [field for field in options["fields"] if field != CHANGE_REASON]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        may_save = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not may_save:
            return fieldsets
        return [*fieldsets, (None, {"fields": [CHANGE_REASON], "classes": ["change-reason"]})]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get(CHANGE_REASON)
        if reason:
            obj._change_reason = reason  # read by simple-history when it records this save
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Inline rows saved (or deleted) with the record carry the same reason in their own history."""
        reason = form.cleaned_data.get(CHANGE_REASON)
        if reason:
            for inline_form in formset.forms:
                inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryDiffContextHelper(self.model, historical_record)

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

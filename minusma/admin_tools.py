"""What every curated model's admin shares: audit history, CSV export of selected rows, verbatim context."""

from collections.abc import Iterable

from django.contrib import admin
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from simple_history.admin import SimpleHistoryAdmin

from articles.verbatim import sentence_around
from minusma import exports


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


class CuratedAdmin(SimpleHistoryAdmin):
    """Base admin: history with diffs and revert (django-simple-history) and CSV export of the selection."""

    actions = [export_selected_as_csv]
    list_per_page = 50


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


class SourcedClaimInline(SourcedClaimAdminMixin, admin.StackedInline):
    """An inline of sourced claims: pick the article, paste the excerpt, see where it was found."""

    extra = 0
    autocomplete_fields = ["source"]
    readonly_fields = ["verified_context"]
    exclude = ["excerpt_start", "excerpt_end"]

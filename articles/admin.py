from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator

from common.admin import (
    CuratedAdmin,
    CuratedTabularInline,
    EditConflictForm,
    EngineSearchAdminMixin,
    SourcedClaimAdmin,
    YearFilter,
    highlighted_body,
    verbatim_context,
)

from .intake.admin_views import intake_view
from .intake.documents import text_from_upload
from .models import ActorMention, Article, ExternalSource, IntakeReview, Outlet, PlaceMention, Quote


@admin.register(Outlet)
class OutletAdmin(CuratedAdmin):
    list_display = ["name", "kind", "country", "acled_source_scale"]
    list_filter = ["kind", "acled_source_scale"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ExternalSource)
class ExternalSourceAdmin(CuratedAdmin):
    list_display = ["title", "publisher", "published", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "slug", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}


# The quote pages' link back to the article they were opened from, after a plain “Save”.
RETURN_TO_ARTICLE = "return_to_article"
# Characters of a quote and of its speaker's role in the article's table; the whole of both is on the quote's page.
QUOTE_WORDS_SHOWN = 140
ROLE_SHOWN = 60


class QuoteTableInline(CuratedTabularInline):
    """The article's quotes as a compact table, one line each (who, the words shortened, the role, where they were
    found), each opening on its own page to be edited. Stacked quote forms made a long article's page 18,000 px tall.

    New quotes are added on the quote's own page (the table's “Add a quote” link), so the table has no add row;
    editors may still delete quotes here."""

    model = Quote
    extra = 0
    fields = ["said_by", "words", "role", "found_at"]
    readonly_fields = fields
    template = "admin/articles/article/quote_table.html"
    verbose_name = "quote"
    verbose_name_plural = "quotes"

    class Media:
        css = {"all": ["common/curated-admin.css"]}

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")

    @admin.display(description="Speaker")
    def said_by(self, quote: Quote):
        if quote.speaker_id:
            return quote.speaker.name
        return format_html("<i>unnamed:</i> {}", quote.speaker_description)

    @admin.display(description="Quoted words (open one to edit it)")
    def words(self, quote: Quote):
        url = reverse("admin:articles_quote_change", args=[quote.pk])
        return format_html(
            '<a href="{}?{}=1">{}</a>', url, RETURN_TO_ARTICLE, Truncator(quote.text).chars(QUOTE_WORDS_SHOWN)
        )

    @admin.display(description="Speaker's role")
    def role(self, quote: Quote):
        return Truncator(quote.speaker_role).chars(ROLE_SHOWN)

    @admin.display(description="Found at characters")
    def found_at(self, quote: Quote):
        if quote.text_start is None or quote.text_end is None:
            return "not located"
        return format_html('<span class="verified">✔ {}–{}</span>', quote.text_start, quote.text_end)


class ArticleForm(EditConflictForm):
    """The article's form, which also takes the body as an uploaded file (.txt, .html or .docx) instead of pasted."""

    upload = forms.FileField(
        required=False,
        label="Or upload the text",
        help_text="A .txt, .html (the page's navigation, ads and comments are left out) or .docx file; it fills "
        "the body. Check the result before saving.",
    )

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].required = False

    def clean_body(self) -> str:
        """The body with the line ends it is stored with: a browser sends a textarea's lines ended by CR LF, which
        would move every passage cited after the first line break (and be refused as breaking the citations)."""
        return self.cleaned_data.get("body", "").replace("\r\n", "\n").replace("\r", "\n")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload and cleaned.get("body", "").strip():
            self.add_error("upload", "Paste the text or upload a file, not both.")
        elif upload:
            try:
                cleaned["body"] = text_from_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
            else:
                self.instance.body = cleaned["body"]
        elif not cleaned.get("body", "").strip():
            self.add_error("body", "Paste the article's text, or upload it as a file.")
        return cleaned


@admin.register(Article)
class ArticleAdmin(EngineSearchAdminMixin, CuratedAdmin):
    list_display = ["title", "outlet", "date_from", "date_precision", "word_count", "title_inferred"]
    list_filter = [YearFilter, "outlet", "date_precision", "title_inferred", "language"]
    list_select_related = ["outlet"]
    search_fields = ["title", "slug", "body"]
    autocomplete_fields = ["outlet", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["word_count", "created", "modified", "body_with_quotes", "intake_link"]
    inlines = [QuoteTableInline]
    form = ArticleForm
    fieldsets = [
        (None, {"fields": ["title", "title_inferred", "subtitle", "slug", "outlet", "authors", "url", "language"]}),
        (
            "Publication date",
            {"fields": ["date_as_written", "date_from", "date_to", "date_precision", "date_reasoning"]},
        ),
        ("Text", {"fields": ["body", "upload", "intake_link", "word_count"]}),
        # Folded: the whole body again, as long as the text itself.
        ("The quotes in the body", {"classes": ["collapse"], "fields": ["body_with_quotes"]}),
        ("Provenance", {"fields": ["seed_file", "attribution_note", "created", "modified"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("outlet")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The quote table's “Add a quote” link: the quote's add page with this article filled in."""
        context = dict(extra_context or {})
        if self.admin_site.is_registered(Quote) and self.admin_site.get_model_admin(Quote).has_add_permission(request):
            query = urlencode({"article": unquote(object_id), RETURN_TO_ARTICLE: 1})
            context["add_quote_url"] = f"{reverse('admin:articles_quote_add')}?{query}"
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        intake = path(
            "<path:object_id>/intake/",
            self.admin_site.admin_view(self.intake),
            name="articles_article_intake",
        )
        return [intake, *super().get_urls()]

    def intake(self, request, object_id):
        """Review the suggestions found in the article's body (articles/intake/)."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        return intake_view(self, request, article)

    def response_add(self, request, obj, post_url_continue=None):
        """After adding an article, go straight to its suggestions unless asked otherwise."""
        response = super().response_add(request, obj, post_url_continue)
        if {"_continue", "_addanother", "_popup", "_saveasnew"} & set(request.POST):
            return response
        return HttpResponseRedirect(reverse("admin:articles_article_intake", args=[obj.pk]))

    @admin.display(description="Intake")
    def intake_link(self, article: Article):
        if not article.pk:
            return "Save the article to see the quotes, names, dates, numbers and incidents found in it."
        return format_html(
            '<a href="{}">Review the suggestions found in the body</a>',
            reverse("admin:articles_article_intake", args=[article.pk]),
        )

    @admin.display(description="Body with its quotes highlighted")
    def body_with_quotes(self, article: Article):
        if not article.pk:
            return "—"
        spans = [
            (quote.text_start, quote.text_end, str(quote.speaker or quote.speaker_description))
            for quote in article.quotes.select_related("speaker")
        ]
        return highlighted_body(article.body, spans)


@admin.register(Quote)
class QuoteAdmin(EngineSearchAdminMixin, CuratedAdmin):
    list_display = ["__str__", "speaker", "speaker_role", "article"]
    list_select_related = ["speaker", "article"]
    list_filter = ["article__outlet", "speaker__kind"]
    ordering = ["-article_id", "text_start"]  # the model's order joins and sorts every article
    search_fields = ["text", "speaker__name", "speaker_description", "speaker__aliases__name"]
    autocomplete_fields = ["article", "speaker"]
    readonly_fields = ["verified_context", "text_start", "text_end"]
    fields = ["article", "speaker", "speaker_description", "speaker_role", "text", "verified_context"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "speaker")

    @admin.display(description="Where it is in the article")
    def verified_context(self, quote: Quote):
        return verbatim_context(quote.article.body, quote.text_start, quote.text_end) if quote.pk else "—"

    def response_post_save_add(self, request, obj):
        return self._back_to_article(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_article(request, obj) or super().response_post_save_change(request, obj)

    def _back_to_article(self, request, quote: Quote) -> HttpResponseRedirect | None:
        """A quote opened from its article's table goes back to the article after a plain “Save”."""
        if RETURN_TO_ARTICLE not in request.GET:
            return None
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[quote.article_id]))


@admin.register(ActorMention)
class ActorMentionAdmin(SourcedClaimAdmin):
    list_display = ["actor", "source", "excerpt"]
    list_select_related = ["actor", "source"]
    search_fields = ["actor__name", "excerpt"]
    autocomplete_fields = ["actor", "source"]


@admin.register(PlaceMention)
class PlaceMentionAdmin(SourcedClaimAdmin):
    list_display = ["place", "source", "excerpt"]
    list_select_related = ["place", "source"]
    search_fields = ["place__name", "excerpt"]
    autocomplete_fields = ["place", "source"]


@admin.register(IntakeReview)
class IntakeReviewAdmin(admin.ModelAdmin):
    """The decisions taken on intake suggestions, to look up who accepted or dismissed what. Made on the intake
    page only; deleting one makes its suggestion pending again (the record an acceptance created stays)."""

    list_display = ["article", "kind", "text", "decision", "decided_by", "modified"]
    list_filter = ["decision", "kind"]
    list_select_related = ["article", "decided_by"]
    search_fields = ["text", "article__title"]
    readonly_fields = [field.name for field in IntakeReview._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

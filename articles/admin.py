from django.contrib import admin

from common.admin import (
    CuratedAdmin,
    CuratedStackedInline,
    EngineSearchAdminMixin,
    YearFilter,
    highlighted_body,
    verbatim_context,
)

from .models import Article, Outlet, Quote


@admin.register(Outlet)
class OutletAdmin(CuratedAdmin):
    list_display = ["name", "kind", "country", "acled_source_scale"]
    list_filter = ["kind", "acled_source_scale"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class QuoteInline(CuratedStackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["speaker"]
    readonly_fields = ["verified_context"]
    fields = ["speaker", "speaker_description", "speaker_role", "text", "verified_context"]

    @admin.display(description="Where it is in the article")
    def verified_context(self, quote: Quote):
        return verbatim_context(quote.article.body, quote.text_start, quote.text_end) if quote.pk else "—"


@admin.register(Article)
class ArticleAdmin(EngineSearchAdminMixin, CuratedAdmin):
    list_display = ["title", "outlet", "date_from", "date_precision", "word_count", "title_inferred"]
    list_filter = [YearFilter, "outlet", "date_precision", "title_inferred", "language"]
    list_select_related = ["outlet"]
    search_fields = ["title", "slug", "body"]
    autocomplete_fields = ["outlet", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["word_count", "created", "modified", "body_with_quotes"]
    inlines = [QuoteInline]
    fieldsets = [
        (None, {"fields": ["title", "title_inferred", "subtitle", "slug", "outlet", "authors", "url", "language"]}),
        (
            "Publication date",
            {"fields": ["date_as_written", "date_from", "date_to", "date_precision", "date_reasoning"]},
        ),
        ("Text", {"fields": ["body", "body_with_quotes", "word_count"]}),
        ("Provenance", {"fields": ["seed_file", "attribution_note", "created", "modified"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("outlet")

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

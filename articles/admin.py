from django.contrib import admin

from .models import Article, Outlet, Quote


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "acled_source_scale"]
    list_filter = ["kind", "acled_source_scale"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["speaker"]
    readonly_fields = ["text_start", "text_end"]
    fields = ["speaker", "speaker_description", "speaker_role", "text", "text_start", "text_end"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "date_from", "date_precision", "word_count", "title_inferred"]
    list_filter = ["outlet", "date_precision", "title_inferred", "language"]
    list_select_related = ["outlet"]
    search_fields = ["title", "slug", "body"]
    autocomplete_fields = ["outlet", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date_from"
    readonly_fields = ["word_count", "created", "modified"]
    inlines = [QuoteInline]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "speaker_role", "article"]
    list_select_related = ["speaker", "article"]
    list_filter = ["article__outlet"]
    search_fields = ["text", "speaker__name", "speaker_description", "speaker__aliases__name"]
    autocomplete_fields = ["article", "speaker"]
    readonly_fields = ["text_start", "text_end"]

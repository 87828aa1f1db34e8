from django.contrib import admin

from .models import Casualty, Figure, Incident, IncidentActor, IncidentSource, Place, PlaceAlias


class PlaceAliasInline(admin.TabularInline):
    model = PlaceAlias
    extra = 0


class ChildPlaceInline(admin.TabularInline):
    model = Place
    fk_name = "parent"
    extra = 0
    fields = ["name", "slug", "kind", "latitude", "longitude"]
    show_change_link = True


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "country", "latitude", "longitude", "geonames_id"]
    list_filter = ["kind", "country", "geo_precision"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "aliases__name"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceAliasInline, ChildPlaceInline]


@admin.register(PlaceAlias)
class PlaceAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place"]
    list_select_related = ["place"]
    search_fields = ["name", "place__name"]
    autocomplete_fields = ["place"]


class IncidentActorInline(admin.TabularInline):
    model = IncidentActor
    extra = 0
    autocomplete_fields = ["actor"]


class IncidentSourceInline(admin.StackedInline):
    model = IncidentSource
    extra = 0
    autocomplete_fields = ["source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


class CasualtyInline(admin.StackedInline):
    model = Casualty
    extra = 0
    autocomplete_fields = ["source", "contingent", "armed_actor"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "date_from", "date_precision", "incident_type", "acled_event_type", "place", "in_mali"]
    list_filter = ["incident_type", "acled_disorder_type", "acled_event_type", "in_mali", "date_precision"]
    list_select_related = ["place"]
    search_fields = ["title", "slug", "description", "place__name"]
    autocomplete_fields = ["place"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date_from"
    inlines = [IncidentActorInline, IncidentSourceInline, CasualtyInline]


@admin.register(IncidentActor)
class IncidentActorAdmin(admin.ModelAdmin):
    list_display = ["incident", "actor", "role", "confidence"]
    list_filter = ["role", "confidence"]
    list_select_related = ["incident", "actor"]
    search_fields = ["incident__title", "actor__name"]
    autocomplete_fields = ["incident", "actor"]


@admin.register(IncidentSource)
class IncidentSourceAdmin(admin.ModelAdmin):
    list_display = ["incident", "source", "excerpt"]
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "excerpt"]
    autocomplete_fields = ["incident", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Casualty)
class CasualtyAdmin(admin.ModelAdmin):
    list_display = ["incident", "category", "outcome", "low", "best", "high", "nationality", "source"]
    list_filter = ["category", "outcome"]
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "excerpt"]
    autocomplete_fields = ["incident", "source", "contingent", "armed_actor"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ["quantity", "qualifier", "value", "unit", "subject", "date_from", "date_to", "source"]
    list_filter = ["quantity", "scope", "qualifier"]
    list_select_related = ["subject", "source"]
    search_fields = ["excerpt", "subject__name", "note"]
    autocomplete_fields = ["subject", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]
    date_hierarchy = "date_from"

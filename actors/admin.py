from django.contrib import admin

from .models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Contingent,
    ContingentSource,
    Position,
    StrengthObservation,
)

SOURCE_FIELDS = ["source", "excerpt", "excerpt_start", "excerpt_end"]


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 0


class PositionInline(admin.StackedInline):
    model = Position
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["organisation", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


class RelationInline(admin.StackedInline):
    model = ActorRelation
    fk_name = "subject"
    extra = 0
    autocomplete_fields = ["object", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "acled_actor_type", "wikidata_id"]
    list_filter = ["kind", "acled_actor_type", "country"]
    search_fields = ["name", "slug", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline, RelationInline, PositionInline]


@admin.register(ActorAlias)
class ActorAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "actor"]
    list_filter = ["kind"]
    list_select_related = ["actor"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(ActorRelation)
class ActorRelationAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "object", "certainty", "date_from", "source"]
    list_filter = ["kind", "certainty"]
    list_select_related = ["subject", "object", "source"]
    search_fields = ["subject__name", "object__name", "excerpt"]
    autocomplete_fields = ["subject", "object", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organisation", "date_from", "date_to", "source"]
    list_select_related = ["person", "organisation", "source"]
    search_fields = ["person__name", "title", "organisation__name"]
    autocomplete_fields = ["person", "organisation", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


class ContingentSourceInline(admin.StackedInline):
    model = ContingentSource
    extra = 0
    autocomplete_fields = ["source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


class StrengthObservationInline(admin.StackedInline):
    model = StrengthObservation
    extra = 0
    autocomplete_fields = ["source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(Contingent)
class ContingentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "country", "personnel_type", "capability", "base", "status", "date_from"]
    list_filter = ["status", "personnel_type", "capability", "country"]
    list_select_related = ["base", "mission", "contributor"]
    search_fields = ["slug", "unit_name", "contributor__name", "base__name"]
    autocomplete_fields = ["contributor", "mission", "base"]
    date_hierarchy = "date_from"
    inlines = [ContingentSourceInline, StrengthObservationInline]


@admin.register(StrengthObservation)
class StrengthObservationAdmin(admin.ModelAdmin):
    list_display = ["contingent", "qualifier", "personnel", "unit_of_count", "basis", "date_from", "source"]
    list_filter = ["basis", "qualifier"]
    list_select_related = ["contingent__base", "source"]
    search_fields = ["contingent__slug", "excerpt"]
    autocomplete_fields = ["contingent", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]


@admin.register(ContingentSource)
class ContingentSourceAdmin(admin.ModelAdmin):
    list_display = ["contingent", "source", "excerpt"]
    list_select_related = ["contingent__base", "source"]
    search_fields = ["contingent__slug", "excerpt"]
    autocomplete_fields = ["contingent", "source"]
    readonly_fields = ["excerpt_start", "excerpt_end"]

from django.contrib import admin

from common.admin import (
    CuratedAdmin,
    CuratedStackedInline,
    CuratedTabularInline,
    EditConflictForm,
    EngineSearchAdminMixin,
    SourcedClaimAdmin,
    SourcedClaimInline,
    YearFilter,
)
from common.forms import DuplicateWarningForm
from common.imports import CuratedImportMixin

from .models import (
    CASUALTY_TOTAL_FIELDS,
    Casualty,
    Figure,
    Incident,
    IncidentActor,
    IncidentExternalDate,
    IncidentSource,
    Place,
    PlaceAlias,
)
from .resources import FigureResource, IncidentResource, PlaceResource


class PlaceAliasInline(CuratedTabularInline):
    model = PlaceAlias
    extra = 0


class ChildPlaceInline(CuratedTabularInline):
    model = Place
    fk_name = "parent"
    extra = 0
    fields = ["name", "slug", "kind", "latitude", "longitude", "coordinates_note"]
    show_change_link = True


class PlaceForm(EditConflictForm, DuplicateWarningForm):
    class Meta:
        model = Place
        fields = "__all__"


@admin.register(Place)
class PlaceAdmin(CuratedImportMixin, CuratedAdmin):
    form = PlaceForm
    resource_classes = [PlaceResource]
    list_display = ["name", "kind", "parent", "country", "latitude", "longitude", "geonames_id"]
    list_filter = ["kind", "country", "geo_precision"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "aliases__name"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceAliasInline, ChildPlaceInline]


@admin.register(PlaceAlias)
class PlaceAliasAdmin(CuratedAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    list_select_related = ["place"]
    search_fields = ["name", "place__name"]
    autocomplete_fields = ["place"]


class IncidentActorInline(CuratedTabularInline):
    model = IncidentActor
    extra = 0
    autocomplete_fields = ["actor"]


class IncidentSourceInline(SourcedClaimInline):
    model = IncidentSource


class IncidentExternalDateInline(CuratedStackedInline):
    """Only when no cited article gives the date: the outside source it is taken from, and why."""

    model = IncidentExternalDate
    extra = 0
    max_num = 1
    autocomplete_fields = ["source"]
    verbose_name_plural = "Date from outside the articles (only when no cited article gives it)"


class CasualtyInline(SourcedClaimInline):
    model = Casualty
    autocomplete_fields = ["source", "contingent", "armed_actor"]


@admin.register(Incident)
class IncidentAdmin(EngineSearchAdminMixin, CuratedImportMixin, CuratedAdmin):
    resource_classes = [IncidentResource]
    list_display = ["title", "date_from", "date_precision", "incident_type", "acled_event_type", "place", "in_mali"]
    list_filter = [YearFilter, "incident_type", "acled_disorder_type", "acled_event_type", "in_mali", "date_precision"]
    list_select_related = ["place"]
    search_fields = ["title", "slug", "description", "place__name"]
    autocomplete_fields = ["place"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [IncidentActorInline, IncidentSourceInline, IncidentExternalDateInline, CasualtyInline]
    # Derived from the casualty rows below (and kept in step when they are saved): shown, never edited.
    readonly_fields = CASUALTY_TOTAL_FIELDS


@admin.register(IncidentActor)
class IncidentActorAdmin(EngineSearchAdminMixin, CuratedAdmin):
    list_display = ["incident", "actor", "role", "confidence"]
    list_filter = ["role", "confidence"]
    list_select_related = ["incident", "actor"]
    search_fields = ["incident__title", "actor__name", "actor__aliases__name"]
    search_through = ("incident", "actor")
    ordering = ["-incident_id", "role", "actor_id"]  # the model's order joins and sorts every incident
    autocomplete_fields = ["incident", "actor"]


@admin.register(IncidentSource)
class IncidentSourceAdmin(EngineSearchAdminMixin, SourcedClaimAdmin):
    list_display = ["incident", "source", "excerpt"]
    list_filter = ["source__outlet"]  # by article would list every article (36,000 at a million incidents)
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "excerpt"]
    search_through = ("incident",)
    search_text_fields = ("excerpt",)
    ordering = ["-incident_id", "source_id", "excerpt_start"]  # the model's order joins and sorts every incident
    autocomplete_fields = ["incident", "source"]


@admin.register(IncidentExternalDate)
class IncidentExternalDateAdmin(CuratedAdmin):
    list_display = ["incident", "source", "reasoning"]
    list_filter = ["source__publisher"]
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "source__title", "reasoning"]
    autocomplete_fields = ["incident", "source"]


@admin.register(Casualty)
class CasualtyAdmin(EngineSearchAdminMixin, SourcedClaimAdmin):
    list_display = ["incident", "category", "outcome", "low", "best", "high", "nationality_name", "source"]
    list_filter = ["category", "outcome", "nationality"]
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "excerpt"]
    search_through = ("incident",)
    search_text_fields = ("excerpt",)
    ordering = ["-incident_id", "category", "outcome"]  # the model's order joins and sorts every incident

    @admin.display(description="nationality", ordering="nationality")
    def nationality_name(self, casualty: Casualty) -> str:
        """The country's name, read directly: the admin's display of a choice field walks all 250 countries a row."""
        return casualty.nationality.name or "-"

    autocomplete_fields = ["incident", "source", "contingent", "armed_actor"]


@admin.register(Figure)
class FigureAdmin(CuratedImportMixin, SourcedClaimAdmin):
    resource_classes = [FigureResource]
    list_display = ["quantity", "qualifier", "value", "unit", "subject", "date_from", "date_to", "source"]
    list_filter = ["quantity", "scope", "qualifier"]
    list_select_related = ["subject", "source"]
    search_fields = ["excerpt", "subject__name", "note"]
    autocomplete_fields = ["subject", "source"]
    date_hierarchy = "date_from"

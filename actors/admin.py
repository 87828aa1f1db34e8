from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from common.admin import (
    CuratedAdmin,
    CuratedTabularInline,
    EditConflictForm,
    EngineSearchAdminMixin,
    SourcedClaimAdmin,
    SourcedClaimInline,
)
from common.forms import DuplicateWarningForm
from common.imports import CuratedImportMixin

from .models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Contingent,
    ContingentSource,
    Position,
    StrengthObservation,
)
from .resources import ActorResource, ContingentResource
from .services import actor_merge


class ActorAliasInline(CuratedTabularInline):
    model = ActorAlias
    extra = 0


class PositionInline(SourcedClaimInline):
    model = Position
    fk_name = "person"
    autocomplete_fields = ["organisation", "source"]


class RelationInline(SourcedClaimInline):
    model = ActorRelation
    fk_name = "subject"
    autocomplete_fields = ["object", "source"]


class ActorForm(EditConflictForm, DuplicateWarningForm):
    class Meta:
        model = Actor
        fields = "__all__"


@admin.action(description="Merge two selected actors", permissions=["delete"])
def merge_actors(modeladmin: "ActorAdmin", request, queryset):
    """First a page asking which of the two actors to keep, then (posted back with `survivor`) the merge."""
    actors = list(queryset.order_by("pk"))
    if len(actors) != 2:
        modeladmin.message_user(request, "Select exactly two actors to merge.", messages.ERROR)
        return None
    if request.POST.get("survivor"):
        return _merge_into_survivor(modeladmin, request, actors)
    return _merge_confirmation(modeladmin, request, actors)


def _merge_into_survivor(modeladmin: "ActorAdmin", request, actors: list[Actor]):
    survivor = next((actor for actor in actors if str(actor.pk) == request.POST["survivor"]), None)
    if survivor is None:
        modeladmin.message_user(request, "Choose which of the two actors to keep.", messages.ERROR)
        return None
    duplicate = actors[1] if survivor is actors[0] else actors[0]
    name = duplicate.name
    actor_merge(survivor=survivor, duplicate=duplicate)
    modeladmin.message_user(request, f"Merged “{name}” into “{survivor.name}”.", messages.SUCCESS)
    return HttpResponseRedirect(request.get_full_path())


def _merge_confirmation(modeladmin: "ActorAdmin", request, actors: list[Actor]) -> TemplateResponse:
    """The two actors side by side, with how many quotes and aliases each has, to choose the one to keep."""
    counted = Actor.objects.filter(pk__in=[a.pk for a in actors]).annotate(
        quote_count=Count("quotes", distinct=True), alias_count=Count("aliases", distinct=True)
    )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Merge two actors",
        "actors": counted.order_by("pk"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/actors/actor/merge_confirmation.html", context)


@admin.register(Actor)
class ActorAdmin(EngineSearchAdminMixin, CuratedImportMixin, CuratedAdmin):
    form = ActorForm
    resource_classes = [ActorResource]
    list_display = ["name", "kind", "country", "acled_actor_type", "wikidata_id"]
    list_filter = ["kind", "acled_actor_type", "country"]
    search_fields = ["name", "slug", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline, RelationInline, PositionInline]
    actions = [*CuratedAdmin.actions, merge_actors]


@admin.register(ActorAlias)
class ActorAliasAdmin(CuratedAdmin):
    list_display = ["name", "kind", "actor"]
    list_filter = ["kind"]
    list_select_related = ["actor"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(ActorRelation)
class ActorRelationAdmin(SourcedClaimAdmin):
    list_display = ["subject", "kind", "object", "certainty", "date_from", "source"]
    list_filter = ["kind", "certainty", "source"]
    date_hierarchy = "date_from"
    list_select_related = ["subject", "object", "source"]
    search_fields = ["subject__name", "object__name", "excerpt"]
    autocomplete_fields = ["subject", "object", "source"]


@admin.register(Position)
class PositionAdmin(SourcedClaimAdmin):
    list_display = ["person", "title", "organisation", "date_from", "date_to", "source"]
    list_filter = ["certainty", "source"]
    date_hierarchy = "date_from"
    list_select_related = ["person", "organisation", "source"]
    search_fields = ["person__name", "title", "organisation__name"]
    autocomplete_fields = ["person", "organisation", "source"]


class ContingentSourceInline(SourcedClaimInline):
    model = ContingentSource


class StrengthObservationInline(SourcedClaimInline):
    model = StrengthObservation


@admin.register(Contingent)
class ContingentAdmin(CuratedImportMixin, CuratedAdmin):
    resource_classes = [ContingentResource]
    list_display = ["__str__", "country", "personnel_type", "capability", "base", "status", "date_from"]
    list_filter = ["status", "personnel_type", "capability", "country"]
    list_select_related = ["base", "mission", "contributor"]
    search_fields = ["slug", "unit_name", "contributor__name", "base__name"]
    autocomplete_fields = ["contributor", "mission", "base"]
    date_hierarchy = "date_from"
    inlines = [ContingentSourceInline, StrengthObservationInline]


@admin.register(StrengthObservation)
class StrengthObservationAdmin(SourcedClaimAdmin):
    list_display = ["contingent", "qualifier", "personnel", "unit_of_count", "basis", "date_from", "source"]
    list_filter = ["basis", "qualifier", "contingent__country"]
    date_hierarchy = "date_from"
    list_select_related = ["contingent__base", "source"]
    search_fields = ["contingent__slug", "excerpt"]
    autocomplete_fields = ["contingent", "source"]


@admin.register(ContingentSource)
class ContingentSourceAdmin(SourcedClaimAdmin):
    list_display = ["contingent", "source", "excerpt"]
    list_filter = ["source"]
    list_select_related = ["contingent__base", "source"]
    search_fields = ["contingent__slug", "excerpt"]
    autocomplete_fields = ["contingent", "source"]

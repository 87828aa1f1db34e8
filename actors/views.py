from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles.models import Article, Quote
from common.listing import Column, Facet, RecordListView
from events.models import Figure, Incident

from .api import ActorViewSet, ContingentViewSet
from .filters import ActorFilter, ContingentFilter
from .models import Actor, Contingent


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything the database holds about an actor, each item linked to its record and source: what it took part
    in, what its people suffered, its contingents and their strength, what it said and the positions held."""
    actor = get_object_or_404(Actor.objects.for_detail().with_positions_held_in(), slug=slug)
    incidents = Incident.objects.for_list().order_by("-date_from", "title")
    context = {
        "actor": actor,
        "quotes": Quote.objects.for_list().by_speaker(actor).order_by("-article__date_from", "text_start"),
        "incidents": incidents.involving(actor),
        "incidents_suffered": incidents.with_victims_of(actor),
        "articles": Article.objects.for_list().mentioning_actor(actor),
        "figures": Figure.objects.for_list().filter(subject=actor).order_by("quantity", "date_from"),
        "contingents": Contingent.objects.for_detail().of_actor(actor).order_by("date_from", "slug"),
    }
    return render(request, "actors/actor_detail.html", context)


@require_safe
def contingent_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A contingent with its sources, strength over time and the casualties it suffered."""
    contingent = get_object_or_404(Contingent.objects.for_detail(), slug=slug)
    incidents = Incident.objects.for_list().with_victims_from_contingent(contingent)
    return render(request, "actors/contingent_detail.html", {"contingent": contingent, "incidents": incidents})


class ActorListView(RecordListView):
    """Actors by kind, country, ACLED actor type, and whether the sources quote them."""

    model = Actor
    filterset_class = ActorFilter
    api_viewset = ActorViewSet
    template_name = "actors/actor_list.html"
    intro = "People, organisations, states, forces, groups and operations the sources name."
    default_ordering = "name"
    columns = [
        Column("name", "Name", "name"),
        Column("kind", "Kind", "kind"),
        Column("country", "Country", "country"),
        Column("acled_actor_type", "ACLED actor type", "acled_actor_type"),
        Column("aliases", "Also known as"),
    ]
    facets = [
        Facet("kind", "Kind", "kind"),
        Facet("country", "Country", "country"),
        Facet("acled_actor_type", "ACLED actor type", "acled_actor_type"),
    ]


class ContingentListView(RecordListView):
    """Contingents by country, personnel type, capability, unit, base, status, and the day they were active."""

    model = Contingent
    filterset_class = ContingentFilter
    api_viewset = ContingentViewSet
    template_name = "actors/contingent_list.html"
    intro = "National contributions to the mission, with the period each record refers to and its sources."
    default_ordering = "country_name"
    columns = [
        Column("country", "Country", "country_name"),
        Column("capability", "Capability", "capability"),
        Column("unit", "Unit", "unit_name"),
        Column("personnel_type", "Personnel type", "personnel_type"),
        Column("base", "Base", "base"),
        Column("status", "Status", "status"),
        Column("date", "Period", "date_from"),
    ]
    facets = [
        Facet("country", "Country", "country", "country_name"),
        Facet("personnel_type", "Personnel type", "personnel_type"),
        Facet("capability", "Capability", "capability"),
        Facet("status", "Status", "status"),
        Facet("base", "Base", "base__slug", "base__name"),
    ]

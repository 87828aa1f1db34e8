from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from actors.models import Contingent
from common import datacache
from common.citations import citation_response, cite_control
from common.listing import Column, Facet, RecordListView
from common.throttling import JSON, ExportThrottle, PageThrottle, rate_limited

from . import geo, timeline
from .api import FigureViewSet, IncidentViewSet, PlaceViewSet
from .filters import FigureFilter, IncidentFilter, PlaceFilter
from .models import Figure, Incident, Place


@require_safe
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An incident with its actors and roles, casualties by source, and the excerpts that report it."""
    incident = get_object_or_404(Incident.objects.for_detail().with_citations(), slug=slug)
    cited = [claim.citation() for claim in incident.sources.all()]
    context = {
        "incident": incident,
        "cite": cite_control(request, cited, reverse("events:incident_citation", args=[slug])),
    }
    return render(request, "events/incident_detail.html", context)


@require_safe
def incident_citation(request: HttpRequest, slug: str) -> HttpResponse:
    """The articles an incident rests on, each at its passage, as one citation file."""
    incident = get_object_or_404(Incident.objects.for_detail().with_citations(), slug=slug)
    cited = [claim.citation() for claim in incident.sources.all()]
    return citation_response(request, cited, filename=f"{incident.slug}-sources")


@require_safe
def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A place with what happened there (and inside it), the contingents based there, and its sub-places."""
    place = get_object_or_404(Place.objects.for_detail().with_ancestors(), slug=slug)
    incidents = Incident.objects.at_place(place)
    contingents = Contingent.objects.filter(base__in=Place.objects.within(place))
    context = {
        "place": place,
        "incidents": incidents.for_list().order_by("-date_from"),
        "contingents": contingents.for_list(),
        "map": geo.incident_map(incidents, contingents, focus=place),
    }
    return render(request, "events/place_detail.html", context)


@require_safe
def figure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A numeric claim beside every other claim of the same quantity, in date order, so they can be compared."""
    figure = get_object_or_404(Figure.objects.for_detail(), pk=pk)
    claims = Figure.objects.for_list().filter(quantity=figure.quantity).order_by("date_from", "source__date_from")
    return render(request, "events/figure_detail.html", {"figure": figure, "claims": claims})


class IncidentListView(RecordListView):
    """Incidents by date, type, ACLED codes, place or region, actor and role, victims, deaths, and Mali or not."""

    model = Incident
    filterset_class = IncidentFilter
    api_viewset = IncidentViewSet
    template_name = "events/incident_list.html"
    intro = "Attacks, clashes, coups, resolutions and withdrawals, with ACLED's and UCDP's codes beside our own."
    default_ordering = "-date_from"
    columns = [
        Column("date", "Date", "date_from"),
        Column("title", "Incident", "title"),
        Column("type", "Type", "incident_type"),
        Column("acled_event_type", "ACLED event type", "acled_event_type"),
        Column("place", "Place", "place"),
        Column("killed", "Killed", "killed"),
        Column("wounded", "Wounded", "wounded"),
        Column("abducted", "Abducted", "abducted"),
    ]
    facets = [
        Facet("incident_type", "Type", "incident_type"),
        Facet("acled_event_type", "ACLED event type", "acled_event_type"),
        Facet("actor", "Actor", "actor_roles__actor__slug", "actor_roles__actor__name"),
        Facet("role", "Actor's role", "actor_roles__role"),
        Facet("victim_nationality", "Victims' nationality", "casualties__nationality"),
        Facet("in_mali", "In Mali", "in_mali"),
    ]


class PlaceListView(RecordListView):
    """The gazetteer by kind, country, parent, and everything within a place."""

    model = Place
    filterset_class = PlaceFilter
    api_viewset = PlaceViewSet
    template_name = "events/place_list.html"
    intro = "Places with WGS84 coordinates (or a note saying why there are none) and the places they lie in."
    default_ordering = "name"
    columns = [
        Column("name", "Name", "name"),
        Column("kind", "Kind", "kind"),
        Column("parent", "In", "parent"),
        Column("country", "Country", "country"),
        Column("latitude", "Latitude", "latitude"),
        Column("longitude", "Longitude", "longitude"),
    ]
    facets = [
        Facet("kind", "Kind", "kind"),
        Facet("country", "Country", "country"),
        Facet("parent", "In", "parent__slug", "parent__name"),
    ]


class FigureListView(RecordListView):
    """Sourced numbers by quantity, subject and the date or period they hold for."""

    model = Figure
    filterset_class = FigureFilter
    api_viewset = FigureViewSet
    template_name = "events/figure_list.html"
    intro = "Numbers as the sources state them, with their qualifiers, so conflicting claims sit side by side."
    default_ordering = "quantity"
    columns = [
        Column("quantity", "Quantity", "quantity"),
        Column("value", "Value", "value"),
        Column("subject", "About", "subject"),
        Column("date", "Holds for", "date_from"),
        Column("source", "Source", "source"),
    ]
    facets = [
        Facet("quantity", "Quantity", "quantity"),
        Facet("subject", "About", "subject__slug", "subject__name"),
    ]


@csp_update({"img-src": ["https://tile.openstreetmap.org"]})  # only if the reader picks the online tiles
@require_safe
@rate_limited(PageThrottle)
def incident_map(request: HttpRequest) -> HttpResponse:
    """Incidents on a map of Mali, chosen by the incident filters, with contingent bases as a layer of their own."""
    incident_filter = IncidentFilter(request.GET, queryset=Incident.objects.all())
    if not incident_filter.is_valid():
        return render(request, "events/map.html", {"filter": incident_filter}, status=400)
    context = {
        "filter": incident_filter,
        "map": geo.incident_map(incident_filter.qs, Contingent.objects.all()),
    }
    return render(request, "events/map.html", context)


@require_safe
@rate_limited(ExportThrottle, JSON)
def incident_map_geojson(request: HttpRequest) -> HttpResponse:
    """The map's incidents as an RFC 7946 FeatureCollection, same filters, streamed feature by feature."""
    incident_filter = IncidentFilter(request.GET, queryset=Incident.objects.all())
    if not incident_filter.is_valid():
        return JsonResponse({"errors": incident_filter.errors.get_json_data()}, status=400)
    return StreamingHttpResponse(geo.stream_incident_features(incident_filter.qs), content_type="application/geo+json")


def timeline_and_charts(
    incidents, *, by: str, outcome: str, params: dict, period: tuple
) -> tuple[timeline.IncidentTimeline, str]:
    """The timeline of the incidents and its two charts as HTML, kept in the shared cache until the data changes:
    drawing a bar and a link for every month and type of a decade takes longer than counting them (from the cache)."""
    sql, sql_params = incidents.order_by().values("pk").query.sql_with_params()

    def draw() -> tuple[timeline.IncidentTimeline, str]:
        drawn = timeline.incident_timeline(incidents, by=by, outcome=outcome, params=params, period=period)
        charts = "".join(
            render_to_string("includes/timeline_chart.html", {"chart": chart, "chart_id": chart_id})
            for chart, chart_id in ((drawn.incidents, "incidents-chart"), (drawn.casualties, "casualties-chart"))
        )
        return drawn, charts

    key = (sql, sql_params, by, outcome, sorted(params.items()), period)
    return datacache.cached("timeline-charts", key, draw)


@require_safe
@rate_limited(PageThrottle)
def incident_timeline(request: HttpRequest) -> HttpResponse:
    """Incidents per month or year by type, people killed, wounded or abducted (`outcome`), and each figure over time
    by source, chosen by the incident filters. Without `by`, by year when the incidents span more than a few years,
    else by month (timeline.default_period)."""
    incident_filter = IncidentFilter(request.GET, queryset=Incident.objects.all())
    asked_by = request.GET.get("by")  # else chosen from the incidents' span, once the filters are valid
    by = asked_by or "month"
    outcome = request.GET.get("outcome") or "killed"
    # The JSON twin: the same incidents from the API, which takes the same filters (but no `by` or `outcome`).
    api_query = request.GET.copy()
    api_query.pop("by", None)
    api_query.pop("outcome", None)
    context = {
        "filter": incident_filter,
        "by": by,
        "periods": list(timeline.PERIODS),
        "outcome": outcome,
        "outcomes": list(timeline.OUTCOMES),
        "json_twin": f"{reverse('api:incident-list')}?{api_query.urlencode()}",
    }
    if by not in timeline.PERIODS:
        context["by_error"] = f"“{by}” is not allowed. Allowed values: {', '.join(timeline.PERIODS)}."
    if outcome not in timeline.OUTCOMES:
        context["outcome_error"] = f"“{outcome}” is not allowed. Allowed values: {', '.join(timeline.OUTCOMES)}."
    if not incident_filter.is_valid() or "by_error" in context or "outcome_error" in context:
        return render(request, "events/timeline.html", context, status=400)
    cleaned = incident_filter.form.cleaned_data
    period = (cleaned.get("date_from"), cleaned.get("date_to"))
    params = request.GET.dict()
    if not asked_by:
        by = context["by"] = timeline.default_period(incident_filter.qs)
    context["timeline"], charts = timeline_and_charts(
        incident_filter.qs, by=by, outcome=outcome, params=params, period=period
    )
    context["charts"] = mark_safe(charts)  # noqa: S308 - rendered by the template, which escapes
    context["figures"] = timeline.figures_over_time(Figure.objects.in_period(*period))
    return render(request, "events/timeline.html", context)

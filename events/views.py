from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from actors.models import Contingent

from .models import Figure, Incident, Place


@require_safe
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An incident with its actors and roles, casualties by source, and the excerpts that report it."""
    incident = get_object_or_404(Incident.objects.for_detail(), slug=slug)
    return render(request, "events/incident_detail.html", {"incident": incident})


@require_safe
def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A place with what happened there (and inside it), the contingents based there, and its sub-places."""
    place = get_object_or_404(Place.objects.for_detail(), slug=slug)
    context = {
        "place": place,
        "incidents": Incident.objects.for_list().at_place(place).order_by("-date_from"),
        "contingents": Contingent.objects.for_list().filter(base__in=Place.objects.within(place)),
    }
    return render(request, "events/place_detail.html", context)


@require_safe
def figure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A numeric claim beside every other claim of the same quantity, in date order, so they can be compared."""
    figure = get_object_or_404(Figure.objects.for_detail(), pk=pk)
    claims = Figure.objects.for_list().filter(quantity=figure.quantity).order_by("date_from", "source__date_from")
    return render(request, "events/figure_detail.html", {"figure": figure, "claims": claims})

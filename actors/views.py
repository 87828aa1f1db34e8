from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles.models import Article, Quote
from events.models import Figure, Incident

from .models import Actor, Contingent


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything the database holds about an actor, each item linked to its record and source."""
    actor = get_object_or_404(Actor.objects.for_detail(), slug=slug)
    incidents = Incident.objects.for_list().involving(actor).order_by("-date_from")
    context = {
        "actor": actor,
        "quotes": Quote.objects.for_list().by_speaker(actor).order_by("-article__date_from", "text_start"),
        "incidents": incidents,
        "articles": Article.objects.for_list().mentioning_actor(actor),
        "figures": Figure.objects.for_list().filter(subject=actor).order_by("quantity", "date_from"),
        "contingents": Contingent.objects.for_list().filter(contributor=actor),
    }
    return render(request, "actors/actor_detail.html", context)


@require_safe
def contingent_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A contingent with its sources, strength over time and the casualties it suffered."""
    contingent = get_object_or_404(Contingent.objects.for_detail(), slug=slug)
    incidents = Incident.objects.for_list().with_victims_from_contingent(contingent)
    return render(request, "actors/contingent_detail.html", {"contingent": contingent, "incidents": incidents})

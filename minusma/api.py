"""The JSON API, version 1: one router for every app's viewsets, the cross-entity search, and the OpenAPI
schema with Swagger UI and Redoc (served from drf-spectacular-sidecar's static files, so offline)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import routers, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from actors.api import ActorViewSet, ContingentViewSet, StrengthObservationViewSet
from actors.models import Actor, Contingent
from articles.api import ArticleViewSet, QuoteViewSet
from articles.models import Article, Quote
from events.api import FigureViewSet, IncidentViewSet, PlaceViewSet
from events.models import Incident, Place
from minusma.api_tools import ERROR_RESPONSE, comma_separated, detail_url, reject_unknown_parameters

app_name = "api"


@dataclass(frozen=True)
class Searchable:
    """One kind of record the search endpoint looks through, with its label for a result."""

    model: type[models.Model]
    label: Callable[[models.Model], str]  # from the row's own columns, so a result costs no further query


SEARCHABLE = {
    "article": Searchable(Article, lambda article: article.title),
    "quote": Searchable(Quote, lambda quote: quote.text),
    "actor": Searchable(Actor, lambda actor: actor.name),
    "contingent": Searchable(
        Contingent,
        lambda contingent: (
            contingent.unit_name or f"{contingent.country.name} {contingent.get_capability_display().lower()}"
        ),
    ),
    "incident": Searchable(Incident, lambda incident: incident.title),
    "place": Searchable(Place, lambda place: place.name),
}
SEARCH_MIN_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT = 2, 10, 100


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(SEARCHABLE), help_text="The kind of record.")
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True, help_text="Null for quotes, which have none.")
    name = serializers.CharField(help_text="Name, title or the quoted text.")
    url = serializers.URLField(help_text="The record's API address.")


class SearchResponseSerializer(serializers.Serializer):
    q = serializers.CharField()
    results = SearchResultSerializer(many=True)


class SearchViewSet(viewsets.ViewSet):
    """Search names, aliases, titles and quotations across the database."""

    permission_classes = [AllowAny]  # read-only: the only action is list

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description=f"At least {SEARCH_MIN_LENGTH} characters."),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(SEARCHABLE)}},
                description="Comma-separated kinds of record to search; all when left out.",
                style="form",
                explode=False,
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX_LIMIT, "default": SEARCH_DEFAULT_LIMIT},
                description="At most this many results of each kind.",
            ),
        ],
        responses={200: SearchResponseSerializer, 400: ERROR_RESPONSE},
    )
    def list(self, request):
        """Records of every kind whose name, alias, title or quoted text contains `q`, case-insensitively.

        One query per kind searched, whatever the number of results."""
        reject_unknown_parameters(request, {"q", "type", "limit", api_settings.URL_FORMAT_OVERRIDE})
        text = request.query_params.get("q", "").strip()
        if len(text) < SEARCH_MIN_LENGTH:
            raise ValidationError({"q": [f"Give at least {SEARCH_MIN_LENGTH} characters to search for."]})
        kinds = comma_separated(request, "type", SEARCHABLE) or list(SEARCHABLE)
        raw_limit = request.query_params.get("limit", str(SEARCH_DEFAULT_LIMIT))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= SEARCH_MAX_LIMIT:
            raise ValidationError({"limit": [f"“{raw_limit}” is not a limit: use 1 to {SEARCH_MAX_LIMIT}."]})
        results = []
        for kind in kinds:
            searchable = SEARCHABLE[kind]
            for record in searchable.model.objects.search(text)[: int(raw_limit)]:
                results.append(
                    {
                        "type": kind,
                        "id": record.pk,
                        "slug": getattr(record, "slug", None),
                        "name": searchable.label(record),
                        "url": detail_url(record, request),
                    }
                )
        return Response(SearchResponseSerializer({"q": text, "results": results}).data)


router = routers.DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("actors", ActorViewSet, basename="actor")
router.register("contingents", ContingentViewSet, basename="contingent")
router.register("strength-observations", StrengthObservationViewSet, basename="strengthobservation")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("places", PlaceViewSet, basename="place")
router.register("figures", FigureViewSet, basename="figure")
router.register("search", SearchViewSet, basename="search")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

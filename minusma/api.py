"""The JSON API, version 1: one router for every app's viewsets, the cross-entity search, and the OpenAPI
schema with Swagger UI and Redoc (served from drf-spectacular-sidecar's static files, so offline)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.db.models import CharField, F, Value
from django.urls import path
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import routers, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from actors.api import ActorViewSet, ContingentViewSet, StrengthObservationViewSet
from actors.models import Actor, Contingent, StrengthObservation
from articles.api import ArticleViewSet, QuoteViewSet
from articles.models import Article, Quote
from common import search
from common.api.fields import detail_url
from common.api.pagination import StrictPagePagination
from common.api.parameters import (
    LIST_MAX_VALUES,
    MOMENT_SCHEMA,
    PAGE_PARAM,
    PAGE_SIZE_PARAM,
    comma_separated,
    parse_moment,
    reject_unknown_parameters,
)
from common.api.schema import ALLOWED_CHARACTER
from common.api.viewsets import ApiViewMixin
from common.filters import whole_number
from common.models import has_slug
from events.api import FigureViewSet, IncidentViewSet, PlaceViewSet
from events.models import Figure, Incident, Place

app_name = "api"


VISIBLE = r"[^\s\x00-\x1f\x7f]"  # not a space, not a control character
SEARCHABLE = search.KINDS  # the kinds the apps registered with the search engine, in their order
SEARCH_MIN_LENGTH, SEARCH_MAX_LENGTH = search.MIN_QUERY_LENGTH, search.MAX_QUERY_LENGTH
SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT = 10, 100


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(SEARCHABLE), help_text="The kind of record.")
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True, help_text="Null for quotes, which have none.")
    name = serializers.CharField(help_text="Name, title or the quoted text.")
    url = serializers.URLField(help_text="The record's API address.")
    web_url = serializers.URLField(help_text="The record's page on the website.")
    snippet = serializers.CharField(
        help_text="HTML: the passage that matches, escaped, each matched word (whole words, stems included) in "
        "<mark>; the start of the text when the record was found by a name."
    )
    rank = serializers.FloatField(help_text="How well the record matches; higher is better, within its kind.")


@extend_schema_serializer(many=False)  # the list action answers one object, not a list
class SearchResponseSerializer(serializers.Serializer):
    q = serializers.CharField()
    results = SearchResultSerializer(many=True)


class SearchViewSet(ApiViewMixin, viewsets.ViewSet):
    """Search names, aliases, titles and quotations across the database."""

    permission_classes = [AllowAny]  # read-only: the only action is list

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {
                    "type": "string",
                    "minLength": SEARCH_MIN_LENGTH,
                    "maxLength": SEARCH_MAX_LENGTH,
                    # Two characters besides spaces (what strip() leaves), and no control character but tab, CR, LF.
                    "pattern": rf"^{ALLOWED_CHARACTER}*{VISIBLE}{ALLOWED_CHARACTER}*{VISIBLE}{ALLOWED_CHARACTER}*$",
                },
                required=True,
                description=f"What to look for: {SEARCH_MIN_LENGTH} to {SEARCH_MAX_LENGTH} characters, at least "
                f"{SEARCH_MIN_LENGTH} of them besides spaces around it.",
            ),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(SEARCHABLE)}, "maxItems": LIST_MAX_VALUES},
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
        responses={200: SearchResponseSerializer},
    )
    def list(self, request):
        """The records of each kind that best match `q`, best first: the search engine of the web page /search/ (full
        text with stems and accents ignored, web-search syntax, names and aliases also by spelling).

        One query per kind searched, whatever the number of results."""
        reject_unknown_parameters(request, {"q", "type", "limit", api_settings.URL_FORMAT_OVERRIDE})
        raw = request.query_params.get("q", "")
        text = raw.strip()
        if len(text) < SEARCH_MIN_LENGTH:
            raise ValidationError({"q": [f"Give at least {SEARCH_MIN_LENGTH} characters to search for."]})
        if len(raw) > SEARCH_MAX_LENGTH:
            raise ValidationError({"q": [f"Search for at most {SEARCH_MAX_LENGTH} characters."]})
        kinds = comma_separated(request, "type", SEARCHABLE) or list(SEARCHABLE)
        raw_limit = request.query_params.get("limit", str(SEARCH_DEFAULT_LIMIT))
        limit = whole_number(raw_limit)
        if limit is None or not 1 <= limit <= SEARCH_MAX_LIMIT:
            raise ValidationError({"limit": [f"“{raw_limit}” is not a limit: use 1 to {SEARCH_MAX_LIMIT}."]})
        results = [
            {
                "type": kind,
                "id": hit.record.pk,
                "slug": getattr(hit.record, "slug", None),
                "name": SEARCHABLE[kind].name_of(hit.record),
                "url": detail_url(hit.record, request),
                "web_url": request.build_absolute_uri(hit.url),
                "snippet": hit.snippet,
                "rank": hit.rank,
            }
            for kind, hits in search.search_site(text, kinds=kinds, limit=limit).items()
            for hit in hits
        ]
        return Response(SearchResponseSerializer({"q": text, "results": results}).data)


# The kinds of record the API serves, by the names its routes use, for the feed of deletions.
DELETABLE = {
    "article": Article,
    "quote": Quote,
    "actor": Actor,
    "contingent": Contingent,
    "strengthobservation": StrengthObservation,
    "incident": Incident,
    "place": Place,
    "figure": Figure,
}


class DeletedRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id the record had.")
    slug = serializers.CharField(allow_null=True, help_text="The slug it had; null for kinds without slugs.")
    type = serializers.ChoiceField(choices=list(DELETABLE), help_text="The kind of record.")
    deleted_at = serializers.DateTimeField()


class DeletedPagination(StrictPagePagination):
    page_size = 100


class DeletedViewSet(ApiViewMixin, viewsets.ViewSet):
    """Records deleted, from the audit history, so that a client syncing with `modified_after` can drop them."""

    permission_classes = [AllowAny]  # read-only: the only action is list
    pagination_class = DeletedPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                MOMENT_SCHEMA,
                description="Only deletions after this moment: an RFC 3339 date-time, or a date (its midnight, UTC).",
            ),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(DELETABLE)}, "maxItems": LIST_MAX_VALUES},
                description="Comma-separated kinds of record; all when left out.",
                style="form",
                explode=False,
            ),
            OpenApiParameter(PAGE_PARAM, {"type": "integer", "minimum": 1}, description="Page number."),
            OpenApiParameter(
                PAGE_SIZE_PARAM,
                {"type": "integer", "minimum": 1, "maximum": 1000, "default": DeletedPagination.page_size},
                description="Deletions per page.",
            ),
        ],
        responses={200: DeletedRecordSerializer(many=True)},
    )
    def list(self, request):
        """Deletions, oldest first, each with the record's id, slug, kind and when it was deleted.

        Two queries whatever the number of deletions or kinds: a count and the page, over a union of the kinds'
        history tables."""
        reject_unknown_parameters(request, {"since", "type", PAGE_PARAM, PAGE_SIZE_PARAM, "format"})
        since = request.query_params.get("since")
        since = parse_moment(since, "since") if since is not None else None
        deletions = None
        for kind in comma_separated(request, "type", DELETABLE) or list(DELETABLE):
            model = DELETABLE[kind]
            history = model.history.filter(history_type="-").order_by()  # a union's parts may not be ordered
            if since is not None:
                history = history.filter(history_date__gt=since)
            rows = history.annotate(
                record_slug=F("slug") if has_slug(model) else Value(None, output_field=CharField()),
                type=Value(kind, output_field=CharField()),
                deleted_at=F("history_date"),
            ).values("id", "record_slug", "type", "deleted_at")
            deletions = rows if deletions is None else deletions.union(rows, all=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(deletions.order_by("deleted_at", "type", "id"), request, view=self)
        data = [{**row, "slug": row["record_slug"]} for row in page]
        return paginator.get_paginated_response(DeletedRecordSerializer(data, many=True).data)


@method_decorator(csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]}), name="get")
class RedocView(SpectacularRedocView):
    """Redoc styles itself with <style> elements it writes at run time and searches in a blob: worker; this page
    alone allows both. It shows the schema, built from the code, and nothing a visitor or curator wrote."""


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
router.register("deleted", DeletedViewSet, basename="deleted")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Pages that the Content-Security-Policy allows: the split view serves Swagger UI's start-up script as a file, and
    # our templates move the inline styles and Redoc's start-up into files (Redoc still needs RedocView's policy).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("redoc/", RedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="redoc"),
]

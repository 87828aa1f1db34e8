from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found

from actors.models import Actor, Contingent
from articles.models import Article, Outlet, Quote
from common import datacache, names, search
from common.api import renderers
from common.api.viewsets import RecordViewSet
from common.filters import country_index
from common.throttling import JSON, PageThrottle, SuggestThrottle, rate_limited
from events import geo, timeline
from events.models import Figure, Incident, Place

from .api import router

# What the suggest endpoint suggests: the kinds of record the filters take by name, and countries.
SUGGESTED_MODELS = {"actor": Actor, "place": Place, "outlet": Outlet, "contingent": Contingent}
SUGGEST_MAX_LENGTH = 100

HOME_ARTICLES = 10  # the newest source articles on the home page; the list links to all of them


def holdings() -> list[tuple[str, int]]:
    """How many records of each kind the database holds: counted once per data version (common/datacache.py)."""
    models = (Article, Quote, Actor, Contingent, Incident, Place, Figure)
    return datacache.cached(
        "holdings",
        [model._meta.label for model in models],
        lambda: [(str(model._meta.verbose_name_plural), model.objects.count()) for model in models],
    )


@require_safe
@rate_limited(PageThrottle)
def home(request: HttpRequest) -> HttpResponse:
    """What the database holds, incidents over time and on a map, and the newest articles it is built from."""
    counts = holdings()
    context = {
        "holdings": counts,
        "article_count": dict(counts)[str(Article._meta.verbose_name_plural)],
        "articles": Article.objects.for_list().exclude(date_from=None)[:HOME_ARTICLES],
        "recent_incidents": Incident.objects.for_list().exclude(date_from=None).order_by("-date_from", "title")[:8],
        "timeline": timeline.incident_timeline(Incident.objects.all(), by="year"),
        # The latest incidents on the map, also kept until the data changes (building 500 features and their links
        # took as long as the rest of the page).
        "map": datacache.cached(
            "home-map", (), lambda: geo.incident_map(Incident.objects.all(), Contingent.objects.all(), limit=500)
        ),
    }
    return render(request, "home.html", context)


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker compose: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_safe
@rate_limited(PageThrottle)
def search_page(request: HttpRequest) -> HttpResponse:
    """Search everything; results grouped by kind, ranked, with the matched words marked."""
    text = request.GET.get("q", "").strip()
    error = None
    if len(text) > search.MAX_QUERY_LENGTH:
        error = f"Search for at most {search.MAX_QUERY_LENGTH} characters."
    elif "q" in request.GET and len(text) < search.MIN_QUERY_LENGTH:
        error = "Type at least two characters to search."
    results = search.search_site(text) if text and not error else {}
    sections = [(search.KINDS[kind], hits) for kind, hits in results.items()]
    context = {"q": text, "error": error, "sections": sections, "total": sum(len(hits) for _, hits in sections)}
    return render(request, "search.html", context, status=400 if error else 200)


def datasets() -> list[dict]:
    """Every dataset the API serves (each registered record endpoint), with its download links in every format it
    offers and its page on the site, in the router's order; counted once per data version."""
    endpoints = [
        (prefix, viewset, basename)
        for prefix, viewset, basename in router.registry
        if isinstance(viewset, type) and issubclass(viewset, RecordViewSet)
    ]
    counts = datacache.cached(
        "dataset-counts",
        [viewset.queryset.model._meta.label for _, viewset, _ in endpoints],
        lambda: [viewset.queryset.model._base_manager.count() for _, viewset, _ in endpoints],
    )
    found = []
    for (_prefix, viewset, basename), count in zip(endpoints, counts, strict=True):
        meta = viewset.queryset.model._meta
        api_list = reverse(f"api:{basename}-list")
        try:
            web_list = reverse(f"{meta.app_label}:{meta.model_name}_list")
        except NoReverseMatch:  # strength observations are read on their contingents' pages
            web_list = ""
        found.append(
            {
                "name": str(meta.verbose_name_plural).capitalize(),
                "description": (viewset.__doc__ or "").strip().splitlines()[0],
                "count": count,
                "api_list": api_list,
                "web_list": web_list,
                "downloads": [
                    {"label": renderers.FORMAT_LABELS[name], "format": name, "url": f"{api_list}?format={name}"}
                    for name in viewset.streamed_formats()
                ],
            }
        )
    return found


@require_safe
@rate_limited(PageThrottle)
def data_downloads(request: HttpRequest) -> HttpResponse:
    """Each dataset with its whole-table downloads from the API, and how to cite what is used."""
    return render(request, "data_downloads.html", {"datasets": datasets()})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever a page says: the site's icon among the static files (looked up
    when asked, so that a missing manifest entry is a failed request, not a site that cannot start)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
@rate_limited(SuggestThrottle, JSON)
def suggest(request: HttpRequest, kind: str) -> JsonResponse:
    """Names for a filter's text box as one types (static/js/combobox.js): at most ten records of `kind` with a name
    or alias that starts with `q` (or a word in it that does), any case and accents, each as the value the filter
    takes (the slug, or a country's code) and its label. The names come from the worker's index (common/names.py):
    no query unless the data changed since."""
    text = request.GET.get("q", "").strip()
    if len(text) > SUGGEST_MAX_LENGTH:
        return JsonResponse({"errors": [f"Type at most {SUGGEST_MAX_LENGTH} characters."]}, status=400)
    if kind == "country":
        index = country_index()
    elif kind in SUGGESTED_MODELS:
        index = names.name_index(SUGGESTED_MODELS[kind])
    else:
        allowed = ", ".join(["country", *SUGGESTED_MODELS])
        return JsonResponse({"errors": [f"Nothing is suggested for “{kind}”. Allowed: {allowed}."]}, status=404)
    found = index.suggestions(text) if text else []
    return JsonResponse({"suggestions": [{"value": name.slug, "label": name.label} for name in found]})


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a sign-in while its username and address are locked out: 429, why, and for how long."""
    lockout = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": "Signing in is locked for a while",
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": round(lockout.total_seconds() / 60),
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(lockout.total_seconds()))
    return response


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: JSON under /api/, where a client reads `detail`, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"No API address {request.path}: see /api/v1/ for the endpoints."}, status=404)
    return page_not_found(request, exception)

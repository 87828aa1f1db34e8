"""Rate limits for the website's plain Django views, and who a request comes from.

The API's limits are DRF's own (AnonRateThrottle, UserRateThrottle); the website's heavy views reuse DRF's
SimpleRateThrottle with scopes of their own, so both count in the same shared cache (Redis or the database: every
worker sees one count, and CountedOnceMixin keeps simultaneous requests from being lost) with rates from the same
setting, REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]:

- `web_page`: list pages, search, the map and the timeline, generous enough for a person clicking through;
- `web_suggest`: the names a filter's box suggests while one types, a few requests per name typed;
- `web_export`: list exports and the map's GeoJSON feed, firm enough to stop a bulk crawler re-downloading
  everything.

A record's own page and the health check are not limited. The client's address is REMOTE_ADDR unless NUM_PROXIES
(DJANGO_NUM_PROXIES) says how many proxies of our own stand in front: only then is X-Forwarded-For read, and only
the entry our last proxy added, so a header the client writes itself never decides who it is.
"""

import functools
import math
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import throttling
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request: HttpRequest) -> str:
    """The client's address, as DRF's throttles see it (NUM_PROXIES decides whether X-Forwarded-For counts)."""
    return BaseThrottle().get_ident(request)


class CountedOnceMixin:
    """Makes a DRF rate throttle's count exact when several workers serve one client at the same moment.

    SimpleRateThrottle reads the client's request history from the cache and writes it back one request longer:
    requests that read it at the same moment each write back their own, and all but one go uncounted (three workers
    let nearly twice the rate through). A short lock in the same cache makes the read and the write one step: add()
    is atomic in Redis (SET NX) and in the database cache (a unique key). Measured with three gunicorn workers and 400
    simultaneous requests against 120/minute: exactly 120 pass with Redis, 120 to 124 with SQLite as the cache
    (its busy waits can outlast a lock). A lock left by a killed worker lapses after LOCK_SECONDS; a request that
    cannot get the lock within WAIT_SECONDS, because the same client is hammering, is refused like any other over
    the rate.
    """

    LOCK_SECONDS = 10
    WAIT_SECONDS = 1.0

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        lock = f"{key}:lock"
        deadline = time.monotonic() + self.WAIT_SECONDS
        while not self.cache.add(lock, 1, self.LOCK_SECONDS):
            if time.monotonic() > deadline:
                self.history, self.now = [], self.timer()  # for wait(): try again in a full period
                return self.throttle_failure()
            time.sleep(0.005)
        try:
            return super().allow_request(request, view)
        finally:
            self.cache.delete(lock)


class AnonRateThrottle(CountedOnceMixin, throttling.AnonRateThrottle):
    """The API's rate per address for anonymous clients (scope `anon`)."""


class UserRateThrottle(CountedOnceMixin, throttling.UserRateThrottle):
    """The API's rate per account, or per address for anonymous clients (scope `user`)."""


class WebRateThrottle(CountedOnceMixin, SimpleRateThrottle):
    """A scope's rate per signed-in account, or else per client address."""

    def get_cache_key(self, request: HttpRequest, view) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PageThrottle(WebRateThrottle):
    scope = "web_page"


class SuggestThrottle(WebRateThrottle):
    """The names suggested as one types in a filter's box: a request every few keystrokes, so a scope of its own
    that does not spend the pages' allowance."""

    scope = "web_suggest"


class ExportThrottle(WebRateThrottle):
    scope = "web_export"


class DownloadThrottle(ExportThrottle):
    """An API list or record asked for in a streamed format (every matching row: CSV, GeoJSON, citations…) also
    counts at the firm export rate; its pages of JSON count at the API's rates alone."""

    def get_cache_key(self, request, view):
        if getattr(view, "streamed_format", None) is None:
            return None
        return super().get_cache_key(request, view)


# How a refusal is written: a page for people, JSON or plain text for whatever asked for a download.
PAGE, JSON, TEXT = "page", "json", "text"


def refusal(request: HttpRequest, throttle_class: type[WebRateThrottle], answer: str = PAGE) -> HttpResponse | None:
    """None while the request is within its scope's rate (and then it is counted); else a 429 with Retry-After."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    retry_after = max(1, math.ceil(throttle.wait() or throttle.duration))
    allowed = f"{throttle.num_requests} per {_period(throttle.duration)}"
    if answer == PAGE:
        context = {"allowed": allowed, "retry_after": retry_after}
        response = render(request, "429.html", context, status=429)
    else:
        message = (
            f"Too many downloads from your address: {allowed} are allowed. Try again in {retry_after} seconds; "
            "to fetch everything regularly, use the API's exports (/api/v1/), which stream every record."
        )
        if answer == JSON:
            response = JsonResponse({"errors": [message]}, status=429)
        else:
            response = HttpResponse(message + "\n", content_type="text/plain; charset=utf-8", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _period(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} seconds")


def rate_limited(throttle_class: type[WebRateThrottle], answer: str = PAGE) -> Callable:
    """Decorator for a function view: refused with 429 (see refusal) past the throttle's rate."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return refusal(request, throttle_class, answer) or view(request, *args, **kwargs)

        return limited

    return decorator

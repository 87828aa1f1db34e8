"""Refuses, before any view runs, a request whose address no view should have to handle: a control character in
the path or a query parameter (PostgreSQL text cannot hold NUL, so a filter or search with one failed deep down as a
500), or a query string too long or with too many parameters to be a real list, filter or search.

The API answers in JSON, like its other 400s; the website with a page that says what was wrong.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from common import datacache, db_router
from common.text import CONTROL_CHARACTERS

API_PREFIX = "/api/"


class RequestBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = out_of_bounds(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": problem}, status=400)
        return render(request, "400.html", {"message": problem}, status=400)


def out_of_bounds(request: HttpRequest) -> str | None:
    """What is wrong with the request's address, or None."""
    query_string = request.META.get("QUERY_STRING", "")
    longest = settings.MINUSMA_MAX_QUERY_STRING_LENGTH
    if len(query_string) > longest:
        return (
            f"The query string is {len(query_string)} characters long; at most {longest} are allowed. "
            "Ask for fewer fields or filters at a time."
        )
    if CONTROL_CHARACTERS.search(request.path):
        return "The address contains a control character (such as NUL), which no record's address holds."
    # Counted before Django's own DATA_UPLOAD_MAX_NUMBER_FIELDS (1000, which also bounds form posts) would apply.
    parameters = query_string.count("&") + 1 if query_string else 0
    most = settings.MINUSMA_MAX_QUERY_PARAMETERS
    if parameters > most:
        return f"The query string has {parameters} parameters; at most {most} are allowed."
    for name, values in request.GET.lists():
        if any(CONTROL_CHARACTERS.search(text) for text in (name, *values)):
            shown = CONTROL_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", name)
            return f"The parameter “{shown}” contains a control character (such as NUL), which is not allowed."
    return None


class ReplicaReadsMiddleware:
    """Lets a request that only reads read from the read replicas (common/db_router.py says which and why); does
    nothing without replicas. After AuthenticationMiddleware: whether a curator is signed in is read from the
    primary, before the request is let go to the replicas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not db_router.may_read_from_replicas(request):
            return self.get_response(request)
        with db_router.replica_reads():
            datacache.data_version()  # the primary for this request if the data changed within the replication lag
            response = self.get_response(request)
            streams_from_replicas = response.streaming and db_router.reads_from_replicas()
        if streams_from_replicas:
            # An export's rows are read while the server sends them, after this middleware has returned.
            response.streaming_content = _read_from_replicas_chunk_by_chunk(response.streaming_content)
        return response


def _read_from_replicas_chunk_by_chunk(chunks: Iterable) -> Iterator:
    """The chunks, each made reading from the replicas; nothing of that leaks into the server between them."""
    iterator = iter(chunks)
    while True:
        with db_router.replica_reads():
            chunk = next(iterator, _END)
        if chunk is _END:
            return
        yield chunk


_END = object()

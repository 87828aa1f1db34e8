"""Search across articles, quotes, actors, incidents and places, ranked, with the matched words marked.

On PostgreSQL: full-text search with English stemming and accents ignored (the `minusma_search`
configuration, GIN-indexed by articles/migrations/0006_search.py with the same expressions as below),
plus trigram similarity for names and their aliases, so spelling variants are found. On SQLite: every
word must occur (case-insensitively) in the record's fields; ranked by where the words occur.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from actors.models import Actor, ActorAlias
from articles.models import Article, Quote
from common.text import fold
from events.models import Incident, Place, PlaceAlias

CONFIG = "minusma_search"
MAX_QUERY_LENGTH = 200
TRIGRAM_THRESHOLD = 0.5
KINDS = ["article", "quote", "actor", "incident", "place"]
_START, _STOP = "\x02", "\x03"  # headline markers that cannot occur in our texts, replaced after escaping


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: SafeString
    detail: str
    rank: float


def search(text: str, *, limit: int = 20) -> dict[str, list[Hit]]:
    """Up to `limit` hits per kind, best first. One query per kind."""
    text = " ".join(text.split())
    if connection.vendor == "postgresql":
        return _search_postgres(text, limit)
    return _search_simple(text, limit)


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _marked(headline: str) -> SafeString:
    return mark_safe(escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 - escaped


def _headline(field: str, query: SearchQuery, **options) -> SearchHeadline:
    return SearchHeadline(
        field, query, config=CONFIG, start_sel=_START, stop_sel=_STOP, max_words=40, min_words=12, **options
    )


def _ranked(queryset: QuerySet, vector: SearchVector, query: SearchQuery, extra: Q | None = None) -> QuerySet:
    matches = Q(document=query) if extra is None else Q(document=query) | extra
    return queryset.annotate(document=vector, rank=SearchRank(vector, query)).filter(matches)


def _names_like(alias_model, owner: str, text: str) -> QuerySet:
    """Ids of owners whose name or alias is similar to `text` (trigram word similarity, accents as typed)."""
    return (
        alias_model.objects.annotate(similarity=TrigramWordSimilarity(text, "name"))
        .filter(similarity__gte=TRIGRAM_THRESHOLD)
        .values(owner)
    )


def _search_postgres(text: str, limit: int) -> dict[str, list[Hit]]:
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    results: dict[str, list[Hit]] = {}

    articles = (
        _ranked(
            Article.objects.select_related("outlet"), SearchVector("title", "subtitle", "body", config=CONFIG), query
        )
        .annotate(headline=_headline("body", query, max_fragments=2))
        .order_by("-rank", "-date_from")[:limit]
    )
    results["article"] = [
        Hit("article", a.title, a.get_absolute_url(), _marked(a.headline), f"{a.outlet}, {a.date_display}", a.rank)
        for a in articles
    ]

    similar_speakers = _names_like(ActorAlias, "actor", text).union(
        Actor.objects.annotate(similarity=TrigramWordSimilarity(text, "name"))
        .filter(similarity__gte=TRIGRAM_THRESHOLD)
        .values("pk")
    )
    quotes = (
        _ranked(
            Quote.objects.select_related("article", "speaker"),
            SearchVector("text", "speaker_description", "speaker_role", config=CONFIG),
            query,
            extra=Q(speaker__in=similar_speakers),
        )
        .annotate(headline=_headline("text", query, highlight_all=True))
        .order_by("-rank", "article", "text_start")[:limit]
    )
    results["quote"] = [
        Hit(
            "quote",
            str(q.speaker or q.speaker_description),
            f"{q.article.get_absolute_url()}#quote-{q.pk}",
            _marked(q.headline),
            q.article.title,
            q.rank,
        )
        for q in quotes
    ]

    actors = (
        Actor.objects.annotate(
            document=SearchVector("name", "description", config=CONFIG),
            similarity=TrigramWordSimilarity(text, "name"),
        )
        .filter(
            Q(document=query) | Q(similarity__gte=TRIGRAM_THRESHOLD) | Q(pk__in=_names_like(ActorAlias, "actor", text))
        )
        .annotate(rank=SearchRank(F("document"), query) + F("similarity"), headline=_headline("description", query))
        .order_by("-rank", "name")[:limit]
    )
    results["actor"] = [
        Hit("actor", a.name, a.get_absolute_url(), _marked(a.headline or ""), a.get_kind_display(), a.rank)
        for a in actors
    ]

    incidents = (
        _ranked(
            Incident.objects.select_related("place"),
            SearchVector("title", "description", "location_as_written", config=CONFIG),
            query,
            extra=Q(place__in=_names_like(PlaceAlias, "place", text))
            | Q(
                place__in=Place.objects.annotate(s=TrigramWordSimilarity(text, "name")).filter(s__gte=0.6).values("pk")
            ),
        )
        .annotate(headline=_headline("description", query))
        .order_by("-rank", "-date_from")[:limit]
    )
    results["incident"] = [
        Hit("incident", i.title, i.get_absolute_url(), _marked(i.headline or ""), i.date_display, i.rank)
        for i in incidents
    ]

    places = (
        Place.objects.select_related("parent")
        .annotate(similarity=TrigramWordSimilarity(text, "name"))
        .filter(Q(similarity__gte=TRIGRAM_THRESHOLD) | Q(pk__in=_names_like(PlaceAlias, "place", text)))
        .annotate(rank=F("similarity") + Value(0.0, output_field=FloatField()))
        .order_by("-rank", "name")[:limit]
    )
    results["place"] = [
        Hit(
            "place",
            p.name,
            p.get_absolute_url(),
            mark_safe(""),
            f"{p.get_kind_display()}{', ' + p.parent.name if p.parent else ''}",
            p.rank,
        )
        for p in places
    ]
    return results


# --- SQLite and other databases: simple and correct ------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w[\w'’-]*", text) if len(word) > 1] or [text]


def _all_words_in(fields: list[str], words: list[str]) -> Q:
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def highlight(text: str, words: list[str], *, width: int = 120) -> SafeString:
    """A window of `text` around the first matched word, escaped, with every match marked."""
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width) if first else 0
    end = min(len(text), start + 2 * width + (first.end() - first.start() if first else 0))
    # Snap the window to whole words.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else end) else start
    if end < len(text):
        space = text.rfind(" ", first.end() if first else start, end)
        end = space if space > 0 else end
    window = text[start:end]
    pieces, cursor = [], 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[cursor : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    pieces.append(escape(window[cursor:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece is escaped


def _score(text: str, words: list[str]) -> float:
    lowered = text.lower()
    return float(sum(lowered.count(word.lower()) for word in words))


def _search_simple(text: str, limit: int) -> dict[str, list[Hit]]:
    words = _words(text)
    folded_text = fold(text)

    def contains_folded(name: str) -> bool:
        return folded_text in name

    results: dict[str, list[Hit]] = {}

    articles = Article.objects.select_related("outlet").filter(_all_words_in(["title", "subtitle", "body"], words))
    results["article"] = sorted(
        (
            Hit(
                "article",
                a.title,
                a.get_absolute_url(),
                highlight(a.body, words),
                f"{a.outlet}, {a.date_display}",
                3 * _score(a.title, words) + _score(a.body, words) / max(a.word_count, 1) * 100,
            )
            for a in articles[: limit * 5]
        ),
        key=lambda hit: -hit.rank,
    )[:limit]

    speaker_fields = ["text", "speaker_description", "speaker_role", "speaker__name", "speaker__aliases__name"]
    quotes = Quote.objects.select_related("article", "speaker").filter(_all_words_in(speaker_fields, words)).distinct()
    results["quote"] = [
        Hit(
            "quote",
            str(q.speaker or q.speaker_description),
            f"{q.article.get_absolute_url()}#quote-{q.pk}",
            highlight(q.text, words),
            q.article.title,
            _score(q.text, words),
        )
        for q in quotes.order_by("article", "text_start")[:limit]
    ]

    actors = Actor.objects.filter(
        _all_words_in(["name", "description", "aliases__name"], words)
        | Q(pk__in=Actor.objects.ids_with_folded_name(contains_folded))
    ).distinct()
    results["actor"] = sorted(
        (
            Hit(
                "actor",
                a.name,
                a.get_absolute_url(),
                highlight(a.description, words) if a.description else mark_safe(""),
                a.get_kind_display(),
                3 * _score(a.name, words) + _score(a.description, words),
            )
            for a in actors[: limit * 5]
        ),
        key=lambda hit: -hit.rank,
    )[:limit]

    incident_fields = ["title", "description", "location_as_written", "place__name", "place__aliases__name"]
    incidents = Incident.objects.select_related("place").filter(_all_words_in(incident_fields, words)).distinct()
    results["incident"] = [
        Hit(
            "incident",
            i.title,
            i.get_absolute_url(),
            highlight(i.description, words) if i.description else mark_safe(""),
            i.date_display,
            _score(i.title, words),
        )
        for i in incidents.order_by("-date_from")[:limit]
    ]

    places = (
        Place.objects.select_related("parent")
        .filter(
            _all_words_in(["name", "aliases__name"], words)
            | Q(pk__in=Place.objects.ids_with_folded_name(contains_folded))
        )
        .distinct()
    )
    results["place"] = [
        Hit(
            "place",
            p.name,
            p.get_absolute_url(),
            mark_safe(""),
            f"{p.get_kind_display()}{', ' + p.parent.name if p.parent else ''}",
            _score(p.name, words),
        )
        for p in places.order_by("name")[:limit]
    ]
    return results

"""Runs the extractors in order; later ones use what earlier ones found (speakers use the actor mentions,
incidents use dates and places, numbers skip the dates' spans)."""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from common.text import fold

from .dates import date_suggestions
from .incidents import incident_suggestions
from .lexicon import Lexicon
from .mentions import mention_suggestions
from .names import name_suggestions
from .numbers import number_suggestions
from .quotes import quote_suggestions
from .recorded import mark_recorded
from .suggestion import Kind, Suggestion
from .text import Body

# Actors that speak as institutions or documents: “the review said” finds the review by its head noun.
NON_PERSON_KINDS = {
    "document",
    "government_body",
    "un_body",
    "un_mission",
    "intergovernmental",
    "ngo",
    "think_tank",
    "media_outlet",
    "organisation",
    "armed_force",
    "state",
    "company",
    "university",
}


@dataclass
class Report:
    suggestions: list[Suggestion]
    timings: dict[str, float] = field(default_factory=dict)

    def by_kind(self, kind: Kind) -> list[Suggestion]:
        return [suggestion for suggestion in self.suggestions if suggestion.kind == kind]


def _document_actors(lexicon: Lexicon) -> list[dict]:
    actors: dict[int, dict] = {}
    for entry in lexicon.entries:
        if entry.model != "actor" or entry.kind not in NON_PERSON_KINDS or entry.pk in actors:
            continue
        words = {word for word in fold(entry.name).replace("(", " ").replace(")", " ").split() if len(word) > 2}
        actors[entry.pk] = {
            "actor": entry.pk,
            "actor_name": entry.name,
            "actor_slug": entry.slug,
            "actor_kind": entry.kind,
            "words": words,
        }
    return list(actors.values())


def _attach_context(body: Body, numbers, dates, mentions, article) -> None:
    """A number's proposed date and subject: its sentence's first date (else the article's own) and first actor."""
    own_date = None
    if getattr(article, "date_from", None) and getattr(article, "date_to", None):
        own_date = {
            "date_as_written": "",
            "date_from": article.date_from.isoformat(),
            "date_to": article.date_to.isoformat(),
            "date_precision": getattr(article, "date_precision", "") or "unknown",
            "from_article": True,
        }
    for number in numbers:
        sentence = body.sentence_at(number.start)
        inside = lambda items: [s for s in items if sentence.start <= s.start < sentence.end]  # noqa: B023, E731
        sentence_dates = inside(dates)
        if sentence_dates:
            date = sentence_dates[0].values
            number.values["date"] = {
                key: date[key] for key in ("date_as_written", "date_from", "date_to", "date_precision")
            }
        elif own_date is not None:
            number.values["date"] = own_date
        actors = [s for s in inside(mentions) if s.kind == Kind.ACTOR]
        if actors:
            number.values["subject"] = actors[0].values["actor"]
            number.values["subject_name"] = actors[0].values["actor_name"]


def suggest(
    article,
    *,
    lexicon: Lexicon | None = None,
    progress: Callable[[str], None] | None = None,
    mark: bool = True,
) -> Report:
    """Every suggestion for `article` (an Article, saved or not), sorted by offset; `progress` is called with each
    step's name as it starts. Queries: four for the lexicon (unless given), one per citing model to mark what is
    recorded."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        if timings:
            timings[list(timings)[-1]] = now - clock
        timings[name] = 0.0
        clock = now
        if progress is not None:
            progress(name)

    step("names")
    lexicon = lexicon if lexicon is not None else Lexicon.from_database()
    body = Body(article.body)
    matches = lexicon.find(body)
    mentions = mention_suggestions(body.text, matches)
    step("quotes")
    quotes = quote_suggestions(body, matches, _document_actors(lexicon))
    step("unknown names")
    names = name_suggestions(body, [(m.start, m.end) for m in matches])
    step("dates")
    base: datetime.date | None = article.date_from or article.date_to
    dates = date_suggestions(body.text, base, article.date_to or base)
    step("numbers")
    sentences = [(span, body.text[span.start : span.end]) for span in body.sentences]
    numbers = number_suggestions(body.text, sentences, [(d.start, d.end) for d in dates])
    _attach_context(body, numbers, dates, mentions, article)
    step("incidents")
    incidents = incident_suggestions(body, dates, mentions)
    suggestions = sorted(
        [*quotes, *mentions, *names, *dates, *numbers, *incidents], key=lambda s: (s.start, -s.end, str(s.kind))
    )
    step("recorded")
    if mark:
        mark_recorded(article, suggestions)
    step("done")
    timings.pop("done")
    return Report(suggestions, timings)

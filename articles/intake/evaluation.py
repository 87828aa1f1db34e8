"""How well the engine does on the corpus: run it over the five seed articles as if nothing had been recorded
yet (only the registry of actors, places and their aliases is known), and compare with today's fixture records.

Per kind, recall is the share of fixture records the suggestions would have produced, and precision the share of
suggestions that a fixture record bears out (for numbers: that lie in a passage the corpus cites as a claim). What
“would have produced” means for each kind is spelled out by its gold_* function below.
"""

import datetime
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from common.text import fold

from .engine import suggest
from .lexicon import Entry, Lexicon
from .suggestion import Kind, Suggestion

# The targets of issue 14, asserted by articles/tests/test_intake_evaluation.py.
TARGETS = {"quote": 0.95, "quote_speaker": 0.80, "actor": 0.95, "place": 0.95, "date": 0.85, "number": 0.85}


@dataclass
class Score:
    kind: str
    gold: int = 0
    found: int = 0
    suggested: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0


@dataclass
class Evaluation:
    scores: dict[str, Score]
    seconds: dict[str, float]

    def table(self) -> str:
        lines = [
            "| kind | fixture records | found | recall | suggestions | borne out | precision | note |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for score in self.scores.values():
            note = "; ".join(
                f"{name} {value:.0%}" if isinstance(value, float) else f"{name}: {value}"
                for name, value in score.extra.items()
            )
            lines.append(
                f"| {score.kind} | {score.gold} | {score.found} | {score.recall:.1%} | {score.suggested} | "
                f"{score.correct} | {score.precision:.1%} | {note} |"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "scores": {
                kind: {
                    "gold": score.gold,
                    "found": score.found,
                    "recall": round(score.recall, 4),
                    "suggested": score.suggested,
                    "correct": score.correct,
                    "precision": round(score.precision, 4),
                    **{name: round(value, 4) for name, value in score.extra.items()},
                    "misses": score.misses,
                    "wrong": score.wrong[:50],
                }
                for kind, score in self.scores.items()
            },
            "seconds": {slug: round(value, 3) for slug, value in self.seconds.items()},
        }


class Corpus:
    """The fixture records, read from the JSON files (no database)."""

    def __init__(self, directory: Path):
        self.records: dict[str, list[dict]] = {}
        for path in sorted(directory.glob("*.json")):
            for record in json.loads(path.read_text(encoding="utf-8")):
                self.records.setdefault(record["model"].lower(), []).append(record["fields"])
        self.articles = {fields["slug"]: fields for fields in self.records["articles.article"]}
        self.incidents = {fields["slug"]: fields for fields in self.records["events.incident"]}
        self.contingents = {fields["slug"]: fields for fields in self.records["actors.contingent"]}

    def of(self, label: str) -> list[dict]:
        return self.records.get(label, [])

    def lexicon(self, *, with_names: bool = True) -> Lexicon:
        """The registry as the engine would read it from the database; pks are positions, slugs are kept."""
        if not with_names:
            return Lexicon([])
        entries = []
        actors = {fields["slug"]: (index, fields) for index, fields in enumerate(self.of("actors.actor"), 1)}
        for slug, (pk, fields) in actors.items():
            entries.append(Entry("actor", pk, slug, fields["name"], fields["kind"], fields["name"]))
        for alias in self.of("actors.actoralias"):
            pk, fields = actors[alias["actor"][0]]
            entries.append(Entry("actor", pk, fields["slug"], fields["name"], fields["kind"], alias["name"]))
        places = {fields["slug"]: (index, fields) for index, fields in enumerate(self.of("events.place"), 1)}
        for slug, (pk, fields) in places.items():
            entries.append(Entry("place", pk, slug, fields["name"], fields["kind"], fields["name"]))
        for alias in self.of("events.placealias"):
            pk, fields = places[alias["place"][0]]
            entries.append(Entry("place", pk, fields["slug"], fields["name"], fields["kind"], alias["name"]))
        return Lexicon(entries)

    def article(self, slug: str) -> SimpleNamespace:
        """An unsaved stand-in for the Article: the engine reads its body and dates only."""
        fields = self.articles[slug]
        parse = lambda value: datetime.date.fromisoformat(value) if value else None  # noqa: E731
        return SimpleNamespace(
            pk=None,
            slug=slug,
            body=fields["body"],
            date_from=parse(fields["date_from"]),
            date_to=parse(fields["date_to"]),
        )


def _span(body: str, text: str, start: int | None) -> tuple[int, int]:
    if start is not None and body[start : start + len(text)] == text:
        return start, start + len(text)
    found = body.find(text)
    return found, found + len(text)


def gold_quotes(corpus: Corpus) -> list[dict]:
    """Every fixture quote: its span (marks excluded) and speaker (an actor's slug, or None for an unnamed one)."""
    gold = []
    for fields in corpus.of("articles.quote"):
        slug = fields["article"][0]
        start, end = _span(corpus.articles[slug]["body"], fields["text"], fields.get("text_start"))
        speaker = fields["speaker"][0] if fields["speaker"] else None
        gold.append({"article": slug, "start": start, "end": end, "speaker": speaker, "text": fields["text"]})
    return gold


def gold_mentions(corpus: Corpus) -> dict[str, dict[str, set[str]]]:
    """Per article, the actors and places its fixture records tie to it: quoted speakers, parties to relations,
    people and organisations of positions, subjects of figures, actors of the incidents it is cited for (and their
    casualties' forces), contributors and missions of contingents it is cited for, authors; places of those
    incidents and bases of those contingents. These are what a curator had to recognise in the text."""
    actors: dict[str, set[str]] = {slug: set() for slug in corpus.articles}
    places: dict[str, set[str]] = {slug: set() for slug in corpus.articles}
    for slug, fields in corpus.articles.items():
        actors[slug].update(author[0] for author in fields.get("authors", []))
    for fields in corpus.of("articles.quote"):
        if fields["speaker"]:
            actors[fields["article"][0]].add(fields["speaker"][0])
    for fields in corpus.of("actors.actorrelation"):
        actors[fields["source"][0]].update((fields["subject"][0], fields["object"][0]))
    for fields in corpus.of("actors.position"):
        actors[fields["source"][0]].add(fields["person"][0])
        if fields.get("organisation"):
            actors[fields["source"][0]].add(fields["organisation"][0])
    for fields in corpus.of("events.figure"):
        actors[fields["source"][0]].add(fields["subject"][0])
    incident_articles: dict[str, set[str]] = {}
    for fields in corpus.of("events.incidentsource"):
        incident_articles.setdefault(fields["incident"][0], set()).add(fields["source"][0])
    for fields in corpus.of("events.incidentactor"):
        for slug in incident_articles.get(fields["incident"][0], ()):
            actors[slug].add(fields["actor"][0])
    for incident, slugs in incident_articles.items():
        place = corpus.incidents[incident].get("place")
        for slug in slugs:
            if place:
                places[slug].add(place[0])
    for fields in corpus.of("actors.contingentsource"):
        contingent = corpus.contingents[fields["contingent"][0]]
        slug = fields["source"][0]
        for key in ("contributor", "mission"):
            if contingent.get(key):
                actors[slug].add(contingent[key][0])
        if contingent.get("base"):
            places[slug].add(contingent["base"][0])
    return {"actor": actors, "place": places}


def named_in_body(corpus: Corpus) -> dict[str, dict[str, set[str]]]:
    """Per article, the actors and places whose name or an alias the body prints (a plain, case-insensitive,
    whole-word regular expression search, independent of the engine's matcher)."""
    names: dict[str, dict[str, set[str]]] = {"actor": {}, "place": {}}
    for model, label, alias_label in (
        ("actor", "actors.actor", "actors.actoralias"),
        ("place", "events.place", "events.placealias"),
    ):
        for fields in corpus.of(label):
            names[model].setdefault(fields["slug"], set()).add(fields["name"])
        for fields in corpus.of(alias_label):
            names[model][fields[model][0]].add(fields["name"])
    found: dict[str, dict[str, set[str]]] = {"actor": {}, "place": {}}
    for slug, article in corpus.articles.items():
        body = unicodedata.normalize("NFC", article["body"])
        for model, records in names.items():
            found[model][slug] = {
                record
                for record, spellings in records.items()
                if any(re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", body, re.IGNORECASE) for spelling in spellings)
            }
    return found


def gold_dates(corpus: Corpus) -> list[dict]:
    """Dates as written in a cited excerpt: every dated record (figure, position, relation, strength observation,
    incident through its source) whose `date_as_written` occurs in its excerpt and whose precision is known. One
    per distinct span and range."""
    items: dict[tuple, dict] = {}

    def add(slug: str, excerpt: str, excerpt_start: int | None, dated: dict) -> None:
        written = dated.get("date_as_written") or ""
        if not written or dated.get("date_precision") in (None, "unknown") or written not in excerpt:
            return
        body = corpus.articles[slug]["body"]
        start, _ = _span(body, excerpt, excerpt_start)
        offset = start + excerpt.index(written)
        key = (slug, offset, dated["date_from"], dated["date_to"])
        items[key] = {
            "article": slug,
            "start": offset,
            "end": offset + len(written),
            "text": written,
            "date_from": dated["date_from"],
            "date_to": dated["date_to"],
        }

    for label in ("events.figure", "actors.position", "actors.actorrelation", "actors.strengthobservation"):
        for fields in corpus.of(label):
            add(fields["source"][0], fields["excerpt"], fields.get("excerpt_start"), fields)
    for fields in corpus.of("events.incidentsource"):
        add(
            fields["source"][0], fields["excerpt"], fields.get("excerpt_start"), corpus.incidents[fields["incident"][0]]
        )
    return sorted(items.values(), key=lambda item: (item["article"], item["start"]))


def gold_numbers(corpus: Corpus) -> list[dict]:
    """Every figure, casualty row and strength observation: its excerpt's span, its value(s) and its kind."""
    gold = []
    for label, kind, keys in (
        ("events.figure", "figure", ("value", "value_high")),
        ("events.casualty", "casualty", ("best", "low", "high")),
        ("actors.strengthobservation", "strength_observation", ("personnel",)),
    ):
        for fields in corpus.of(label):
            slug = fields["source"][0]
            start, end = _span(corpus.articles[slug]["body"], fields["excerpt"], fields.get("excerpt_start"))
            values = {Decimal(str(fields[key])) for key in keys if fields.get(key) is not None}
            gold.append(
                {"article": slug, "start": start, "end": end, "values": values, "kind": kind, "text": fields["excerpt"]}
            )
    return gold


def cited_passages(corpus: Corpus) -> dict[str, list[tuple[int, int]]]:
    """Every passage any record cites, per article (what test_corpus_numbers counts as a claim)."""
    spans: dict[str, list[tuple[int, int]]] = {slug: [] for slug in corpus.articles}
    for label, fields_list in corpus.records.items():
        for fields in fields_list:
            if label == "articles.quote":
                slug, text, start = fields["article"][0], fields["text"], fields.get("text_start")
            elif "excerpt" in fields and "source" in fields:
                slug, text, start = fields["source"][0], fields["excerpt"], fields.get("excerpt_start")
            else:
                continue
            spans[slug].append(_span(corpus.articles[slug]["body"], text, start))
    return spans


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(
    corpus: Corpus,
    *,
    run: Callable[[str], list[Suggestion]] | None = None,
    slugs: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Score the engine on the corpus. `run(slug)` gives an article's suggestions: by default the engine over the
    fixture body with the fixture registry (no database); the test passes one reading a blanked test database."""
    lexicon = corpus.lexicon() if run is None else None
    seconds: dict[str, float] = {}

    def default_run(slug: str) -> list[Suggestion]:
        report = suggest(corpus.article(slug), lexicon=lexicon, mark=False)
        seconds[slug] = sum(report.timings.values())
        return report.suggestions

    run = run or default_run
    slugs = list(slugs or sorted(corpus.articles, key=lambda slug: corpus.articles[slug]["seed_file"]))
    suggestions: dict[str, list[Suggestion]] = {}
    for slug in slugs:
        if progress is not None:
            progress(slug)
        suggestions[slug] = run(slug)

    def of_kind(slug: str, *kinds: Kind) -> list[Suggestion]:
        return [s for s in suggestions[slug] if s.kind in kinds]

    scores = {
        "quote": _score_quotes(corpus, slugs, of_kind),
        "actor": _score_mentions(corpus, slugs, of_kind, Kind.ACTOR),
        "place": _score_mentions(corpus, slugs, of_kind, Kind.PLACE),
        "date": _score_dates(corpus, slugs, of_kind),
        "number": _score_numbers(corpus, slugs, of_kind),
        "incident": _score_incidents(corpus, slugs, of_kind),
    }
    if run is default_run:
        scores["name"] = _score_unknown_names(corpus, slugs)
    return Evaluation(scores, seconds)


def _score_unknown_names(corpus: Corpus, slugs: list[str]) -> Score:
    """With an empty registry, how many of the actors and places the records tie to each article (and its body
    names) come up as unknown capitalised names, by their name or an alias; precision is the share of unknown-name
    suggestions that are the name or alias of some record of the corpus."""
    score = Score("name (empty registry)")
    spellings: dict[str, set[str]] = {}
    for label, alias_label, key in (
        ("actors.actor", "actors.actoralias", "actor"),
        ("events.place", "events.placealias", "place"),
    ):
        for fields in corpus.of(label):
            spellings.setdefault(fields["slug"], set()).add(fold(fields["name"]))
        for fields in corpus.of(alias_label):
            spellings.setdefault(fields[key][0], set()).add(fold(fields["name"]))
    every_spelling = set().union(*spellings.values())
    tied = gold_mentions(corpus)
    named = named_in_body(corpus)
    empty = Lexicon([])
    for slug in slugs:
        found = {fold(s.text) for s in suggest(corpus.article(slug), lexicon=empty, mark=False).by_kind(Kind.NAME)}
        for model in ("actor", "place"):
            for record in sorted(tied[model][slug] & named[model][slug]):
                score.gold += 1
                if spellings.get(record, set()) & found:
                    score.found += 1
                else:
                    score.misses.append(f"{slug}: {record}")
        score.suggested += len(found)
        score.correct += len(found & every_spelling)
        score.wrong.extend(f"{slug}: “{name}” is no record's name" for name in sorted(found - every_spelling))
    return score


def _score_quotes(corpus, slugs, of_kind) -> Score:
    score = Score("quote")
    gold = [item for item in gold_quotes(corpus) if item["article"] in slugs]
    speaker_right = named = named_right = 0
    for item in gold:
        score.gold += 1
        match = next(
            (s for s in of_kind(item["article"], Kind.QUOTE) if (s.start, s.end) == (item["start"], item["end"])), None
        )
        if match is None:
            score.misses.append(f"{item['article']}: “{item['text'][:60]}”")
            continue
        score.found += 1
        proposed = match.values.get("actor_slug")
        # An unnamed speaker is right when no actor is proposed (the curator describes the speaker).
        if proposed == item["speaker"] or (item["speaker"] is None and proposed is None):
            speaker_right += 1
        if item["speaker"] is not None:
            named += 1
            named_right += proposed == item["speaker"]
        else:
            score.wrong.append(f"speaker of “{item['text'][:40]}”: {proposed} instead of {item['speaker']}")
    spans = {(item["article"], item["start"], item["end"]) for item in gold}
    correct_high = suggested_high = 0
    for slug in slugs:
        for suggestion in of_kind(slug, Kind.QUOTE):
            score.suggested += 1
            hit = (slug, suggestion.start, suggestion.end) in spans
            score.correct += hit
            if suggestion.score >= 0.5:
                suggested_high += 1
                correct_high += hit
            if not hit:
                score.wrong.append(f"{slug}: not a fixture quote: “{suggestion.text[:50]}” (score {suggestion.score})")
    score.extra["speaker right"] = speaker_right / score.found if score.found else 1.0
    score.extra["named speakers right"] = named_right / named if named else 1.0
    score.extra["precision of those not ranked low"] = correct_high / suggested_high if suggested_high else 1.0
    return score


def _score_mentions(corpus, slugs, of_kind, kind: Kind) -> Score:
    """Recall over the records tied to the article that its body names (the others, e.g. China for “Chinese
    peacekeepers”, no name matcher can find: counted apart); precision as the share of the distinct records
    suggested that a fixture record ties to the article (a mention of Bamako in passing is not wrong, so this is
    a floor)."""
    model = str(kind)
    score = Score(model)
    tied = gold_mentions(corpus)[model]
    named = named_in_body(corpus)[model]
    unnamed = 0
    for slug in slugs:
        suggested = of_kind(slug, kind)
        seen = {s.values.get(f"{model}_slug") for s in suggested} | {
            c.get(f"{model}_slug") for s in suggested for c in s.values.get("candidates", [])
        }
        for record in sorted(tied[slug]):
            if record not in named[slug]:
                unnamed += 1
                continue
            score.gold += 1
            if record in seen:
                score.found += 1
            else:
                score.misses.append(f"{slug}: {record}")
        for record in sorted(seen - {None}):
            score.suggested += 1
            if record in tied[slug]:
                score.correct += 1
            else:
                score.wrong.append(f"{slug}: {record} is named but tied by no record")
    score.extra["tied records the body does not name (left out)"] = unnamed
    return score


def _contains(suggestion: Suggestion, item: dict) -> bool:
    values = suggestion.values
    return values["date_from"] <= item["date_from"] and item["date_to"] <= values["date_to"]


def _score_dates(corpus, slugs, of_kind) -> Score:
    score = Score("date")
    gold = [item for item in gold_dates(corpus) if item["article"] in slugs]
    located = 0
    for item in gold:
        score.gold += 1
        near = [s for s in of_kind(item["article"], Kind.DATE) if _overlaps(s.start, s.end, item["start"], item["end"])]
        located += bool(near)
        if any(_contains(s, item) for s in near):
            score.found += 1
        else:
            resolved = ", ".join(f"{s.values['date_from']}..{s.values['date_to']}" for s in near) or "not found"
            score.misses.append(
                f"{item['article']}: “{item['text']}” = {item['date_from']}..{item['date_to']} ({resolved})"
            )
    for slug in slugs:
        spans = [(item["start"], item["end"]) for item in gold if item["article"] == slug]
        for suggestion in of_kind(slug, Kind.DATE):
            score.suggested += 1
            if any(_overlaps(suggestion.start, suggestion.end, *span) for span in spans):
                score.correct += 1
    score.extra["located (range aside)"] = located / score.gold if score.gold else 1.0
    return score


def _number_values(suggestion: Suggestion) -> set[Decimal]:
    values = suggestion.values
    found = {Decimal(values["value"])}
    if values.get("value_high"):
        found.add(Decimal(values["value_high"]))
    return found


def _score_numbers(corpus, slugs, of_kind) -> Score:
    score = Score("number")
    gold = [item for item in gold_numbers(corpus) if item["article"] in slugs]
    kind_right = 0
    for item in gold:
        score.gold += 1
        near = [
            s
            for s in of_kind(item["article"], Kind.NUMBER)
            if _overlaps(s.start, s.end, item["start"], item["end"]) and _number_values(s) & item["values"]
        ]
        if near:
            score.found += 1
            kind_right += any(item["kind"] in s.values.get("offer_as", []) for s in near)
        else:
            score.misses.append(f"{item['article']}: {item['kind']} {sorted(item['values'])} in “{item['text'][:70]}”")
    cited = cited_passages(corpus)
    for slug in slugs:
        for suggestion in of_kind(slug, Kind.NUMBER):
            score.suggested += 1
            if any(start <= suggestion.start and suggestion.end <= end for start, end in cited[slug]):
                score.correct += 1
            else:
                score.wrong.append(f"{slug}: “{suggestion.text}” is in no cited passage")
    score.extra["offered as the right record"] = kind_right / score.found if score.found else 1.0
    return score


def _score_incidents(corpus, slugs, of_kind) -> Score:
    score = Score("incident")
    sources = [fields for fields in corpus.of("events.incidentsource") if fields["source"][0] in slugs]
    spans: dict[str, list[tuple[int, int]]] = {}
    for fields in sources:
        slug = fields["source"][0]
        span = _span(corpus.articles[slug]["body"], fields["excerpt"], fields.get("excerpt_start"))
        spans.setdefault(slug, []).append(span)
        score.gold += 1
        if any(_overlaps(s.start, s.end, *span) for s in of_kind(slug, Kind.INCIDENT)):
            score.found += 1
    for slug in slugs:
        for suggestion in of_kind(slug, Kind.INCIDENT):
            score.suggested += 1
            score.correct += any(_overlaps(suggestion.start, suggestion.end, *span) for span in spans.get(slug, []))
    return score

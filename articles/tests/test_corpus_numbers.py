"""Every number the five articles state is recorded as a sourced claim, or consciously left out.

A number is a run of digits or a number word (NUMBER_WORDS, including explicit zeros such as “no” and “nobody”).
It counts as recorded when it lies inside a passage some record cites: a quote, or the excerpt of a figure, casualty,
strength observation, incident source, contingent source, position or actor relation. Numbers that say nothing about
the mission, its actors or events are listed in NOT_CLAIMS with the reason, as test_corpus.py lists scare quotes.

Reads the fixture files only, so it needs no database.
"""

import json
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from articles.models import Quote
from articles.provenance import SourcedClaim
from common import corpus
from common.verbatim import locate

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# Vague quantifiers (“several”, “many”, “a few”, “a handful”) are left out on purpose: they state no number.
# “quarters” is left out too: in these texts it only means lodgings.
NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundreds?|thousands?|millions?|billions?|dozens?|decades?|half|halves|thirds?|quarter"
    r"|first|second|fourth|fifth|sixth|seventh|eighth|ninth|tenth|once|twice"
    r"|zero|none|nobody|no"
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + NUMBER_WORDS + r")\b", re.IGNORECASE)

# Passages holding numbers that are not claims about the mission, its actors or events, with the reason.
# Each passage occurs once in its body. Ordinals that only number the options of a list are here; the count of
# options is recorded as a figure.
NOT_CLAIMS: dict[str, dict[str, str]] = {
    "000_b9b66b10140f9994.txt": {
        "roving this half of the Sahel region": "geography: which part of the Sahel, not a share",
        "is a two days’ drive from Bamako": "geography: travel time between Gao and Bamako, places with coordinates",
        "the upper half of Mali": "geography: where the mission moves, not a share",
    },
    "001_9a554e53b4809e9c.txt": {
        (
            "In January 2022, my wife and I were able to spend a few hours in Segou, a city 130 miles north of the "
            "capital"
        ): "the author's own trip, and a distance between places that carry coordinates",
        "With thousands of migrants attempting to cross the sea": (
            "migration to Europe: context beyond Mali's conflict and the mission"
        ),
        "My first assignment": "the author's own visit",
        "There are no other stable jobs or industries": (
            "a generalisation about the local economy, not a count (MINUSMA's nearly 6,000 employees are a figure)"
        ),
        "after two motorbikes drove by": "an anecdote of the author's visit (passers-by), not an event of the conflict",
        "I walked one day to the bus station": "the author's own visit",
        "One of the station’s managers": "picks out an unnamed speaker",
        "one of the world’s most significant population growth rates": (
            "a ranking, not a count (the five to six children per woman are a figure)"
        ),
        "one MINUSMA officer said": "picks out an unnamed speaker",
        "with no end in sight": "idiom",
    },
    "002_a43eed279b259090.txt": {
        "the one in the eastern Democratic Republic of the Congo": "pronoun",
        "One academic expert on Mali noted": "picks out a speaker (Isaline Bergamaschi)",
        "the first to pose a threat to the Malian government": (
            "an order of events, not a count: the Tuareg rebellion that came first is an incident"
        ),
    },
    "003_8aff0aafdc465972.txt": {
        "A few thousand more troops wouldn't change": (
            "a hypothetical about Ban Ki-moon's request, whose 2,500 troops are a figure"
        ),
    },
    "004_bc173adbdd99be5c.txt": {
        "One choice is to convert it to a political mission.": "numbers an option of the review",
        "The first option is to increase troop strength": "numbers an option of the review",
        "The second option is to maintain focus": "numbers an option of the review",
        "The third option would be to withdraw": "numbers an option of the review",
        (
            "The first option may be the UN’s most desired and may be a stalling tactic until the way ahead for "
            "Minusma can be clear: raising the number of troop and police personnel by 3,680."
        ): "numbers an option, and repeats its 3,680, a figure cited from the first mention",
        "The second option is to consolidate": "numbers an option of the review",
        "One to consolidate in central Mali": "numbers a variation of an option",
        "converting from a peacekeeping mission to a political one": "pronoun",
        "Under choice No. 3": "numbers an option of the review",
        "which no longer benefits": "idiom",
        "places that have no “significant” civilian protection challenges": "a quality of places, not a count",
        "Sukhoi Su-25": "an aircraft model's designation",
        "Albatros L-39": "an aircraft model's designation",
        "Mi-8s": "a helicopter model's designation",
        "they have released no details of the deal": "idiom: nothing disclosed, not a count",
    },
}

pytestmark = pytest.mark.corpus


@cache
def _fixture_records() -> dict[str, list[dict]]:
    """The fixture records by model label, lower case."""
    records: dict[str, list[dict]] = {}
    for path in corpus.fixture_paths(FIXTURES):
        for record in json.loads(path.read_text(encoding="utf-8")):
            records.setdefault(record["model"].lower(), []).append(record["fields"])
    return records


@cache
def _articles() -> dict[str, tuple[str, str]]:
    """Article slug -> (seed file, body)."""
    return {fields["slug"]: (fields["seed_file"], fields["body"]) for fields in _fixture_records()["articles.article"]}


@cache
def _cited_spans() -> dict[str, list[tuple[int, int]]]:
    """Article slug -> the (start, end) of every passage a record cites in it."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for _, label in corpus.CORPUS_MODELS:
        model = apps.get_model(label)
        if issubclass(model, Quote):
            columns = ("article", "text", "text_start")
        elif issubclass(model, SourcedClaim):
            columns = ("source", "excerpt", "excerpt_start")
        else:
            continue
        for fields in _fixture_records().get(label.lower(), []):
            article_field, text_field, start_field = columns
            (slug,) = fields[article_field]
            body = _articles()[slug][1]
            spans.setdefault(slug, []).append(locate(body, fields[text_field], fields.get(start_field)))
    return spans


def _uncited_numbers(slug: str) -> list[re.Match]:
    spans = _cited_spans().get(slug, [])
    return [
        match
        for match in NUMBER.finditer(_articles()[slug][1])
        if not any(start <= match.start() and match.end() <= end for start, end in spans)
    ]


def _exempted_span(body: str, passage: str) -> tuple[int, int]:
    start = body.find(passage)
    return start, start + len(passage)


def test_every_number_in_the_bodies_is_recorded_or_not_a_claim():
    """Each number in each body lies in a cited passage, or in a passage NOT_CLAIMS says is no claim."""
    missing = []
    for slug, (seed_file, body) in sorted(_articles().items(), key=lambda item: item[1][0]):
        exempted = [_exempted_span(body, passage) for passage in NOT_CLAIMS.get(seed_file, {})]
        for match in _uncited_numbers(slug):
            if not any(start <= match.start() and match.end() <= end for start, end in exempted):
                context = body[max(0, match.start() - 60) : match.end() + 40].replace("\n", " ")
                missing.append(f"{seed_file}: “{match.group()}” in “…{context}…”")
    assert not missing, "numbers neither recorded nor listed as no claim:\n" + "\n".join(missing)


def test_every_exemption_is_in_its_body_once_and_still_needed():
    """A NOT_CLAIMS passage occurs exactly once and still holds a number no record cites (so the list stays true)."""
    seed_files = {seed_file: slug for slug, (seed_file, _) in _articles().items()}
    for seed_file, passages in NOT_CLAIMS.items():
        slug = seed_files[seed_file]
        body = _articles()[slug][1]
        uncited = _uncited_numbers(slug)
        for passage, reason in passages.items():
            assert reason.strip(), passage
            assert body.count(passage) == 1, f"{seed_file}: “{passage}” occurs {body.count(passage)} times"
            start, end = _exempted_span(body, passage)
            assert any(start <= match.start() and match.end() <= end for match in uncited), (
                f"{seed_file}: “{passage}” holds no uncited number any more; remove it from NOT_CLAIMS"
            )

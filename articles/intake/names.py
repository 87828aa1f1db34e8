"""Capitalised names that are neither a known actor nor a known place: candidates for new records.

Tested heuristics rather than a statistical model (nothing is downloaded at run time): a run of capitalised
words, joined by the small words names use (“of”, “the”, “al-”, “de”), that is not a sentence's ordinary first
word, a month, a weekday or a nationality adjective. Its likely kind comes from titles before it (“Col.”,
“President”), words inside it (“Institute”, “Movement”, “Region”) and prepositions of place before it.
"""

import re

from .suggestion import Kind, Suggestion
from .text import Body

CONNECTORS = {"of", "the", "for", "de", "du", "des", "la", "le", "al", "el", "bin", "ibn", "ul", "van", "von", "and"}
COMMON_FIRST_WORDS = {
    "a", "an", "the", "in", "on", "at", "as", "but", "and", "or", "if", "it", "its", "this", "that", "these", "those",
    "there", "their", "they", "he", "she", "we", "i", "you", "his", "her", "our", "my", "your", "after", "before",
    "since", "while", "when", "where", "what", "why", "how", "who", "which", "with", "without", "for", "from", "by",
    "to", "of", "yet", "so", "still", "even", "also", "then", "now", "today", "despite", "although", "though",
    "because", "besides", "moreover", "however", "meanwhile", "nonetheless", "instead", "indeed", "many", "some",
    "most", "more", "few", "several", "all", "both", "each", "every", "no", "not", "one", "two", "three", "given",
    "under", "over", "about", "among", "between", "during", "until", "like", "unlike", "such", "other", "another",
    "related", "follow", "photo", "read", "sign", "here", "last", "next", "first", "second", "third", "only", "just",
    "whether", "once", "than", "up", "out", "into", "through", "against", "whose", "would", "could", "should",
    "will", "can", "may", "might", "must", "is", "are", "was", "were", "be", "has", "have", "had", "do", "does",
    "did", "mr", "mrs", "ms", "according", "asked", "overall", "eventually", "currently", "recently", "already",
}  # fmt: skip
MONTHS_AND_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip
PERSON_TITLES = {
    "president", "col", "colonel", "gen", "general", "lt", "sgt", "capt", "captain", "maj", "major", "mr", "mrs",
    "ms", "dr", "prof", "professor", "sheikh", "minister", "ambassador", "secretary-general", "spokesman",
    "spokeswoman", "spokesperson", "commander", "chief", "imam", "king", "queen", "prince", "senator",
}  # fmt: skip
ORGANISATION_WORDS = {
    "group", "council", "institute", "movement", "front", "party", "ministry", "agency", "union", "organization",
    "organisation", "mission", "force", "forces", "army", "brigade", "battalion", "company", "university",
    "committee", "commission", "bank", "network", "association", "assembly", "news", "press", "times", "office",
    "department", "program", "programme", "fund", "foundation", "center", "centre", "alliance", "coalition",
    "court", "parliament", "government", "magazine", "post", "service", "services", "unit", "corps", "police",
}  # fmt: skip
PLACE_WORDS = {
    "region", "province", "camp", "river", "desert", "airport", "city", "district", "valley", "lake", "mountains",
    "street", "square", "base", "circle", "cercle", "county", "state", "island", "islands", "sea", "ocean", "coast",
}  # fmt: skip
_NATIONALITY = re.compile(r"(?:ian|ese|ish|ean|ch|an|i)$")
_ADJECTIVE = re.compile(r"(?:ians?|ese|ish|ist|ists|ern|ic|can|ean|ch|ern|west|east|north|south|speaking)$")
_WORD = re.compile(r"[A-ZÀ-ÝĀ-Ž][\w’'\-.]*|[a-z]+[\-’'][A-Z][\w\-]*|\w+|[^\w\s]", re.UNICODE)
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|to|outside|inside|across|around|toward|towards)\s+$")


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or bool(re.match(r"^(?:al|el|ad|ag|ould)-[A-Z]", token))


def name_suggestions(body: Body, known: list[tuple[int, int]]) -> list[Suggestion]:
    """Runs of capitalised words outside the known names' spans."""
    text = body.text
    covered = sorted(known)
    suggestions = []
    for sentence in body.sentences:
        tokens = [(m.start(), m.end()) for m in _WORD.finditer(text, sentence.start, sentence.end)]
        index = 0
        while index < len(tokens):
            start, end = tokens[index]
            word = text[start:end]
            if not _capitalised(word) or not word[:1].isalpha():
                index += 1
                continue
            run = [index]
            cursor = index + 1
            while cursor < len(tokens):
                token = text[tokens[cursor][0] : tokens[cursor][1]]
                gap = text[tokens[cursor - 1][1] : tokens[cursor][0]]
                if gap not in (" ", ""):
                    break
                if (_capitalised(token) and token[:1].isalpha()) or (
                    token.lower() in CONNECTORS
                    and cursor + 1 < len(tokens)
                    and _capitalised(text[tokens[cursor + 1][0] : tokens[cursor + 1][1]])
                ):
                    run.append(cursor)
                else:
                    break
                cursor += 1
            index = cursor
            suggestion = _candidate(body, sentence.start, [tokens[i] for i in run], covered)
            if suggestion is not None:
                suggestions.append(suggestion)
    return suggestions


def _candidate(body: Body, sentence_start: int, tokens: list[tuple[int, int]], covered) -> Suggestion | None:
    text = body.text
    # Drop trailing connectors and a trailing full stop that ends the sentence.
    words = [text[s:e] for s, e in tokens]
    while words and (words[-1].lower() in CONNECTORS):
        words.pop()
        tokens = tokens[:-1]
    if not words:
        return None
    if tokens[0][0] == sentence_start or text[sentence_start : tokens[0][0]].strip() in ("“", '"', "(", "‘"):
        while words and words[0].lower().rstrip(".") in COMMON_FIRST_WORDS:
            words, tokens = words[1:], tokens[1:]
        if len(words) == 1 and words[0].lower() not in PERSON_TITLES and not _looks_like_name(words[0]):
            return None
    while words and words[0].lower() in CONNECTORS:
        words, tokens = words[1:], tokens[1:]
    if not words:
        return None
    start, end = tokens[0][0], tokens[-1][1]
    if text[end - 1] == "." and not re.search(r"\.[A-Z]\.$|^[A-Z]\.$", text[start:end]):
        end -= 1
    if any(s < end and start < e for s, e in covered):
        return None
    surface = text[start:end]
    lowered = [word.lower().rstrip(".") for word in surface.split()]
    if all(word in MONTHS_AND_DAYS or word in COMMON_FIRST_WORDS for word in lowered):
        return None
    if surface.endswith(("’s", "'s")):
        end -= 2
        surface, lowered = surface[:-2], [*lowered[:-1], lowered[-1][:-2]]
    following = re.match(r"\s([a-z]+)", text[end : end + 20])
    if (
        len(lowered) == 1
        and _NATIONALITY.search(lowered[0])
        and following
        and following.group(1) not in COMMON_FIRST_WORDS | CONNECTORS
    ):
        return None  # “Chadian soldiers”, “French troops”: an adjective, not a name
    if all(_ADJECTIVE.search(word) for word in lowered):
        return None  # “Western”, “Islamist”, “Malians”, “West African”: adjectives and demonyms
    if re.match(r"^I[’']", surface):
        return None
    if len(surface) < 3 or surface.isdigit():
        return None
    kind, reason = _guess_kind(text, start, lowered)
    title = surface.split()[0].lower().rstrip(".")
    if title in PERSON_TITLES and len(surface.split()) > 1:
        surface_start = start + len(surface.split()[0]) + 1
        start, surface = surface_start, text[surface_start:end]
    return Suggestion(
        Kind.NAME,
        start,
        end,
        surface,
        {"name": surface, "guessed_kind": kind, "reason": reason},
        score=0.5 if len(surface.split()) > 1 else 0.35,
        note="not a known actor or place: create one?",
    )


def _looks_like_name(word: str) -> bool:
    """A lone capitalised word at a sentence's start is a name only when it is not an ordinary word capitalised:
    an acronym, or a word with a capital inside (McKinsey, al-Qaeda)."""
    return (word.isupper() and len(word) > 1) or any(char.isupper() for char in word[1:])


def _guess_kind(text: str, start: int, words: list[str]) -> tuple[str, str]:
    before = text[max(0, start - 30) : start].lower()
    last_before = before.split()[-1].rstrip(".") if before.split() else ""
    if words[0] in PERSON_TITLES or last_before in PERSON_TITLES:
        return "person", "after a title"
    if any(word in ORGANISATION_WORDS for word in words):
        return "organisation", "an organisation's word in the name"
    if any(word in PLACE_WORDS for word in words):
        return "place", "a place's word in the name"
    surface = text[start:].split()[0].replace(".", "")
    if len(words) == 1 and surface.isupper() and len(surface) > 1:
        return "organisation", "an acronym"
    if _PLACE_BEFORE.search(before):
        return "place", "after a preposition of place"
    if 2 <= len(words) <= 3:
        return "person", "two or three capitalised words"
    return "unknown", ""

"""Quoted passages and who said them.

Every passage between quote marks (curly “…”, straight "…", guillemets «…» and ‹…›, low-high „…“, and single
marks ‘…’ nested inside a double-quoted passage) is a candidate. Its speaker is read from the attribution around
it (“…,” said X / X said / X told / according to X / X: “…”), matched to the known actors and aliases; “he said”
and an unattributed quote take the speaker of the quote before, or the last person named. One or two words with
no attribution in their sentence are most likely scare quotes: still offered, ranked low.
"""

import re
from dataclasses import dataclass

from .lexicon import Match
from .suggestion import Kind, Suggestion
from .text import Body

# Opening mark -> the marks that close it.
PAIRS = {"“": "”", "«": "»", "„": "“”", "‹": "›", "»": "«"}
STRAIGHT = '"'
NESTED_PAIRS = {"‘": "’", "'": "'"}

VERBS = (
    r"said|says|told|tells|added|adds|noted|notes|wrote|writes|explained|explains|warned|warns|stated|states"
    r"|argued|argues|insisted|insists|asked|asks|replied|replies|remarked|remarks|continued|continues|declared"
    r"|declares|concluded|concludes|acknowledged|acknowledges|observed|observes|claimed|claims|bemoaned|recalled"
    r"|described|describes|called|calls|concedes|conceded|suggests|suggested|recommends|recommended|urged|urges"
)
PRONOUNS = r"he|she|they|it|we"
_AFTER_VERB_FIRST = re.compile(rf"^\W{{0,3}}\s*(?:{VERBS})\s+(?P<who>[^.,;:!?”\"]{{1,120}})", re.IGNORECASE)
_AFTER_WHO_FIRST = re.compile(
    rf"^\W{{0,3}}\s*(?P<who>[^.,;:!?”\"]{{1,80}}?)(?:,[^.;:!?”\"]{{1,120}},)?\s+(?:{VERBS})\b", re.IGNORECASE
)
# “… than Minusma, said Hervé Ladsous”: a verb of saying later in the sentence, the speaker after it.
_AFTER_ANYWHERE = re.compile(rf"\b(?:{VERBS})\s+(?P<who>[A-Z][^.,;:!?”\"]{{1,100}})")
# Words of saying in the sentence before a quote: “Jezequel …, saying that it has the ability to “…””.
SAYING = re.compile(
    rf"\b(?:{VERBS}|saying|requesting|requested|calling|describing|according to|wants?|asking|urging)\b",
    re.IGNORECASE,
)
_INDEFINITE = re.compile(r"^(?:one|a|an|another|some|two|three|several)\s", re.IGNORECASE)
_ACCORDING = re.compile(r"according to (?P<who>[^.,;:!?”\"]{1,100})", re.IGNORECASE)
_BEFORE = re.compile(
    rf"(?P<who>[^.,;:!?”\"“]{{1,100}}?)\s+(?:{VERBS})(?:\s+\w+){{0,3}}?(?:\s+that|\s+of|\s+as)?[\s,:]*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(rf"^(?:{PRONOUNS})$", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an|one)\s+", re.IGNORECASE)


@dataclass
class Passage:
    open_at: int  # offset of the opening mark
    start: int  # the quoted text, marks excluded
    end: int
    nested: bool


def passages(body: Body) -> list[Passage]:
    """Every quoted passage, paragraph by paragraph (a quote left open runs to the end of its paragraph)."""
    found: list[Passage] = []
    text = body.text
    for paragraph in body.paragraphs:
        index = paragraph.start
        while index < paragraph.end:
            char = text[index]
            closers = PAIRS.get(char)
            if char == STRAIGHT and (index == paragraph.start or not text[index - 1].isalnum()):
                closers = STRAIGHT
            if char == "»" and (index + 1 >= paragraph.end or not text[index + 1].isalpha()):
                closers = None  # a closing guillemet, not German-style opening
            if not closers:
                index += 1
                continue
            close = _find_closer(text, index + 1, paragraph.end, closers)
            end = close if close is not None else paragraph.end
            start = index + 1
            if text[start:end].strip():
                found.append(Passage(index, start, end, nested=False))
                found.extend(_nested(text, start, end))
            index = end + 1
    return found


def _find_closer(text: str, start: int, stop: int, closers: str) -> int | None:
    for index in range(start, stop):
        if text[index] in closers:
            return index
    return None


def _nested(text: str, start: int, end: int) -> list[Passage]:
    """Single-quoted passages inside a double-quoted one: an opening mark at a word start, a closing one not
    followed by a letter (so “don’t” and “Mali’s” are apostrophes)."""
    nested = []
    index = start
    while index < end:
        char = text[index]
        closer = NESTED_PAIRS.get(char)
        if (
            closer
            and (index == start or not text[index - 1].isalnum())
            and index + 1 < end
            and text[index + 1].isalnum()
        ):
            close = next(
                (
                    position
                    for position in range(index + 1, end)
                    if text[position] == closer and (position + 1 >= end or not text[position + 1].isalpha())
                ),
                None,
            )
            if close is not None and close > index + 1:
                nested.append(Passage(index, index + 1, close, nested=True))
                index = close
        index += 1
    return nested


@dataclass
class Attribution:
    phrase: str  # the words naming the speaker, as printed
    start: int
    end: int


def attribution(body: Body, passage: Passage) -> Attribution | None:
    """The words naming the speaker in the quote's sentence, read after the quote first, then before it."""
    text = body.text
    sentence = body.sentence_at(passage.start)
    close = passage.end + 1 if passage.end < len(text) else passage.end
    after_end = max(sentence.end, close)
    # Stop at the next quote so that “…,” he said, “…” reads the attribution between them only.
    next_open = re.search(r"[“\"«„]", text[close:after_end])
    after = text[close : close + next_open.start()] if next_open else text[close:after_end]
    for pattern in (_AFTER_VERB_FIRST, _AFTER_WHO_FIRST, _ACCORDING, _AFTER_ANYWHERE):
        match = pattern.match(after) if pattern in (_AFTER_VERB_FIRST, _AFTER_WHO_FIRST) else pattern.search(after)
        if match and (pattern is not _AFTER_WHO_FIRST or len(match["who"].split()) <= 6):
            return Attribution(match["who"].strip(), close + match.start("who"), close + match.end("who"))
    before = text[sentence.start : passage.open_at]
    match = _BEFORE.search(before)
    if match:
        who = match["who"]
        # Keep the last clause: “In a statement, Jezequel said that” names Jezequel.
        cut = max(who.rfind(" and "), who.rfind(" but "), who.rfind(" while "))
        offset = cut + 5 if cut >= 0 else 0
        who = who[offset:]
        stripped = who.lstrip()
        start = sentence.start + match.start("who") + offset + (len(who) - len(stripped))
        return Attribution(stripped.strip(), start, start + len(stripped.strip()))
    match = _ACCORDING.search(before)
    if match:
        return Attribution(match["who"].strip(), sentence.start + match.start("who"), sentence.start + match.end("who"))
    return None


class SpeakerResolver:
    """Resolves attributions to actors with the known names found in the body, remembering the last speaker."""

    def __init__(self, body: Body, mentions: list[Match], document_actors: list[dict]):
        self.body = body
        self.actor_mentions = [match for match in mentions if any(e.model == "actor" for e in match.entries)]
        self.document_actors = document_actors
        self.last_speaker: dict | None = None
        self.last_speaker_end = -1

    @staticmethod
    def _speaker(match: Match) -> dict:
        entries = [entry for entry in match.entries if entry.model == "actor"]
        entry = next((entry for entry in entries if entry.kind == "person"), entries[0])
        return {"actor": entry.pk, "actor_name": entry.name, "actor_slug": entry.slug, "actor_kind": entry.kind}

    @staticmethod
    def _is_person(match: Match) -> bool:
        return any(entry.model == "actor" and entry.kind == "person" for entry in match.entries)

    def _actor_in(self, start: int, end: int) -> dict | None:
        """The person the phrase names, else the first actor: “the Tuareg leader Mohamed” is Mohamed, “Hervé
        Ladsous, the head of UN peacekeeping” Ladsous."""
        inside = [match for match in self.actor_mentions if start <= match.start and match.end <= end]
        if not inside:
            return None
        return self._speaker(next((match for match in inside if self._is_person(match)), inside[0]))

    def _last_person_before(self, offset: int) -> dict | None:
        """Whom “he said” means: the person named last before the quote."""
        for match in reversed(self.actor_mentions):
            if match.end <= offset and self._is_person(match):
                return self._speaker(match) if offset - match.end < 3000 else None
        return None

    def _document(self, phrase: str) -> dict | None:
        """“the review”, “the resolution”: the actor whose name holds the head noun, preferring one the body names."""
        words = _LEADING_ARTICLE.sub("", phrase).lower().split()
        if not words or len(words) > 4:
            return None
        head = words[-1]
        candidates = [actor for actor in self.document_actors if head in actor["words"]]
        if not candidates:
            return None
        body = self.body.text.lower()
        best = max(candidates, key=lambda actor: sum(word in body for word in actor["words"]))
        return {key: best[key] for key in ("actor", "actor_name", "actor_slug", "actor_kind")}

    def _from_phrase(self, phrase: str, start: int, end: int, before: int) -> dict:
        if _PRONOUN.match(phrase):
            if phrase.lower() in ("he", "she"):
                return self._last_person_before(before) or self.last_speaker or {}
            return self.last_speaker or {}
        if _INDEFINITE.match(phrase):
            # “one MINUSMA officer” is unnamed, whatever names follow; “a new internal review” is a document and
            # “a report by AFP” its author.
            by = phrase.lower().rfind(" by ")
            author = self._actor_in(start + by + 4, end) if by >= 0 else None
            return author or self._document(phrase) or {"speaker_description": phrase}
        found = self._actor_in(start, end) or self._document(phrase)
        return found or {"speaker_description": _LEADING_ARTICLE.sub(lambda m: m.group().lower(), phrase)}

    def _sentence_subject(self, passage: Passage) -> dict | None:
        """A quote inside a sentence whose words of saying come before it: the sentence's person, else its first
        actor, else the document its subject names (“The government …, requesting … that Minusma “plan””)."""
        sentence = self.body.sentence_at(passage.start)
        before = self.body.text[sentence.start : passage.open_at]
        verbs = list(SAYING.finditer(before))
        if not verbs:
            return None
        # “A big downside, the review said, would be “…””: the words just before the last verb of saying.
        clause_start = max(before.rfind(",", 0, verbs[-1].start()), before.rfind(";", 0, verbs[-1].start())) + 1
        phrase = before[clause_start : verbs[-1].start()].strip()
        if phrase and len(phrase.split()) <= 4:
            offset = sentence.start + clause_start + before[clause_start:].find(phrase)
            found = self._from_phrase(phrase, offset, offset + len(phrase), passage.start)
            if "actor" in found:
                return found
        inside = [m for m in self.actor_mentions if sentence.start <= m.start and m.end <= passage.open_at]
        if inside:
            return self._speaker(next((m for m in inside if self._is_person(m)), inside[0]))
        subject = re.match(r"\s*((?:the|a|an)\s+(?:\w+\s+){0,2}?\w+)\b", before, re.IGNORECASE)
        return self._document(subject.group(1)) if subject else None

    def _earlier_source(self, passage: Passage) -> dict | None:
        """“… according to a new internal review. The analysis … the mission’s “overstretched” status”: the
        source named in the paragraph before the quote."""
        paragraph = self.body.paragraph_at(passage.start)
        before = self.body.text[paragraph.start : passage.open_at]
        matches = list(_ACCORDING.finditer(before))
        if not matches:
            return None
        match = matches[-1]
        start = paragraph.start + match.start("who")
        return self._from_phrase(match["who"].strip(), start, start + len(match["who"]), passage.start) or None

    def resolve(self, passage: Passage) -> tuple[dict, Attribution | None]:
        found = attribution(self.body, passage)
        speaker: dict | None
        if found is not None:
            speaker = self._from_phrase(found.phrase, found.start, found.end, passage.start)
        else:
            speaker = self._sentence_subject(passage) or self._earlier_source(passage)
            if speaker is None and self.last_speaker and passage.start - self.last_speaker_end < 1500:
                speaker = self.last_speaker
        speaker = speaker or {}
        if "actor" in speaker or "speaker_description" in speaker:
            self.last_speaker, self.last_speaker_end = speaker, passage.end
        return speaker, found


def quote_suggestions(body: Body, mentions: list[Match], document_actors: list[dict]) -> list[Suggestion]:
    resolver = SpeakerResolver(body, mentions, document_actors)
    suggestions = []
    for passage in passages(body):
        text = body.text[passage.start : passage.end]
        if not text.strip():
            continue
        speaker, found = resolver.resolve(passage)
        words = len(text.split())
        sentence = body.sentence_at(passage.start)
        scare = words <= 2 and (found is None or not (sentence.start <= found.start < sentence.end))
        score = 0.2 if scare else (0.9 if found else 0.6)
        if passage.nested:
            score = min(score, 0.5)
        note = "one or two words without an attribution: perhaps a scare quote" if scare else ""
        if found is None and not scare:
            note = "no attribution in its sentence: speaker guessed from the quote before"
        values = {**speaker, "nested": passage.nested, "scare_quote": scare}
        if found is not None:
            values["attribution"] = found.phrase
        suggestions.append(Suggestion(Kind.QUOTE, passage.start, passage.end, text, values, score, note))
    return suggestions

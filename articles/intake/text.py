"""The body as the engine reads it: folded for matching (with a map back to the body's offsets), sentences and
paragraphs with their offsets."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

# Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "col", "gen", "lt", "sgt", "capt", "maj", "cpl", "st", "no", "vs", "sen", "rep",
    "gov", "pres", "prof", "rev", "adm", "brig", "cmdr", "u.n", "u.s", "u.k", "e.g", "i.e", "etc", "inc",
    "ltd", "co", "corp", "jr", "sr",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…]+[”\"’'»)\]]*(?=\s+[\"“‘'«(\[A-Z0-9À-Ý])")
_WORD_BEFORE = re.compile(r"([\w.]+)\.?$")


def fold_char(char: str) -> str:
    """One character folded as common.text.fold folds a name: accents dropped, case folded."""
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class Body:
    """An article body with the views the extractors share, each computed once."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def folded(self) -> tuple[str, list[int]]:
        """The folded body and, for each folded character, the offset of the body character it comes from.

        Whitespace runs fold to one space, as in common.text.fold, so a name with a line break in it still matches.
        """
        pieces: list[str] = []
        origin: list[int] = []
        previous_space = False
        for index, char in enumerate(self.text):
            folded = fold_char(char)
            if folded == " ":
                if previous_space:
                    continue
                previous_space = True
            else:
                previous_space = False
            pieces.append(folded)
            origin.extend([index] * len(folded))
        origin.append(len(self.text))
        return "".join(pieces), origin

    @cached_property
    def paragraphs(self) -> list[Span]:
        spans, start = [], 0
        for match in re.finditer(r"\n\s*\n|\n", self.text):
            if self.text[start : match.start()].strip():
                spans.append(self._trimmed(start, match.start()))
            start = match.end()
        if self.text[start:].strip():
            spans.append(self._trimmed(start, len(self.text)))
        return spans

    @cached_property
    def sentences(self) -> list[Span]:
        """Sentences within paragraphs: a full stop ends one unless it follows an abbreviation or an initial."""
        spans = []
        for paragraph in self.paragraphs:
            start = paragraph.start
            for match in _SENTENCE_END.finditer(self.text, paragraph.start, paragraph.end):
                before = self.text[max(paragraph.start, match.start() - 12) : match.start()]
                word = _WORD_BEFORE.search(before)
                token = word.group(1).lower() if word else ""
                if self.text[match.start()] == "." and (token in ABBREVIATIONS or len(token) == 1):
                    continue
                spans.append(self._trimmed(start, match.end()))
                start = match.end()
            if self.text[start : paragraph.end].strip():
                spans.append(self._trimmed(start, paragraph.end))
        return spans

    def _trimmed(self, start: int, end: int) -> Span:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Span(start, end)

    def sentence_at(self, offset: int) -> Span:
        """The sentence holding `offset` (bisected: sentences are sorted)."""
        sentences = self.sentences
        low, high = 0, len(sentences) - 1
        while low <= high:
            middle = (low + high) // 2
            span = sentences[middle]
            if offset < span.start:
                high = middle - 1
            elif offset >= span.end:
                low = middle + 1
            else:
                return span
        return Span(offset, offset)

    def paragraph_at(self, offset: int) -> Span:
        for span in self.paragraphs:
            if span.start <= offset < span.end:
                return span
        return Span(offset, offset)

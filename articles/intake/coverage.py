"""How much of an article the records cover: which sentences some record cites, and which numbers and quoted
passages no record covers yet, so a curator (and a reader) sees when an article is done.

Cheap enough for the public page: regular expressions only (dates are found, not resolved; no name lookup) and one
query per citing model.
"""

from dataclasses import dataclass

from .dates import date_spans
from .numbers import number_suggestions
from .quotes import passages
from .recorded import cited_spans
from .text import Body

# Mentions record that a name is printed, not a claim: they do not make a sentence cited.
NOT_CLAIMS = {"articles.actormention", "articles.placemention"}


@dataclass
class Gap:
    start: int
    end: int
    text: str
    sentence: str


@dataclass
class Coverage:
    sentences: int
    cited_sentences: list[tuple[int, int]]
    numbers: list[Gap]
    quotes: list[Gap]

    @property
    def done(self) -> bool:
        return not self.numbers and not self.quotes


def coverage(article) -> Coverage:
    body = Body(article.body)
    spans = [span for label, found in cited_spans(article).items() if label not in NOT_CLAIMS for span in found]
    spans = [(start, end) for start, end in spans if start is not None and end is not None]

    def covered(start: int, end: int) -> bool:
        return any(cited_start <= start and end <= cited_end for cited_start, cited_end in spans)

    cited = [
        (s.start, s.end)
        for s in body.sentences
        if any(cited_start < s.end and s.start < cited_end for cited_start, cited_end in spans)
    ]
    sentences = [(span, body.text[span.start : span.end]) for span in body.sentences]

    def gap(start: int, end: int) -> Gap:
        sentence = body.sentence_at(start)
        return Gap(start, end, body.text[start:end], body.text[sentence.start : sentence.end])

    numbers = [
        gap(number.start, number.end)
        for number in number_suggestions(body.text, sentences, date_spans(body.text))
        if not covered(number.start, number.end)
    ]
    quotes = [gap(p.start, p.end) for p in passages(body) if not p.nested and not covered(p.start, p.end)]
    return Coverage(len(body.sentences), cited, numbers, quotes)

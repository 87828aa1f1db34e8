"""Citations of an article, or of a passage of one: BibTeX, RIS, CSL-JSON and a plain-text reference.

Written for the tools researchers use: reference managers (Zotero, EndNote), BibTeX/biblatex and CSL processors
(citeproc-js, citeproc-py, pandoc). Two rules hold in every format:

- The date says what is known and no more. An article whose publication date is estimated (a range) is cited by
  the part of the date the whole range shares (year and month, or the year), marked as approximate; the range goes
  in a note. No writer invents a day the source never states.
- Every value is put on one line (single_line), whatever the database holds: in RIS a line break would start a
  forged record.

The writers take `Cited` values, built by the apps (Article.citation(), Quote.citation(), a claim's citation()):
common imports no app, so an article is anything with the Article's fields.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from common.fuzzydates import DatePrecision
from common.text import single_line

AbsoluteUrl = Callable[[str], str]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Cited:
    """What one citation cites: an article and, for a quote or a sourced claim, the passage of it (with its offsets
    in the article body)."""

    article: Any
    passage: str = ""
    start: int | None = None
    end: int | None = None

    @property
    def key(self) -> str:
        """The citation key (BibTeX key, RIS ID, CSL id): the article's slug, plus the passage's offsets, so two
        passages of one article are two entries."""
        slug = single_line(self.article.slug)
        return f"{slug}:{self.start}-{self.end}" if self.passage else slug

    def passage_path(self) -> str:
        """The article in the reader, opened at the passage."""
        return f"{self.article.get_absolute_url()}?passage={self.start}-{self.end}#passage"


def cited_date(article) -> tuple[list[int], bool]:
    """The publication date as far as it is known, and whether it is an estimate.

    A date known to the day is [year, month, day]. An estimated range gives the parts its two ends share: [year,
    month] when they fall in one month, [year] in one year; a range over several years gives its first year (still
    an estimate). No date gives [].
    """
    start, end = article.date_from or article.date_to, article.date_to or article.date_from
    if start is None:
        return [], False
    if article.date_precision == DatePrecision.DAY and start == end:
        return [start.year, start.month, start.day], False
    if start.year != end.year or article.date_precision == DatePrecision.YEAR:
        return [start.year], True
    if start.month != end.month:
        return [start.year], True
    return [start.year, start.month], True


def _estimate_note(article) -> str:
    if not cited_date(article)[1]:
        return ""
    start, end = article.date_from, article.date_to
    if start and end:
        return f"Publication date estimated: between {start.isoformat()} and {end.isoformat()}"
    return f"Publication date estimated: {article.date_display}"


def _name_parts(name: str) -> tuple[str, str]:
    """(family, given): the last word is taken as the family name, which holds for the corpus' bylines."""
    given, _, family = single_line(name).strip().rpartition(" ")
    return family, given


def _authors(article) -> list[tuple[str, str]]:
    return [_name_parts(author.name) for author in article.authors.all()]


def _url(cited: Cited, absolute_url: AbsoluteUrl) -> str:
    """Where to read the article: where it was published, else its text in this database."""
    return single_line(cited.article.url) or absolute_url(cited.article.get_absolute_url())


def _notes(cited: Cited, absolute_url: AbsoluteUrl) -> list[str]:
    """What the citation adds in a note: the passage, the estimated date's range, this database's copy."""
    notes = []
    if cited.passage:
        notes.append(f"Passage: “{single_line(cited.passage)}” ({absolute_url(cited.passage_path())})")
    if estimate := _estimate_note(cited.article):
        notes.append(estimate)
    if cited.article.url:
        notes.append(f"Text and record: {absolute_url(cited.article.get_absolute_url())}")
    return notes


# BibTeX


_BIBTEX_SPECIAL = str.maketrans(
    {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}
)
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bibtex(value: str) -> str:
    return single_line(value).translate(_BIBTEX_SPECIAL)


def bibtex(cited: Cited, absolute_url: AbsoluteUrl) -> str:
    """One @article (biblatex entrysubtype newspaper): `year`, `month` as BibTeX's macro and biblatex's `date` hold
    only the parts of the date that are known; the article's URL is in `url`."""
    article = cited.article
    fields: list[tuple[str, str]] = [("title", article.title), ("journal", article.outlet.name)]
    if authors := _authors(article):
        fields.append(("author", " and ".join(", ".join(filter(None, parts)) for parts in authors)))
    parts, _ = cited_date(article)
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", _BIBTEX_MONTHS[parts[1] - 1]))
    if parts:
        fields.append(("date", "-".join([str(parts[0]), *(f"{n:02d}" for n in parts[1:])])))
    fields += [("url", _url(cited, absolute_url)), ("language", article.language), ("entrysubtype", "newspaper")]
    if notes := _notes(cited, absolute_url):
        fields.append(("note", ". ".join(notes)))
    # month is a macro (jan … dec), written bare so that BibTeX styles print the month's name.
    body = ",\n".join(
        f"  {name} = {_bibtex(value)}" if name == "month" else f"  {name} = {{{_bibtex(value)}}}"
        for name, value in fields
    )
    return f"@article{{{_bibtex(cited.key)},\n{body}\n}}\n\n"


# RIS


def ris(cited: Cited, absolute_url: AbsoluteUrl) -> str:
    """One RIS record (TY NEWS … ER). `DA` is YYYY/MM/DD/ with only the known parts filled: 2023/01// for a month,
    2013/// for a year."""
    article = cited.article
    lines = [("TY", "NEWS"), ("ID", cited.key), ("TI", article.title), ("T2", article.outlet.name)]
    lines += [("AU", ", ".join(filter(None, parts))) for parts in _authors(article)]
    parts, _ = cited_date(article)
    if parts:
        lines.append(("PY", str(parts[0])))
        padded = [str(parts[0]), *(f"{n:02d}" for n in parts[1:])] + [""] * (3 - len(parts))
        lines.append(("DA", "/".join(padded) + "/"))
    lines += [("UR", _url(cited, absolute_url)), ("LA", article.language)]
    if notes := _notes(cited, absolute_url):
        lines.append(("N1", ". ".join(notes)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {single_line(value)}\r\n" for tag, value in lines) + "\r\n"


# CSL-JSON


def csl(cited: Cited, absolute_url: AbsoluteUrl) -> dict:
    """One CSL-JSON item (article-newspaper). `issued` holds one date, with `circa` when it is an estimate (CSL
    processors refuse or misprint a range there); the range is in `note`."""
    article = cited.article
    item = {
        "id": cited.key,
        "type": "article-newspaper",
        "title": single_line(article.title),
        "container-title": single_line(article.outlet.name),
        "author": [{"family": family, "given": given} for family, given in _authors(article)],
        "language": single_line(article.language),
        "URL": _url(cited, absolute_url),
    }
    parts, estimated = cited_date(article)
    if parts:
        item["issued"] = {"date-parts": [parts], **({"circa": True} if estimated else {})}
    if notes := _notes(cited, absolute_url):
        item["note"] = ". ".join(notes)
    return item


# Plain text


def _plain_date(article) -> str:
    parts, estimated = cited_date(article)
    if not parts:
        return "n.d."
    if len(parts) == 3:
        text = f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    elif len(parts) == 2:
        text = f"{MONTHS[parts[1] - 1]} {parts[0]}"
    else:
        text = str(parts[0])
    return f"c. {text}" if estimated else text


def _plain_authors(authors: list[tuple[str, str]]) -> str:
    """Chicago's bibliography order: the first author family name first, the others as written."""
    names = [", ".join(filter(None, authors[0]))] + [" ".join(filter(None, (g, f))) for f, g in authors[1:]]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + (", and " if len(names) > 2 else " and ") + names[-1]


def plain_text(cited: Cited, absolute_url: AbsoluteUrl) -> str:
    """A reference in the manner of Chicago's bibliography, then the passage and the estimate, on one line:
    Family, Given. “Title.” Outlet, Month Day, Year. URL. Passage: “…” (address)."""
    article = cited.article
    title = single_line(article.title).strip()
    title_end = "" if title.endswith(("?", "!", ".")) else "."
    reference = f"“{title}{title_end}” {single_line(article.outlet.name)}, {_plain_date(article)}."
    if authors := _authors(article):
        reference = f"{_plain_authors(authors)}. {reference}"
    sentences = [reference, f"{_url(cited, absolute_url)}."]
    if cited.passage:
        sentences.append(f"Passage: “{single_line(cited.passage)}” ({absolute_url(cited.passage_path())}).")
    if estimate := _estimate_note(article):
        sentences.append(f"{estimate}.")
    return " ".join(sentences)


# Streams for the list exports, and whole files for the Cite control and its downloads.


def bibtex_entries(articles: Iterable, absolute_url: AbsoluteUrl) -> Iterator[str]:
    for article in articles:
        yield bibtex(article.citation(), absolute_url)


def ris_records(articles: Iterable, absolute_url: AbsoluteUrl) -> Iterator[str]:
    for article in articles:
        yield ris(article.citation(), absolute_url)


def csl_items(articles: Iterable, absolute_url: AbsoluteUrl) -> Iterator[dict]:
    for article in articles:
        yield csl(article.citation(), absolute_url)


@dataclass(frozen=True)
class CitationFormat:
    label: str
    content_type: str
    extension: str
    write: Callable[[Sequence[Cited], AbsoluteUrl], str]


CITATION_FORMATS: dict[str, CitationFormat] = {
    "text": CitationFormat(
        "Plain text",
        "text/plain; charset=utf-8",
        "txt",
        lambda cited, absolute_url: "".join(f"{plain_text(c, absolute_url)}\n\n" for c in cited),
    ),
    "bibtex": CitationFormat(
        "BibTeX",
        "application/x-bibtex; charset=utf-8",
        "bib",
        lambda cited, absolute_url: "".join(bibtex(c, absolute_url) for c in cited),
    ),
    "ris": CitationFormat(
        "RIS",
        "application/x-research-info-systems; charset=utf-8",
        "ris",
        lambda cited, absolute_url: "".join(ris(c, absolute_url) for c in cited),
    ),
    "csl-json": CitationFormat(
        "CSL-JSON",
        "application/vnd.citationstyles.csl+json",
        "json",
        lambda cited, absolute_url: (
            json.dumps([csl(c, absolute_url) for c in cited], ensure_ascii=False, indent=2) + "\n"
        ),
    ),
}


class CitationForm(forms.Form):
    """The query string of a citation download: the format, nothing else."""

    format = forms.ChoiceField(choices=[(name, spec.label) for name, spec in CITATION_FORMATS.items()])


def citation_response(request: HttpRequest, cited: Sequence[Cited], filename: str) -> HttpResponse:
    """The citations as a file in ?format=…; an unknown parameter or format is a 400 saying what is allowed."""
    form = CitationForm(request.GET)
    unknown = sorted(set(request.GET) - set(form.fields))
    if unknown or not form.is_valid():
        allowed = ", ".join(CITATION_FORMATS)
        reason = f"Unknown parameter: {', '.join(unknown)}." if unknown else "Give format."
        message = f"{reason} Cite with format={allowed}, e.g. ?format=bibtex.\n"
        if not unknown and request.GET.get("format"):
            message = f"“{request.GET['format']}” is not a citation format. Use one of {allowed}.\n"
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=400)
    spec = CITATION_FORMATS[form.cleaned_data["format"]]
    response = HttpResponse(spec.write(cited, request.build_absolute_uri), content_type=spec.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{spec.extension}"'
    return response


def cite_control(request: HttpRequest, cited: Sequence[Cited], download_path: str) -> dict:
    """What the Cite control shows: each format's text, ready to copy, and its download address."""
    formats = []
    for name, spec in CITATION_FORMATS.items():
        text = spec.write(cited, request.build_absolute_uri).rstrip("\n")
        formats.append(
            {
                "name": name,
                "label": spec.label,
                "extension": spec.extension,
                "text": text,
                "rows": min(max(sum(len(line) // 80 + 1 for line in text.split("\n")) + 1, 3), 16),
                "download_url": f"{download_path}?format={name}",
            }
        )
    return {"formats": formats, "count": len(cited)}

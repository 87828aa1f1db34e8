"""Streamed writers for the list exports: CSV, JSON, GeoJSON, and BibTeX, RIS and CSL-JSON citations for articles.

Each writer takes an iterable of records (a queryset's iterator) and yields text chunks, so a
StreamingHttpResponse sends a million rows without holding them in memory. Rows are dicts of plain values
(str, int, float, bool, date, Decimal, None, or a list of those for multi-valued columns).
"""

import csv
import datetime
import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from common.fuzzydates import DatePrecision
from common.text import single_line

# Multi-valued columns (several authors, several sources) are joined with this in CSV and GeoJSON properties.
LIST_SEPARATOR = " | "


def _json_default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def flat(value) -> str | int | float | bool | None:
    """A single cell: lists joined, dates ISO, decimals as numbers."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(flat(item)) for item in value if item not in (None, ""))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _json_default(value)
    return value


def cell_text(value) -> str:
    """A single cell as text, exactly: empty for a missing value, true/false for booleans."""
    value = flat(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's “CSV injection”).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value):
    """A cell value that a spreadsheet shows as written rather than runs: text starting with = + - @ tab, CR or LF
    gets a leading apostrophe, as OWASP recommends. The one writer-side defence for every CSV and XLSX the site
    writes (web lists, API, admin action, import-export).

    Numbers are left alone, and so is text that is exactly a number (the API gives decimals as text, e.g. a
    longitude “-8.00289”): a spreadsheet reads it as that number and runs nothing, and escaping it would turn
    every negative coordinate into text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_value(cell):
    """The value behind a cell that spreadsheet_safe() escaped: its apostrophe taken off again, so that a file
    exported, edited in a spreadsheet and imported back keeps its values. Anything else is left as it is."""
    if isinstance(cell, str) and cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell


def csv_cell(value) -> str:
    """A single CSV cell: its text, made safe to open in a spreadsheet."""
    return spreadsheet_safe(cell_text(value))


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(row[name]) for name in header])


def json_array(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array of row objects, one per line."""
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, default=_json_default, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def geojson_feature_collection(features: Iterable[tuple[int, tuple[float, float] | None, dict]]) -> Iterator[str]:
    """An RFC 7946 FeatureCollection of (id, (longitude, latitude) or None, properties).

    WGS84 longitude/latitude order, no `crs` member; a record without coordinates has geometry null.
    Properties are flat (lists joined) so desktop GIS reads every column as a field.
    """
    yield '{"type": "FeatureCollection", "features": ['
    separator = "\n"
    for pk, point, properties in features:
        geometry = {"type": "Point", "coordinates": [point[0], point[1]]} if point else None
        feature = {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            "properties": {key: flat(value) for key, value in properties.items()},
        }
        yield separator + json.dumps(feature, default=_json_default, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# Citations. Articles carry a fuzzy publication date; the citation gives what is known and no more. Every value is
# put on one line (single_line), whatever the database holds: in RIS a line break would start a forged record.


def _name_parts(name: str) -> tuple[str, str]:
    """(family, given): the last word is taken as the family name, which holds for the corpus' bylines."""
    given, _, family = single_line(name).strip().rpartition(" ")
    return family, given


def _date_parts(article) -> list[list[int]]:
    if article.date_from is None:
        return []
    start, end = article.date_from, article.date_to or article.date_from
    if article.date_precision == DatePrecision.DAY:
        return [[start.year, start.month, start.day]]
    if article.date_precision == DatePrecision.MONTH:
        return [[start.year, start.month]]
    if article.date_precision == DatePrecision.YEAR:
        return [[start.year]]
    return [[start.year, start.month, start.day], [end.year, end.month, end.day]]


def _is_estimated(article) -> bool:
    return article.date_precision != DatePrecision.DAY


_BIBTEX_SPECIAL = str.maketrans(
    {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}
)


def _bibtex(value: str) -> str:
    return single_line(value).translate(_BIBTEX_SPECIAL)


def bibtex_entries(articles: Iterable, absolute_url) -> Iterator[str]:
    """One @article per record, keyed by slug; biblatex's `date` holds the range when the day is not known."""
    for article in articles:
        fields = [("title", article.title), ("journal", article.outlet.name)]
        authors = " and ".join(", ".join(filter(None, _name_parts(a.name))) for a in article.authors.all())
        if authors:
            fields.append(("author", authors))
        if article.date_from:
            fields.append(("year", str(article.date_from.year)))
            if article.date_precision in (DatePrecision.DAY, DatePrecision.MONTH):
                fields.append(("month", str(article.date_from.month)))
            parts = _date_parts(article)
            fields.append(("date", "/".join("-".join(f"{n:02d}" for n in part) for part in parts)))
        if article.url:
            fields.append(("url", article.url))
        fields.append(("language", article.language))
        note = f"Record: {absolute_url(article.get_absolute_url())}"
        if _is_estimated(article) and article.date_from:
            note += f". Publication date estimated ({article.get_date_precision_display().lower()})"
        fields.append(("note", note))
        body = ",\n".join(f"  {name} = {{{_bibtex(value)}}}" for name, value in fields)
        yield f"@article{{{_bibtex(article.slug)},\n{body}\n}}\n\n"


def ris_records(articles: Iterable, absolute_url) -> Iterator[str]:
    """RIS (newspaper articles), one record per article, ending in ER."""
    for article in articles:
        lines = [("TY", "NEWS"), ("ID", article.slug), ("TI", article.title), ("T2", article.outlet.name)]
        lines += [("AU", ", ".join(filter(None, _name_parts(author.name)))) for author in article.authors.all()]
        if article.date_from:
            lines.append(("PY", str(article.date_from.year)))
            parts = _date_parts(article)[0]
            lines.append(("DA", "/".join(f"{n:02d}" if i else str(n) for i, n in enumerate(parts)) + "/"))
        if article.url:
            lines.append(("UR", article.url))
        lines.append(("LA", article.language))
        note = f"Record: {absolute_url(article.get_absolute_url())}"
        if _is_estimated(article) and article.date_from:
            note += f". Publication date estimated: {article.date_display}"
        lines.append(("N1", note))
        lines.append(("ER", ""))
        yield "".join(f"{tag}  - {single_line(value)}\r\n" for tag, value in lines) + "\r\n"


def csl_items(articles: Iterable, absolute_url) -> Iterator[dict]:
    """CSL-JSON items (type article-newspaper); an estimated date is a range marked `circa`."""
    for article in articles:
        item = {
            "id": single_line(article.slug),
            "type": "article-newspaper",
            "title": single_line(article.title),
            "container-title": single_line(article.outlet.name),
            "author": [dict(zip(("family", "given"), _name_parts(a.name), strict=True)) for a in article.authors.all()],
            "language": single_line(article.language),
            "note": f"Record: {absolute_url(article.get_absolute_url())}",
        }
        if article.date_from:
            item["issued"] = {"date-parts": _date_parts(article)}
            if _is_estimated(article):
                item["issued"]["circa"] = True
        if article.url:
            item["URL"] = single_line(article.url)
        yield item

"""Streamed writers for the list exports: CSV, JSON and GeoJSON (citations are in common/citations.py).

Each writer takes an iterable of records (a queryset's iterator) and yields text chunks, so a
StreamingHttpResponse sends a million rows without holding them in memory. Rows are dicts of plain values
(str, int, float, bool, date, Decimal, None, or a list of those for multi-valued columns).
"""

import csv
import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

# Multi-valued columns (several authors, several sources) are joined with this in CSV and GeoJSON properties.
LIST_SEPARATOR = " | "

# Rows fetched, with their prefetched relations, per round trip of a streamed export: web lists and API alike.
EXPORT_CHUNK_SIZE = 500


def _json_default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_FLAT = {str, int, float, bool, type(None)}


def flat(value) -> str | int | float | bool | None:
    """A single cell: lists joined, dates ISO, decimals as numbers."""
    if value.__class__ in _FLAT:
        return value
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(flat(item)) for item in value if item not in (None, ""))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _json_default(value)
    return value


def cell_text(value) -> str:
    """A single cell as text, exactly: empty for a missing value, true/false for booleans."""
    if value.__class__ is str:  # most cells, without the checks below
        return value
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
    if value is None:
        return ""
    if value.__class__ is int:  # its text is a number: nothing to make safe
        return str(value)
    return spreadsheet_safe(cell_text(value))


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    return csv_value_lines(header, ([row[name] for name in header] for row in rows))


def csv_value_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """A header line, then a line per row of values in the header's order."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def in_blocks(texts: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """The texts joined into blocks of about `size` characters: a streamed answer's pieces, each of which the server
    writes (and frames, in chunked encoding) on its own, so a line each would cost a write each."""
    block, length = [], 0
    for text in texts:
        block.append(text)
        length += len(text)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


def json_array(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array of row objects, one per line."""
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, default=_json_default, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def position(latitude, longitude) -> list[float] | None:
    """An RFC 7946 position, longitude first, from stored decimals; None when either is missing. The one coordinate
    helper: lists, the API, the map and the locations all draw points through it."""
    if latitude is None or longitude is None:
        return None
    return [float(longitude), float(latitude)]


def geojson_feature(pk: int, point: list[float] | None, properties: dict) -> dict:
    """One Feature: the record's id, a Point (or null geometry), its properties flat so GIS reads each as a field."""
    return {
        "type": "Feature",
        "id": pk,
        "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
        "properties": {key: flat(value) for key, value in properties.items()},
    }


def geojson_feature_collection(
    features: Iterable[tuple[int, list[float] | None, dict]], *, foreign_members: Callable[[], dict] | None = None
) -> Iterator[str]:
    """An RFC 7946 FeatureCollection of (id, [longitude, latitude] or None, properties), written feature by feature so
    a large selection never sits in memory whole. The one GeoJSON writer (lists, API, map feed).

    WGS84 longitude/latitude order, no `crs` member; a record without coordinates has geometry null. Members
    `foreign_members()` gives, computed once every feature is written, close the object (the map's `unmapped`).
    """
    yield '{"type": "FeatureCollection", "features": ['
    separator = "\n"
    for pk, point, properties in features:
        yield separator + json.dumps(geojson_feature(pk, point, properties), default=_json_default, ensure_ascii=False)
        separator = ",\n"
    closing = "".join(
        f", {json.dumps(name)}: {json.dumps(value, default=_json_default)}"
        for name, value in (foreign_members() if foreign_members else {}).items()
    )
    yield f"\n]{closing}}}\n"

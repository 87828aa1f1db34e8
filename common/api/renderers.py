"""The API's formats besides JSON: CSV (one flat row per record), JSON Lines and GeoJSON.

The API serializes each record as for JSON, then flattens or wraps it here; the text writers themselves (CSV
quoting, the FeatureCollection) are common/exports.py's, which the web lists' downloads use too. The renderer
classes exist for content negotiation (`?format=csv` or `Accept: text/csv`) and the OpenAPI schema; list and
detail answers are streamed by RecordViewSet through the writers below rather than rendered in one piece.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rest_framework import renderers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from common import exports

CSV, JSONL, GEOJSON = "csv", "jsonl", "geojson"


def flatten(record: Mapping, prefix: str = "") -> dict[str, Any]:
    """A serialized record as one flat row.

    A nested object becomes dotted columns (`place.name`); a list of objects one column per key whose cell joins
    the items' values with exports.LIST_SEPARATOR, item by item, an empty string standing for a missing value so
    that `sources.source.name` and `sources.excerpt` stay aligned.
    """
    row: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            items = [flatten(item) if isinstance(item, Mapping) else {"": item} for item in value]
            for column in dict.fromkeys(column for item in items for column in item):
                cells = (exports.cell_text(item.get(column)) for item in items)
                row[f"{name}.{column}" if column else name] = exports.LIST_SEPARATOR.join(cells)
        else:
            row[name] = value
    return row


def column_name(path: str) -> str:
    """The flat, human name of a dotted path, the same in every CSV and GeoJSON: a reference reads as its slug under
    the field's own name and its other keys after an underscore (`place`, `place_name`, `place_id`), and a list of
    references drops the repeated noun (`actors.actor.slug` is `actors`, `actors.role` is `actors_role`)."""
    parts = path.split(".")
    if len(parts) > 1 and parts[-1] == "slug":
        parts.pop()
    kept = [part for i, part in enumerate(parts) if not (i and parts[i - 1] == f"{part}s")]
    return "_".join(kept)


_MISSING = object()  # no such path in the record: flatten() gives it no column
_LISTS = (list, tuple)


def _cell(value, keys: tuple[str, ...]):
    """The value at `keys` in a serialized record, as flatten() gives it: a list on the way joins its items' cells."""
    for i, key in enumerate(keys):
        if value.__class__ is dict or (not isinstance(value, _LISTS) and isinstance(value, Mapping)):
            value = value.get(key, _MISSING)
        elif isinstance(value, _LISTS):
            return _joined(value, keys[i:])
        else:
            return _MISSING
    return _joined(value, ()) if isinstance(value, _LISTS) else value


def _joined(items, keys: tuple[str, ...]):
    """The items' cells joined, an empty one for an item without the path; no column at all when none has it."""
    cells = [_item_cell(item, keys) for item in items]
    if all(cell is _MISSING for cell in cells):
        return _MISSING
    return exports.LIST_SEPARATOR.join("" if cell is _MISSING else exports.cell_text(cell) for cell in cells)


def _item_cell(item, keys: tuple[str, ...]):
    """_cell(item, keys) for the usual item of a list (dicts all the way down to a value that is not a list) without
    the walk; any other item walked by _cell."""
    value = item
    for key in keys:
        if value.__class__ is not dict:
            return _cell(item, keys)
        value = value.get(key, _MISSING)
    return _cell(item, keys) if value.__class__ is list or value.__class__ is tuple else value


def _cell_reader(keys: tuple[str, ...]):
    """_cell for one column, with the usual shapes (a field, a reference's key, a key of a list's items) read
    without the walk."""
    first, rest = keys[0], keys[1:]

    def read(record):
        value = record.get(first, _MISSING)
        cls = value.__class__
        if cls is dict and len(rest) == 1:
            value = value.get(rest[0], _MISSING)
            return _joined(value, ()) if isinstance(value, _LISTS) else value
        if cls is list and rest:
            return _joined(value, rest)
        if not rest and cls is not list and cls is not tuple:
            return value
        return _MISSING if value is _MISSING else _cell(value, rest)

    return read


class FlatRows:
    """Records flattened into exactly these columns (dotted paths, named by column_name): flatten()'s cells, None
    where the record has no value (an empty list, a null reference), so every row, and every GeoJSON feature, has
    the same keys. The paths are read by functions made once for all the rows of an export."""

    def __init__(self, paths: list[str]):
        self.names = [column_name(path) for path in paths]
        self.readers = [_cell_reader(tuple(path.split("."))) for path in paths]

    def __call__(self, record: Mapping) -> dict[str, Any]:
        return dict(zip(self.names, self.values(record), strict=True))

    def values(self, record: Mapping) -> list:
        """The row's values in the columns' order."""
        return [None if (value := read(record)) is _MISSING else value for read in self.readers]


def flat_row(paths: list[str], record: Mapping) -> dict[str, Any]:
    """One record flattened into these columns (see FlatRows)."""
    return FlatRows(paths)(record)


def csv_lines(paths: list[str], records: Iterable[Mapping]) -> Iterator[str]:
    """A header line, then one flat row per record, in these columns."""
    flat_rows = FlatRows(paths)
    return exports.csv_value_lines(flat_rows.names, map(flat_rows.values, records))


def json_lines(records: Iterable[Mapping]) -> Iterator[str]:
    """One JSON object per line (JSON Lines), each record exactly as the JSON format gives it."""
    for record in records:
        yield json.dumps(record, cls=JSONEncoder, ensure_ascii=False) + "\n"


def feature_collection(paths: list[str], features: Iterable[tuple[int, list[float] | None, Mapping]]) -> Iterator[str]:
    """An RFC 7946 FeatureCollection of (id, [longitude, latitude] or None, record): the record flattened into the
    header's columns as the properties, as desktop GIS wants them (every feature with the same keys, null where
    empty); a record without coordinates has geometry null."""
    flat_rows = FlatRows(paths)
    return exports.geojson_feature_collection((pk, point, flat_rows(record)) for pk, point, record in features)


class StreamedFormatRenderer(BaseRenderer):
    """Renders a record (or a list of them) in one piece: for answers that are not streamed, e.g. after a write."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        records = data if isinstance(data, list) else [data]
        return "".join(self.chunks(records)).encode(self.charset)

    def chunks(self, records: list) -> Iterator[str]:
        raise NotImplementedError


class CSVRenderer(StreamedFormatRenderer):
    media_type = "text/csv"
    format = CSV

    def chunks(self, records: list) -> Iterator[str]:
        header = list(dict.fromkeys(column for record in records for column in flatten(record)))
        return csv_lines(header, records)


class FixedShapeRenderer(StreamedFormatRenderer):
    """Only negotiates a format with a fixed shape of its own (a dataset's columns, a citation format): the viewset
    that offers it in `extra_formats` writes it (RecordViewSet.fixed_shape_chunks), streamed like the other formats.
    """

    extension = ""

    def chunks(self, records: list) -> Iterator[str]:
        raise NotImplementedError("the viewset streams this format itself")


class ACLEDRenderer(FixedShapeRenderer):
    media_type, format, extension = "text/csv", "acled", "csv"


class UCDPRenderer(FixedShapeRenderer):
    media_type, format, extension = "text/csv", "ucdp", "csv"


class BibTeXRenderer(FixedShapeRenderer):
    media_type, format, extension = "application/x-bibtex", "bibtex", "bib"


class RISRenderer(FixedShapeRenderer):
    media_type, format, extension = "application/x-research-info-systems", "ris", "ris"


class CSLJSONRenderer(FixedShapeRenderer):
    media_type, format, extension = "application/vnd.citationstyles.csl+json", "csl-json", "json"


class JSONLinesRenderer(StreamedFormatRenderer):
    media_type = "application/x-ndjson"
    format = JSONL

    def chunks(self, records: list) -> Iterator[str]:
        return json_lines(records)


class GeoJSONRenderer(JSONRenderer):
    """Only negotiates: GeoJSON needs the records' coordinates, which RecordViewSet takes from the models."""

    media_type = "application/geo+json"
    format = GEOJSON


# How each format is named where people choose one (the lists' download links).
FORMAT_LABELS = {
    "json": "JSON",
    CSV: "CSV",
    JSONL: "JSON Lines",
    GEOJSON: "GeoJSON",
    "acled": "ACLED",
    "ucdp": "UCDP GED",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "csl-json": "CSL-JSON",
}

# The Content-Type of each streamed answer: text says its encoding, so that a spreadsheet reads it as UTF-8.
STREAMED_MEDIA_TYPES = {
    CSV: f"{CSVRenderer.media_type}; charset=utf-8",
    JSONL: JSONLinesRenderer.media_type,
    GEOJSON: GeoJSONRenderer.media_type,
}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API, for a person who opens a record's `url` in a browser, with the raw JSON form for writes
    but not the field-by-field HTML form.

    That form would list every record of each related kind in a <select> (a query and up to 1000 options per
    reference) and could not show the current reference as selected (a reference reads as {id, slug, name, url},
    an option's value is an id), so saving it unchanged could quietly change or clear references. The raw form
    holds the record as the API gives it, which the API takes back as it is (a reference may be written as
    {"id": …}).
    """

    def get_rendered_html_form(self, data, view, method, request):
        if method in ("DELETE", "OPTIONS"):  # not forms: whether to offer the buttons
            return super().get_rendered_html_form(data, view, method, request)
        return None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """DRF's page, whose <html> element (outside any template block) is given the page's language here."""
        page = super().render(data, accepted_media_type, renderer_context)
        return page.replace("<html>", '<html lang="en">', 1) if isinstance(page, str) else page

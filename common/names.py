"""Records found by what people call them: a name or an alias, any case, with or without accents.

The filters (common/filters.py) resolve “Kidal”, “kidal” or “Tombouctou” to the record they name, and the suggest
endpoint offers names while one types. Folding accents needs Python (SQLite has no unaccent), so each model's names
are read once per data version (common/datacache.py) into a sorted index held by the worker: a lookup or a list of
suggestions is then a binary search, whatever the table's size, and the database is asked again only after a write.
"""

import bisect
import threading
from dataclasses import dataclass
from typing import Protocol

from django.db import models

from common import datacache
from common.text import fold

SUGGESTIONS = 10  # at most this many suggestions per answer


@dataclass(frozen=True)
class RecordName:
    """One name a record goes by: its own (`alias` empty) or an alias."""

    pk: int
    slug: str
    name: str
    alias: str = ""

    @property
    def label(self) -> str:
        """“Timbuktu (Tombouctou)”: the record's name, and the alias when that is what matched."""
        return f"{self.name} ({self.alias})" if self.alias else self.name


class ListsRecordNames(Protocol):
    """A queryset whose records have names (common.querysets.NamedQuerySet and its kin)."""

    def record_names(self) -> list[RecordName]: ...


class NameIndex:
    """Every name and alias of a model's records, folded and sorted; each word of a name is indexed too, so that
    “kidal” also finds “Camp de Kidal”."""

    def __init__(self, names: list[RecordName]):
        # (key, 0 for the whole name or 1 for a later word so whole names sort first, the folded name, a tiebreak,
        # the name): plain tuples sort fast.
        keyed = []
        for number, record_name in enumerate(names):
            folded = fold(record_name.alias or record_name.name)
            keyed.append((folded, 0, folded, number, record_name))
            start = folded.find(" ")
            while start != -1:
                keyed.append((folded[start + 1 :], 1, folded, number, record_name))
                start = folded.find(" ", start + 1)
        keyed.sort()
        self._keys = [entry[0] for entry in keyed]
        self._entries = keyed

    def named(self, text: str) -> list[RecordName]:
        """The records one of whose names or aliases is `text`, folded, each once (by its own name if that matches):
        those whose own name it is first, then by name."""
        folded = fold(text)
        found: dict[int, RecordName] = {}
        position = bisect.bisect_left(self._keys, folded)
        while position < len(self._keys) and self._keys[position] == folded:
            _, later_word, _, _, record_name = self._entries[position]
            if not later_word and (record_name.pk not in found or not record_name.alias):
                found[record_name.pk] = record_name
            position += 1
        return sorted(found.values(), key=lambda name: (bool(name.alias), fold(name.name), name.slug))

    def suggestions(self, text: str, limit: int = SUGGESTIONS) -> list[RecordName]:
        """Up to `limit` records with a name or alias starting with `text` (folded), or a word in one starting with
        it: whole names first, exact ones first (“un” finds the United Nations, alias UN, before “UN Photo”), own
        names before aliases, then shorter names, then alphabetically. At most a few hundred entries are read."""
        folded = fold(text)
        if not folded:
            return []
        start = bisect.bisect_left(self._keys, folded)
        end = bisect.bisect_left(self._keys, folded + "\U0010ffff", lo=start)
        window = self._entries[start : min(end, start + 50 * limit)]
        ranked = sorted(
            window,
            key=lambda entry: (entry[1], entry[0] != folded, bool(entry[4].alias), len(entry[2]), entry[2]),
        )
        found: dict[int, RecordName] = {}
        for *_, record_name in ranked:
            found.setdefault(record_name.pk, record_name)
            if len(found) == limit:
                break
        return list(found.values())


_indexes: dict[tuple[str, str], tuple[str, NameIndex]] = {}
_lock = threading.Lock()


def name_index(model: type[models.Model], using: str = "default") -> NameIndex:
    """The model's names at the current data version: read from the database (a query or two) once per version and
    worker; inside a transaction that changed data and has not committed, read afresh and not kept."""
    queryset: ListsRecordNames = model._default_manager.using(using).all()
    if datacache.uncommitted_changes():
        return NameIndex(queryset.record_names())
    version, key = datacache.data_version(), (model._meta.label, using)
    held = _indexes.get(key)
    if held is None or held[0] != version:
        index = NameIndex(queryset.record_names())
        with _lock:
            _indexes[key] = (version, index)
        return index
    return held[1]


def has_names(model: type[models.Model]) -> bool:
    """Whether the model's records can be found by name (its queryset lists them)."""
    return hasattr(model._default_manager.get_queryset(), "record_names")

"""Known names: every actor and place name and alias, matched in one pass over the body with an Aho-Corasick
automaton (pyahocorasick), case- and accent-insensitively and on whole words only."""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from common.text import fold

from .text import Body


@dataclass(frozen=True)
class Entry:
    """One name of one record: `model` is "actor" or "place", `name` the record's own name, `surface` the name or
    alias matched."""

    model: str
    pk: int
    slug: str
    name: str
    kind: str
    surface: str


@dataclass
class Match:
    start: int
    end: int
    entries: list[Entry]


def _is_acronym(name: str) -> bool:
    letters = [char for char in name if char.isalpha()]
    return 1 < len(letters) <= 6 and all(char.isupper() for char in letters)


def _surnames(entries: list[Entry]) -> list[Entry]:
    """A person is named by surname alone after the first mention (“Karlsrud said”): each person's last name, when
    it is a capitalised word of three letters or more that no other record uses as a name of its own."""
    taken = {fold(entry.surface) for entry in entries}
    derived: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.model != "actor" or entry.kind != "person" or entry.surface != entry.name:
            continue
        words = entry.name.split()
        last = words[-1] if len(words) > 1 else ""
        if len(last) >= 3 and last[:1].isupper() and fold(last) not in taken:
            derived.setdefault(fold(last), []).append(
                Entry(entry.model, entry.pk, entry.slug, entry.name, entry.kind, last)
            )
    return [entry for entries in derived.values() for entry in entries]


class Lexicon:
    """The names of the database's actors and places, ready to find in any number of bodies."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self.entries.extend(_surnames(self.entries))
        self.by_folded: dict[str, list[Entry]] = {}
        for entry in self.entries:
            key = fold(entry.surface)
            if len(key) >= 2:
                self.by_folded.setdefault(key, []).append(entry)
        self.automaton = ahocorasick.Automaton()
        for key, entries in self.by_folded.items():
            self.automaton.add_word(key, (key, entries))
        if self.by_folded:
            self.automaton.make_automaton()

    @classmethod
    def from_database(cls) -> "Lexicon":
        """Four queries: actors, their aliases, places, their aliases."""
        from actors.models import Actor, ActorAlias
        from events.models import Place, PlaceAlias

        entries: list[Entry] = []
        actors = {
            pk: (slug, name, kind) for pk, slug, name, kind in Actor.objects.values_list("pk", "slug", "name", "kind")
        }
        for pk, (slug, name, kind) in actors.items():
            entries.append(Entry("actor", pk, slug, name, kind, name))
        for actor_id, alias in ActorAlias.objects.values_list("actor_id", "name"):
            slug, name, kind = actors[actor_id]
            entries.append(Entry("actor", actor_id, slug, name, kind, alias))
        places = {
            pk: (slug, name, kind) for pk, slug, name, kind in Place.objects.values_list("pk", "slug", "name", "kind")
        }
        for pk, (slug, name, kind) in places.items():
            entries.append(Entry("place", pk, slug, name, kind, name))
        for place_id, alias in PlaceAlias.objects.values_list("place_id", "name"):
            slug, name, kind = places[place_id]
            entries.append(Entry("place", place_id, slug, name, kind, alias))
        return cls(entries)

    def find(self, body: Body) -> list[Match]:
        """Every whole-word occurrence of a known name, leftmost-longest: “National Movement for the Liberation of
        Azawad” is one match (the MNLA), not also the place Azawad.

        Case is ignored except that a capitalised name must start with a capital in the text, so the French
        article “un” is not the UN and the verb “may” never the month.
        """
        if not self.by_folded:
            return []
        folded, origin = body.folded
        text = body.text
        found: list[Match] = []
        for last, (key, entries) in self.automaton.iter(folded):
            first = last - len(key) + 1
            if (first > 0 and folded[first - 1].isalnum()) or (last + 1 < len(folded) and folded[last + 1].isalnum()):
                continue
            start, end = origin[first], origin[last] + 1
            if text[start].islower():
                entries = [entry for entry in entries if not entry.surface[:1].isupper()]
            if any(_is_acronym(entry.surface) for entry in entries) and not text[start].isupper():
                entries = [entry for entry in entries if not _is_acronym(entry.surface)]
            if entries:
                found.append(Match(start, end, entries))
        found.sort(key=lambda match: (match.start, -(match.end - match.start)))
        kept: list[Match] = []
        cursor = -1
        for match in found:
            if match.start >= cursor:
                kept.append(match)
                cursor = match.end
        return kept

"""Mentions of known actors and places, one suggestion per occurrence."""

from .lexicon import Match
from .suggestion import Kind, Suggestion


def mention_suggestions(text: str, matches: list[Match]) -> list[Suggestion]:
    suggestions = []
    for match in matches:
        surface = text[match.start : match.end]
        for model, kind in (("actor", Kind.ACTOR), ("place", Kind.PLACE)):
            entries = [entry for entry in match.entries if entry.model == model]
            if not entries:
                continue
            records = list({entry.pk: entry for entry in entries}.values())
            first = records[0]
            values = {
                model: first.pk,
                f"{model}_name": first.name,
                f"{model}_slug": first.slug,
                f"{model}_kind": first.kind,
                "alias": first.surface if first.surface != first.name else "",
            }
            if len(records) > 1:
                values["candidates"] = [
                    {model: entry.pk, f"{model}_name": entry.name, f"{model}_slug": entry.slug} for entry in records
                ]
            note = f"“{surface}” names {len(records)} records: pick one" if len(records) > 1 else ""
            # A name that is both an actor and a place (Mali the state, Mali the country) is less sure as either.
            score = 1.0 / len(records) * (0.8 if len({e.model for e in match.entries}) > 1 else 1.0)
            suggestions.append(Suggestion(kind, match.start, match.end, surface, values, score, note))
    return suggestions

"""What the engine hands out: one suggestion, anchored at character offsets in the article body."""

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    QUOTE = "quote"
    ACTOR = "actor"
    PLACE = "place"
    NAME = "name"  # a capitalised name that is neither a known actor nor a known place
    DATE = "date"
    NUMBER = "number"
    INCIDENT = "incident"


@dataclass
class Suggestion:
    """One thing the engine found in the body: `text` is body[start:end], verbatim.

    `values` are the proposed field values of the record accepting it would create; `score` ranks suggestions
    (1 sure, 0 doubtful, e.g. a scare quote); `recorded` says whether some record already holds it.
    """

    kind: Kind
    start: int
    end: int
    text: str
    values: dict = field(default_factory=dict)
    score: float = 1.0
    note: str = ""
    recorded: bool = False

    @property
    def fingerprint(self) -> str:
        """Stable across runs over the same body: what kind of thing was found where, and its words. Review
        decisions are keyed by it, so they survive new actors and aliases (which may change a proposed speaker or
        record) but not an edit of the passage itself."""
        raw = f"{self.kind}|{self.start}|{self.end}|{self.text}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def as_dict(self) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "kind": str(self.kind),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "values": self.values,
            "score": round(self.score, 2),
            "note": self.note,
            "recorded": self.recorded,
        }

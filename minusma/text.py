"""Text helpers shared across apps."""

import re
import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: “Jézéquel” and “JEZEQUEL” fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", without_marks).strip().casefold()


def ids_with_folded_name(names, matches) -> set[int]:
    """Ids among (id, name) pairs whose folded name satisfies `matches` (given the folded name)."""
    return {pk for pk, name in names if matches(fold(name))}

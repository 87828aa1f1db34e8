"""Text helpers shared across apps."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Unicode's control characters (C0 with tab and line feed, DEL, C1 with NEL) and its line and paragraph separators:
# anything that breaks a line or drives a terminal. Single-line fields refuse them; citation writers collapse them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: “Jézéquel” and “JEZEQUEL” fold alike."""
    if text.isascii():  # most names: nothing to decompose (the same result, several times faster)
        return " ".join(text.split()).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", without_marks).strip().casefold()


def refuse_control_characters(value) -> None:
    """Validator for single-line text (a name, a title, a slug): a line break there would forge a record in a
    citation file (RIS is line-based) and a control character has no business in a name."""
    if isinstance(value, str) and (found := _CONTROL_CHARACTERS.search(value)):
        code = f"U+{ord(found.group()[0]):04X}"
        raise ValidationError(
            f"Keep this on one line: it holds a line break or another control character ({code}).",
            code="control_character",
        )


# NUL, the other C0 control characters and DEL, as a regex character range: never text (PostgreSQL refuses NUL
# outright), whereas tab, line feed and carriage return are. Multi-line fields refuse these; so do the request bounds
# (common.middleware) in an address or query string, and the API schema says so (common.api.schema).
NON_TEXT_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL_CHARACTERS = re.compile(f"[{NON_TEXT_CHARACTERS}]")


def refuse_control_characters_in_text(value) -> None:
    """Validator for multi-line text: line breaks and tabs are kept, NUL and the other control characters refused."""
    if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
        raise ValidationError(
            f"Remove the control character U+{ord(found.group()):04X}: text holds letters, line breaks and tabs.",
            code="control_character",
        )


def single_line(text: str) -> str:
    """The text with each run of control characters (line breaks, tabs…) replaced by one space."""
    return _CONTROL_CHARACTERS.sub(" ", text)


# Units whose singular is not the plural less its s (or that have no plural); “forces” is a collective noun in the
# casualty categories (“National forces”), one soldier of which is not “1 national force”.
_IRREGULAR_SINGULARS = {
    "people": "person",
    "children": "child",
    "personnel": "personnel",
    "aircraft": "aircraft",
    "forces": "forces",
}


def singular(word: str) -> str:
    """The singular of an English plural noun as units are written: years → year, countries → country."""
    lowered = word.lower()
    if lowered in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[lowered]
    if lowered.endswith("ies") and len(lowered) > 4:
        return word[:-3] + "y"
    if lowered.endswith("s") and not lowered.endswith(("ss", "us")):
        return word[:-1]
    return word


def unit_agreeing(number, unit: str) -> str:
    """A unit as the data stores it (in the plural: “years”, “children per woman”) agreeing with its number: “1
    year”, “1 child per woman”, “2 years”, “0.5 years”. In “X per Y” it is X that agrees."""
    if number is None or number != 1 or not unit:
        return unit
    counted, per, rest = unit.partition(" per ")
    words = counted.split(" ")
    words[-1] = singular(words[-1])
    return " ".join(words) + per + rest

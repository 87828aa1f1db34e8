"""A word-by-word diff of two texts as HTML: the whole new text, with what was removed in <del> and what was added
in <ins>, every piece escaped. Used by the admin's history pages."""

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A word with the spaces after it, or the spaces that start the text: joined back, the tokens are the text.
_TOKENS = re.compile(r"\s+|\S+\s*")
# Beyond this many token comparisons (a text rewritten from end to end), the changed middle is shown as removed
# and added whole: difflib's matching grows with the product of the two lengths.
MAX_COMPARISONS = 4_000_000


def word_diff(old: str, new: str) -> SafeString:
    """The new text with the words removed since the old one struck through (<del>) and those added marked (<ins>);
    each mark says in words what it is, for screen readers that do not announce <del> and <ins>."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    head = _common_prefix_length(before, after)
    tail = _common_prefix_length(before[head:][::-1], after[head:][::-1])
    changed_before, changed_after = before[head : len(before) - tail], after[head : len(after) - tail]
    pieces = [escape("".join(before[:head]))]
    if len(changed_before) * len(changed_after) > MAX_COMPARISONS:
        pieces += [_removed(changed_before), _added(changed_after)]
    else:
        matcher = difflib.SequenceMatcher(None, changed_before, changed_after, autojunk=False)
        for operation, b_start, b_end, a_start, a_end in matcher.get_opcodes():
            if operation == "equal":
                pieces.append(escape("".join(changed_before[b_start:b_end])))
            else:
                pieces += [_removed(changed_before[b_start:b_end]), _added(changed_after[a_start:a_end])]
    pieces.append(escape("".join(after[len(after) - tail :])))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped or built by format_html


def _common_prefix_length(first: list[str], second: list[str]) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def _removed(tokens: list[str]) -> str:
    text = "".join(tokens)
    return format_html('<del><span class="visually-hidden">removed: </span>{}</del>', text) if text else ""


def _added(tokens: list[str]) -> str:
    text = "".join(tokens)
    return format_html('<ins><span class="visually-hidden">added: </span>{}</ins>', text) if text else ""

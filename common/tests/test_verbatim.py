import pytest
from django.core.exceptions import ValidationError

from common.verbatim import locate, sentence_around

BODY = "He said: “Mali is in the forefront — of the fight,” in Bamako. Then he left.\nNext paragraph."


def test_locate_returns_offsets_of_verbatim_text():
    """A verbatim passage is found and its offsets slice it back out of the body."""
    start, end = locate(BODY, "Mali is in the forefront")
    assert BODY[start:end] == "Mali is in the forefront"


def test_locate_prefers_the_given_occurrence():
    """When a passage occurs twice, the stated start picks which one."""
    body = "at risk, and again at risk"
    assert locate(body, "at risk", 19) == (19, 26)
    assert locate(body, "at risk") == (0, 7)


def test_locate_refuses_text_not_in_body():
    """Text that is not in the body is refused with a message that quotes it."""
    with pytest.raises(ValidationError) as error:
        locate(BODY, "Mali is on the front line")
    assert error.value.code == "not_verbatim"
    assert "does not occur in the article body" in error.value.messages[0]


@pytest.mark.parametrize(
    "pasted",
    ['He said: "Mali is in the forefront', "forefront - of the fight", "the  forefront"],
)
def test_locate_hints_when_only_lookalike_characters_differ(pasted):
    """Straight quotes, hyphens for dashes or doubled spaces get a hint instead of a bare refusal."""
    with pytest.raises(ValidationError) as error:
        locate(BODY, pasted)
    assert error.value.code == "lookalike"
    assert "quote marks, dashes" in error.value.messages[0]


def test_locate_refuses_empty_text():
    """An empty quote is never verbatim."""
    with pytest.raises(ValidationError):
        locate(BODY, "")


def test_sentence_around_shows_the_surrounding_sentence():
    """The context shown to a curator is the sentence holding the passage, not the whole body."""
    start, end = locate(BODY, "in Bamako")
    assert sentence_around(BODY, start, end) == "He said: “Mali is in the forefront — of the fight,” in Bamako."

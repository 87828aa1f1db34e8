"""Units agree with their numbers: “1 year”, never “1 years”."""

from decimal import Decimal

import pytest

from common.text import unit_agreeing


@pytest.mark.parametrize(
    ("number", "unit", "expected"),
    [
        (1, "years", "year"),
        (Decimal("1.00"), "years", "year"),
        (2, "years", "years"),
        (Decimal("0.5"), "years", "years"),
        (0, "camps", "camps"),
        (1, "people", "person"),
        (1, "countries", "country"),
        (1, "infantry companies", "infantry company"),
        (1, "children per woman", "child per woman"),
        (1, "troops per company", "troop per company"),
        (1, "percent", "percent"),
        (1, "aircraft", "aircraft"),
        (1, "personnel", "personnel"),
        (1, "UN peacekeepers", "UN peacekeeper"),
        (1, "National forces", "National forces"),
        (None, "years", "years"),
        (1, "", ""),
    ],
)
def test_a_unit_agrees_with_its_number(number, unit, expected):
    assert unit_agreeing(number, unit) == expected

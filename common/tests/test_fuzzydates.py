"""Dates are validated to a plausible range for this domain (MINUSMA_DATE_RANGE), so that a mistyped year cannot
take the home page and the timeline down, whether it comes through the admin, an import or the API."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.tests.factories import ContingentFactory, StrengthObservationFactory
from articles.tests.factories import ArticleFactory
from common.fuzzydates import plausible_date
from events.tests.factories import FigureFactory, IncidentFactory
from minusma.settings.base import env_date_range

pytestmark = pytest.mark.django_db

LAST_DAY_OF_9999, FIRST_DAY_OF_YEAR_1 = datetime.date(9999, 12, 31), datetime.date(1, 1, 1)


@pytest.mark.parametrize("factory", [IncidentFactory, ArticleFactory, ContingentFactory, FigureFactory])
@pytest.mark.parametrize("day", [LAST_DAY_OF_9999, FIRST_DAY_OF_YEAR_1])
def test_validation_refuses_an_implausible_date_and_says_the_range(factory, day):
    """full_clean refuses 9999-12-31 and 0001-01-01 on the field, naming the range allowed."""
    record = factory()
    record.date_from = record.date_to = day
    record.date_precision = "day"
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    for field in ("date_from", "date_to"):
        message = error.value.message_dict[field][0]
        assert f"{day.isoformat()} is outside" in message
        assert "1990-01-01 to 2100-12-31" in message


def test_the_range_ends_are_allowed():
    """The first and last day of the range are plausible; the day before and after are not."""
    record = StrengthObservationFactory()
    record.date_from, record.date_to = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)
    record.date_precision = "season"
    record.full_clean()
    with pytest.raises(ValidationError):
        plausible_date(datetime.date(1989, 12, 31))
    with pytest.raises(ValidationError):
        plausible_date(datetime.date(2101, 1, 1))


def test_the_range_is_a_setting(settings):
    """MINUSMA_DATE_RANGE narrows or widens what is plausible, at run time."""
    settings.MINUSMA_DATE_RANGE = (datetime.date(2012, 1, 1), datetime.date(2030, 12, 31))
    with pytest.raises(ValidationError) as error:
        plausible_date(datetime.date(2011, 12, 31))
    assert "2012-01-01 to 2030-12-31" in error.value.messages[0]
    plausible_date(datetime.date(2012, 1, 1))


def test_every_date_field_of_every_model_is_validated():
    """No model keeps a DateField that would take any year: each has the plausible-date validator."""
    date_fields = [
        (f"{model._meta.label}.{field.name}", field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if type(field) is models.DateField
    ]
    assert len(date_fields) >= 14  # date_from and date_to of the seven FuzzyDate models, and their histories
    assert [name for name, field in date_fields if plausible_date not in field.validators] == []


def test_the_api_refuses_an_implausible_date_with_the_reason():
    """A PATCH with date 9999-12-31 is a 400 on the field that gives the range, and nothing changes."""
    from django.contrib.auth.models import Permission, User

    incident = IncidentFactory()
    user = User.objects.create_user("dater", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_incident"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = api.patch(
        f"/api/v1/incidents/{incident.pk}/",
        {"date_from": "9999-12-31", "date_to": "9999-12-31", "date_precision": "day"},
        format="json",
    )
    assert response.status_code == 400
    assert "1990-01-01 to 2100-12-31" in response.json()["date_from"][0]
    incident.refresh_from_db()
    assert incident.date_from.year == 2015


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (datetime.date(1990, 1, 1), datetime.date(2100, 12, 31))),
        ("2000-01-01..2050-06-30", (datetime.date(2000, 1, 1), datetime.date(2050, 6, 30))),
        (" 2000-01-01 .. 2050-06-30 ", (datetime.date(2000, 1, 1), datetime.date(2050, 6, 30))),
    ],
)
def test_the_range_comes_from_the_environment(monkeypatch, value, expected):
    """MINUSMA_DATE_RANGE is FIRST..LAST in ISO 8601, 1990-01-01..2100-12-31 when unset."""
    monkeypatch.setenv("MINUSMA_DATE_RANGE", value)
    assert env_date_range("MINUSMA_DATE_RANGE", "1990-01-01..2100-12-31") == expected


@pytest.mark.parametrize("value", ["1990", "2100-12-31..1990-01-01", "1990-01-01..someday", "1990-01-01-2100-12-31"])
def test_a_malformed_range_stops_the_start(monkeypatch, value):
    """A range that is not FIRST..LAST, or ends before it starts, is a configuration error, not a silent default."""
    monkeypatch.setenv("MINUSMA_DATE_RANGE", value)
    with pytest.raises(ImproperlyConfigured):
        env_date_range("MINUSMA_DATE_RANGE", "1990-01-01..2100-12-31")

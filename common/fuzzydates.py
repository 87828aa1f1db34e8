"""Dates as the sources give them: the words as written, the range they can mean, and how precise they are.

"2013" is never silently 2013-01-01: it is date_from=2013-01-01, date_to=2013-12-31, precision=year.
The precision maps onto ACLED's time_precision and UCDP's date_prec so records can be joined with theirs.
"""

import datetime
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    DAYS = "days", "Within a few days"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    SEASON = "season", "Several months"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"


# ACLED time_precision: 1 exact day, 2 week known, 3 only the month known (or coarser).
ACLED_TIME_PRECISION = {
    DatePrecision.DAY: 1,
    DatePrecision.DAYS: 2,
    DatePrecision.WEEK: 2,
    DatePrecision.MONTH: 3,
    DatePrecision.SEASON: 3,
    DatePrecision.YEAR: 3,
}

# UCDP date_prec: 1 exact day, 2 within 2-6 days, 3 the week, 4 within 8-30 days or the month, 5 within the year.
UCDP_DATE_PREC = {
    DatePrecision.DAY: 1,
    DatePrecision.DAYS: 2,
    DatePrecision.WEEK: 3,
    DatePrecision.MONTH: 4,
    DatePrecision.SEASON: 5,
    DatePrecision.YEAR: 5,
}


def plausible_date(value: datetime.date | None) -> None:
    """Refuse a date outside settings.MINUSMA_DATE_RANGE (by default 1990-01-01 to 2100-12-31): in this domain
    9999-12-31 or 0001-01-01 is a typo, and would stretch every chart over millennia."""
    first, last = settings.MINUSMA_DATE_RANGE
    if value is not None and not first <= value <= last:
        raise ValidationError(
            "%(value)s is outside the dates this database holds (%(first)s to %(last)s): check the year.",
            code="implausible_date",
            params={"value": value.isoformat(), "first": first.isoformat(), "last": last.isoformat()},
        )


class FuzzyDate(models.Model):
    """Abstract: a date or period as a source states it."""

    date_as_written = models.CharField(
        max_length=200, blank=True, help_text="The date in the source's own words, e.g. “Tuesday”, “early January”."
    )
    date_from = models.DateField(
        null=True, blank=True, db_index=True, validators=[plausible_date], help_text="Earliest day the date can mean."
    )
    date_to = models.DateField(
        null=True, blank=True, db_index=True, validators=[plausible_date], help_text="Latest day the date can mean."
    )
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN, db_index=True
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_from__lte=F("date_to")),
                name="%(app_label)s_%(class)s_date_from_lte_date_to",
                violation_error_message="The start of the date range must not be after its end.",
            ),
            models.CheckConstraint(
                condition=Q(date_precision="unknown") | Q(date_from__isnull=False, date_to__isnull=False),
                name="%(app_label)s_%(class)s_dated_unless_unknown",
                violation_error_message="A date with a known precision needs both date_from and date_to.",
            ),
            models.CheckConstraint(
                condition=~Q(date_precision="day") | Q(date_from=F("date_to")),
                name="%(app_label)s_%(class)s_day_precision_is_one_day",
                violation_error_message="A date precise to the day must start and end on the same day.",
            ),
        ]

    @property
    def acled_time_precision(self) -> int | None:
        return ACLED_TIME_PRECISION.get(self.date_precision)

    @property
    def ucdp_date_prec(self) -> int | None:
        return UCDP_DATE_PREC.get(self.date_precision)

    @property
    def date_display(self) -> str:
        if self.date_from is None and self.date_to is None:
            return self.date_as_written or "date unknown"
        if self.date_to is None:
            return f"from {self.date_from.isoformat()}"
        if self.date_from is None:
            return f"until {self.date_to.isoformat()}"
        if self.date_from == self.date_to:
            return self.date_from.isoformat()
        return f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"


class FuzzyDateQuerySet(models.QuerySet):
    """Queries over FuzzyDate rows, whose date is a range rather than a day."""

    def in_period(self, start: datetime.date | None = None, end: datetime.date | None = None) -> Self:
        """Rows whose date range overlaps [start, end]: a “January 2015” incident is in a 2015-01-17 query.

        Undated rows (precision unknown) are in no period.
        """
        return self.filter(self.period_q(start, end))

    @staticmethod
    def period_q(start: datetime.date | None, end: datetime.date | None, prefix: str = "") -> Q:
        condition = Q()
        if start is not None:
            condition &= Q(**{f"{prefix}date_to__gte": start})
        if end is not None:
            condition &= Q(**{f"{prefix}date_from__lte": end})
        return condition

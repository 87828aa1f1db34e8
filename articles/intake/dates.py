"""Dates, absolute (“April 25, 2013”, “Sept. 24”, “May 2021”, “2014”) and relative to the article's date
(“Tuesday”, “last year”, “in January”, “early February”, “the end of the month”), each resolved to the range it can
mean and a precision of common.fuzzydates.DatePrecision.

Regular expressions find the expressions (dateparser's own search is slow and takes “may” for a month);
dateparser resolves them against the article's date (RELATIVE_BASE); the range and precision follow from what it
found (its `period`) and from qualifiers it ignores (“early”, “late”, “the first half of”).
"""

import calendar
import datetime
import re
from functools import lru_cache

from dateparser.date import DateDataParser

from common.fuzzydates import DatePrecision

from .numbers import UNITS
from .suggestion import Kind, Suggestion

MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
YEAR = r"(?:19[4-9]\d|20\d\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# Counts in "two weeks ago", "a few months later": the number words the numbers module reads, and the vague ones.
NUMBER_WORDS = {**{word: int(value) for word, value in UNITS.items()}, "a": 1, "an": 1, "few": 3, "several": 3}
COUNT = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|a few|several)"
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

PATTERNS = [
    ("month_day", rf"\b{MONTH}\s{DAY}\b(?:,?\s{YEAR}\b)?"),
    ("day_month", rf"\b{DAY}\s{MONTH}(?:\s{YEAR}\b)?"),
    (
        "part_month",
        rf"\b(?:early|mid|late|mid-|the\send\sof|the\sbeginning\sof|the\sstart\sof)\s?{MONTH}(?:\s{YEAR}\b)?",
    ),
    ("month_year", rf"\b{MONTH}\s{YEAR}\b"),
    ("month", rf"\b(?:in|since|until|till|by|of|from|last|next|this|before|after)\s{MONTH}(?!\s\d)"),
    ("half_year", rf"\bthe\s(?:first|second)\shalf\sof\s(?:{YEAR}|the\syear)"),
    ("season", rf"\b(?:last|this|next|early|late)?\s?(?:spring|summer|autumn|fall|winter)\b(?:(?:\sof)?\s{YEAR}\b)?"),
    ("weekday", rf"\b{WEEKDAY}\b"),
    (
        "relative",
        r"\b(?:yesterday|today|tonight|currently|at\spresent|last\s(?:year|month|week)|this\s(?:year|month|week)"
        r"|next\s(?:year|month|week)|earlier\sthis\s(?:year|month|week)|the\send\sof\sthe\s(?:month|year)"
        r"|(?:the\s)?(?:past|last|previous)\s(?:\d{1,3}|two|three|four|five|six|eight|ten|twelve|eighteen)\s(?:years|months|weeks|days)"
        rf"|(?:more\sthan\s|about\s|nearly\s|almost\s)?{COUNT}\s(?:years?|months?|weeks?|days?|decades?)\sago)\b",
    ),
    ("decade", r"\bthe\s(?:19|20)\d0s\b"),
    ("year", rf"(?<![\d,.\-])\b{YEAR}\b(?!\d|,\d|\s?(?:percent|%|troops|soldiers|people|peacekeepers))"),
]
FINDER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in PATTERNS), re.IGNORECASE)
# Names a date leans on: “May” and “March” are months only when written with a capital.
_CAPITALISED_GROUPS = {"month_day", "day_month", "month_year", "month", "part_month", "weekday"}
_SINCE = re.compile(r"\b(?:since|from)\s$", re.IGNORECASE)


@lru_cache(maxsize=8)
def _parser(base: datetime.date) -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime.datetime.combine(base, datetime.time()),
            "PREFER_DATES_FROM": "past",
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )


def _month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def _nearest_year(month: int, day: int, base: datetime.date, direction: int = 0) -> datetime.date:
    """A day without a year is the one nearest the article's date (“the meeting on Jan. 27” may be ahead); after
    “by” or “until” the next one (direction 1), after “since” or “last” the one before (-1)."""
    candidates = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            candidates.append(datetime.date(year, month, day))
        except ValueError:
            continue
    if direction > 0:
        candidates = [date for date in candidates if date >= base] or candidates
    elif direction < 0:
        candidates = [date for date in candidates if date <= base] or candidates
    return min(candidates, key=lambda date: abs((date - base).days))


def resolve(
    expression: str, group: str, base: datetime.date | None, direction: int = 0, span_end: datetime.date | None = None
) -> dict | None:
    """The range and precision `expression` means, read against the article's date `base`."""
    base = base or datetime.date.today()
    lowered = expression.lower()
    words = re.sub(r"\s+", " ", lowered.replace("mid-", "mid "))
    if group == "half_year":
        year_match = re.search(r"\d{4}", words)
        year = int(year_match.group()) if year_match else base.year
        first = "first" in words
        start = datetime.date(year, 1 if first else 7, 1)
        end = datetime.date(year, 6, 30) if first else datetime.date(year, 12, 31)
        return _range(start, end, DatePrecision.SEASON)
    if group == "season":
        return _season(words, base)
    if group == "decade":
        decade = int(re.search(r"\d{4}", words).group())
        return _range(datetime.date(decade, 1, 1), datetime.date(decade + 9, 12, 31), DatePrecision.YEAR)
    if group == "year":
        year = int(words)
        return _range(datetime.date(year, 1, 1), datetime.date(year, 12, 31), DatePrecision.YEAR)
    if group == "relative":
        return _relative(words, base, span_end)
    part = None
    for prefix in ("the beginning of ", "the start of ", "the end of ", "early ", "mid ", "late "):
        if words.startswith(prefix):
            part, words = prefix.strip(), words[len(prefix) :]
            break
    data = _parser(base).get_date_data(words)
    if data.date_obj is None:
        return None
    found = data.date_obj.date()
    has_year = re.search(r"\d{4}", words) is not None
    if data.period == "day":
        if group == "weekday":
            return _range(found, found, DatePrecision.DAY)
        if not has_year:
            found = _nearest_year(found.month, found.day, base, direction)
        return _range(found, found, DatePrecision.DAY)
    if data.period == "month":
        year = found.year
        if not has_year:
            year = _nearest_year(found.month, 15, base, direction).year
        start, end = _month_range(year, found.month)
        if part in ("early", "the beginning", "the start"):
            end = datetime.date(year, found.month, 10)
        elif part == "mid":
            start, end = datetime.date(year, found.month, 11), datetime.date(year, found.month, 20)
        elif part in ("late", "the end"):
            start = datetime.date(year, found.month, 20)
        return _range(start, end, DatePrecision.MONTH)
    if data.period == "year":
        return _range(datetime.date(found.year, 1, 1), datetime.date(found.year, 12, 31), DatePrecision.YEAR)
    return None


def _range(start: datetime.date, end: datetime.date, precision: str) -> dict:
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "date_precision": str(precision)}


def _season(words: str, base: datetime.date) -> dict | None:
    name = next((season for season in SEASONS if season in words), None)
    if name is None:
        return None
    first, last = SEASONS[name]
    year_match = re.search(r"\d{4}", words)
    year = int(year_match.group()) if year_match else base.year
    if "last" in words:
        year -= 1
    elif "next" in words:
        year += 1
    start_year = year - 1 if name == "winter" and not year_match and "next" not in words else year
    start = datetime.date(start_year, first, 1 if name != "winter" else 21)
    end_year = start_year + 1 if name == "winter" else start_year
    end = _month_range(end_year, last)[1] if name != "winter" else datetime.date(end_year, 3, 20)
    return _range(start, end, DatePrecision.SEASON)


def _relative(words: str, base: datetime.date, span_end: datetime.date | None = None) -> dict | None:
    if words in ("currently", "at present"):
        return _range(base, span_end or base, DatePrecision.DAY if span_end in (None, base) else DatePrecision.SEASON)
    if words in ("today", "tonight"):
        return _range(base, base, DatePrecision.DAY)
    if words == "yesterday":
        day = base - datetime.timedelta(days=1)
        return _range(day, day, DatePrecision.DAY)
    unit = re.search(r"(year|month|week|day|decade)s?", words)
    if unit is None:
        return None
    unit_name = unit.group(1)
    if words.startswith(("last ", "this ", "next ", "earlier this ")) and len(words.split()) <= 3:
        shift = -1 if words.startswith("last") else (1 if words.startswith("next") else 0)
        if unit_name == "year":
            year = base.year + shift
            end = datetime.date(year, 12, 31) if not words.startswith("earlier") else base
            return _range(datetime.date(year, 1, 1), end, DatePrecision.YEAR)
        if unit_name == "month":
            month_index = base.year * 12 + base.month - 1 + shift
            return _range(*_month_range(month_index // 12, month_index % 12 + 1), DatePrecision.MONTH)
        if unit_name == "week":
            monday = base - datetime.timedelta(days=base.weekday()) + datetime.timedelta(weeks=shift)
            return _range(monday, monday + datetime.timedelta(days=6), DatePrecision.WEEK)
    if words.startswith("the end of the"):
        if unit_name == "month":
            last_day = _month_range(base.year, base.month)[1]
            return _range(datetime.date(base.year, base.month, 20), last_day, DatePrecision.MONTH)
        return _range(datetime.date(base.year, 12, 1), datetime.date(base.year, 12, 31), DatePrecision.MONTH)
    count_match = re.search(r"(\d+|[a-z]+)\s(?:years?|months?|weeks?|days?|decades?)", words)
    count = 1
    if count_match:
        token = count_match.group(1)
        count = int(token) if token.isdigit() else NUMBER_WORDS.get(token, 1)
    days = {"year": 365, "month": 30, "week": 7, "day": 1, "decade": 3652}[unit_name] * count
    if unit_name == "month" and "ago" not in words:
        # “the last 18 months”: calendar months back from the article's date.
        index = base.year * 12 + base.month - 1 - count
        day = min(base.day, calendar.monthrange(index // 12, index % 12 + 1)[1])
        return _range(datetime.date(index // 12, index % 12 + 1, day), base, DatePrecision.SEASON)
    if "ago" in words:
        moment = base - datetime.timedelta(days=days)
        if unit_name in ("year", "decade"):
            return _range(datetime.date(moment.year, 1, 1), datetime.date(moment.year, 12, 31), DatePrecision.YEAR)
        if unit_name == "month":
            return _range(*_month_range(moment.year, moment.month), DatePrecision.MONTH)
        return _range(moment, moment, DatePrecision.DAY if unit_name == "day" else DatePrecision.DAYS)
    # “the past 18 months”, “the last two years”: the period up to the article's date.
    precision = DatePrecision.SEASON if days > 60 else DatePrecision.DAYS
    return _range(base - datetime.timedelta(days=days), base, precision)


_FORWARD = re.compile(r"\b(?:by|until|till|next|before)\s$", re.IGNORECASE)
_BACKWARD = re.compile(r"\b(?:since|last|after)\s$", re.IGNORECASE)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where dates are, without resolving them (for the numbers to skip, cheaply)."""
    return [
        (match.start(), match.end())
        for match in FINDER.finditer(text)
        if match.lastgroup not in _CAPITALISED_GROUPS or re.search(r"\b[A-Z]", match.group())
    ]


def date_suggestions(text: str, base: datetime.date | None, until: datetime.date | None = None) -> list[Suggestion]:
    """`base` is the article's date (its earliest, when estimated); `until` its latest, which “since 2012” and
    “currently” run to."""
    suggestions = []
    for match in FINDER.finditer(text):
        group = match.lastgroup
        expression = match.group()
        if group in _CAPITALISED_GROUPS and not re.search(r"\b[A-Z]", expression):
            continue
        expression = expression.strip()
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        if group == "month":  # the preposition only told that the capitalised word is a month
            preposition = expression.split()[0]
            start += len(expression) - len(expression[len(preposition) :].lstrip())
            expression = expression[len(preposition) :].lstrip()
        end = start + len(expression)
        if group == "season" and not re.search(r"spring|summer|autumn|fall|winter", expression, re.IGNORECASE):
            continue
        if group == "season" and expression.lower() == "fall":
            continue
        preceding = text[max(0, start - 8) : start]
        direction = 1 if _FORWARD.search(preceding) else (-1 if _BACKWARD.search(preceding) else 0)
        resolved = resolve(expression, group, base, direction, until or base)
        if resolved is None:
            continue
        if _SINCE.search(text[max(0, start - 8) : start]) and base is not None:
            # “since 2012”: from then until the article's date.
            latest = (until or base).isoformat()
            resolved = {**resolved, "date_to": max(latest, resolved["date_to"]), "since": True}
        values = {"date_as_written": expression, **resolved}
        suggestions.append(Suggestion(Kind.DATE, start, end, expression, values, 0.9 if group != "year" else 0.8))
    return suggestions

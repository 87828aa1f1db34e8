"""Incidents and figures over time, counted in the database (GROUP BY), laid out as bar charts for the templates.

An incident is dated by a range (“January 2015” is 2015-01-01 to 2015-01-31). It is counted in a month or year
only when its whole range lies inside it; one whose range is wider (“2015”, in a chart by month) is counted
apart as “dated less precisely”, one with no date as “undated”, and one dated outside settings.MINUSMA_DATE_RANGE
(which validation refuses, but an old or raw write may have stored) as “dated outside”, so no incident is silently
placed or lost and no stray year stretches the axis over millennia.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, Min, QuerySet
from django.db.models.functions import TruncMonth, TruncYear
from django.urls import reverse

from common.datacache import cached_by_data_version

from . import vocabularies as vocab
from .models import Figure, Incident

PERIODS = {"month": TruncMonth, "year": TruncYear}
# The casualty totals the second chart can show (?outcome=), each summing one stored Incident total.
OUTCOMES = {"killed": "People killed", "wounded": "People wounded", "abducted": "People abducted"}
TYPE_LABELS = dict(vocab.IncidentType.choices)
QUANTITY_LABELS = dict(vocab.FigureQuantity.choices)
SERIES_COLOURS = 12  # .series-0 … .series-10 and .series-rest in site.css

# Incidents spread over more years than this are charted by year by default: by month, a decade is 120 bars too thin
# to read (and to click); a year or two by year is one or two bars.
MONTHLY_UP_TO_YEARS = 3

# Chart geometry, in SVG user units.
PLOT_TOP, PLOT_HEIGHT, AXIS_LEFT, AXIS_BOTTOM = 12, 150, 40, 26
SLOT_WIDTH = {"month": 10, "year": 44}


def period_bounds(start: datetime.date, by: str) -> tuple[datetime.date, datetime.date]:
    if by == "year":
        return datetime.date(start.year, 1, 1), datetime.date(start.year, 12, 31)
    last_day = calendar.monthrange(start.year, start.month)[1]
    return start.replace(day=1), start.replace(day=last_day)


def next_period(start: datetime.date, by: str) -> datetime.date:
    if by == "year":
        return datetime.date(start.year + 1, 1, 1)
    return datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_label(start: datetime.date, by: str) -> str:
    return str(start.year) if by == "year" else start.strftime("%B %Y")


@dataclass
class Segment:
    label: str
    count: int
    url: str
    css_class: str
    y: float = 0
    height: float = 0


@dataclass
class Bar:
    label: str
    start: datetime.date
    end: datetime.date
    total: int
    url: str
    segments: list[Segment] = field(default_factory=list)
    axis_label: str = ""
    x: float = 0
    width: float = 0
    y: float = 0
    height: float = 0


@dataclass
class Chart:
    """A bar chart laid out for an SVG viewBox; each bar (or segment of a stacked bar) carries its link."""

    title: str
    unit: str
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)
    max_value: int = 0
    width: float = 0
    height: float = PLOT_TOP + PLOT_HEIGHT + AXIS_BOTTOM
    plot_top: float = PLOT_TOP
    plot_bottom: float = PLOT_TOP + PLOT_HEIGHT
    axis_left: float = AXIS_LEFT

    def layout(self, slot: float) -> "Chart":
        self.max_value = max((bar.total for bar in self.bars), default=0)
        self.width = AXIS_LEFT + slot * max(len(self.bars), 1) + 4
        scale = PLOT_HEIGHT / self.max_value if self.max_value else 0
        for index, bar in enumerate(self.bars):
            bar.x, bar.width = AXIS_LEFT + index * slot + 1, slot - 2
            bottom = self.plot_bottom
            bar.height = bar.total * scale
            bar.y = bottom - bar.height
            for segment in bar.segments:
                segment.height = segment.count * scale
                bottom -= segment.height
                segment.y = bottom
        return self


@dataclass
class TypeCount:
    label: str
    count: int


@dataclass
class IncidentTimeline:
    by: str
    incidents: Chart
    casualties: Chart
    undated: list[TypeCount]
    imprecise: list[TypeCount]
    out_of_range: list[TypeCount] = field(default_factory=list)
    date_range: tuple[datetime.date, datetime.date] | None = None
    outcome: str = "killed"
    not_reported: int = 0  # incidents in the bars whose sources give no number of people `outcome`

    @property
    def undated_total(self) -> int:
        return sum(row.count for row in self.undated)

    @property
    def out_of_range_total(self) -> int:
        return sum(row.count for row in self.out_of_range)

    @property
    def date_range_label(self) -> str:
        """The plausible years, e.g. 1990–2100."""
        first, last = self.date_range or settings.MINUSMA_DATE_RANGE
        return f"{first.year}–{last.year}"

    @property
    def imprecise_total(self) -> int:
        return sum(row.count for row in self.imprecise)

    @property
    def dated_total(self) -> int:
        return sum(bar.total for bar in self.incidents.bars)


def link(base: str, params: Mapping[str, str], **extra) -> str:
    merged = {key: value for key, value in params.items() if value not in (None, "")}
    merged.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return f"{base}?{urlencode(merged)}" if merged else base


@dataclass
class IncidentCounts:
    """What the chart shows, counted: incidents per period and type, people killed (or wounded, or abducted) per
    period, and the incidents that have no place on the time axis (undated, dated less precisely than the period,
    dated outside the range)."""

    by: str
    per_period: dict[datetime.date, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    casualties: dict[datetime.date, int] = field(default_factory=lambda: defaultdict(int))
    undated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    imprecise: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    out_of_range: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    outcome: str = "killed"
    not_reported: int = 0

    def add(self, row: Mapping, *, first_period: datetime.date, last_day: datetime.date) -> None:
        """Count one row of counted_by_type_and_period() in its period, or apart: undated, dated outside
        first_period..last_day, or dated across more than one period."""
        start, end, kind, count = as_date(row["start"]), as_date(row["end"]), row["incident_type"], row["count"]
        if start is None:
            self.undated[kind] += count
        elif start < first_period or (end or start) > last_day:
            self.out_of_range[kind] += count
        elif end is None or start != end:
            self.imprecise[kind] += count
        else:
            per_type = self.per_period[start]
            per_type[kind] = per_type.get(kind, 0) + count
            self.casualties[start] += row["casualties"] or 0
            self.not_reported += count - row["reported"]


@cached_by_data_version("incident-counts")
def count_incidents(incidents: QuerySet[Incident], *, by: str = "month", outcome: str = "killed") -> IncidentCounts:
    """Incidents, and people killed, wounded or abducted (`outcome`), per month or year by incident type. One query,
    grouped in the database, kept in the shared cache until the data changes (common/datacache.py). Incidents whose
    sources give no number add nothing and are counted apart, not as 0."""
    counts = IncidentCounts(by, outcome=outcome)
    first_day, last_day = settings.MINUSMA_DATE_RANGE
    first_period = period_bounds(first_day, by)[0]
    for row in incidents.counted_by_type_and_period(PERIODS[by], outcome):
        counts.add(row, first_period=first_period, last_day=last_day)
    return counts


def type_colours(per_period: Mapping[datetime.date, Mapping[str, int]]) -> tuple[list[str], dict, list]:
    """Incident types, commonest first, with their CSS class and the legend: the commonest types get a colour each,
    the rarest share one, so no two legend entries look alike."""
    totals: dict[str, int] = defaultdict(int)
    for per_type in per_period.values():
        for kind, count in per_type.items():
            totals[kind] += count
    ordered = sorted(totals, key=lambda kind: (-totals[kind], kind))
    distinct = ordered if len(ordered) <= SERIES_COLOURS else ordered[: SERIES_COLOURS - 1]
    css = {kind: f"series-{index}" if kind in distinct else "series-rest" for index, kind in enumerate(ordered)}
    legend = [(css[kind], TYPE_LABELS.get(kind, kind)) for kind in distinct]
    if rest := [TYPE_LABELS.get(kind, kind) for kind in ordered if kind not in distinct]:
        legend.append(("series-rest", "Other types: " + ", ".join(label.lower() for label in rest)))
    return ordered, css, legend


@dataclass(frozen=True)
class ListLinks:
    """Links from the bars to the incident list, keeping the page's filters but its dates (each bar gives its own),
    `by` and `outcome` (the list has neither). A casualty bar asks for at least one person `outcome`, unless the
    filters already ask for a number."""

    base: str
    params: dict[str, str]
    casualty_params: dict[str, str]

    @classmethod
    def keeping(cls, params: Mapping[str, str], outcome: str) -> "ListLinks":
        kept = {key: value for key, value in params.items() if key not in ("date_from", "date_to", "by", "outcome")}
        minimum = f"min_{outcome}"
        return cls(reverse("events:incident_list"), kept, {**kept, minimum: kept.get(minimum) or "1"})

    def to_incidents(self, period: "BarPeriod", **extra) -> str:
        return link(self.base, self.params, date_from=period.first, date_to=period.last, **extra)

    def to_casualties(self, period: "BarPeriod") -> str:
        return link(self.base, self.casualty_params, date_from=period.first, date_to=period.last)


@dataclass(frozen=True)
class BarPeriod:
    """One month or year on the time axis: `start` keys its counts; its bars link to first..last, the period
    narrowed to the filters' own dates."""

    start: datetime.date
    first: datetime.date
    last: datetime.date
    label: str
    axis_label: str


def bar_periods(
    counted: Mapping[datetime.date, object], by: str, within: tuple[datetime.date | None, datetime.date | None]
) -> list[BarPeriod]:
    """Every month or year from the first counted to the last, empty ones included, each within `within`."""
    lower, upper = within
    periods = []
    for start in periods_between(min(counted, default=None), max(counted, default=None), by):
        first, last = period_bounds(start, by)
        periods.append(
            BarPeriod(
                start=start,
                first=max(first, lower) if lower else first,
                last=min(last, upper) if upper else last,
                label=period_label(start, by),
                axis_label=str(start.year) if by == "year" or start.month == 1 else "",
            )
        )
    return periods


def incident_bar(
    period: BarPeriod, per_type: Mapping[str, int], ordered_types: list[str], css: dict, links: ListLinks
) -> Bar:
    """The period's incidents, one segment per type (in `ordered_types` order, coloured by `css`)."""
    segments = [
        Segment(
            label=TYPE_LABELS.get(kind, kind),
            count=per_type[kind],
            url=links.to_incidents(period, incident_type=kind),
            css_class=css[kind],
        )
        for kind in ordered_types
        if per_type.get(kind)
    ]
    return Bar(
        label=period.label,
        start=period.first,
        end=period.last,
        total=sum(per_type.values()),
        url=links.to_incidents(period),
        segments=segments,
        axis_label=period.axis_label,
    )


def casualty_bar(period: BarPeriod, total: int, links: ListLinks) -> Bar:
    return Bar(
        label=period.label,
        start=period.first,
        end=period.last,
        total=total,
        url=links.to_casualties(period),
        axis_label=period.axis_label,
    )


def draw_timeline(
    counts: IncidentCounts,
    *,
    params: Mapping[str, str] | None = None,
    period: tuple[datetime.date | None, datetime.date | None] = (None, None),
) -> IncidentTimeline:
    """The counts as two bar charts (incidents by type, people killed or wounded or abducted), every bar and segment
    linking to the incident list with the filters in force (`params`) narrowed to its period (within `period`, the
    filters' own dates) and, for a segment, its incident type."""
    by, outcome = counts.by, counts.outcome
    links = ListLinks.keeping(params or {}, outcome)
    ordered_types, css, legend = type_colours(counts.per_period)
    periods = bar_periods(counts.per_period, by, period)
    incident_bars = [
        incident_bar(each, counts.per_period.get(each.start, {}), ordered_types, css, links) for each in periods
    ]
    casualty_bars = [casualty_bar(each, counts.casualties.get(each.start, 0), links) for each in periods]
    slot = SLOT_WIDTH[by]
    return IncidentTimeline(
        by=by,
        incidents=Chart(
            title=f"Incidents per {by}, by type", unit="incidents", bars=incident_bars, legend=legend
        ).layout(slot),
        casualties=Chart(title=f"{OUTCOMES[outcome]} per {by}", unit=outcome, bars=casualty_bars).layout(slot),
        undated=type_counts(counts.undated),
        imprecise=type_counts(counts.imprecise),
        out_of_range=type_counts(counts.out_of_range),
        date_range=settings.MINUSMA_DATE_RANGE,
        outcome=outcome,
        not_reported=counts.not_reported,
    )


@cached_by_data_version("incident-date-span")
def default_period(incidents: QuerySet[Incident]) -> str:
    """The period the timeline groups `incidents` by when none is asked for: "year" when their dates (those within
    settings.MINUSMA_DATE_RANGE, which the chart shows) span more than MONTHLY_UP_TO_YEARS years, else "month".
    One aggregate query, kept in the shared cache until the data changes."""
    first_day, last_day = settings.MINUSMA_DATE_RANGE
    span = (
        incidents.order_by()
        .filter(date_from__gte=first_day, date_from__lte=last_day)
        .aggregate(first=Min("date_from"), last=Max("date_from"))
    )
    if span["first"] is None:
        return "month"
    first, last = as_date(span["first"]), as_date(span["last"])
    years = last.year - first.year + (last.month - first.month) / 12
    return "year" if years > MONTHLY_UP_TO_YEARS else "month"


def incident_timeline(
    incidents: QuerySet[Incident],
    *,
    by: str = "month",
    outcome: str = "killed",
    params: Mapping[str, str] | None = None,
    period: tuple[datetime.date | None, datetime.date | None] = (None, None),
) -> IncidentTimeline:
    """The timeline of `incidents`: counted in one query, then drawn."""
    return draw_timeline(count_incidents(incidents, by=by, outcome=outcome), params=params, period=period)


def as_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value


def periods_between(first: datetime.date | None, last: datetime.date | None, by: str) -> list[datetime.date]:
    """Every month or year from first to last, empty ones included, so the time axis stays even."""
    periods, current = [], first
    while current is not None and current <= last:
        periods.append(current)
        current = next_period(current, by)
    return periods


def type_counts(counts: Mapping[str, int]) -> list[TypeCount]:
    return [
        TypeCount(label=TYPE_LABELS.get(kind, kind), count=count)
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


@dataclass
class FigurePoint:
    year: int
    source_title: str
    source_url: str
    value: float
    unit: str
    claims: int
    url: str
    percent: float = 0


@dataclass
class FigureSeries:
    quantity: str
    label: str
    points: list[FigurePoint]
    undated: int = 0


def figures_over_time(figures: QuerySet[Figure]) -> list[FigureSeries]:
    """Each figure quantity year by year as each source reports it. One query, grouped in the database.

    Claims are never added up: where one source gives a quantity twice in a year, the larger value stands and
    `claims` says how many there were; the link opens one of them beside every other claim of the quantity.
    """
    series: dict[str, FigureSeries] = {}
    for row in figures.largest_claim_per_source_and_year():
        quantity = row["quantity"]
        entry = series.setdefault(quantity, FigureSeries(quantity, QUANTITY_LABELS.get(quantity, quantity), []))
        if row["year"] is None:
            entry.undated += row["claims"]
        else:
            entry.points.append(figure_point(row))
    for entry in series.values():
        entry.points.sort(key=lambda point: (point.year, point.source_title))
        scale_to_largest(entry.points)
    return sorted(series.values(), key=lambda entry: entry.label)


def figure_point(row: Mapping) -> FigurePoint:
    """One row of largest_claim_per_source_and_year(), linked to its source and to one of its claims."""
    return FigurePoint(
        year=row["year"].year,
        source_title=row["source__title"],
        source_url=reverse("articles:article_detail", args=[row["source__slug"]]),
        value=float(row["value"]),
        unit=row["unit"],
        claims=row["claims"],
        url=reverse("events:figure_detail", args=[row["figure_id"]]),
    )


def scale_to_largest(points: list[FigurePoint]) -> None:
    """Each point's percent of the largest of its unit: bars compare like with like, people with people, percent
    with percent."""
    largest: dict[str, float] = defaultdict(float)
    for point in points:
        largest[point.unit] = max(largest[point.unit], point.value)
    for point in points:
        point.percent = round(100 * point.value / largest[point.unit], 1) if largest[point.unit] else 0

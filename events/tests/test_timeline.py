"""The timeline (/timeline/): incidents per month or year by type, people killed, and figures over time by source."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models.functions import TruncMonth
from django.urls import reverse

from articles.tests.factories import ArticleFactory
from events.filters import IncidentFilter
from events.models import Figure, Incident
from events.tests.factories import CasualtyFactory, FigureFactory, IncidentFactory, PlaceFactory
from events.timeline import IncidentCounts, TypeCount, as_date, draw_timeline, figures_over_time, incident_timeline

pytestmark = pytest.mark.django_db

TIMELINE_URL = reverse("events:incident_timeline")
IED = {"incident_type": "ied", "acled_sub_event_type": "Remote explosive/landmine/IED"}


def on_day(day: datetime.date, **kwargs) -> Incident:
    return IncidentFactory(date_from=day, date_to=day, date_precision="day", **kwargs)


@pytest.fixture
def early_2015() -> None:
    """Three incidents in January 2015 (two IEDs, one suicide attack), none in February, one IED in March."""
    on_day(datetime.date(2015, 1, 5), **IED)
    on_day(datetime.date(2015, 1, 20), **IED)
    on_day(datetime.date(2015, 1, 17), incident_type="suicide_attack")
    on_day(datetime.date(2015, 3, 2), **IED)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_counts_per_month_by_type(early_2015):
    """Each month's bar counts its incidents by type; empty months stay on the axis with nothing to link."""
    chart = incident_timeline(Incident.objects.all(), by="month").incidents
    assert [(bar.label, bar.total) for bar in chart.bars] == [
        ("January 2015", 3),
        ("February 2015", 0),
        ("March 2015", 1),
    ]
    january = chart.bars[0]
    assert [(segment.label, segment.count) for segment in january.segments] == [
        ("Improvised explosive device", 2),
        ("Suicide attack", 1),
    ]
    assert chart.bars[1].segments == []


def test_counts_per_year_by_type(early_2015):
    """Grouped by year, the same incidents make one bar of four, split by type."""
    [bar] = incident_timeline(Incident.objects.all(), by="year").incidents.bars
    assert (bar.label, bar.total) == ("2015", 4)
    assert {segment.label: segment.count for segment in bar.segments} == {
        "Improvised explosive device": 3,
        "Suicide attack": 1,
    }


def test_segments_link_to_the_incident_list_with_its_filter_names(early_2015):
    """A segment links to /incidents/ with date_from, date_to and incident_type, IncidentFilter's own names."""
    january = incident_timeline(Incident.objects.all(), by="month").incidents.bars[0]
    ied = january.segments[0]
    assert urlsplit(ied.url).path == "/incidents/"
    assert query(ied.url) == {"date_from": ["2015-01-01"], "date_to": ["2015-01-31"], "incident_type": ["ied"]}
    assert query(january.url) == {"date_from": ["2015-01-01"], "date_to": ["2015-01-31"]}
    # the list behind the link holds what the segment counts
    linked = IncidentFilter({key: values[0] for key, values in query(ied.url).items()}, queryset=Incident.objects.all())
    assert linked.is_valid()
    assert linked.qs.count() == ied.count


def test_links_keep_the_filters_in_force_and_stay_within_their_dates(early_2015):
    """Bars link with the page's other filters kept, and never wider than the filters' own dates."""
    params = {"place": "kidal", "date_from": "2015-01-10", "by": "month"}
    timeline = incident_timeline(
        Incident.objects.filter(date_from__gte="2015-01-10"),
        by="month",
        params=params,
        period=(datetime.date(2015, 1, 10), None),
    )
    january = timeline.incidents.bars[0]
    assert query(january.segments[0].url) == {
        "place": ["kidal"],
        "date_from": ["2015-01-10"],
        "date_to": ["2015-01-31"],
        "incident_type": ["ied"],
    }


def test_imprecise_and_undated_incidents_are_counted_apart():
    """An incident known only to the year is not put in January, and an undated one is counted, not lost."""
    on_day(datetime.date(2015, 1, 17))
    IncidentFactory(date_from=datetime.date(2015, 1, 1), date_to=datetime.date(2015, 12, 31), date_precision="year")
    IncidentFactory(date_from=None, date_to=None, date_precision="unknown", date_as_written="one day")

    by_month = incident_timeline(Incident.objects.all(), by="month")
    assert (by_month.dated_total, by_month.imprecise_total, by_month.undated_total) == (1, 1, 1)
    by_year = incident_timeline(Incident.objects.all(), by="year")
    assert (by_year.dated_total, by_year.imprecise_total, by_year.undated_total) == (2, 0, 1)


def test_killed_per_period_adds_up_incidents_but_not_sources():
    """People killed per month add up the incidents, each counted once at its largest per-source figure."""
    first = on_day(datetime.date(2016, 5, 29))
    CasualtyFactory(incident=first, best=5)
    CasualtyFactory(incident=first, best=4, source=ArticleFactory())
    CasualtyFactory(incident=on_day(datetime.date(2016, 5, 31)), best=2)
    [may] = incident_timeline(Incident.objects.all(), by="month").casualties.bars
    assert (may.label, may.total) == ("May 2016", 7)
    assert query(may.url)["min_killed"] == ["1"]


def test_incidents_are_counted_by_type_and_period_in_one_query(django_assert_num_queries):
    """The counting part: one GROUP BY row per type and period, people killed summed, those reported counted."""
    reported = on_day(datetime.date(2015, 1, 5), **IED)
    CasualtyFactory(incident=reported, best=3)
    on_day(datetime.date(2015, 1, 20), **IED)  # no source gives a number
    on_day(datetime.date(2015, 3, 2), incident_type="suicide_attack")
    with django_assert_num_queries(1):
        rows = list(Incident.objects.counted_by_type_and_period(TruncMonth, "killed"))
    counted = sorted(
        (
            as_date(row["start"]),
            as_date(row["end"]),
            row["incident_type"],
            row["count"],
            row["casualties"],
            row["reported"],
        )
        for row in rows
    )
    january, march = datetime.date(2015, 1, 1), datetime.date(2015, 3, 1)
    assert counted == [(january, january, "ied", 2, 3, 1), (march, march, "suicide_attack", 1, None, 0)]


def test_counted_rows_go_to_their_period_or_are_counted_apart():
    """IncidentCounts.add puts a row dated within one period there, and an undated, out-of-range or imprecise one
    apart; people killed add up, incidents with no number are counted as not reported."""
    january = datetime.date(2015, 1, 1)
    range_ = {"first_period": datetime.date(1990, 1, 1), "last_day": datetime.date(2100, 12, 31)}
    counts = IncidentCounts("month")
    for start, end, kind, count, casualties, reported in [
        (january, january, "ied", 2, 5, 1),
        (january, january, "suicide_attack", 1, None, 0),
        (None, None, "ied", 4, None, 0),
        (january, datetime.date(2015, 12, 1), "ied", 3, 7, 3),
        (datetime.date(9999, 12, 1), datetime.date(9999, 12, 1), "ambush", 1, 2, 1),
    ]:
        row = {"start": start, "end": end, "incident_type": kind, "count": count}
        counts.add({**row, "casualties": casualties, "reported": reported}, **range_)
    assert counts.per_period == {january: {"ied": 2, "suicide_attack": 1}}
    assert counts.casualties == {january: 5}
    assert counts.not_reported == 2
    assert (counts.undated, counts.imprecise, counts.out_of_range) == ({"ied": 4}, {"ied": 3}, {"ambush": 1})


def test_drawing_lays_out_hand_built_counts():
    """The drawing part, given counts: bars for every month, colours, links narrowed to the filters' dates, and
    positions scaled so the tallest bar fills the plot and each segment sits on the one below."""
    january, march = datetime.date(2015, 1, 1), datetime.date(2015, 3, 1)
    counts = IncidentCounts(
        "month",
        per_period={january: {"ied": 2, "suicide_attack": 1}, march: {"ied": 1}},
        casualties={january: 6},
        undated={"ied": 1},
        outcome="wounded",
        not_reported=2,
    )
    params = {"place": "kidal", "date_from": "2015-01-10", "by": "month", "outcome": "wounded"}
    drawn = draw_timeline(counts, params=params, period=(datetime.date(2015, 1, 10), None))

    incidents = drawn.incidents
    assert [(bar.label, bar.total, bar.axis_label) for bar in incidents.bars] == [
        ("January 2015", 3, "2015"),
        ("February 2015", 0, ""),
        ("March 2015", 1, ""),
    ]
    assert incidents.legend == [("series-0", "Improvised explosive device"), ("series-1", "Suicide attack")]
    bar = incidents.bars[0]
    ied, suicide = bar.segments
    assert (ied.css_class, suicide.css_class) == ("series-0", "series-1")
    assert bar.url == "/incidents/?place=kidal&date_from=2015-01-10&date_to=2015-01-31"
    assert suicide.url == "/incidents/?place=kidal&date_from=2015-01-10&date_to=2015-01-31&incident_type=suicide_attack"
    assert (incidents.max_value, incidents.width) == (3, 40 + 3 * 10 + 4)
    assert (bar.x, bar.width, bar.y, bar.height) == (41, 8, 12, 150)
    assert [(segment.y, segment.height) for segment in bar.segments] == [(62, 100), (12, 50)]
    assert (incidents.bars[2].x, incidents.bars[2].y, incidents.bars[2].height) == (61, 112, 50)

    casualties = drawn.casualties
    assert (casualties.title, casualties.unit) == ("People wounded per month", "wounded")
    assert [bar.total for bar in casualties.bars] == [6, 0, 0]
    assert casualties.bars[2].url == "/incidents/?place=kidal&min_wounded=1&date_from=2015-03-01&date_to=2015-03-31"
    assert (drawn.undated, drawn.undated_total, drawn.not_reported) == (
        [TypeCount("Improvised explosive device", 1)],
        1,
        2,
    )


def test_figures_over_time_by_source():
    """A quantity's figures come year by year, one row per source, the claims never added together."""
    reports = {year: ArticleFactory(title=f"Report {year}") for year in (2015, 2016, 2023)}
    for year, value in ((2015, 34), (2016, 60), (2023, 165)):
        day = datetime.date(year, 6, 1)
        FigureFactory(value=value, source=reports[year], date_from=day, date_to=day)
    FigureFactory(
        value=50,
        source=reports[2016],
        excerpt="a Chadian peacekeeper",
        date_from=datetime.date(2016, 1, 1),
        date_to=datetime.date(2016, 1, 1),
    )
    FigureFactory(quantity="troops_deployed", value=12000)

    series = {entry.quantity: entry for entry in figures_over_time(Figure.objects.all())}
    killed = series["peacekeepers_killed"]
    assert killed.label == "Peacekeepers killed"
    assert [(point.year, point.source_title, point.value, point.claims) for point in killed.points] == [
        (2015, "Report 2015", 34, 1),
        (2016, "Report 2016", 60, 2),
        (2023, "Report 2023", 165, 1),
    ]
    assert killed.points[-1].percent == 100
    assert killed.points[0].url.startswith("/figures/")
    assert [point.value for point in series["troops_deployed"].points] == [12000]


def test_timeline_page_draws_linked_svg_bars(client, early_2015):
    """The page draws the bars server-side as SVG links, each named for screen readers, no script needed."""
    response = client.get(TIMELINE_URL, {"by": "month"})
    assert response.status_code == 200
    content = response.content.decode()
    assert '<svg class="chart-svg"' in content
    assert "<script" not in content.split("<main", 1)[1]
    assert (
        '<a href="/incidents/?date_from=2015-01-01&amp;date_to=2015-01-31&amp;incident_type=ied" '
        'aria-label="January 2015: 2 × Improvised explosive device">'
    ) in content


def test_timeline_follows_the_incident_filters(client, early_2015):
    """The timeline counts only the incidents the filters select."""
    response = client.get(TIMELINE_URL, {"by": "year", "incident_type": "suicide_attack"})
    [bar] = response.context["timeline"].incidents.bars
    assert bar.total == 1


def test_timeline_says_how_many_are_undated(client):
    """Undated incidents are counted on the page and said to be left out of the bars."""
    IncidentFactory(date_from=None, date_to=None, date_precision="unknown", place=PlaceFactory())
    content = client.get(TIMELINE_URL).content.decode()
    assert "1 undated" in content
    assert "Undated (1)" in content


@pytest.mark.parametrize("query_string", ["by=week", "date_to=yesterday", "incident_type=picnic"])
def test_timeline_bad_parameters_are_a_400_showing_the_errors(client, query_string):
    """A bad grouping or filter shows what is allowed, with status 400, never a 500."""
    response = client.get(f"{TIMELINE_URL}?{query_string}")
    assert response.status_code == 400
    assert "These filters could not be used" in response.content.decode()


@pytest.mark.parametrize("incident_count", [1, 12])
def test_timeline_runs_a_fixed_number_of_queries(client, django_assert_num_queries, incident_count):
    """Guards against N+1 queries: one GROUP BY for incidents, one for figures, whatever the data size."""
    for index in range(incident_count):
        incident = on_day(datetime.date(2015, 1 + index % 12, 1))
        CasualtyFactory(incident=incident)
        FigureFactory(value=index, source=ArticleFactory())
    with django_assert_num_queries(2):
        response = client.get(TIMELINE_URL, {"by": "month"})
    assert response.context["timeline"].dated_total == incident_count


def test_timeline_and_map_advertise_their_json_twins(client):
    """The timeline links the API's incidents with the same filters (not `by`); the map its GeoJSON feed."""
    timeline_page = client.get("/timeline/", {"by": "year", "incident_type": "ied"}).content.decode()
    assert 'rel="alternate" type="application/json" href="/api/v1/incidents/?incident_type=ied"' in timeline_page
    map_page = client.get("/map/", {"incident_type": "ied"}).content.decode()
    assert 'type="application/geo+json" href="/map/incidents.geojson?incident_type=ied"' in map_page


def stored_without_validation(day: datetime.date) -> Incident:
    """An incident whose date was written behind validation's back (raw SQL, an old import)."""
    incident = on_day(datetime.date(2015, 1, 1))
    Incident.objects.filter(pk=incident.pk).update(date_from=day, date_to=day)
    return incident


@pytest.mark.parametrize("day", [datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
@pytest.mark.parametrize(("url", "by"), [("/", "year"), (TIMELINE_URL, "month"), (TIMELINE_URL, "year")])
def test_charts_leave_out_dates_outside_the_plausible_range_and_say_so(client, early_2015, day, url, by):
    """A stored date outside MINUSMA_DATE_RANGE (9999-12-31 was a 500 for everyone, 0001-01-01 a page ten times
    larger) is counted apart and said to be; the bars span only the plausible dates, so the page stays small."""
    stored_without_validation(day)
    response = client.get(url, {"by": by} if url == TIMELINE_URL else {})
    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert len(timeline.incidents.bars) == (3 if by == "month" else 1)
    assert timeline.out_of_range_total == 1
    assert "1 dated outside 1990–2100" in response.content.decode()
    assert len(response.content) < 100_000


def test_the_timeline_lists_out_of_range_incidents_by_type(client):
    """The timeline names the kinds of incident left out for an implausible date, so a curator can find them."""
    stored_without_validation(datetime.date(9999, 12, 31))
    content = client.get(TIMELINE_URL).content.decode()
    assert "Dated outside 1990–2100 (1)" in content


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([datetime.date(2015, 1, 5), datetime.date(2015, 3, 2)], "month"),
        ([datetime.date(2014, 1, 1), datetime.date(2016, 12, 31)], "month"),  # three years: 36 bars
        ([datetime.date(2013, 7, 1), datetime.date(2023, 12, 31)], "year"),  # the mission's decade
        ([], "month"),
    ],
)
def test_timeline_groups_by_year_when_the_incidents_span_more_than_a_few_years(
    client, django_assert_num_queries, days, expected
):
    """Without `by`, the period is chosen from the span of the incidents' dates (one more query, then cached);
    `by` still chooses, and the page says which period it uses."""
    for day in days:
        on_day(day)
    with django_assert_num_queries(3):  # the span, the incidents' GROUP BY, the figures
        response = client.get(TIMELINE_URL)
    assert response.context["by"] == expected
    assert f'<strong aria-current="page">{expected}</strong>' in response.content.decode()
    other = "year" if expected == "month" else "month"
    assert client.get(TIMELINE_URL, {"by": other}).context["by"] == other


def test_the_default_period_follows_the_filters(client):
    """Filtered to one year of a decade of incidents, the timeline is by month."""
    for year in range(2013, 2024):
        on_day(datetime.date(year, 6, 1))
    assert client.get(TIMELINE_URL).context["by"] == "year"
    assert client.get(TIMELINE_URL, {"date_from": "2016-01-01", "date_to": "2016-12-31"}).context["by"] == "month"

"""The incident, place and figure list pages: filters, facets, sorting, bad input and query counts."""

import contextlib
import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse

from actors.tests.factories import ActorFactory, ContingentFactory
from common import listing
from common.timelimit import TimeLimitExceeded, queries_per_limit
from events.filters import IncidentFilter
from events.models import Incident
from events.tests.factories import (
    CasualtyFactory,
    FigureFactory,
    IncidentActorFactory,
    IncidentExternalDateFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceFactory,
)
from events.views import FigureListView, IncidentListView, PlaceListView

pytestmark = pytest.mark.django_db

INCIDENTS = reverse("events:incident_list")
PLACES = reverse("events:place_list")
FIGURES = reverse("events:figure_list")


def _rows(response):
    return response.context["listing"]["page"]["rows"]


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _facet(response, param):
    return next(facet for facet in response.context["listing"]["facets"] if facet["param"] == param)


def test_incidents_filter_by_region_includes_its_towns(client):
    """?place=<region> finds incidents in the towns inside it."""
    region = PlaceFactory(slug="kidal-region", kind="region")
    inside = IncidentFactory(place=PlaceFactory(parent=region))
    IncidentFactory()
    assert [i.pk for i in _rows(client.get(INCIDENTS, {"place": "kidal-region"}))] == [inside.pk]


def test_incidents_filter_by_actor_role_victims_killed_type_and_mali(client):
    """Actor with role, victims' contingent and nationality, minimum killed, types and in_mali combine."""
    wanted = IncidentFactory(incident_type="ambush", acled_event_type="Battles", acled_sub_event_type="Armed clash")
    contingent = ContingentFactory(slug="td-kidal")
    IncidentActorFactory(incident=wanted, actor=ActorFactory(slug="jnim"), role="perpetrator")
    CasualtyFactory(incident=wanted, best=3, nationality="TD", contingent=contingent)
    other = IncidentFactory(incident_type="ambush", in_mali=False)
    IncidentActorFactory(incident=other, actor=ActorFactory(slug="other"), role="target")
    params = {
        "actor": "jnim",
        "role": "perpetrator",
        "victim_contingent": "td-kidal",
        "victim_nationality": "td",
        "min_killed": 2,
        "incident_type": "ambush",
        "acled_event_type": "Battles",
        "in_mali": "true",
        "date_from": "2015-01-01",
        "date_to": "2015-01-31",
    }
    assert [i.pk for i in _rows(client.get(INCIDENTS, params))] == [wanted.pk]
    assert _rows(client.get(INCIDENTS, {"actor": "jnim", "role": "target"})) == []


def test_incident_facets_count_distinct_incidents_per_actor_role_and_nationality(client):
    """To-many facets (actors, roles, victims) count each incident once, however many rows it joins."""
    jnim = ActorFactory(slug="jnim", name="JNIM")
    for incident in IncidentFactory.create_batch(2):
        IncidentActorFactory(incident=incident, actor=jnim, role="perpetrator")
        IncidentActorFactory(incident=incident, actor=jnim, role="claimant")
        CasualtyFactory(incident=incident, nationality="TD")
        CasualtyFactory(incident=incident, nationality="TD", outcome="wounded")
    IncidentFactory(in_mali=False)
    response = client.get(INCIDENTS)
    assert [(o["label"], o["count"]) for o in _facet(response, "actor")["options"]] == [("JNIM", 2)]
    assert [(o["label"], o["count"]) for o in _facet(response, "role")["options"]] == [
        ("Claimed responsibility", 2),
        ("Perpetrator", 2),
    ]
    assert [(o["label"], o["count"]) for o in _facet(response, "victim_nationality")["options"]] == [("Chad", 2)]
    in_mali = _facet(response, "in_mali")["options"]
    assert [(o["label"], o["count"], o["url"]) for o in in_mali] == [
        ("yes", 2, f"{INCIDENTS}?in_mali=true"),
        ("no", 1, f"{INCIDENTS}?in_mali=false"),
    ]


def test_incidents_sort_by_killed_descending_then_by_id(client):
    """?ordering=-killed (or the older ?sort=-killed) puts the deadliest first and the unreported last; equal
    counts go by id, as in the API's pages, whose keyset order this is."""
    quiet_one, quiet_two = IncidentFactory.create_batch(2)
    deadly = IncidentFactory()
    CasualtyFactory(incident=deadly, best=9)
    for name in ("ordering", "sort"):
        rows = _rows(client.get(INCIDENTS, {name: "-killed"}))
        assert [incident.pk for incident in rows] == [deadly.pk, quiet_one.pk, quiet_two.pk]


def test_incidents_bad_min_killed_and_unknown_place_are_400s(client):
    """A negative minimum and an unknown place are shown as errors with status 400."""
    response = client.get(INCIDENTS, {"min_killed": "-1", "place": "atlantis"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No place has the id, slug, name or alias “atlantis”" in page
    assert "greater than or equal to 0" in page


@pytest.mark.parametrize("copies", [1, 6])
def test_incident_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: count, the rows' ids, rows with killed (and the outside source of a date,
    joined), three prefetches, one GROUP BY per facet (and the actors' names)."""
    for _ in range(copies):
        source = IncidentSourceFactory()
        IncidentActorFactory(incident=source.incident)
        CasualtyFactory(incident=source.incident, source=source.source)
        IncidentExternalDateFactory(incident=source.incident)
    with django_assert_num_queries(13 + len(IncidentListView.facets) * queries_per_limit()):
        client.get(INCIDENTS)


def test_places_filter_by_kind_country_parent_and_within(client):
    """Places filter by kind, country, direct parent and anywhere within."""
    region = PlaceFactory(slug="gao-region", kind="region")
    town = PlaceFactory(slug="gao", parent=region)
    base = PlaceFactory(kind="military_base", parent=town)
    assert {p.pk for p in _rows(client.get(PLACES, {"within": "gao-region"}))} == {region.pk, town.pk, base.pk}
    assert [p.pk for p in _rows(client.get(PLACES, {"parent": "gao"}))] == [base.pk]
    assert [p.pk for p in _rows(client.get(PLACES, {"kind": "region", "country": "ML"}))] == [region.pk]


def test_place_parent_facet_counts_children(client):
    """The “In” facet counts places by their parent and links by its slug."""
    region = PlaceFactory(slug="mopti-region", name="Mopti region", kind="region")
    PlaceFactory.create_batch(2, parent=region)
    options = _facet(client.get(PLACES), "parent")["options"]
    assert [(o["label"], o["count"], o["url"]) for o in options] == [
        ("Mopti region", 2, f"{PLACES}?parent=mopti-region")
    ]


@pytest.mark.parametrize("copies", [1, 6])
def test_place_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the rows' ids, the rows with their parent joined, aliases prefetched, one GROUP BY
    per facet."""
    PlaceFactory.create_batch(copies, parent=PlaceFactory())
    with django_assert_num_queries(7 + len(PlaceListView.facets) * queries_per_limit()):
        client.get(PLACES)


def test_figures_filter_by_quantity_subject_and_dates(client):
    """Figures filter by quantity, subject slug and the period they hold for."""
    wanted = FigureFactory()
    FigureFactory(quantity="troops_deployed", excerpt="a Chadian peacekeeper")
    FigureFactory(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 1, 1))
    params = {"quantity": "peacekeepers_killed", "subject": "minusma", "date_to": "2015-12-31"}
    assert [f.pk for f in _rows(client.get(FIGURES, params))] == [wanted.pk]


def test_figure_quantity_facet_and_sort_by_value(client):
    """The quantity facet counts figures; ?sort=-value puts the largest first."""
    small, large = FigureFactory(value=2), FigureFactory(value=300, excerpt="a Chadian peacekeeper")
    response = client.get(FIGURES, {"sort": "-value"})
    assert [f.pk for f in _rows(response)] == [large.pk, small.pk]
    assert [(o["label"], o["count"]) for o in _facet(response, "quantity")["options"]] == [("Peacekeepers killed", 2)]


@pytest.mark.parametrize("copies", [1, 6])
def test_figure_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the rows' ids, the rows with subject and source joined, one GROUP BY per facet."""
    for _ in range(copies):
        FigureFactory(subject=ActorFactory())
    with django_assert_num_queries(5 + len(FigureListView.facets) * queries_per_limit()):
        client.get(FIGURES)


def test_incidents_filter_by_where_the_date_comes_from(client):
    """date_source=article keeps only incidents dated by their articles; external only those dated from outside,
    each marked in the Date column; anything else is a 400 naming the allowed values."""
    dated_here = IncidentFactory()
    dated_outside = IncidentExternalDateFactory().incident
    assert _rows(client.get(INCIDENTS, {"date_source": "article"})) == [dated_here]
    response = client.get(INCIDENTS, {"date_source": "external"})
    assert _rows(response) == [dated_outside]
    assert (
        f'href="{dated_outside.get_absolute_url()}#date-source">from outside the articles</a>'
        in response.content.decode()
    )
    refused = client.get(INCIDENTS, {"date_source": "public-record"})
    assert refused.status_code == 400
    assert "Allowed values: article, external." in refused.content.decode()


def test_incident_exports_say_where_each_date_comes_from(client):
    """CSV and JSON downloads carry date_source and, for an outside date, its source, publisher, address and
    reasoning."""
    IncidentFactory(slug="dated-here")
    citation = IncidentExternalDateFactory(incident=IncidentFactory(slug="dated-outside"))
    download = client.get(INCIDENTS, {"format": "csv"})["Location"]
    rows = {row["slug"]: row for row in _csv_rows(client.get(download))}
    assert rows["dated-here"]["date_source"] == "article" and rows["dated-here"]["external_date_source_url"] == ""
    outside = rows["dated-outside"]
    assert outside["date_source"] == "external"
    assert outside["external_date_source_title"] == citation.source.title
    assert outside["external_date_source_publisher"] == "Human Rights Watch"
    assert outside["external_date_source_url"] == citation.source.url
    assert outside["external_date_reasoning"] == citation.reasoning
    download = client.get(INCIDENTS, {"format": "json", "date_source": "external"})["Location"]
    (record,) = client.get(download).json()["results"]
    assert record["date_source"] == "external" and record["external_date"]["source"]["url"] == citation.source.url


def test_actor_facet_counts_each_incident_once(client):
    """An actor in two roles in one incident counts that incident once; a filtered list counts its own incidents."""
    actor = ActorFactory(slug="jnim", name="JNIM")
    both = IncidentFactory(incident_type="ied")
    IncidentActorFactory(incident=both, actor=actor, role="perpetrator")
    IncidentActorFactory(incident=both, actor=actor, role="target")
    IncidentActorFactory(incident=IncidentFactory(incident_type="attack_on_base"), actor=actor)
    everything = _facet(client.get(INCIDENTS), "actor")
    assert [(option["label"], option["count"]) for option in everything["options"]] == [("JNIM", 2)]
    ieds = _facet(client.get(INCIDENTS, {"incident_type": "ied"}), "actor")
    assert [(option["label"], option["count"]) for option in ieds["options"]] == [("JNIM", 1)]
    roles = _facet(client.get(INCIDENTS, {"incident_type": "ied"}), "role")
    assert sorted(option["count"] for option in roles["options"]) == [1, 1]
    assert "?actor=jnim" in everything["options"][0]["url"]


def test_a_facet_that_runs_out_of_time_is_shown_as_timed_out(client, monkeypatch):
    """A facet whose counting passes its budget is marked timed out; the rest of the page is served, never a 500."""

    @contextlib.contextmanager
    def out_of_time(milliseconds, using="default"):
        raise TimeLimitExceeded
        yield

    IncidentActorFactory()
    monkeypatch.setattr(listing, "time_limited", out_of_time)
    response = client.get(INCIDENTS)
    assert response.status_code == 200
    assert _facet(response, "actor")["timed_out"]
    assert "Timed out: counting these took too long" in response.content.decode()
    assert len(response.context["listing"]["page"]["rows"]) == 1


@pytest.mark.parametrize(
    ("ordering", "index"),
    [
        (["-killed"], "events_incident_killed_desc"),
        (["-wounded"], "events_incident_wounded_desc"),
        (["-abducted"], "events_incident_abducted_desc"),
        (["acled_event_type"], "events_incident_acled_order"),
    ],
)
@pytest.mark.postgresql_only("the plans are PostgreSQL's: SQLite reads its plain indexes backwards for these orders")
def test_a_page_of_the_sorted_incidents_is_read_off_an_index(ordering, index):
    """A page's ids (common.querysets.ids_first) in the list's order are read off an index in that order, not
    sorted: without one, "most killed first" sorted every incident (0.4 s at a million)."""
    IncidentFactory()
    ids = IncidentFilter.ordered(Incident.objects.all(), ordering).values_list("pk", flat=True)[:50]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table, with whatever statistics earlier tests left: a scan or a sort made dearer than any index, so
        # that the plan shows whether an index gives the order (a Sort is still planned where none does).
        for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan and "Sort" not in plan, plan

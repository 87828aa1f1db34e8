"""The casualty totals stored on each incident: kept in step by every writer, null (never 0) when nobody reports one."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from articles.tests.factories import ArticleFactory
from common import corpus
from events.models import CASUALTY_TOTAL_FIELDS, Casualty, Incident, ReportedCount
from events.tests.factories import CasualtyFactory, IncidentFactory
from events.timeline import incident_timeline

pytestmark = pytest.mark.django_db

INCIDENTS = reverse("events:incident_list")


def totals(incident: Incident) -> dict:
    return Incident.objects.values(*CASUALTY_TOTAL_FIELDS).get(pk=incident.pk)


def test_an_incident_without_casualty_rows_has_null_totals_not_zero():
    """No source gives a number: every total is null."""
    assert set(totals(IncidentFactory()).values()) == {None}


def test_saving_casualties_keeps_the_totals_per_source_with_low_and_high():
    """Best is the largest total of one source; low and high the smallest and largest any source gives."""
    incident = IncidentFactory()
    first, second = ArticleFactory(), ArticleFactory()
    CasualtyFactory(incident=incident, source=first, best=3, category="peacekeepers")
    CasualtyFactory(incident=incident, source=first, best=2, category="civilians", low=1, high=4)
    CasualtyFactory(incident=incident, source=second, best=4)
    CasualtyFactory(incident=incident, source=second, outcome="wounded", best=7)
    assert totals(incident) == {
        "killed": 5,  # the first source's 3 + 2, not 3 + 2 + 4
        "killed_low": 4,  # the first source's 3 + 1 is 4, the second's 4
        "killed_high": 7,  # 3 + 4
        "wounded": 7,
        "wounded_low": 7,
        "wounded_high": 7,
        "abducted": None,
        "abducted_low": None,
        "abducted_high": None,
    }


def test_a_sourced_zero_is_stored_and_shown_as_zero(client):
    """“No one was killed”, stated by a source, is a 0; the page shows 0, not “not reported”."""
    incident = IncidentFactory()
    CasualtyFactory(incident=incident, best=0)
    assert totals(incident)["killed"] == 0
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "<dt>Killed</dt><dd>0 " in page
    assert "<dt>Wounded</dt><dd>not reported" in page


def test_editing_moving_and_deleting_a_casualty_keep_the_totals_in_step():
    """An edit, a move to another incident and a deletion each update the incidents concerned."""
    first, second = IncidentFactory(), IncidentFactory()
    casualty = CasualtyFactory(incident=first, best=2)
    casualty.best = 6
    casualty.save()
    assert totals(first)["killed"] == 6
    casualty = Casualty.objects.get(pk=casualty.pk)
    casualty.incident = second
    casualty.save()
    assert (totals(first)["killed"], totals(second)["killed"]) == (None, 6)
    casualty.delete()
    assert totals(second)["killed"] is None


def test_bulk_deletes_and_updates_keep_the_totals_in_step():
    """The admin's “delete selected” (a queryset delete) and queryset updates refresh the incidents too."""
    incident = IncidentFactory()
    CasualtyFactory(incident=incident, best=2)
    CasualtyFactory(incident=incident, best=2, source=ArticleFactory())
    Casualty.objects.filter(incident=incident).update(best=9)
    assert totals(incident)["killed"] == 9
    Casualty.objects.filter(incident=incident).delete()
    assert totals(incident)["killed"] is None


def test_reverting_an_incident_keeps_its_current_totals():
    """The totals are not versioned: restoring an older version of an incident does not bring back old counts."""
    incident = IncidentFactory(title="Before")
    incident.title = "After"
    incident.save()
    CasualtyFactory(incident=incident, best=4)
    incident.history.earliest().instance.save()
    assert Incident.objects.get(pk=incident.pk).title == "Before"
    assert totals(incident)["killed"] == 4


def test_corpus_loading_fills_the_totals_of_raw_saved_casualties(tmp_path):
    """The loader saves rows raw (no save()); it refreshes the incidents of the casualties it loaded."""
    fixtures = corpus.fixture_paths(corpus.Path(__file__).resolve().parents[2] / "fixtures")
    corpus.load(fixtures)
    kidal = Incident.objects.get(slug="2015-01-17-kidal-camp-attack")
    assert (kidal.killed, kidal.wounded, kidal.abducted) == (1, 4, None)
    assert Incident.objects.get(slug="2022-03-moura-massacre").killed is None


def test_the_migration_backfills_existing_rows():
    """The data migration computes the same totals for rows written before the columns existed."""
    incident = IncidentFactory()
    CasualtyFactory(incident=incident, best=3, low=2)
    CasualtyFactory(incident=incident, best=5, source=ArticleFactory(), outcome="abducted")
    expected = totals(incident)
    Incident.objects.filter(pk=incident.pk).update(**dict.fromkeys(CASUALTY_TOTAL_FIELDS))
    migration = importlib.import_module("events.migrations.0009_incident_casualty_totals")
    migration.backfill_casualty_totals(apps, SimpleNamespace(connection=connection))
    assert totals(incident) == expected == {**expected, "killed": 3, "killed_low": 2, "abducted": 5}


def test_min_killed_never_matches_an_unreported_count(client):
    """min_killed=0 selects incidents with a reported number (a sourced 0 too), never those without one."""
    zero, none, three = IncidentFactory(), IncidentFactory(), IncidentFactory()
    CasualtyFactory(incident=zero, best=0)
    CasualtyFactory(incident=three, best=3)
    rows = client.get(INCIDENTS, {"min_killed": 0}).context["listing"]["page"]["rows"]
    assert sorted(row.pk for row in rows) == sorted([zero.pk, three.pk]) and none.pk not in [row.pk for row in rows]
    exported = client.get(INCIDENTS, {"min_killed": 0, "format": "json"}, follow=True).json()["results"]
    assert sorted(row["id"] for row in exported) == sorted([zero.pk, three.pk])
    api = client.get("/api/v1/incidents/", {"min_killed": 1}).json()["results"]
    assert [row["id"] for row in api] == [three.pk]


@pytest.mark.parametrize("sort", ["killed", "-killed"])
def test_sorting_puts_unreported_counts_last_both_ways(client, sort):
    """Web list and API sort unreported counts after every number, ascending or descending."""
    unreported, one, five = IncidentFactory(), IncidentFactory(), IncidentFactory()
    CasualtyFactory(incident=one, best=1)
    CasualtyFactory(incident=five, best=5)
    numbers = [one.pk, five.pk] if sort == "killed" else [five.pk, one.pk]
    web = client.get(INCIDENTS, {"sort": sort}).context["listing"]["page"]["rows"]
    assert [row.pk for row in web] == [*numbers, unreported.pk]
    api = client.get("/api/v1/incidents/", {"ordering": sort}).json()["results"]
    assert [row["id"] for row in api] == [*numbers, unreported.pk]


def test_lists_and_exports_say_not_reported_instead_of_zero(client):
    """The list shows “not reported”; CSV leaves the cell empty and JSON gives null, for killed, wounded, abducted."""
    incident = IncidentFactory(title="Quiet")
    CasualtyFactory(incident=incident, outcome="wounded", best=7)
    page = client.get(INCIDENTS).content.decode()
    assert '<td data-label="Killed" class="count"><small class="not-reported">not reported</small></td>' in page
    assert '<td data-label="Wounded" class="count">7</td>' in page
    [row] = client.get(INCIDENTS, {"format": "json"}, follow=True).json()["results"]
    assert (row["killed"], row["wounded"], row["abducted"]) == (None, 7, None)
    csv_text = b"".join(client.get(INCIDENTS, {"format": "csv"}, follow=True).streaming_content).decode()
    header, line = csv_text.splitlines()[:2]
    cells = dict(zip(header.split(","), line.split(","), strict=False))
    assert (cells["killed"], cells["wounded"], cells["abducted_low"]) == ("", "7", "")


def test_a_count_reads_as_its_range_only_when_sources_disagree():
    """ReportedCount says “not reported”, a number, or the number with the sources' range."""
    assert str(ReportedCount(None, None, None)) == "not reported"
    assert str(ReportedCount(3, 3, 3)) == "3"
    assert str(ReportedCount(2, 3, 5)) == "3 (2–5)"


def test_timeline_charts_wounded_or_abducted_on_request(client):
    """?outcome=wounded charts the wounded and links bars with min_wounded; an unknown outcome is a 400."""
    incident = IncidentFactory(date_from=datetime.date(2015, 1, 17), date_to=datetime.date(2015, 1, 17))
    CasualtyFactory(incident=incident, outcome="wounded", best=7)
    IncidentFactory(date_from=datetime.date(2015, 1, 18), date_to=datetime.date(2015, 1, 18))
    chart = incident_timeline(Incident.objects.all(), by="month", outcome="wounded")
    [january] = chart.casualties.bars
    assert (january.total, chart.not_reported, chart.casualties.title) == (7, 1, "People wounded per month")
    assert "min_wounded=1" in january.url and "outcome" not in january.url
    assert client.get(reverse("events:incident_timeline"), {"outcome": "wounded"}).status_code == 200
    response = client.get(reverse("events:incident_timeline"), {"outcome": "missing"})
    assert response.status_code == 400 and "“missing” is not allowed" in response.content.decode()

"""Aggregates cached under a data version: reused while nothing changes, counted again after any committed write,
never stored from a transaction that has not committed."""

import contextlib

import pytest
from django.db import transaction
from django.urls import reverse

from common import datacache
from events import timeline
from events.models import Casualty, Incident
from events.tests.factories import CasualtyFactory, IncidentFactory

# Real commits: the version is renewed when a write's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def counted(calls: list):
    def compute():
        calls.append(1)
        return Incident.objects.count()

    return compute


def test_a_value_is_computed_once_while_the_data_is_unchanged():
    """The second ask for the same thing at the same data version comes from the cache."""
    IncidentFactory()
    calls = []
    assert datacache.cached("test", ("incidents",), counted(calls)) == 1
    assert datacache.cached("test", ("incidents",), counted(calls)) == 1
    assert len(calls) == 1


def test_a_committed_write_makes_the_next_ask_count_again():
    """Saving, adding and deleting a row each renew the version: the cached count is never shown stale."""
    incident = IncidentFactory()
    calls = []
    assert datacache.cached("test", (), counted(calls)) == 1
    IncidentFactory()
    assert datacache.cached("test", (), counted(calls)) == 2
    incident.delete()
    assert datacache.cached("test", (), counted(calls)) == 1
    assert len(calls) == 3


def test_a_related_write_renews_the_version_too():
    """A casualty added to an incident changes the killed counts, so it renews the version like any write."""
    incident = IncidentFactory()
    before = datacache.data_version()
    CasualtyFactory(incident=incident)
    assert datacache.data_version() != before


def test_one_renewal_per_transaction():
    """Many writes in one transaction renew the version once, when it commits, not before."""
    before = datacache.data_version()
    with transaction.atomic():
        IncidentFactory.create_batch(3)
        assert datacache.data_version() == before
    assert datacache.data_version() != before


def write_in_a_savepoint_rolled_back() -> None:
    with contextlib.suppress(RuntimeError), transaction.atomic():
        IncidentFactory()
        raise RuntimeError


def test_one_renewal_per_transaction_of_savepoints(monkeypatch):
    """Writes each in a savepoint of their own (as a corpus load makes them) renew the version once at the commit;
    a write whose savepoint is rolled back still leaves the others' renewal, and a transaction whose every write was
    rolled back renews nothing."""
    renewals = []
    monkeypatch.setattr(datacache, "bump_data_version", lambda: renewals.append(1))
    with transaction.atomic():
        for _ in range(3):
            with transaction.atomic():
                IncidentFactory()
    assert renewals == [1]
    with transaction.atomic():
        with transaction.atomic():
            IncidentFactory()
        write_in_a_savepoint_rolled_back()
    assert renewals == [1, 1]
    with transaction.atomic():
        write_in_a_savepoint_rolled_back()
    assert renewals == [1, 1]


def test_an_uncommitted_transaction_sees_its_own_changes_and_stores_nothing():
    """Inside a writing transaction the value is computed afresh and not cached; a rollback leaves no trace."""
    IncidentFactory()
    calls = []
    datacache.cached("test", (), counted(calls))
    with pytest.raises(RuntimeError), transaction.atomic():
        IncidentFactory()
        assert datacache.cached("test", (), counted(calls)) == 2
        raise RuntimeError("roll back")
    assert datacache.cached("test", (), counted(calls)) == 1
    assert len(calls) == 2


def test_a_bulk_write_that_sends_no_signal_renews_the_version_itself():
    """synthesize writes with COPY or executemany, without signals, and renews the version when it commits."""
    from events.synthesis import synthesize

    before = datacache.data_version()
    synthesize(3, seed=1)
    assert datacache.data_version() != before


def test_a_bulk_update_of_casualties_renews_the_version():
    """QuerySet.update sends no signal; the casualties' update changes the incidents' totals, so it renews the
    version itself (cached counts and API ETags follow)."""
    casualty = CasualtyFactory()
    before = datacache.data_version()
    Casualty.objects.filter(pk=casualty.pk).update(best=5)
    assert datacache.data_version() != before
    with transaction.atomic():
        Casualty.objects.filter(pk=casualty.pk).update(best=6)
        renewed = datacache.data_version()
    assert datacache.data_version() != renewed  # once committed


def test_counting_incidents_is_cached_per_queryset_and_period():
    """count_incidents is counted once per filter and period; a different filter or period counts apart."""
    IncidentFactory(incident_type="ied")
    IncidentFactory(incident_type="attack_on_base")
    everything = timeline.count_incidents(Incident.objects.all(), by="year")
    ieds = timeline.count_incidents(Incident.objects.filter(incident_type="ied"), by="year")
    months = timeline.count_incidents(Incident.objects.all(), by="month")
    assert sum(everything.per_period[next(iter(everything.per_period))].values()) == 2
    assert sum(ieds.per_period[next(iter(ieds.per_period))].values()) == 1
    assert months.by == "month"


@pytest.mark.parametrize("url_name", ["home", "events:incident_timeline"])
def test_home_and_timeline_run_fewer_queries_once_counted(client, django_assert_max_num_queries, url_name):
    """Guards against recounting: the second view of home and of the timeline takes the counts from the cache."""
    CasualtyFactory(incident=IncidentFactory())
    with django_assert_max_num_queries(30) as first:
        assert client.get(reverse(url_name)).status_code == 200
    with django_assert_max_num_queries(len(first.captured_queries) - 1) as second:
        assert client.get(reverse(url_name)).status_code == 200
    counting = [query["sql"] for query in second.captured_queries if "COUNT(" in query["sql"].upper()]
    assert not [sql for sql in counting if '"events_incident"' in sql]


def test_several_values_are_cached_together_and_come_back_in_order():
    """cached_all computes what the cache lacks, returns every value in the order asked, and reuses them after."""
    calls = []

    def value(number):
        def compute():
            calls.append(number)
            return number * 10

        return compute

    jobs = [(("n", number), value(number)) for number in (3, 1, 2)]
    assert datacache.cached_all("test", jobs) == [30, 10, 20]
    assert datacache.cached_all("test", jobs) == [30, 10, 20]
    assert calls == [3, 1, 2]


def test_a_version_kept_by_an_earlier_release_is_renewed():
    """A bare uuid left in a shared cache by the release before versions said when they were made is replaced, so
    Last-Modified can be read from it (not a 500 on every list after an upgrade)."""
    from django.core.cache import cache

    cache.set(datacache.VERSION_KEY, "91b949ed4116461f8c5de024c0808d33", timeout=None)
    version = datacache.data_version()
    assert version != "91b949ed4116461f8c5de024c0808d33"
    assert datacache.version_made_at(version).year >= 2026

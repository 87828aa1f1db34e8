import io
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from actors.models import Actor
from articles.models import Article, Quote
from events import synthesis
from events.models import CASUALTY_TOTAL_FIELDS, Casualty, Incident, IncidentActor, IncidentSource, Place

pytestmark = pytest.mark.django_db(transaction=False)


def synthesize(count: int, seed: int = 1) -> str:
    out = io.StringIO()
    call_command("synthesize", "--incidents", str(count), "--seed", str(seed), stdout=out)
    return out.getvalue()


def snapshot() -> list[list[tuple]]:
    """Every synthesized row's content (not its timestamps), in id order, naming the cast by slug (on PostgreSQL a
    rolled-back run still used up the cast's sequence numbers)."""
    return [
        list(Incident.objects.order_by("pk").values_list("pk", "title", "slug", "incident_type", "date_from",
                                                         "date_to", "date_precision", "place__slug", "description")),
        list(Article.objects.order_by("pk").values_list("pk", "slug", "outlet__slug", "body", "date_from")),
        list(Quote.objects.order_by("pk").values_list("pk", "article_id", "speaker__slug", "text", "text_start")),
        list(IncidentActor.objects.order_by("pk").values_list("incident_id", "actor__slug", "role", "confidence")),
        list(IncidentSource.objects.order_by("pk").values_list("incident_id", "source_id", "excerpt_start")),
        list(Casualty.objects.order_by("pk").values_list("incident_id", "category", "outcome", "best", "nationality")),
    ]  # fmt: skip


def assert_verbatim_and_valid() -> None:
    """Every excerpt and quote is at its offsets; a sample of every model passes full_clean (constraints included)."""
    bodies = dict(Article.objects.values_list("pk", "body"))
    for model in (IncidentSource, Casualty):
        for source_id, excerpt, start, end in model.objects.values_list(
            "source_id", "excerpt", "excerpt_start", "excerpt_end"
        ):
            assert bodies[source_id][start:end] == excerpt
    for article_id, text, start, end in Quote.objects.values_list("article_id", "text", "text_start", "text_end"):
        assert bodies[article_id][start:end] == text
    sample = random.Random(0)  # noqa: S311 - a reproducible sample, not a secret
    for model in (Article, Quote, Incident, IncidentActor, IncidentSource, Casualty):
        rows = list(model.objects.all())
        assert rows, model
        for row in sample.sample(rows, min(25, len(rows))):
            row.full_clean()


def test_synthesize_into_an_empty_database_makes_valid_verbatim_records():
    """Without the corpus, synthesize creates its own cast and N incidents whose every citation is verbatim."""
    output = synthesize(150)

    assert "Added 150 synthetic incidents" in output
    assert Incident.objects.count() == 150
    assert Article.objects.count() == 5  # 36 per 1000 incidents
    assert_verbatim_and_valid()
    for incident in Incident.objects.prefetch_related("actor_roles", "sources"):
        assert 1 <= len(incident.actor_roles.all()) <= 3
        assert 1 <= len(incident.sources.all()) <= 2
    assert Casualty.objects.exists()
    assert IncidentSource.objects.values("incident").distinct().count() == 150


@pytest.mark.corpus
def test_synthesize_after_load_corpus_reuses_its_places_and_actors():
    """Run after load_corpus, synthesize cites the corpus's own places and actors rather than copies of them."""
    call_command("load_corpus", stdout=io.StringIO())
    kidal, jnim = Place.objects.get(slug="kidal"), Actor.objects.get(slug="jnim")
    places_before, corpus_incidents = Place.objects.count(), Incident.objects.count()
    gazetteer_slugs = [row[0] for row in synthesis.GAZETTEER]
    in_corpus = Place.objects.filter(slug__in=gazetteer_slugs).count()

    synthesize(80, seed=2)

    assert Incident.objects.count() == corpus_incidents + 80
    assert Place.objects.count() == places_before + len(gazetteer_slugs) - in_corpus
    assert Place.objects.get(slug="kidal").pk == kidal.pk
    assert Actor.objects.get(slug="jnim").pk == jnim.pk
    synthetic = Incident.objects.filter(sources__source__seed_file__startswith="synthetic")
    assert synthetic.filter(place__slug__in=["kidal", "gao", "timbuktu"]).exists()
    assert_verbatim_and_valid()


def test_same_seed_gives_the_same_records_and_another_seed_others():
    """Synthesizing is deterministic for a seed on a given starting database."""
    snapshots = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            synthesize(60, seed=seed)
            snapshots.append(snapshot())
            transaction.set_rollback(True)

    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0] != snapshots[2][0]


def test_synthesize_twice_adds_more_without_clashing():
    """A second run adds its incidents after the first run's, with fresh ids and slugs."""
    synthesize(40, seed=1)
    synthesize(40, seed=1)

    assert Incident.objects.count() == 80
    assert Incident.objects.values("slug").distinct().count() == 80
    assert_verbatim_and_valid()


def test_synthesized_incidents_carry_their_casualty_totals():
    """The rows are written raw, yet every incident's stored totals match a fresh computation from its casualties."""
    synthesize(120, seed=3)
    stored = list(Incident.objects.order_by("pk").values_list("pk", *CASUALTY_TOTAL_FIELDS))
    Incident.objects.all().refresh_casualty_totals()
    assert list(Incident.objects.order_by("pk").values_list("pk", *CASUALTY_TOTAL_FIELDS)) == stored
    assert Incident.objects.filter(killed__isnull=False).exists()
    assert Incident.objects.filter(killed__isnull=True).exists()


def test_synthesize_draws_no_progress_bar_when_not_watched(capsys):
    """A progress bar is for a person at a terminal; a captured run (tests, CI logs) prints none."""
    synthesize(30)

    assert capsys.readouterr().err == ""


def test_large_runs_rebuild_postgresqls_secondary_indexes_as_they_were():
    """The bulk path that drops and rebuilds secondary indexes (PostgreSQL) leaves every index as it found it."""

    def indexes() -> list[tuple[str, str]]:
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND (tablename LIKE 'events_%%' OR tablename LIKE 'articles_%%') ORDER BY indexname"
            )
            return cursor.fetchall()

    before = indexes()
    synthesis.synthesize(50, seed=3, rebuild_indexes=True)

    assert indexes() == before
    assert connection.vendor != "postgresql" or any("_search" in name for name, _ in before)
    assert Incident.objects.count() == 50
    assert_verbatim_and_valid()


def test_synthesize_leaves_the_planner_fresh_statistics():
    """After a bulk load the tables are analysed at once (not whenever autovacuum gets to them): PostgreSQL's
    pg_class knows the incident-actor table's rows, SQLite's sqlite_stat1 has its indexes."""
    synthesize(50)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'events_incidentactor'")
            assert cursor.fetchone()[0] >= IncidentActor.objects.count() > 0
        else:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'events_incidentactor'")
            assert cursor.fetchone()[0] > 0

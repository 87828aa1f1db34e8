"""The search engine's indexes (common/search.py) for incidents, places and figures.

PostgreSQL: stored, GIN-indexed tsvector columns in place of articles 0006's expression index, and trigram indexes
on the folded names (accents aside) in place of those on the names as written. SQLite: FTS5 tables kept in step by
triggers, a place's aliases included."""

from django.db import migrations

from common.dbops import RunPostgresSQL, RunSQLiteSQL
from common.search import postgres_document_sql, postgres_name_index_sql, sqlite_document_sql

INCIDENT = {"title": "A", "location_as_written": "B", "description": "C"}
PLACE = {"name": "A", "description": "C"}
FIGURE = {"excerpt": "A", "note": "C"}


class Migration(migrations.Migration):
    dependencies = [("events", "0006_plausible_dates"), ("articles", "0008_search_documents")]

    operations = [
        RunPostgresSQL(*postgres_document_sql("events_incident", INCIDENT)),
        RunPostgresSQL(*postgres_document_sql("events_place", PLACE)),
        RunPostgresSQL(*postgres_document_sql("events_figure", FIGURE)),
        RunPostgresSQL(
            "DROP INDEX IF EXISTS events_incident_search",
            "CREATE INDEX events_incident_search ON events_incident USING gin (to_tsvector('minusma_search'::regconfig, "
            "COALESCE(title, '') || ' ' || COALESCE(description, '') || ' ' || COALESCE(location_as_written, '')))",
        ),
        RunPostgresSQL(*postgres_name_index_sql("events_place", "name")),
        RunPostgresSQL(*postgres_name_index_sql("events_placealias", "name")),
        RunPostgresSQL(
            "DROP INDEX IF EXISTS events_place_name_trgm; DROP INDEX IF EXISTS events_placealias_name_trgm",
            "CREATE INDEX events_place_name_trgm ON events_place USING gin (name gin_trgm_ops); "
            "CREATE INDEX events_placealias_name_trgm ON events_placealias USING gin (name gin_trgm_ops)",
        ),
        RunSQLiteSQL(*sqlite_document_sql("events_incident", list(INCIDENT))),
        RunSQLiteSQL(*sqlite_document_sql("events_place", list(PLACE), aliases=("events_placealias", "place_id"))),
        RunSQLiteSQL(*sqlite_document_sql("events_figure", list(FIGURE))),
    ]

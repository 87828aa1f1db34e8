"""The search engine's indexes (common/search.py) for actors, contingents and strength observations.

PostgreSQL: stored, GIN-indexed tsvector columns in place of articles 0006's expression index, and trigram indexes
on the folded names (accents aside) in place of those on the names as written. SQLite: FTS5 tables kept in step by
triggers, an actor's aliases included."""

from django.db import migrations

from common.dbops import RunPostgresSQL, RunSQLiteSQL
from common.search import postgres_document_sql, postgres_name_index_sql, sqlite_document_sql

ACTOR = {"name": "A", "description": "C"}
CONTINGENT = {"unit_name": "A", "notes": "C", "slug": "D"}
STRENGTH_OBSERVATION = {"excerpt": "A"}


class Migration(migrations.Migration):
    dependencies = [("actors", "0006_plausible_dates"), ("articles", "0008_search_documents")]

    operations = [
        RunPostgresSQL(*postgres_document_sql("actors_actor", ACTOR)),
        RunPostgresSQL(*postgres_document_sql("actors_contingent", CONTINGENT)),
        RunPostgresSQL(*postgres_document_sql("actors_strengthobservation", STRENGTH_OBSERVATION)),
        RunPostgresSQL(
            "DROP INDEX IF EXISTS actors_actor_search",
            "CREATE INDEX actors_actor_search ON actors_actor USING gin "
            "(to_tsvector('minusma_search'::regconfig, COALESCE(name, '') || ' ' || COALESCE(description, '')))",
        ),
        RunPostgresSQL(*postgres_name_index_sql("actors_actor", "name")),
        RunPostgresSQL(*postgres_name_index_sql("actors_actoralias", "name")),
        RunPostgresSQL(*postgres_name_index_sql("actors_contingent", "unit_name")),
        RunPostgresSQL(
            "DROP INDEX IF EXISTS actors_actor_name_trgm; DROP INDEX IF EXISTS actors_actoralias_name_trgm",
            "CREATE INDEX actors_actor_name_trgm ON actors_actor USING gin (name gin_trgm_ops); "
            "CREATE INDEX actors_actoralias_name_trgm ON actors_actoralias USING gin (name gin_trgm_ops)",
        ),
        RunSQLiteSQL(*sqlite_document_sql("actors_actor", list(ACTOR), aliases=("actors_actoralias", "actor_id"))),
        RunSQLiteSQL(*sqlite_document_sql("actors_contingent", list(CONTINGENT))),
        RunSQLiteSQL(*sqlite_document_sql("actors_strengthobservation", list(STRENGTH_OBSERVATION))),
    ]

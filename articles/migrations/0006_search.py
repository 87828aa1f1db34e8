"""Full-text search on PostgreSQL: an English, accent-insensitive configuration and GIN indexes whose
expressions match the ones minusma/search.py queries with; trigram indexes for names and spelling variants."""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

from common.dbops import RunPostgresSQL

CONFIG = "minusma_search"


def document(*columns: str) -> str:
    parts = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {parts})"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_friendlier_duplicate_quote_message"),
        ("actors", "0004_history"),
        ("events", "0005_roles"),
    ]

    operations = [
        CreateExtension("unaccent"),
        CreateExtension("pg_trgm"),
        RunPostgresSQL(
            f"""
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
            """,
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG};",
        ),
        RunPostgresSQL(
            f"CREATE INDEX articles_article_search ON articles_article USING gin ({document('title', 'subtitle', 'body')});",
            "DROP INDEX IF EXISTS articles_article_search;",
        ),
        RunPostgresSQL(
            f"CREATE INDEX articles_quote_search ON articles_quote USING gin ({document('text', 'speaker_description', 'speaker_role')});",
            "DROP INDEX IF EXISTS articles_quote_search;",
        ),
        RunPostgresSQL(
            f"CREATE INDEX events_incident_search ON events_incident USING gin ({document('title', 'description', 'location_as_written')});",
            "DROP INDEX IF EXISTS events_incident_search;",
        ),
        RunPostgresSQL(
            f"CREATE INDEX actors_actor_search ON actors_actor USING gin ({document('name', 'description')});",
            "DROP INDEX IF EXISTS actors_actor_search;",
        ),
        RunPostgresSQL(
            """
            CREATE INDEX actors_actor_name_trgm ON actors_actor USING gin (name gin_trgm_ops);
            CREATE INDEX actors_actoralias_name_trgm ON actors_actoralias USING gin (name gin_trgm_ops);
            CREATE INDEX events_place_name_trgm ON events_place USING gin (name gin_trgm_ops);
            CREATE INDEX events_placealias_name_trgm ON events_placealias USING gin (name gin_trgm_ops);
            """,
            """
            DROP INDEX IF EXISTS actors_actor_name_trgm;
            DROP INDEX IF EXISTS actors_actoralias_name_trgm;
            DROP INDEX IF EXISTS events_place_name_trgm;
            DROP INDEX IF EXISTS events_placealias_name_trgm;
            """,
        ),
    ]

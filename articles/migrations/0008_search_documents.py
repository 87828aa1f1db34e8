"""The search engine's indexes (common/search.py) for articles and quotes, and the fold its name matching uses.

PostgreSQL: stored, GIN-indexed tsvector columns the database keeps up to date, in place of 0006's expression
indexes (a query then reads the stored vector instead of parsing every row's text again). SQLite: FTS5 tables kept
in step by triggers."""

from django.db import migrations

from common.dbops import RunPostgresSQL, RunSQLiteSQL
from common.search import POSTGRES_FOLD_FUNCTION_SQL, postgres_document_sql, sqlite_document_sql

# 0006's expression indexes, put back when going backwards.
OLD_INDEXES = {
    "articles_article_search": ("articles_article", ("title", "subtitle", "body")),
    "articles_quote_search": ("articles_quote", ("text", "speaker_description", "speaker_role")),
}


def old_index(name: str) -> str:
    table, columns = OLD_INDEXES[name]
    document = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('minusma_search'::regconfig, {document}))"


ARTICLE = {"title": "A", "subtitle": "B", "body": "C"}
QUOTE = {"text": "A", "speaker_description": "B", "speaker_role": "B"}


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_plausible_dates")]

    operations = [
        RunPostgresSQL(*POSTGRES_FOLD_FUNCTION_SQL),
        RunPostgresSQL(*postgres_document_sql("articles_article", ARTICLE)),
        RunPostgresSQL(*postgres_document_sql("articles_quote", QUOTE)),
        *(RunPostgresSQL(f"DROP INDEX IF EXISTS {name}", old_index(name)) for name in OLD_INDEXES),
        RunSQLiteSQL(*sqlite_document_sql("articles_article", list(ARTICLE))),
        RunSQLiteSQL(*sqlite_document_sql("articles_quote", list(QUOTE))),
    ]

"""Verbatim provenance: text that claims to come from an article must occur in its body, character for character.

Checked twice: `locate()` gives curators and loaders a clear error before saving, and database triggers
(installed by `VerbatimTrigger` migrations) refuse any row whose text is not at its offsets, however it is written.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.migrations.operations.base import Operation

# Characters that look alike to a reader but differ to a computer: the usual cause of a failed paste.
_LOOKALIKES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2026": "...",
    }
)


def _loosen(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return re.sub(r"\s+", " ", text)


def locate(body: str, text: str, start: int | None = None) -> tuple[int, int]:
    """Return (start, end) of `text` in `body`; prefer the occurrence at `start` when given.

    Raises ValidationError saying why the text is not there, with a hint when only
    quote marks, dashes, ellipses or spaces differ.
    """
    if not text:
        raise ValidationError("The text is empty.", code="empty")
    if start is not None and body[start : start + len(text)] == text:
        return start, start + len(text)
    found = body.find(text)
    if found >= 0:
        return found, found + len(text)
    if _loosen(text) in _loosen(body):
        raise ValidationError(
            "The text is not in the article verbatim, but it is when quote marks, dashes, ellipses and spaces "
            "are ignored: copy it again from the article body, keeping its curly quotes and dashes.",
            code="lookalike",
        )
    if text.strip() != text and text.strip() in body:
        raise ValidationError("The text is in the article but has extra spaces at its start or end.", code="spaces")
    preview = text if len(text) <= 80 else text[:77] + "…"
    raise ValidationError(
        "“%(preview)s” does not occur in the article body.", code="not_verbatim", params={"preview": preview}
    )


def sentence_around(body: str, start: int, end: int, margin: int = 300) -> str:
    """The sentence (or paragraph part) containing body[start:end], for showing context."""
    window_start = max(0, start - margin)
    sentence_break = body.rfind(". ", window_start, start)
    paragraph_break = body.rfind("\n", window_start, start)
    left = max(sentence_break + 2 if sentence_break >= 0 else window_start, paragraph_break + 1)
    right_candidates = [i for i in (body.find(". ", end), body.find("\n", end)) if 0 <= i < end + margin]
    right = min(right_candidates) + 1 if right_candidates else min(len(body), end + margin)
    return body[left:right].strip()


class VerbatimTrigger(Operation):
    """Install database triggers that refuse rows whose text is not at its offsets in the cited article.

    One trigger guards inserts and updates of the citing table; another guards edits of an article's
    body that would break the rows citing it. SQLite and PostgreSQL both count offsets in characters.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, article_column: str, text_column: str, start_column: str, end_column: str):
        self.table = table
        self.article_column = article_column
        self.text_column = text_column
        self.start_column = start_column
        self.end_column = end_column

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [self.table, self.article_column, self.text_column, self.start_column, self.end_column],
            {},
        )

    def state_forwards(self, app_label, state):
        pass

    @property
    def name(self) -> str:
        return f"{self.table}_verbatim"

    def _matches(self, row: str, body: str) -> str:
        t, s, e = self.text_column, self.start_column, self.end_column
        return f"substr({body}, {row}.{s} + 1, {row}.{e} - {row}.{s}) = {row}.{t}"

    def _message(self) -> str:
        return f"{self.table}: {self.text_column} does not occur verbatim at its offsets in the cited article body"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self._forward_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self._backward_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def _forward_sql(self, vendor: str) -> list[str]:
        # Identifiers come from migration files, never from user input.
        table, fk, name, message = self.table, self.article_column, self.name, self._message()
        row_ok = f"EXISTS (SELECT 1 FROM articles_article a WHERE a.id = NEW.{fk} AND {self._matches('NEW', 'a.body')})"  # noqa: S608
        body_breaks = (
            f"EXISTS (SELECT 1 FROM {table} c WHERE c.{fk} = NEW.id AND NOT ({self._matches('c', 'NEW.body')}))"  # noqa: S608
        )
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} FOR EACH ROW WHEN NOT {row_ok} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
                f"CREATE TRIGGER {name}_update BEFORE UPDATE ON {table} FOR EACH ROW WHEN NOT {row_ok} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
                f"CREATE TRIGGER {name}_body BEFORE UPDATE OF body ON articles_article FOR EACH ROW WHEN {body_breaks} "
                f"BEGIN SELECT RAISE(ABORT, 'articles_article: the new body breaks rows of {table} that cite it'); END",
            ]
        if vendor == "postgresql":
            return [
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NOT {row_ok} THEN
                        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = '{message}';
                    END IF;
                    RETURN NEW;
                END $$""",
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
                f"""CREATE FUNCTION {name}_body() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF {body_breaks} THEN
                        RAISE EXCEPTION USING ERRCODE = 'check_violation',
                            MESSAGE = 'articles_article: the new body breaks rows of {table} that cite it';
                    END IF;
                    RETURN NEW;
                END $$""",
                f"CREATE TRIGGER {name}_body BEFORE UPDATE OF body ON articles_article "
                f"FOR EACH ROW EXECUTE FUNCTION {name}_body()",
            ]
        raise NotImplementedError(f"No verbatim trigger for database vendor {vendor!r}.")

    def _backward_sql(self, vendor: str) -> list[str]:
        name, table = self.name, self.table
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {name}_{suffix}" for suffix in ("insert", "update", "body")]
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {name}()",
                f"DROP TRIGGER IF EXISTS {name}_body ON articles_article",
                f"DROP FUNCTION IF EXISTS {name}_body()",
            ]
        raise NotImplementedError(f"No verbatim trigger for database vendor {vendor!r}.")

    def describe(self):
        return f"Refuse rows of {self.table} whose {self.text_column} is not verbatim in the cited article"

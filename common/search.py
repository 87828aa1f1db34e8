"""The one search engine: every searchable queryset's `search()`, and the site-wide search over the kinds the apps
register (the `/search/` page and `/api/v1/search/`).

A model is searchable when its QuerySet mixes in `SearchableQuerySet` and declares a `SearchSpec`: the fields of its
document with their weights, its names and aliases where it has them, and the relations through whose names a row is
found too (a quote by its speaker's name, an incident by its place's alias). `search(text)` keeps the matching rows
and annotates `search_rank` (a float, higher is better), so it composes with any other filter and ordering.

- PostgreSQL: full text in the `minusma_search` configuration (English stems, accents ignored) over a stored,
  GIN-indexed tsvector column the database keeps up to date (`search_document`, a generated column), queried with
  web-search syntax; names and aliases by trigram word similarity of their folded form (GIN-indexed), so spelling
  variants are found.
- SQLite: an FTS5 table per searchable table (`<table>_search`, porter stemming, diacritics removed), kept in step
  by triggers on the table and on its aliases, ranked by bm25; names and aliases also by folded substring.

Every way a row can match is answered by an index: on PostgreSQL one OR whose parts are each indexed (aliases and
related names as an array of ids computed first), on SQLite a UNION of indexed queries. The site-wide search ranks
at most RANKED_MATCHES matches of each kind, the first in the kind's own order (the newest incidents, articles…), so
that a word found in a tenth of a million incidents is not ranked a hundred thousand times; it keeps the best few ids,
and only for those computes the snippet (one query per kind, whatever the number of hits).

Migrations build the database side with `postgres_document_sql`, `postgres_name_index_sql` and
`sqlite_document_sql`; this module imports no app.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Case, Exists, Expression, F, FloatField, Func, OuterRef, Q, Subquery, TextField, Value
from django.db.models.expressions import Col, ExpressionWrapper, RawSQL, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import Contains, Exact
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from common.text import fold

CONFIG = "minusma_search"  # PostgreSQL text search configuration: english stems + unaccent (articles 0006)
DOCUMENT_COLUMN = "search_document"  # PostgreSQL: the generated, GIN-indexed tsvector column of a searchable table
FTS_SUFFIX = "_search"  # SQLite: the FTS5 table of a searchable table is named <table>_search
FTS_ALIASES_COLUMN = "aliases"  # SQLite: the FTS5 column holding a record's aliases, space-separated
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
FOLD_FUNCTION = "minusma_fold"  # lower case, no accents: a SQL function on PostgreSQL, common.text.fold on SQLite
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}  # PostgreSQL's ts_rank defaults, used for bm25 too
MIN_QUERY_LENGTH, MAX_QUERY_LENGTH, DEFAULT_LIMIT = 2, 200, 10
RANKED_MATCHES = 500  # the site-wide search ranks at most this many matches of each kind, the first in its order
SNIPPET_WORDS = 32
_START, _STOP = "\x02", "\x03"  # snippet markers that no stored text holds, replaced by <mark> after escaping
_MARKED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")


@dataclass(frozen=True)
class SearchSpec:
    """What a model's search looks at.

    `document`: its own text fields and their weights, A (most) to D, as its full-text index holds them.
    `names`: its name fields, also matched by spelling (trigrams on PostgreSQL, folded substring on SQLite).
    `aliases`: the reverse relation to its alias rows, each with a `name`, matched like the names.
    `related_names`: foreign keys through which a row is found by the related record's names and aliases.
    `snippet`: the field whose matching passage a hit shows, the matched words marked.
    """

    document: dict[str, str]
    names: tuple[str, ...] = ()
    aliases: str | None = None
    related_names: tuple[str, ...] = ()
    snippet: str | None = None

    def __post_init__(self) -> None:
        if unknown := set(self.document.values()) - set(WEIGHTS):
            raise ImproperlyConfigured(f"Search weights are A, B, C or D, not {', '.join(sorted(unknown))}.")

    @property
    def fts_columns(self) -> list[str]:
        """The SQLite FTS5 table's columns: the document's fields, then the aliases."""
        return [*self.document, *([FTS_ALIASES_COLUMN] if self.aliases else [])]

    @property
    def description(self) -> str:
        """What `search` looks at, in words, for the API's documentation."""
        looked_at = [name.replace("_", " ") for name in self.document]
        if self.aliases:
            looked_at.append("aliases")
        looked_at += [f"the {relation.replace('_', ' ')}'s names" for relation in self.related_names]
        listed = ", ".join(looked_at[:-1]) + (" or " if len(looked_at) > 1 else "") + looked_at[-1]
        by_spelling = "; names also by similar spelling" if self.names or self.aliases or self.related_names else ""
        return (
            f"Words in the {listed}: full text, stems and accents ignored, web-search syntax (“a phrase”, -word, "
            f"or){by_spelling}. The search engine of /api/v1/search/."
        )


def spec_of(model: type[models.Model]) -> SearchSpec:
    queryset = model._default_manager.get_queryset()
    if not isinstance(queryset, SearchableQuerySet):
        raise ImproperlyConfigured(f"{model.__name__} is not searchable: its QuerySet has no search spec.")
    return queryset.search_spec


def _alias_relation(model: type[models.Model], spec: SearchSpec) -> tuple[type[models.Model], str]:
    """The alias model and its foreign key's column to the record."""
    relation = model._meta.get_field(spec.aliases)
    return relation.related_model, relation.field.attname


def _words(text: str) -> str:
    return " ".join(text.split())


class Fold(Func):
    """The text in lower case without accents (see FOLD_FUNCTION), for matching names as people type them."""

    function = FOLD_FUNCTION
    output_field = TextField()


class SnippetField(models.TextField):
    """A snippet as the database gives it, with markers round the matched words, read as safe HTML: escaped, with
    each marked word in <mark>."""

    def from_db_value(self, value, expression, connection) -> SafeString:
        if not value:
            return mark_safe("")
        html = _MARKED.sub(r"<mark>\1</mark>", str(escape(value)))
        return mark_safe(html.replace(_START, "").replace(_STOP, ""))  # noqa: S308 - escaped above


# --- PostgreSQL: stored tsvector documents, websearch queries, trigram names -------------------------------------


class _Document(Expression):
    """The `search_document` column of the queryset's own table (a generated column the model does not declare)."""

    def __init__(self) -> None:
        super().__init__(output_field=SearchVectorField())

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        column = SearchVectorField()
        column.set_attributes_from_name(DOCUMENT_COLUMN)
        return Col(query.get_initial_alias(), column)


class _AnyOf(Expression):
    """PostgreSQL's `column = ANY(ARRAY(subquery))`: the subquery runs once, and its array is a value an index on the
    column can be searched with, inside an OR too."""

    conditional = True

    def __init__(self, column: str, subquery: models.QuerySet) -> None:
        super().__init__(output_field=models.BooleanField())
        self.column, self.subquery = F(column), Subquery(subquery)

    def get_source_expressions(self) -> list:
        return [self.column, self.subquery]

    def set_source_expressions(self, expressions) -> None:
        self.column, self.subquery = expressions

    def as_sql(self, compiler, connection):
        column_sql, column_params = compiler.compile(self.column)
        subquery_sql, subquery_params = compiler.compile(self.subquery)  # parenthesised
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


class _Engine:
    """What both engines share; each finds related records by name its own way (related_name_ids)."""

    def related_ids(self, model, spec: SearchSpec, text: str) -> Iterator[tuple[str, models.QuerySet]]:
        """(foreign key, the ids of the related records whose names match the text) for each of spec.related_names."""
        for relation in spec.related_names:
            related = model._meta.get_field(relation).related_model
            yield relation, _union(self.related_name_ids(related, spec_of(related), text))


class _PostgreSQL(_Engine):
    @staticmethod
    def query(text: str) -> SearchQuery:
        return SearchQuery(text, config=CONFIG, search_type="websearch")

    def matching(self, model, spec: SearchSpec, text: str) -> Q:
        """One condition whose every part an index answers, so that PostgreSQL combines them (a BitmapOr) or, for an
        ordered page, walks the order's index testing each row: the words of the document, the names by trigrams,
        and the records whose aliases or related records' names match as an array computed once, first
        (`= ANY(ARRAY(…))`: `IN (…)` in an OR is a subplan no index serves, and was 1.6 s for a broad word at 1M)."""
        condition = Q(SearchVectorExact(_Document(), self.query(text)))
        for name in spec.names:
            condition |= Q(self._similar(name, text))
        if spec.aliases:
            alias_model, owner = _alias_relation(model, spec)
            aliases = alias_model._base_manager.order_by().filter(self._similar("name", text)).values(owner)
            condition |= Q(_AnyOf("pk", aliases))
        for relation, related_ids in self.related_ids(model, spec, text):
            condition |= Q(_AnyOf(relation, related_ids))
        return condition

    @staticmethod
    def _similar(field_name: str, text: str) -> TrigramWordSimilar:
        """The folded name is close to the folded text: `%>`, which the GIN trigram index on the fold answers."""
        return TrigramWordSimilar(Fold(field_name), Fold(Value(text)))

    def name_ids(self, model, spec: SearchSpec, text: str) -> list[models.QuerySet]:
        records = model._base_manager.order_by()
        found = [records.filter(self._similar(name, text)).values("pk") for name in spec.names]
        if spec.aliases:
            alias_model, owner = _alias_relation(model, spec)
            found.append(alias_model._base_manager.order_by().filter(self._similar("name", text)).values(owner))
        return found

    def related_name_ids(self, model, spec: SearchSpec, text: str) -> list[models.QuerySet]:
        return self.name_ids(model, spec, text)

    def rank(self, model, spec: SearchSpec, text: str) -> Expression:
        text_rank = SearchRank(_Document(), self.query(text))
        return _ranked(text_rank, self._names_rank(model, spec, text))

    @staticmethod
    def _names_rank(model, spec: SearchSpec, text: str) -> Expression | None:
        """How close the nearest name or alias comes to the text (trigram word similarity); None without names."""
        folded = Fold(Value(text))
        similarities = [TrigramWordSimilarity(folded, Fold(name)) for name in spec.names]
        if spec.aliases:
            alias_model, owner = _alias_relation(model, spec)
            best_alias = (
                alias_model._base_manager.filter(**{owner: OuterRef("pk")})
                .annotate(similarity=TrigramWordSimilarity(folded, Fold("name")))
                .order_by("-similarity")
                .values("similarity")[:1]
            )
            similarities.append(Coalesce(Subquery(best_alias), Value(0.0)))
        if not similarities:
            return None
        return Greatest(*similarities) if len(similarities) > 1 else similarities[0]

    def snippet(self, model, spec: SearchSpec, text: str) -> Expression:
        headline = SearchHeadline(
            Coalesce(spec.snippet, Value(""), output_field=TextField()),
            self.query(text),
            config=CONFIG,
            start_sel=_START,
            stop_sel=_STOP,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            short_word=0,  # keep short words (“UN”, “in”) at a snippet's edges
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        return ExpressionWrapper(headline, output_field=SnippetField())


# --- SQLite: FTS5 tables kept by triggers, bm25, folded names ----------------------------------------------------

_QUERY_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def fts5_query(text: str) -> str | None:
    """The text as an FTS5 query with web-search meaning: words (all of them), "quoted phrases", -excluded words and
    `or` between alternatives. Each term is an FTS5 string, so no operator or punctuation typed can be a syntax
    error. None when nothing is left to look for."""
    alternatives: list[tuple[list[str], list[str]]] = [([], [])]
    for quoted_negated, quoted, negated, word in _QUERY_TERM.findall(text):
        term = quoted or word
        if word.lower() == "or" and not negated:
            alternatives.append(([], []))
            continue
        if not re.search(r"\w", term):
            continue
        wanted, excluded = alternatives[-1]
        (excluded if quoted_negated or negated else wanted).append('"' + term.replace('"', '""') + '"')
    groups = [" ".join(wanted) + "".join(f" NOT {term}" for term in excluded) for wanted, excluded in alternatives]
    groups = [f"({group})" for group, (wanted, _) in zip(groups, alternatives, strict=True) if wanted]
    return " OR ".join(groups) or None


class _FTS(Expression):
    """`(SELECT <function> FROM <fts table> WHERE <fts table> MATCH <query> AND rowid = <the row's id>)`: an FTS5
    auxiliary function (bm25, snippet) for one row of the outer query; NULL when the row does not match."""

    def __init__(self, table: str, function: str, params: Iterable, match: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.table, self.function, self.params, self.match = table, function, tuple(params), match
        self.pk = F("pk")

    def get_source_expressions(self) -> list:
        return [self.pk]

    def set_source_expressions(self, expressions) -> None:
        (self.pk,) = expressions

    # {function} of the fts {table} for the row whose id is {pk}; the MATCH query is the one parameter.
    template = "(SELECT {function} FROM {table} WHERE {table} MATCH %s AND {table}.rowid = {pk})"

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        table = connection.ops.quote_name(self.table)
        sql = self.template.format(function=self.function.format(table=table), table=table, pk=pk_sql)
        return sql, (*self.params, self.match, *pk_params)


class _FTSForEveryMatch(_FTS):
    """As _FTS, but the function is computed for every matching row in one pass of the query, then looked up by the
    row's id: for bm25 over all the candidates. Run once per row, bm25 re-reads the whole list of matches for its
    statistics each time (0.9 s to rank 5,000 matches, 14 ms this way). `LIMIT -1` keeps SQLite from folding the
    inner query back into a per-row one; it is computed once per statement, with an automatic index on the id."""

    template = (
        "(SELECT value FROM (SELECT rowid AS id, {function} AS value FROM {table} WHERE {table} MATCH %s LIMIT -1)"
        " WHERE id = {pk})"
    )


class _SQLite(_Engine):
    @staticmethod
    def table(model) -> str:
        return f"{model._meta.db_table}{FTS_SUFFIX}"

    def _fts_ids(self, model, match: str | None) -> list[models.QuerySet]:
        if match is None:
            return []
        table = self.table(model)
        # The table name comes from the model, the query is a parameter.
        matching = RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [match])  # noqa: S608, S611
        return [model._base_manager.order_by().filter(pk__in=matching).values("pk")]

    def matching(self, model, spec: SearchSpec, text: str) -> Q:
        """The ids of the matching rows: a UNION of indexed queries, one per way a row can match (the full-text
        table, the names, the related records' names)."""
        parts = [*self._fts_ids(model, fts5_query(text)), *self.name_ids(model, spec, text)]
        for relation, related_ids in self.related_ids(model, spec, text):
            parts.append(model._base_manager.order_by().filter(**{f"{relation}__in": related_ids}).values("pk"))
        return Q(pk__in=_union(parts))

    def name_ids(self, model, spec: SearchSpec, text: str) -> list[models.QuerySet]:
        """Names and aliases that hold the text, case and accents aside (the full-text table has whole words)."""
        folded = fold(text)
        records = model._base_manager.order_by()
        found = [records.filter(Contains(Fold(name), folded)).values("pk") for name in spec.names]
        if spec.aliases:
            alias_model, owner = _alias_relation(model, spec)
            found.append(alias_model._base_manager.order_by().filter(Contains(Fold("name"), folded)).values(owner))
        return found

    def related_name_ids(self, model, spec: SearchSpec, text: str) -> list[models.QuerySet]:
        """The related record's names by their words (the full-text table restricted to its name columns) or by
        folded substring."""
        match = fts5_query(text)
        name_columns = [*spec.names, *([FTS_ALIASES_COLUMN] if spec.aliases else [])]
        in_names = f"{{{' '.join(name_columns)}}} : ({match})" if match else None
        return [*self._fts_ids(model, in_names), *self.name_ids(model, spec, text)]

    def rank(self, model, spec: SearchSpec, text: str) -> Expression:
        weights = ", ".join(str(WEIGHTS[spec.document.get(column, "A")]) for column in spec.fts_columns)
        match = fts5_query(text)
        text_rank = (
            Coalesce(
                _FTSForEveryMatch(self.table(model), f"-bm25({{table}}, {weights})", (), match, FloatField()),
                Value(0.0),
            )
            if match
            else Value(0.0)
        )
        return _ranked(text_rank, self._names_rank(model, spec, text))

    @staticmethod
    def _names_rank(model, spec: SearchSpec, text: str) -> Expression | None:
        """1 when a name or alias is the text, 0.5 when one holds it (case and accents aside); None without names."""
        if not spec.names and not spec.aliases:
            return None
        folded = fold(text)
        is_name, holds_name = Q(), Q()
        for name in spec.names:
            is_name |= Exact(Fold(name), folded)
            holds_name |= Contains(Fold(name), folded)
        if spec.aliases:
            alias_model, owner = _alias_relation(model, spec)
            aliases = alias_model._base_manager.filter(**{owner: OuterRef("pk")})
            is_name |= Exists(aliases.filter(Exact(Fold("name"), folded)))
            holds_name |= Exists(aliases.filter(Contains(Fold("name"), folded)))
        return Case(When(is_name, then=Value(1.0)), When(holds_name, then=Value(0.5)), default=Value(0.0))

    def snippet(self, model, spec: SearchSpec, text: str) -> Expression:
        match = fts5_query(text)
        if match is None:
            return Value(None, output_field=SnippetField())
        column = spec.fts_columns.index(spec.snippet)
        function = f"snippet({{table}}, {column}, %s, %s, %s, {SNIPPET_WORDS})"
        return _FTS(self.table(model), function, (_START, _STOP, "…"), match, SnippetField())


def _ranked(text_rank: Expression, names_rank: Expression | None) -> Expression:
    """The rank by the record's words, plus by its names when the kind has names."""
    return ExpressionWrapper(text_rank if names_rank is None else text_rank + names_rank, output_field=FloatField())


def _backend(queryset: models.QuerySet) -> _PostgreSQL | _SQLite:
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _PostgreSQL()
    if vendor == "sqlite":
        return _SQLite()
    raise ImproperlyConfigured(f"Search runs on PostgreSQL or SQLite, not {vendor}.")


class SearchableQuerySet(models.QuerySet):
    """A QuerySet with the engine's search; subclasses declare `search_spec`."""

    search_spec: SearchSpec

    def search(self, text: str) -> Self:
        """The rows that match `text`, each annotated with `search_rank` (float, higher is better); the queryset's
        other filters, annotations and ordering are kept (order by rank with by_search_rank())."""
        text = _words(text)
        if fts5_query(text) is None:  # nothing to look for, or only words to exclude: matching all would scan
            return self.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
        return self.filter(self.matching(text)).with_search_rank(text)

    def matching(self, text: str) -> Q:
        """The condition search() filters by, to combine with others (the admin's search ORs it with its own)."""
        return _backend(self).matching(self.model, self.search_spec, _words(text))

    def with_search_rank(self, text: str) -> Self:
        """Annotate `search_rank` without filtering (for rows already known to match)."""
        backend, model, spec = _backend(self), self.model, self.search_spec
        return self.annotate(search_rank=backend.rank(model, spec, _words(text)))

    def with_search_snippet(self, text: str) -> Self:
        """Annotate `search_snippet`: the passage of the spec's snippet field that matches, as safe HTML with the
        matched words (whole words, stems included) in <mark>. Meant for the few rows shown: it reads the text."""
        backend, model, spec = _backend(self), self.model, self.search_spec
        if spec.snippet is None:
            return self.annotate(search_snippet=Value(None, output_field=SnippetField()))
        return self.annotate(search_snippet=backend.snippet(model, spec, _words(text)))

    def by_search_rank(self) -> Self:
        """Best match first, then the model's own order (and the id), so equal ranks keep a stable order."""
        return self.order_by("-search_rank", *self.model._meta.ordering, "pk")


def _union(parts: list[models.QuerySet]) -> models.QuerySet:
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


# --- The site-wide search: the kinds the apps register --------------------------------------------------------------


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the site-wide search looks through, and how a hit of that kind is shown.

    `title`, `detail` and `url` read only the row and its `select_related` relations, so hits cost no query each.
    `record_name` is the record's name, title or quoted text as the API gives it (the title unless given).
    """

    name: str
    label: str
    model: type[models.Model]
    title: Callable[[Any], str]
    detail: Callable[[Any], str] = field(default=lambda record: "")
    url: Callable[[Any], str] = field(default=lambda record: record.get_absolute_url())
    record_name: Callable[[Any], str] | None = None
    select_related: tuple[str, ...] = ()

    def name_of(self, record) -> str:
        return (self.record_name or self.title)(record)

    def hits(self, text: str, limit: int) -> list["Hit"]:
        """The best `limit` hits, best first, in one query: the first RANKED_MATCHES matches in the kind's order,
        ranked, the best ids kept, then their rows with their snippets."""
        records = self.model._default_manager.all()
        first = records.search(text).order_by(*self.model._meta.ordering, "pk").values("pk")[:RANKED_MATCHES]
        shown = records.filter(pk__in=first).with_search_rank(text).by_search_rank().values("pk")[:limit]
        rows = (
            records.filter(pk__in=shown)
            .with_search_rank(text)
            .with_search_snippet(text)
            .select_related(*self.select_related)
            .by_search_rank()
        )
        snippet_field = spec_of(self.model).snippet
        return [
            Hit(
                kind=self.name,
                record=row,
                title=self.title(row),
                url=self.url(row),
                detail=self.detail(row),
                snippet=row.search_snippet or _plain_snippet(getattr(row, snippet_field) if snippet_field else ""),
                rank=row.search_rank,
            )
            for row in rows
        ]


@dataclass
class Hit:
    """One record found by the site-wide search, as the page and the API show it."""

    kind: str
    record: models.Model
    title: str
    url: str
    detail: str
    snippet: SafeString
    rank: float


def _plain_snippet(text: str) -> SafeString:
    """The start of the text, for a row found by a name rather than by its own words."""
    return escape(Truncator(text or "").words(SNIPPET_WORDS, truncate=" …"))


KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> None:
    """Add a kind to the site-wide search (an app does it once, in its AppConfig.ready()); the page and the API
    list kinds in the order they were registered."""
    spec_of(kind.model)  # refuses a model without a search spec
    registered = KINDS.get(kind.name)
    if registered is not None and registered.model is not kind.model:
        raise ImproperlyConfigured(f"The search kind “{kind.name}” is already {registered.model.__name__}.")
    KINDS[kind.name] = kind


def search_site(text: str, *, kinds: Iterable[str] | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, list[Hit]]:
    """Up to `limit` hits of each kind (all registered kinds, or those named), best first: one query per kind."""
    text = _words(text)
    return {name: KINDS[name].hits(text, limit) for name in (kinds or KINDS)}


# --- The database side: SQLite's fold, and the SQL the migrations run -----------------------------------------------


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created: give each SQLite connection the fold the name matching uses."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            FOLD_FUNCTION, 1, lambda text: None if text is None else fold(text), deterministic=True
        )


POSTGRES_FOLD_FUNCTION_SQL = (
    f"""CREATE FUNCTION {FOLD_FUNCTION}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)",
)


def postgres_document_sql(table: str, document: dict[str, str]) -> tuple[list[str], list[str]]:
    """Forward and backward SQL: the table's generated, GIN-indexed tsvector column of the weighted fields.

    The database recomputes it whenever the row is written. (A later migration that changes the type of one of these
    fields must drop and re-add the column: PostgreSQL refuses to alter a column a generated column reads.)
    """
    weighted = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in document.items()
    )
    index = f"{table}_{DOCUMENT_COLUMN}"
    forward = [
        f"ALTER TABLE {table} ADD COLUMN {DOCUMENT_COLUMN} tsvector GENERATED ALWAYS AS ({weighted}) STORED",
        f"CREATE INDEX {index} ON {table} USING gin ({DOCUMENT_COLUMN})",
    ]
    return forward, [f"ALTER TABLE {table} DROP COLUMN IF EXISTS {DOCUMENT_COLUMN}"]


def postgres_name_index_sql(table: str, column: str) -> tuple[str, str]:
    """Forward and backward SQL: a GIN trigram index on the folded name, which the name matching queries."""
    index = f"{table}_{column}_fold_trgm"
    return (
        f"CREATE INDEX {index} ON {table} USING gin ({FOLD_FUNCTION}({column}) gin_trgm_ops)",
        f"DROP INDEX IF EXISTS {index}",
    )


def sqlite_document_sql(
    table: str, columns: list[str], *, aliases: tuple[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Forward and backward SQL: the table's FTS5 table (rowid = the row's id), filled from the rows there are, and
    the triggers that keep it in step with the table and, given `aliases` (alias table, its foreign key column), with
    the aliases.

    (SQLite drops a table's triggers when a migration rebuilds the table: such a migration must run this again.)
    """
    fts = f"{table}{FTS_SUFFIX}"
    forward = _sqlite_fts_table_sql(fts, table, columns, aliases)
    triggers = ["insert", "update", "delete"]
    if aliases:
        forward += _sqlite_alias_triggers_sql(fts, *aliases)
        triggers += ["alias_insert", "alias_update", "alias_delete"]
    backward = [f"DROP TRIGGER IF EXISTS {fts}_{trigger}" for trigger in triggers] + [f"DROP TABLE IF EXISTS {fts}"]
    return forward, backward


# Identifiers in the SQL below come from migration files, never from user input.


def _sqlite_fts_table_sql(fts: str, table: str, columns: list[str], aliases: tuple[str, str] | None) -> list[str]:
    """The FTS5 table, filled from the table's rows, and the triggers that keep it in step with the table."""
    listed = ", ".join([*columns, *([FTS_ALIASES_COLUMN] if aliases else [])])
    new_values, table_values = (_sqlite_row_values(row, columns, aliases) for row in ("new", table))
    insert_new = f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new_values});"  # noqa: S608
    delete_old = f"DELETE FROM {fts} WHERE rowid = old.id;"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, tokenize='{FTS_TOKENIZER}')",
        f"INSERT INTO {fts}(rowid, {listed}) SELECT id, {table_values} FROM {table}",  # noqa: S608
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {', '.join(columns)} ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
    ]


def _sqlite_row_values(row: str, columns: list[str], aliases: tuple[str, str] | None) -> str:
    """The FTS5 values of `row` (a table, or a trigger's new/old): its columns, then its aliases joined."""
    values = [f"{row}.{column}" for column in columns]
    if aliases:
        alias_table, owner = aliases
        values.append(f"(SELECT group_concat(name, ' ') FROM {alias_table} WHERE {owner} = {row}.id)")  # noqa: S608
    return ", ".join(values)


def _sqlite_alias_triggers_sql(fts: str, alias_table: str, owner: str) -> list[str]:
    """Triggers that rewrite the owner's aliases in the FTS5 table whenever one of its aliases changes."""

    def refresh(row: str) -> str:
        return (
            f"UPDATE {fts} SET {FTS_ALIASES_COLUMN} = (SELECT group_concat(name, ' ') FROM {alias_table} "  # noqa: S608
            f"WHERE {owner} = {row}.{owner}) WHERE rowid = {row}.{owner};"
        )

    return [
        f"CREATE TRIGGER {fts}_alias_insert AFTER INSERT ON {alias_table} BEGIN {refresh('new')} END",
        f"CREATE TRIGGER {fts}_alias_update AFTER UPDATE ON {alias_table} BEGIN {refresh('old')} {refresh('new')} END",
        f"CREATE TRIGGER {fts}_alias_delete AFTER DELETE ON {alias_table} BEGIN {refresh('old')} END",
    ]

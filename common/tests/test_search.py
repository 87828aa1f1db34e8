"""The search engine (common/search.py): one `search()` per searchable queryset, ranked, and the site-wide search
over every registered kind, on PostgreSQL (full text + trigrams) and SQLite (FTS5) alike."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Actor, Contingent, StrengthObservation
from actors.tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    ContingentFactory,
    StrengthObservationFactory,
)
from articles.models import Article, Quote
from articles.tests.factories import ArticleFactory, QuoteFactory
from common import corpus, search
from events.models import Figure, Incident, Place, PlaceAlias
from events.tests.factories import FigureFactory, IncidentFactory, PlaceAliasFactory, PlaceFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEARCHABLE_MODELS = [Article, Quote, Actor, Contingent, StrengthObservation, Incident, Place, Figure]


def marked(snippet) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", str(snippet))


def found(model, text: str) -> list[int]:
    return sorted(model.objects.search(text).values_list("pk", flat=True))


def test_every_searchable_model_has_the_engines_search():
    """Every model that had an ad-hoc search() now searches through the one engine, declared by a spec."""
    searchable = [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), search.SearchableQuerySet)
    ]
    assert sorted(model.__name__ for model in searchable) == sorted(model.__name__ for model in SEARCHABLE_MODELS)
    for model in searchable:
        assert isinstance(model._default_manager.get_queryset().search_spec, search.SearchSpec)


def test_search_annotates_a_float_rank_higher_for_better_matches():
    """search() returns the matching rows with `search_rank`, a float that is higher for a better match."""
    strong = ArticleFactory(title="Kidal under fire", body="Kidal camp attacked. Kidal again.")
    weak = ArticleFactory(title="Peace talks", body="Talks in Algiers. Kidal was mentioned once.")
    ArticleFactory(title="Elsewhere", body="Nothing about it.")
    rows = {article.pk: article.search_rank for article in Article.objects.search("Kidal")}
    assert set(rows) == {strong.pk, weak.pk}
    assert all(isinstance(rank, float) for rank in rows.values())
    assert rows[strong.pk] > rows[weak.pk]
    assert [a.pk for a in Article.objects.search("Kidal").by_search_rank()] == [strong.pk, weak.pk]


def test_stems_match_so_killing_finds_killed():
    """Full text with English stemming on both databases: `killing` finds an incident described as `killed`."""
    incident = IncidentFactory(title="Attack on the camp", description="Two peacekeepers were killed.")
    IncidentFactory(title="Patrol", description="No one was hurt.")
    assert found(Incident, "killing") == [incident.pk]


def test_accents_and_case_are_ignored_in_text():
    """`jezequel` finds an article that prints Jézéquel."""
    article = ArticleFactory(title="Interview", body="Jean-Hervé Jézéquel of Crisis Group said so.")
    assert found(Article, "jezequel") == [article.pk]


def test_websearch_syntax_phrases_exclusions_and_or():
    """Quoted phrases, `-word` and `or` work as on a web search engine, on both databases."""
    camp = ArticleFactory(title="One", body="The camp in Kidal was shelled.")
    town = ArticleFactory(title="Two", body="Kidal town was calm; Gao too.")
    gao = ArticleFactory(title="Three", body="Gao was calm.")
    assert found(Article, "Kidal -camp") == [town.pk]
    assert found(Article, '"town was calm"') == [town.pk]
    assert found(Article, '"calm town"') == []
    assert found(Article, "shelled or Gao") == sorted([camp.pk, town.pk, gao.pk])
    assert found(Article, "-camp") == [] and found(Article, '-"town was"') == []


@pytest.mark.parametrize(
    "text",
    ['"unclosed', "AND OR NOT", "NEAR(a b)", "title:kidal", "{body}: x", "*", "^kidal", "a - - b", "((", "'", '"', "-"],
)
def test_any_text_is_a_query_never_a_syntax_error(text):
    """Operators of the databases' query languages typed by a user are words, not errors."""
    ArticleFactory(body="Kidal: a title and a body.")
    for model in SEARCHABLE_MODELS:
        list(model.objects.search(text))


def test_whole_words_are_marked_never_inside_a_word():
    """`UN` marks the word UN, not United, functions or Tunisia; `killing` marks `killed`."""
    ArticleFactory(
        title="Report",
        body="The UN says the United Nations functions in Tunisia; two men were killed and the UN left.",
    )
    (hit,) = search.search_site("UN", kinds=["article"])["article"]
    assert marked(hit.snippet) == ["UN", "UN"]
    (hit,) = search.search_site("killing", kinds=["article"])["article"]
    assert marked(hit.snippet) == ["killed"]


def test_snippets_are_escaped():
    """Markup in the text never reaches the page as markup: escaped (PostgreSQL's headline drops tags outright)."""
    ArticleFactory(title="Markup", body="He wrote <script>alert(1)</script> & then Kidal <b>fell</b>.")
    (hit,) = search.search_site("Kidal", kinds=["article"])["article"]
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet and "&amp;" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0
    assert marked(hit.snippet) == ["Kidal"]


def test_names_match_through_aliases_without_accents_and_rank_exact_names_first():
    """Actors and places are found by their names and aliases, accents aside; the closest name ranks first."""
    jezequel = ActorFactory(name="Jean-Hervé Jézéquel")
    mnla = ActorFactory(name="National Movement for the Liberation of Azawad", description="A rebel movement.")
    ActorAliasFactory(actor=mnla, name="MNLA")
    timbuktu = PlaceFactory(name="Timbuktu")
    PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    assert found(Actor, "Jezequel") == [jezequel.pk]
    assert found(Actor, "MNLA") == [mnla.pk]
    assert found(Place, "tombouctou") == [timbuktu.pk]
    # A spelling variant of an alias: trigram similarity on PostgreSQL; SQLite matches words and parts of names only.
    assert found(Place, "Tombuctou") == ([timbuktu.pk] if connection.vendor == "postgresql" else [])


def test_related_names_find_quotes_incidents_contingents_figures_and_strengths():
    """A quote is found by its speaker's alias, an incident by its place's alias, a contingent by its base or
    contributor, a figure by its subject, a strength observation by its contingent's unit."""
    speaker = ActorFactory(name="Radhia Achouri")
    ActorAliasFactory(actor=speaker, name="Achouri")
    quote = QuoteFactory(speaker=speaker)
    timbuktu = PlaceFactory(name="Timbuktu")
    PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    incident = IncidentFactory(title="Clash near the city", place=timbuktu)
    contingent = ContingentFactory(unit_name="Burkinabe battalion", base=timbuktu)
    strength = StrengthObservationFactory(contingent=contingent)
    chad = ActorFactory(name="Chad", kind="state")
    chadian = ContingentFactory(contributor=chad)
    figure = FigureFactory(subject=chad)
    assert found(Quote, "Achouri") == [quote.pk]
    assert found(Incident, "Tombouctou") == [incident.pk]
    assert found(Contingent, "Tombouctou") == [contingent.pk]
    assert found(Contingent, "Chad") == [chadian.pk]
    assert found(Figure, "Chad") == [figure.pk]
    assert found(StrengthObservation, "Burkinabe") == [strength.pk]


def test_search_composes_with_lists_and_filters_without_duplicates():
    """search() is a filter like any other: after for_list(), with other filters, one row per record."""
    gao = PlaceFactory(name="Gao")
    PlaceAliasFactory(place=gao, name="Gao city")
    PlaceAliasFactory(place=gao, name="Gao town")
    in_gao = IncidentFactory(title="Gao attack", description="An attack in Gao.", place=gao)
    IncidentFactory(title="Gao patrol", place=gao, incident_type="ambush")
    IncidentFactory(title="Elsewhere")
    rows = list(Incident.objects.for_list().filter(incident_type="attack_on_base").search("Gao"))
    assert [row.pk for row in rows] == [in_gao.pk]
    assert rows[0].killed is None and isinstance(rows[0].search_rank, float)
    assert Incident.objects.search("Gao").count() == 2
    assert len(list(Place.objects.for_list().search("Gao"))) == 1
    assert Incident.objects.search("Gao").filter(title__startswith="Gao").count() == 2


def test_site_search_covers_every_kind_with_labels_titles_and_links():
    """Every kind, contingents included, is registered once with its label, title, description and link."""
    assert list(search.KINDS) == ["article", "quote", "actor", "contingent", "incident", "place"]
    ArticleFactory(title="Attack in Kidal")
    QuoteFactory(text="base in Kidal", article=ArticleFactory(body="Our base in Kidal held."))
    ActorFactory(name="Kidal Defence Group")
    ContingentFactory(unit_name="Kidal battalion")
    IncidentFactory(title="Kidal camp attack")
    PlaceFactory(name="Kidal")
    results = search.search_site("Kidal")
    assert {kind: len(hits) for kind, hits in results.items()} == dict.fromkeys(search.KINDS, 1) | {"article": 2}
    for kind, hits in results.items():
        for hit in hits:
            assert hit.kind == kind and hit.title and hit.url.startswith("/") and isinstance(hit.rank, float)
    assert search.KINDS["contingent"].label == "Contingents"
    assert results["quote"][0].url.endswith(f"#quote-{results['quote'][0].record.pk}")


@pytest.mark.parametrize("copies", [1, 7])
def test_site_search_runs_one_query_per_kind_whatever_the_hits(django_assert_num_queries, copies):
    """Guards against N+1 queries: candidates, rank and snippets of each kind in one query, however many hits."""
    for _ in range(copies):
        QuoteFactory(speaker=ActorFactory(name="Forefront speaker"))
        IncidentFactory(title="Attack on the forefront", place=PlaceFactory(name="Forefront"))
        ContingentFactory(unit_name="Forefront battalion")
    with django_assert_num_queries(len(search.KINDS)):
        results = search.search_site("forefront")
    assert len(results["quote"]) == len(results["incident"]) == len(results["contingent"]) == copies


def test_site_search_ranks_the_first_matches_in_each_kinds_order(monkeypatch):
    """At most RANKED_MATCHES matches of a kind are ranked, the first in its order (the newest incidents): a word in a
    tenth of a million incidents is not ranked a hundred thousand times. Within them, the best match comes first."""
    IncidentFactory(title="Forefront forefront forefront", date_from="2013-01-01", date_to="2013-01-01")
    for year in (2020, 2021):
        IncidentFactory(
            title=f"Rocket fire {year}",
            description="At the forefront.",
            date_from=f"{year}-05-01",
            date_to=f"{year}-05-01",
        )
    monkeypatch.setattr(search, "RANKED_MATCHES", 3)
    assert search.search_site("forefront", kinds=["incident"])["incident"][0].title == "Forefront forefront forefront"
    monkeypatch.setattr(search, "RANKED_MATCHES", 2)
    hits = search.search_site("forefront", kinds=["incident"])["incident"]
    assert sorted(hit.title for hit in hits) == ["Rocket fire 2020", "Rocket fire 2021"]
    assert len(found(Incident, "forefront")) == 3  # search() itself is not bounded: lists and filters see every match


@pytest.mark.postgresql_only("the condition is PostgreSQL's")
def test_aliases_and_related_names_are_arrays_of_ids_in_one_condition():
    """On PostgreSQL every way an incident matches is one OR the indexes answer: the document, and the places found
    by their names or aliases as an array computed once (`= ANY(ARRAY(…))`), never an IN subquery or a UNION, which
    PostgreSQL can only answer by collecting every match first."""
    sql = str(Incident.objects.search("Kidal").query)
    assert '"place_id" = ANY(ARRAY((SELECT' in sql
    where = sql[sql.index(" WHERE ") :]
    assert '"id" IN (' not in where and "UNION" in where  # the union is inside the array: places and aliases


def test_snippets_are_computed_only_for_the_rows_shown():
    """The snippet is computed in the outer query, over the few ids the ranked candidate subquery keeps."""
    for n in range(5):
        ArticleFactory(title=f"Kidal {n}")
    with CaptureQueriesContext(connection) as queries:
        hits = search.search_site("Kidal", kinds=["article"], limit=2)["article"]
    assert len(hits) == 2
    (sql,) = [query["sql"] for query in queries.captured_queries]
    snippet_function = "ts_headline" if connection.vendor == "postgresql" else "snippet("
    assert sql.count(snippet_function) == 1
    shown_ids = sql.index(" IN (SELECT ")
    assert sql.index(snippet_function) < shown_ids and "LIMIT 2" in sql[shown_ids:]


def test_candidate_queries_use_the_indexes():
    """The full-text and name candidates are index scans (GIN on PostgreSQL, FTS5 on SQLite), never a scan that
    re-parses every row's text."""
    ArticleFactory(title="Kidal")
    incidents = Incident.objects.search("Kidal")
    places = Place.objects.search("Kidal")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables: make any scan dearer than an index, so the plan shows what the query lets it use.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            # And aliases enough that reading a whole index and filtering it costs more than the trigram index,
            # whatever statistics the tests before this one left (a full scan of the aliases' unique index won on
            # 140 estimated rows).
            place = PlaceFactory()
            PlaceAlias.objects.bulk_create(PlaceAlias(place=place, name=f"Alias {number}") for number in range(3000))
            cursor.execute("ANALYZE events_placealias")
            plans = []
            for queryset in (incidents, places, Article.objects.search("Kidal")):
                sql, params = queryset.query.sql_with_params()
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
            assert "events_incident_search_document" in plans[0]
            assert "events_place_name_fold_trgm" in plans[0] and "events_placealias_name_fold_trgm" in plans[0]
            assert "events_place_name_fold_trgm" in plans[1] and "events_place_search_document" in plans[1]
            assert "articles_article_search_document" in plans[2]
            assert all("Seq Scan" not in plan and "Filter: (search_document" not in plan for plan in plans)
        else:
            sql, params = incidents.query.sql_with_params()
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "events_incident_search VIRTUAL TABLE INDEX" in plan
            assert "events_place_search VIRTUAL TABLE INDEX" in plan


# The index follows every change of the rows and of their aliases.


def test_the_index_follows_inserts_updates_and_deletes():
    """A new row is found at once, an edited one by its new words only, a deleted one no more."""
    actor = ActorFactory(name="Radhia Achouri", description="Spokeswoman.")
    assert found(Actor, "spokeswoman") == [actor.pk]
    actor.description = "Director."
    actor.save()
    assert found(Actor, "spokeswoman") == []
    assert found(Actor, "director") == [actor.pk]
    Actor.objects.filter(pk=actor.pk).update(name="Olivier Salgado")
    assert found(Actor, "Achouri") == [] and found(Actor, "Salgado") == [actor.pk]
    actor.delete()
    assert found(Actor, "director") == []


def indexed_aliases(record) -> str | None:
    """On SQLite, the aliases the record's full-text row holds; on PostgreSQL aliases are matched where they are."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT aliases FROM "{record._meta.db_table}_search" WHERE rowid = %s', [record.pk])  # noqa: S608
        return " ".join(sorted((cursor.fetchone()[0] or "").split()))


def test_the_index_follows_aliases_added_renamed_and_removed():
    """An alias finds its actor or place as soon as it is added, by its new name once renamed, not once removed."""
    sqlite = connection.vendor == "sqlite"
    mnla = ActorFactory(name="National Movement for the Liberation of Azawad")
    assert found(Actor, "NMLA") == []
    alias = ActorAliasFactory(actor=mnla, name="NMLA")
    ActorAliasFactory(actor=mnla, name="Azawad movement")
    assert found(Actor, "NMLA") == [mnla.pk]
    assert indexed_aliases(mnla) == ("Azawad NMLA movement" if sqlite else None)
    alias.name = "MNLA"
    alias.save()
    assert found(Actor, "NMLA") == [] and found(Actor, "MNLA") == [mnla.pk]
    assert indexed_aliases(mnla) == ("Azawad MNLA movement" if sqlite else None)
    alias.delete()
    assert found(Actor, "MNLA") == []
    assert indexed_aliases(mnla) == ("Azawad movement" if sqlite else None)
    timbuktu = PlaceFactory(name="Timbuktu")
    place_alias = PlaceAliasFactory(place=timbuktu, name="Tombouctou")
    assert found(Place, "Tombouctou") == [timbuktu.pk]
    assert indexed_aliases(timbuktu) == ("Tombouctou" if sqlite else None)
    place_alias.delete()
    assert found(Place, "Tombouctou") == []
    assert indexed_aliases(timbuktu) == ("" if sqlite else None)


def test_the_index_holds_every_row_after_a_corpus_load():
    """After loading the corpus each record is found by the words of its first document field, and on
    SQLite each full-text table holds exactly the rows of its table, with their current text."""
    corpus.load(corpus.fixture_paths(FIXTURES))
    for model in SEARCHABLE_MODELS:
        spec = model._default_manager.get_queryset().search_spec
        first_field = next(iter(spec.document))
        rows = list(model.objects.values_list("pk", first_field))
        assert rows, model
        for pk, text in rows:
            # Plain words only: PostgreSQL's parser reads “closure/handover” as one file-path token.
            words = [word.strip(".,;:!?“”’'()") for word in (text or "").split()]
            words = " ".join([word for word in words if re.fullmatch(r"\w{4,}", word)][:6])
            if words:
                assert pk in found(model, words), (model.__name__, pk, words)
        if connection.vendor == "sqlite":
            table = f"{model._meta.db_table}_search"
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT rowid, "{first_field}" FROM "{table}" ORDER BY rowid')  # noqa: S608
                assert cursor.fetchall() == sorted(rows)

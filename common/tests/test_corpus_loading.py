"""Loading and exporting the corpus: all or nothing, and errors that name the bad record."""

import datetime
import decimal
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from actors.models import Actor
from articles.models import Article, Outlet, Quote
from common import corpus
from events.tests.factories import IncidentActorFactory

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

pytestmark = pytest.mark.django_db


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _small_corpus(quote_text: str) -> list[dict]:
    return [
        {"model": "articles.outlet", "fields": {"name": "PassBlue", "slug": "passblue", "kind": "news_site"}},
        {"model": "actors.actor", "fields": {"name": "Radhia Achouri", "slug": "radhia-achouri", "kind": "person"}},
        {
            "model": "articles.article",
            "fields": {
                "title": "T",
                "slug": "t",
                "outlet": ["passblue"],
                "body": "“It is a target for all spoilers,” Achouri said.",
            },
        },
        {
            "model": "articles.quote",
            "fields": {"article": ["t"], "speaker": ["radhia-achouri"], "text": quote_text},
        },
    ]


def test_records_load_in_dependency_order_whatever_the_file_order(tmp_path):
    """A quote listed before its article still loads: the loader orders records by model."""
    records = list(reversed(_small_corpus("It is a target for all spoilers,")))
    report = corpus.load([_write(tmp_path / "a.json", records)])
    assert report.created == {"articles.outlet": 1, "actors.actor": 1, "articles.article": 1, "articles.quote": 1}
    quote = Quote.objects.get()
    assert (quote.text_start, quote.text_end) == (1, 33)


def test_a_bad_record_refuses_the_whole_load_and_is_named(tmp_path):
    """One misquoted record: nothing is loaded, and the error names the record, its file and the reason."""
    path = _write(tmp_path / "bad.json", _small_corpus("It is a target for every spoiler,"))
    with pytest.raises(corpus.CorpusError) as error:
        corpus.load([path])
    message = str(error.value)
    assert "articles.quote" in message
    assert "bad.json record #4" in message
    assert "does not occur in the article body" in message
    assert not Outlet.objects.exists()
    assert not Article.objects.exists()
    assert not Actor.objects.exists()


def test_a_bad_record_in_the_real_fixtures_changes_nothing(tmp_path):
    """Corrupting one quote of the real corpus refuses the whole corpus."""
    for path in corpus.fixture_paths(FIXTURES):
        shutil.copy(path, tmp_path / path.name)
    quotes_path = tmp_path / "07_quotes.json"
    quotes = json.loads(quotes_path.read_text(encoding="utf-8"))
    quotes[-1]["fields"]["text"] = "words nobody printed"
    _write(quotes_path, quotes)
    with pytest.raises(CommandError) as error:
        call_command("load_corpus", str(tmp_path))
    assert "Nothing was loaded" in str(error.value)
    assert "07_quotes.json record" in str(error.value)
    assert not Article.objects.exists()
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        # A unique field other than the natural key: the outlet's name.
        (
            {"model": "articles.outlet", "fields": {"name": "PassBlue", "slug": "passblue-2", "kind": "news_site"}},
            "Outlet with this Name already exists.",
        ),
        # A check constraint: a place without coordinates must say why.
        (
            {"model": "events.place", "fields": {"name": "Nowhere", "slug": "nowhere", "kind": "village"}},
            "A place without coordinates needs a note saying why.",
        ),
    ],
)
def test_a_record_the_database_refuses_is_named_in_the_models_words(tmp_path, record, reason):
    """A load leaves uniqueness and constraints to the database, a query fewer for each record; a row it refuses is
    still named, with the model's own message, and nothing is loaded."""
    records = [*_small_corpus("It is a target for all spoilers,"), record]
    with pytest.raises(corpus.CorpusError) as error:
        corpus.load([_write(tmp_path / "bad.json", records)])
    assert "bad.json record #5" in str(error.value) and reason in str(error.value)
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_unknown_fields_and_models_are_refused(tmp_path):
    """A typo in a field or model name is an error, not silently ignored data."""
    records = _small_corpus("It is a target for all spoilers,")
    records[0]["fields"]["nmae"] = "typo"
    with pytest.raises(corpus.CorpusError, match="nmae"):
        corpus.load([_write(tmp_path / "a.json", records)])
    with pytest.raises(corpus.CorpusError, match="unknown model"):
        corpus.load([_write(tmp_path / "b.json", [{"model": "auth.user", "fields": {}}])])


def test_malformed_json_is_refused_with_the_file_name(tmp_path):
    """A file that is not JSON is named in the error."""
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(corpus.CorpusError, match=r"broken\.json"):
        corpus.load([broken])


def test_export_then_load_into_an_empty_database_round_trips(tmp_path):
    """What export writes, load reads back: same records, same offsets."""
    corpus.load([_write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))])
    out = tmp_path / "out"
    corpus.export(out)
    first = {path.name: path.read_bytes() for path in corpus.fixture_paths(out)}
    Quote.objects.all().delete()
    Article.objects.all().delete()
    call_command("load_corpus", str(out))
    corpus.export(out)
    assert first == {path.name: path.read_bytes() for path in corpus.fixture_paths(out)}


def test_load_corpus_command_reports_what_it_loaded(tmp_path, capsys):
    """The command prints per-model counts and a total."""
    call_command("load_corpus", str(_write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))))
    output = capsys.readouterr().out
    assert "articles.quote" in output
    assert "Loaded 4 records from 1 files: 4 new, 0 updated, 0 already present." in output


def test_hand_written_records_without_offsets_load_twice_without_duplicates(tmp_path):
    """Offsets are derived before the natural-key lookup, so a second load updates rather than duplicates."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    corpus.load([path])
    report = corpus.load([path])
    assert report.created == {}
    assert Quote.objects.count() == 1


def test_new_rows_get_a_first_history_version_and_a_reload_adds_none(tmp_path):
    """Loaded rows start their audit trail; loading the same data again writes no history."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    corpus.load([path])
    quote = Quote.objects.get()
    assert [version.history_change_reason for version in quote.history.all()] == ["Loaded from the corpus fixtures"]
    corpus.load([path])
    assert quote.history.count() == 1
    assert Article.history.count() == 1


def _curate(actor: Actor, description: str) -> None:
    """Change an actor as the admin or the API would: a normal save that records who changed what."""
    actor.description = description
    actor._change_reason = "Curated"
    actor.save()


def test_reloading_keeps_a_curators_edit_and_its_history(tmp_path):
    """A curator's edit survives a reload: the row is left as it is and its latest version is still the edit."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    corpus.load([path])
    _curate(Actor.objects.get(), "Curated description")
    report = corpus.load([path])
    actor = Actor.objects.get()
    assert actor.description == "Curated description"
    assert actor.history.first().description == "Curated description"
    assert actor.history.count() == 2
    assert report.created == {}
    assert report.updated == {}
    assert report.present["actors.actor"] == 1


def test_reloading_does_not_save_rows_that_are_already_there(tmp_path):
    """A row found by its natural key is not saved at all: not even its modification time moves."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    corpus.load([path])
    modified = Actor.objects.get().modified
    corpus.load([path])
    assert Actor.objects.get().modified == modified


def test_update_option_saves_changed_rows_with_one_history_entry_each(tmp_path):
    """--update writes the fixture's version over rows that differ, each with one history entry naming the file."""
    records = _small_corpus("It is a target for all spoilers,")
    records[1]["fields"]["description"] = "From the fixture"
    path = _write(tmp_path / "a.json", records)
    corpus.load([path])
    _curate(Actor.objects.get(), "Curated description")
    report = corpus.load([path], update=True)
    actor = Actor.objects.get()
    assert actor.description == "From the fixture"
    latest = actor.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "Updated from the corpus fixtures (a.json)"
    assert actor.history.count() == 3
    assert report.updated == {"actors.actor": 1}
    # Unchanged rows are not saved and get no history.
    assert Outlet.history.count() == 1
    assert Article.history.count() == 1
    assert Quote.history.count() == 1
    assert report.present == {"articles.outlet": 1, "articles.article": 1, "articles.quote": 1}


def test_update_option_leaves_fields_the_fixture_does_not_set(tmp_path):
    """A field missing from a fixture record is not reset to its default by --update."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    corpus.load([path])
    _curate(Actor.objects.get(), "Curated description")
    assert corpus.load([path], update=True).updated == {}
    assert Actor.objects.get().description == "Curated description"


def test_update_option_applies_many_to_many_changes(tmp_path):
    """--update also brings many-to-many fields in step, and a row changed only there gets one history entry."""
    records = _small_corpus("It is a target for all spoilers,")
    path = _write(tmp_path / "a.json", records)
    corpus.load([path])
    records[2]["fields"]["authors"] = [["radhia-achouri"]]
    path = _write(tmp_path / "b.json", records)
    corpus.load([path])
    article = Article.objects.get()
    assert list(article.authors.all()) == [], "the default load leaves existing rows alone, m2m included"
    report = corpus.load([path], update=True)
    assert list(article.authors.values_list("slug", flat=True)) == ["radhia-achouri"]
    assert report.updated == {"articles.article": 1}
    assert article.history.first().history_change_reason == "Updated from the corpus fixtures (b.json)"
    assert article.history.count() == 2
    assert corpus.load([path], update=True).updated == {}


def test_update_option_handles_references_to_rows_further_on(tmp_path):
    """A row updated to point at a place listed after it is compared once that place exists, with one history entry."""
    from events.models import Place

    town = {
        "model": "events.place",
        "fields": {"name": "Gao", "slug": "gao", "kind": "city", "coordinates_note": "Not yet located."},
    }
    corpus.load([_write(tmp_path / "a.json", [town])])
    region = {
        "model": "events.place",
        "fields": {"name": "Gao Region", "slug": "gao-region", "kind": "region", "coordinates_note": "An area."},
    }
    town["fields"]["parent"] = ["gao-region"]
    report = corpus.load([_write(tmp_path / "b.json", [town, region])], update=True)
    assert report.created == {"events.place": 1}
    assert report.updated == {"events.place": 1}
    gao = Place.objects.get(slug="gao")
    assert gao.parent.slug == "gao-region"
    assert [version.history_change_reason for version in gao.history.all()] == [
        "Updated from the corpus fixtures (b.json)",
        "Loaded from the corpus fixtures",
    ]


def test_a_failed_update_changes_nothing(tmp_path):
    """An --update load that meets a bad record leaves every row, and every history table, as it was."""
    records = _small_corpus("It is a target for all spoilers,")
    corpus.load([_write(tmp_path / "a.json", records)])
    records[1]["fields"]["description"] = "From the fixture"
    records[3]["fields"]["text"] = "words nobody printed"
    with pytest.raises(corpus.CorpusError, match="does not occur in the article body"):
        corpus.load([_write(tmp_path / "b.json", records)], update=True)
    assert Actor.objects.get().description == ""
    assert Actor.history.count() == 1


def test_load_corpus_update_flag_reports_updated_rows(tmp_path, capsys):
    """The command's --update flag updates rows and says how many it changed."""
    records = _small_corpus("It is a target for all spoilers,")
    records[1]["fields"]["description"] = "From the fixture"
    path = _write(tmp_path / "a.json", records)
    call_command("load_corpus", str(path))
    _curate(Actor.objects.get(), "Curated description")
    call_command("load_corpus", str(path))
    assert Actor.objects.get().description == "Curated description"
    call_command("load_corpus", "--update", str(path))
    assert Actor.objects.get().description == "From the fixture"
    assert "1 updated" in capsys.readouterr().out


def test_if_empty_loads_only_into_a_database_without_corpus_records(tmp_path, capsys):
    """--if-empty (used on start-up) loads nothing once the corpus is there, so a deleted record stays deleted."""
    path = _write(tmp_path / "a.json", _small_corpus("It is a target for all spoilers,"))
    call_command("load_corpus", "--if-empty", str(path))
    assert Quote.objects.count() == 1
    Quote.objects.get().delete()
    call_command("load_corpus", "--if-empty", str(path))
    assert not Quote.objects.exists()
    assert "already holds corpus records" in capsys.readouterr().out


def test_start_up_scripts_never_update_or_re_add_curated_rows():
    """docker compose and bin/run load the corpus only into an empty database, never with --update."""
    base = Path(settings.BASE_DIR)
    for name in ("docker-compose.yml", "bin/run", "Dockerfile"):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            if "load_corpus" in line and not line.lstrip().startswith("#"):
                assert "--if-empty" in line, f"{name}: {line.strip()}"
                assert "--update" not in line, f"{name}: {line.strip()}"


def test_json_is_written_as_json_dumps_with_an_indent_writes_it():
    """The files' JSON, written by indented_json for speed, is json.dumps(…, indent=2)'s, byte for byte."""
    value = {
        "model": "events.incident",
        "fields": {
            "title": 'Attaque à Kidal: « 3 morts »\n\t"quoted" \u2028',
            "numbers": [0, -1, 2.5, 1e-07, None, True, False],
            "empty": [[], {}, ""],
            "place": ["kidal", ["nested", {"deep": []}]],
            "created": datetime.datetime(2023, 6, 30, 12, 0, 0, 123456, tzinfo=datetime.UTC),
            "date_from": datetime.date(2013, 7, 1),
            "latitude": decimal.Decimal("18.441100"),
        },
    }
    expected = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    assert corpus.indented_json(value) == expected


def test_export_reads_a_chunk_of_records_per_query_and_writes_the_same_files(tmp_path, monkeypatch):
    """Records are fetched a chunk at a time (memory holds a chunk, not a table), in natural key order whatever the
    chunk size: the files are the same bytes."""
    for _ in range(5):
        IncidentActorFactory()
    corpus.export(tmp_path / "whole")
    monkeypatch.setattr(corpus, "EXPORT_CHUNK_SIZE", 2)
    with CaptureQueriesContext(connection) as queries:
        corpus.export(tmp_path / "chunked")
    reads = [query for query in queries.captured_queries if 'FROM "events_incidentactor"' in query["sql"]]
    assert len(reads) == 1 + 3  # the natural keys, then three chunks of two rows at most
    whole = {path.name: path.read_bytes() for path in corpus.fixture_paths(tmp_path / "whole")}
    assert whole == {path.name: path.read_bytes() for path in corpus.fixture_paths(tmp_path / "chunked")}
    assert len(json.loads(whole["14_incident_actors.json"])) == 5


@pytest.mark.parametrize("count", [2, 20])
def test_a_load_reads_each_referenced_record_once_whatever_the_number_of_rows(tmp_path, count):
    """Quotes of one article: the article is found by its natural key once for the load, and each quote is checked
    against its body, found and saved without reading it again (the database enforces what a query per row
    checked: foreign keys, uniqueness, constraints)."""
    sentences = [f"Sentence number {n} was said." for n in range(count)]
    records = _small_corpus("It is a target for all spoilers,")
    records[2]["fields"]["body"] += " " + " ".join(sentences)
    records += [
        {"model": "articles.quote", "fields": {"article": ["t"], "speaker": ["radhia-achouri"], "text": sentence}}
        for sentence in sentences
    ]
    with CaptureQueriesContext(connection) as queries:
        corpus.load([_write(tmp_path / "quotes.json", records)])
    assert Quote.objects.count() == count + 1
    article_reads = [query for query in queries.captured_queries if 'FROM "articles_article"' in query["sql"]]
    assert len(article_reads) == 2  # the article's own natural key (not there yet), then once as the quotes' article


def test_a_load_without_a_usable_cache_changes_nothing_and_says_what_to_do(tmp_path):
    """The load renews the data version in the shared cache once it commits: with the database's cache table
    missing (createcachetable never run) it refuses before writing, rather than committing and then failing."""
    _write(tmp_path / "corpus.json", _small_corpus("It is a target for all spoilers"))
    missing_table = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_cache"}}
    with override_settings(CACHES=missing_table), pytest.raises(CommandError) as error:
        call_command("load_corpus", str(tmp_path))
    assert "Nothing was loaded" in str(error.value) and "createcachetable" in str(error.value)
    assert not Actor.objects.exists() and not Quote.objects.exists()
    call_command("load_corpus", str(tmp_path))  # the test's own cache: the same load goes through
    assert Quote.objects.filter(speaker__slug="radhia-achouri").exists()

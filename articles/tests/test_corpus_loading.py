"""Loading and exporting the corpus: all or nothing, and errors that name the bad record."""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actors.models import Actor
from articles.models import Article, Outlet, Quote
from minusma import corpus

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
    assert "Loaded 4 records from 1 files." in output


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

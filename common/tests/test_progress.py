import io
import json

import pytest
from django.core.management import call_command

from common.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_only_to_a_person_at_a_terminal(monkeypatch):
    """A bar is drawn when stdout and stderr are terminals; with --verbosity 0 or redirected output it is silent."""
    monkeypatch.setattr("sys.stderr", Terminal())

    assert not progress_bar(stdout=Terminal(), verbosity=1, description="x", unit="row").disable
    assert progress_bar(stdout=Terminal(), verbosity=0, description="x", unit="row").disable
    assert progress_bar(stdout=io.StringIO(), verbosity=1, description="x", unit="row").disable


@pytest.mark.django_db
def test_load_and_export_corpus_print_no_progress_bar_when_captured(tmp_path, capsys):
    """Captured runs of load_corpus and export_corpus (tests, CI logs) stay free of progress bars."""
    fixture = tmp_path / "outlets.json"
    fixture.write_text(
        json.dumps(
            [{"model": "articles.outlet", "fields": {"name": "PassBlue", "slug": "passblue", "kind": "news_site"}}]
        )
    )
    call_command("load_corpus", str(fixture))
    call_command("export_corpus", "--output", str(tmp_path / "out"))

    assert capsys.readouterr().err == ""
    assert "PassBlue" in (tmp_path / "out" / "01_outlets.json").read_text()

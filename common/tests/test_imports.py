"""Spreadsheet imports (django-import-export): one at a time per model, ids never reset, success only when it is."""

import threading
import time

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actors.models import Actor
from actors.resources import ActorResource
from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory
from common import imports
from events.models import Figure, Incident
from events.resources import FigureResource

WAIT = 30  # seconds; a thread that waits longer than this has deadlocked and the test fails instead of hanging


def _actor_rows(*slugs: str, wikidata_ids: tuple[str, ...] = ()) -> tablib.Dataset:
    """Rows of new armed groups; a wikidata_id column only when ids are given."""
    data = tablib.Dataset(headers=["slug", "name", "kind", *(["wikidata_id"] if wikidata_ids else [])])
    for index, slug in enumerate(slugs):
        data.append([slug, slug.replace("-", " ").title(), "armed_group", *wikidata_ids[index : index + 1]])
    return data


def _pausing_actor_resource(inserted: threading.Event, may_go_on: threading.Event, after_row: int):
    """An ActorResource that, inside its transaction, signals once row `after_row` is saved and waits."""

    class PausingActorResource(ActorResource):
        def after_import_row(self, row, row_result, **kwargs):
            super().after_import_row(row, row_result, **kwargs)
            if kwargs["row_number"] == after_row:
                inserted.set()
                assert may_go_on.wait(WAIT)

    return PausingActorResource


def _in_thread(target, results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = target()
        except Exception as error:  # noqa: BLE001 - the test inspects whatever happened
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _error_messages(result) -> list[str]:
    return [str(error.error) for error in result.base_errors] + [
        str(error.error) for row in result.row_errors() for error in row[1]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_second_import_of_the_same_model_is_refused_while_the_first_runs():
    """Two concurrent imports of actors: the second is refused with a clear message, the first saves everything."""
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    second_inserted, second_may_go_on = threading.Event(), threading.Event()
    results: dict = {}
    first = _in_thread(
        lambda: _pausing_actor_resource(first_inserted, first_may_commit, after_row=1)().import_data(
            _actor_rows("first-group"), dry_run=False
        ),
        results,
        "first",
    )
    assert first_inserted.wait(WAIT)
    second = _in_thread(
        lambda: _pausing_actor_resource(second_inserted, second_may_go_on, after_row=1)().import_data(
            _actor_rows("second-group", "third-group"), dry_run=False
        ),
        results,
        "second",
    )
    # Without a lock the second import inserts its first row and pauses; with one it is refused at once.
    deadline = time.monotonic() + WAIT
    while second.is_alive() and not second_inserted.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    first_may_commit.set()
    first.join(WAIT)
    second_may_go_on.set()
    second.join(WAIT)

    assert not results["first"].has_errors(), _error_messages(results["first"])
    assert results["second"].has_errors()
    assert _error_messages(results["second"]) == [
        "Another import of actors is running; nothing was imported. Try again when it has finished."
    ]
    assert sorted(Actor.objects.values_list("slug", flat=True)) == ["first-group"]
    # Ids stay unique afterwards: the next import and the next new actor get fresh ids.
    again = ActorResource().import_data(_actor_rows("second-group", "third-group"), dry_run=False)
    assert not again.has_errors(), _error_messages(again)
    ActorFactory()
    assert Actor.objects.count() == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only("SQLite has one write lock for the whole database: every import waits for any other")
def test_an_import_of_another_model_is_not_held_up():
    """The lock is per model: importing figures is not refused while actors are being imported."""
    held, release = threading.Event(), threading.Event()

    def hold_the_actor_import_lock():
        with transaction.atomic():
            imports.lock_imports_of(Actor)
            held.set()
            assert release.wait(WAIT)

    results: dict = {}
    holder = _in_thread(hold_the_actor_import_lock, results, "holder")
    assert held.wait(WAIT)
    try:
        with transaction.atomic():
            imports.lock_imports_of(Figure)
    finally:
        release.set()
        holder.join(WAIT)


@pytest.mark.django_db
def test_imports_never_reset_id_sequences():
    """Ids are never imported, so an import leaves the id sequence alone (a reset rewinds it under a concurrent one)."""
    with CaptureQueriesContext(connection) as queries:
        result = ActorResource().import_data(_actor_rows("new-group"), dry_run=False)
    assert not result.has_errors()
    sql = " ".join(query["sql"].lower() for query in queries.captured_queries)
    assert "setval" not in sql
    assert "sqlite_sequence" not in sql


@pytest.mark.django_db
def test_a_figure_row_naming_an_unknown_id_is_refused_not_created_with_that_id():
    """A figure row's id finds the figure to update; an unknown id is an error, never a new row with that id."""
    article = ArticleFactory(slug="source")
    ActorFactory(slug="minusma")
    data = tablib.Dataset(
        headers=["id", "quantity", "value", "subject", "date_from", "date_to", "date_precision", "source", "excerpt"]
    )
    data.append(
        [
            "987654",
            "peacekeepers_killed",
            "1",
            "minusma",
            "2015-01-17",
            "2015-01-17",
            "day",
            article.slug,
            "killing a Chadian peacekeeper",
        ]
    )
    result = FigureResource().import_data(data, dry_run=False, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert "No figure has id 987654" in str(result.invalid_rows[0].error_dict)
    assert not Figure.objects.exists()
    data[0] = ("", *data[0][1:])
    result = FigureResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Figure.objects.get().pk != 987654


def _preview(client, url_name: str, dataset: tablib.Dataset):
    upload = SimpleUploadedFile("rows.csv", dataset.csv.encode())
    page = client.post(reverse(url_name), {"import_file": upload, "format": "0"})
    assert page.status_code == 200
    assert "confirm_form" in page.context, page.content.decode()
    return page.context["confirm_form"].initial


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_confirming_a_clean_import_says_it_succeeded(admin_client):
    """A confirmed import without errors saves every row and says so."""
    confirm = _preview(admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine", "mnla"))
    response = admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    assert response.status_code == 302
    assert _messages(response) == [("success", "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped actors.")]
    assert Actor.objects.count() == 2


@pytest.mark.django_db
def test_a_confirmed_import_that_became_invalid_saves_nothing_and_says_why(admin_client):
    """A row that turned invalid between preview and confirm refuses the whole import, with an error, not success."""
    confirm = _preview(
        admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine", "mnla", wikidata_ids=("Q1", "Q2"))
    )
    ActorFactory(slug="someone-else", wikidata_id="Q2")  # a curator took the Wikidata id meanwhile
    response = admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    messages = _messages(response)
    assert [level for level, _ in messages] == ["error"]
    assert "nothing was imported" in messages[0][1]
    assert "Row 2" in messages[0][1]
    assert "Wikidata id already exists" in messages[0][1]
    assert not Actor.objects.filter(slug__in=["ansar-dine", "mnla"]).exists()


@pytest.mark.django_db
def test_a_confirmed_import_that_fails_on_a_row_says_so(admin_client):
    """A row that errors at confirm (its place was deleted meanwhile) is reported as an error, not as success."""
    from events.tests.factories import PlaceFactory
    from minusma.tests.test_workbench import _incident_rows

    confirm = _preview(admin_client, "admin:events_incident_import", _incident_rows(("kidal-attack", "Suicide bomb")))
    PlaceFactory._meta.model.objects.filter(slug="kidal").delete()
    response = admin_client.post(reverse("admin:events_incident_process_import"), confirm)
    messages = _messages(response)
    assert [level for level, _ in messages] == ["error"]
    assert "nothing was imported" in messages[0][1]
    assert not Incident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_admin_refuses_an_import_while_another_of_the_same_model_runs(admin_client):
    """Previewing or confirming an import while another import of incidents runs gives the clear message."""
    from minusma.tests.test_workbench import _incident_rows

    confirm = _preview(admin_client, "admin:events_incident_import", _incident_rows(("kidal-attack", "Suicide bomb")))
    held, release = threading.Event(), threading.Event()

    def hold_the_incident_import_lock():
        with transaction.atomic():
            imports.lock_imports_of(Incident)
            held.set()
            assert release.wait(WAIT)

    results: dict = {}
    holder = _in_thread(hold_the_incident_import_lock, results, "holder")
    assert held.wait(WAIT)
    try:
        response = admin_client.post(reverse("admin:events_incident_process_import"), confirm)
        upload = SimpleUploadedFile("rows.csv", _incident_rows(("gao-attack", "Suicide bomb")).csv.encode())
        preview = admin_client.post(reverse("admin:events_incident_import"), {"import_file": upload, "format": "0"})
    finally:
        release.set()
        holder.join(WAIT)
    assert "Another import of incidents is running" in preview.content.decode()
    assert "confirm_form" not in preview.context
    assert _messages(response) == [
        ("error", "Another import of incidents is running; nothing was imported. Try again when it has finished.")
    ]
    assert not Incident.objects.exists()


@pytest.fixture
def import_tmp_dir(tmp_path, monkeypatch):
    """Uploads waiting between preview and confirm go under the system temp folder; point it at an empty one."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _files_in(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()]


def _age_files(directory, hours: int) -> None:
    import os

    for path in _files_in(directory):
        then = time.time() - hours * 3600
        os.utime(path, (then, then))


@pytest.mark.django_db
def test_a_confirmed_import_leaves_no_file_behind(admin_client, import_tmp_dir):
    """The upload kept between preview and confirm is deleted once the import is confirmed."""
    confirm = _preview(admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine"))
    assert len(_files_in(import_tmp_dir)) == 1
    admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    assert _files_in(import_tmp_dir) == []


@pytest.mark.django_db
def test_a_preview_with_bad_rows_leaves_no_file_behind(admin_client, import_tmp_dir):
    """A preview that offers no confirmation (bad rows) keeps nothing."""
    upload = SimpleUploadedFile("rows.csv", _actor_rows("ansar-dine", wikidata_ids=("not-an-id",)).csv.encode())
    page = admin_client.post(reverse("admin:actors_actor_import"), {"import_file": upload, "format": "0"})
    assert "confirm_form" not in page.context
    assert _files_in(import_tmp_dir) == []


@pytest.mark.django_db
def test_previews_never_confirmed_are_cleaned_up_once_expired(admin_client, import_tmp_dir):
    """An upload whose preview was abandoned is deleted by a later preview once it is older than a day."""
    _preview(admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine"))
    _age_files(import_tmp_dir, hours=2)
    _preview(admin_client, "admin:actors_actor_import", _actor_rows("mnla"))
    assert len(_files_in(import_tmp_dir)) == 2, "an abandoned preview of two hours ago may still be confirmed"
    _age_files(import_tmp_dir, hours=25)
    _preview(admin_client, "admin:actors_actor_import", _actor_rows("hcua"))
    assert len(_files_in(import_tmp_dir)) == 1


@pytest.mark.django_db
def test_confirming_twice_says_the_upload_is_gone_instead_of_crashing(admin_client, import_tmp_dir):
    """A second confirm of the same upload (a double click, or after expiry) is a clear message, not a 500."""
    confirm = _preview(admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine"))
    admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    response = admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    assert response.status_code == 302
    assert _messages(response)[-1] == (
        "error",
        "This import's uploaded file is no longer kept (it was imported already, or the preview is more than a "
        "day old); nothing was imported. Upload the file again.",
    )
    assert Actor.objects.count() == 1


@pytest.mark.django_db
def test_confirm_reads_only_its_own_uploads(admin_client, import_tmp_dir):
    """The file name in the confirm form cannot point at another file in the temp folder."""
    other = import_tmp_dir / "secrets.csv"
    other.write_text("slug,name,kind\nplanted,Planted,armed_group\n", encoding="utf-8")
    confirm = _preview(admin_client, "admin:actors_actor_import", _actor_rows("ansar-dine"))
    response = admin_client.post(
        reverse("admin:actors_actor_process_import"), {**confirm, "import_file_name": "secrets.csv"}
    )
    assert response.status_code == 302
    assert _messages(response)[-1][0] == "error"
    assert other.exists()
    assert not Actor.objects.exists()

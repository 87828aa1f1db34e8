"""The actor and contingent list pages: filters, facets, sorting, bad input and query counts."""

import datetime

import pytest
from django.urls import reverse

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory, ContingentSourceFactory
from actors.views import ActorListView, ContingentListView
from articles.tests.factories import QuoteFactory
from common.timelimit import queries_per_limit
from events.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

ACTORS = reverse("actors:actor_list")
CONTINGENTS = reverse("actors:contingent_list")


def _rows(response):
    return response.context["listing"]["page"]["rows"]


def _facet(response, param):
    return next(facet for facet in response.context["listing"]["facets"] if facet["param"] == param)


def test_actors_filter_by_kind_country_and_having_quotes(client):
    """Kind, country (any case) and has_quotes narrow the list together."""
    quoted = QuoteFactory(speaker=ActorFactory(kind="person", country="FR")).speaker
    ActorFactory(kind="person", country="FR")
    ActorFactory(kind="state", country="FR")
    response = client.get(ACTORS, {"kind": "person", "country": "fr", "has_quotes": "true"})
    assert [actor.pk for actor in _rows(response)] == [quoted.pk]
    assert len(_rows(client.get(ACTORS, {"kind": "person", "has_quotes": "false"}))) == 1


def test_actor_facets_label_countries_and_kinds_in_words(client):
    """The country facet shows names and links by ISO code; the kind facet shows labels."""
    ActorFactory.create_batch(2, country="TD", kind="armed_force")
    ActorFactory(country="FR", kind="person")
    countries = _facet(client.get(ACTORS), "country")
    assert [(o["label"], o["count"], o["url"]) for o in countries["options"]] == [
        ("Chad", 2, f"{ACTORS}?country=TD"),
        ("France", 1, f"{ACTORS}?country=FR"),
    ]
    kinds = _facet(client.get(ACTORS, {"country": "TD"}), "kind")
    assert [(o["label"], o["count"]) for o in kinds["options"]] == [("State armed force", 2)]


def test_actor_bad_boolean_and_bad_country_are_400s(client):
    """has_quotes=maybe and country=XX are errors on the page, not ignored."""
    response = client.get(ACTORS, {"has_quotes": "maybe", "country": "XX"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a boolean" in page and "nor its ISO 3166-1 alpha-2 code" in page


def test_actors_sort_by_country_descending(client):
    """?sort=-country puts later codes first."""
    ActorFactory(country="FR")
    ActorFactory(country="TD")
    assert [a.country.code for a in _rows(client.get(ACTORS, {"sort": "-country"}))] == ["TD", "FR"]


@pytest.mark.parametrize("copies", [1, 6])
def test_actor_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: count, the rows' ids, rows, aliases, and one GROUP BY per facet."""
    for _ in range(copies):
        ActorAliasFactory(actor=ActorFactory())
    with django_assert_num_queries(7 + len(ActorListView.facets) * queries_per_limit()):
        client.get(ACTORS)


def test_contingents_filter_by_country_type_unit_base_status_and_day(client):
    """Every contingent filter the researchers need applies, the base by slug and the unit by words."""
    kidal = PlaceFactory(slug="kidal")
    wanted = ContingentFactory(
        country="TD",
        unit_name="1st Chadian battalion",
        base=kidal,
        date_from=datetime.date(2014, 1, 1),
        date_to=datetime.date(2015, 12, 31),
        date_precision="year",
    )
    ContingentFactory(country="TD", unit_name="Helicopter unit", base=kidal, status="withdrawn")
    ContingentFactory(country="SN")
    params = {
        "country": "TD",
        "personnel_type": "Contingent Troop",
        "unit": "battalion",
        "base": "kidal",
        "status": "deployed",
        "active_on": "2015-06-01",
    }
    assert [c.pk for c in _rows(client.get(CONTINGENTS, params))] == [wanted.pk]


def test_contingent_facets_count_status_and_base(client):
    """Status and base facets count the filtered contingents."""
    gao = PlaceFactory(slug="gao", name="Gao")
    ContingentFactory.create_batch(2, base=gao)
    ContingentFactory(status="withdrawn")
    response = client.get(CONTINGENTS)
    assert [(o["label"], o["count"]) for o in _facet(response, "status")["options"]] == [
        ("Deployed", 2),
        ("Withdrawn", 1),
    ]
    assert [(o["label"], o["count"]) for o in _facet(response, "base")["options"]] == [("Gao", 2)]


def test_contingent_unknown_sort_is_a_400(client):
    """An unknown sort key is refused with the allowed keys."""
    response = client.get(CONTINGENTS, {"sort": "size"})
    assert response.status_code == 400
    assert "country, capability, unit_name, personnel_type, base, status, date_from, id" in response.content.decode()


@pytest.mark.parametrize("copies", [1, 6])
def test_contingent_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the rows' ids, then the rows with mission, contributor and base joined, sources
    prefetched, one query per facet."""
    for _ in range(copies):
        ContingentSourceFactory(contingent=ContingentFactory(base=PlaceFactory()))
    with django_assert_num_queries(9 + len(ContingentListView.facets) * queries_per_limit()):
        client.get(CONTINGENTS)


# By code BF, CN, DE, TD; by name Burkina Faso, Chad, China, Germany.
COUNTRIES_BY_NAME = ["BF", "TD", "CN", "DE"]
COUNTRIES_BY_CODE = ["BF", "CN", "DE", "TD"]


@pytest.fixture
def contingents_of_four_countries():
    return [ContingentFactory(country=code) for code in ("DE", "TD", "CN", "BF")]


def test_contingents_list_by_country_name_by_default(client, contingents_of_four_countries):
    """The list, its Country column and the country facet's ties order countries by the name shown, not the code."""
    response = client.get(CONTINGENTS)
    assert [row.country.code for row in _rows(response)] == COUNTRIES_BY_NAME
    assert [option["label"] for option in _facet(response, "country")["options"]] == [
        "Burkina Faso",
        "Chad",
        "China",
        "Germany",
    ]
    descending = client.get(CONTINGENTS, {"ordering": "-country_name"})
    assert [row.country.code for row in _rows(descending)] == COUNTRIES_BY_NAME[::-1]
    country_column = response.context["listing"]["columns"][0]
    assert country_column["label"] == "Country" and "ordering=-country_name" in country_column["sort_url"]


def test_the_api_orders_contingents_by_code_or_by_name(client, contingents_of_four_countries):
    """The API keeps `country` as the ISO code's order and offers `country_name`; its default is by name too."""
    api = reverse("api:contingent-list")

    def codes(params):
        return [row["country"] for row in client.get(api, params).json()["results"]]

    assert codes({"ordering": "country"}) == COUNTRIES_BY_CODE
    assert codes({"ordering": "country_name"}) == COUNTRIES_BY_NAME
    assert codes({}) == COUNTRIES_BY_NAME


def test_a_contingent_keeps_its_country_name_on_every_save(contingents_of_four_countries):
    contingent = contingents_of_four_countries[0]
    assert contingent.country_name == "Germany"
    contingent.country = "NE"
    contingent.save()
    contingent.refresh_from_db()
    assert contingent.country_name == "Niger"

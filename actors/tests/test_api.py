import datetime

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from actors.models import ActorKind, ActorRelation, Position
from actors.tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    ContingentFactory,
    ContingentSourceFactory,
    MissionFactory,
    StrengthObservationFactory,
)
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def make_contingents(count: int) -> None:
    """Contingents with a contributor, base, source and strength observation each."""
    for _ in range(count):
        contingent = ContingentFactory(contributor=ActorFactory(kind=ActorKind.STATE), base=PlaceFactory())
        ContingentSourceFactory(contingent=contingent)
        StrengthObservationFactory(contingent=contingent)


@pytest.mark.parametrize("count", [1, 15])
def test_actor_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: count, the page's ids, the page, aliases."""
    for _ in range(count):
        ActorAliasFactory(actor=ActorFactory())
    with django_assert_num_queries(6):
        response = api.get("/api/v1/actors/", {"page_size": 100})
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 15])
def test_actor_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: actor, aliases, relations either way, positions."""
    actor = ActorFactory(slug="habib")
    for _ in range(count):
        article = ArticleFactory()
        ActorRelation.objects.create(
            subject=actor, kind="member_of", object=ActorFactory(), source=article, excerpt="Kidal"
        )
        Position.objects.create(person=actor, title=f"head {article.pk}", source=article, excerpt="an analyst")
    with django_assert_num_queries(6):
        response = api.get("/api/v1/actors/habib/")
    assert len(response.json()["relations_as_subject"]) == count
    assert response.json()["positions"][0]["source"]["id"]


@pytest.mark.parametrize("count", [1, 15])
def test_contingent_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries, also when contributor, mission and base are embedded: ETag aggregate, history,
    count, the page's ids, the page (with contributor, mission and base), its sources, their articles."""
    make_contingents(count)
    with django_assert_num_queries(7):
        response = api.get("/api/v1/contingents/", {"page_size": 100})
    assert len(response.json()["results"]) == count
    assert response.json()["results"][0]["sources"][0]["excerpt"] == "killing a Chadian peacekeeper"
    with django_assert_num_queries(9):
        api.get("/api/v1/contingents/", {"page_size": 100, "expand": "contributor,mission,base"})


@pytest.mark.parametrize("count", [1, 15])
def test_contingent_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: contingent, sources, strength observations."""
    contingent = ContingentFactory(base=PlaceFactory())
    StrengthObservationFactory.create_batch(count, contingent=contingent)
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/contingents/{contingent.slug}/")
    assert len(response.json()["strength_observations"]) == count


@pytest.mark.parametrize("count", [1, 15])
def test_strength_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries, also with the contingent and source article embedded."""
    make_contingents(count)
    with django_assert_num_queries(5):
        response = api.get("/api/v1/strength-observations/", {"page_size": 100})
    assert len(response.json()["results"]) == count
    with django_assert_num_queries(7):
        api.get("/api/v1/strength-observations/", {"page_size": 100, "expand": "contingent,source"})


def test_strength_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries):
    """Guards against N+1 queries on a strength observation's detail; found by id only."""
    observation = StrengthObservationFactory()
    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/strength-observations/{observation.pk}/")
    assert response.json()["source"]["name"] == observation.source.title
    assert response.json()["excerpt"] == "a Chadian peacekeeper"


def test_actor_is_found_by_slug(api):
    """/api/v1/actors/minusma/ is MINUSMA."""
    mission = MissionFactory()
    assert api.get("/api/v1/actors/minusma/").json()["id"] == mission.pk


def test_actors_filter_by_kind_country_and_quotes(api):
    """Kind, country and having quotes narrow the actor list; bad values answer 400."""
    quoted = QuoteFactory().speaker
    french = ActorFactory(kind=ActorKind.STATE, country="FR")

    def slugs(**params):
        return [row["slug"] for row in api.get("/api/v1/actors/", params).json()["results"]]

    assert slugs(kind="state") == [french.slug]
    assert slugs(country="fr") == [french.slug]
    assert slugs(has_quotes="true") == [quoted.slug]
    assert slugs(has_quotes="false") == [french.slug]
    assert "true, false" in api.get("/api/v1/actors/", {"has_quotes": "maybe"}).json()["has_quotes"][0]
    assert slugs(country="France") == [french.slug]  # a country's name is taken too
    assert api.get("/api/v1/actors/", {"country": "Frankreich"}).status_code == 400


def test_actor_search_covers_aliases(api):
    """`search` finds an actor by an alias."""
    alias = ActorAliasFactory(name="JNIM")
    ActorFactory()
    assert [row["id"] for row in api.get("/api/v1/actors/", {"search": "jnim"}).json()["results"]] == [alias.actor_id]


def test_contingents_filter(api):
    """Country, capability, base, status and the day a contingent is active narrow the list."""
    base = PlaceFactory(slug="kidal")
    chad = ContingentFactory(
        base=base, date_from=datetime.date(2013, 7, 1), date_to=datetime.date(2016, 6, 30), date_precision="season"
    )
    senegal = ContingentFactory(country="SN", capability="helicopters", status="withdrawn")

    def slugs(**params):
        response = api.get("/api/v1/contingents/", params)
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["results"]]

    assert slugs(country="SN") == [senegal.slug]
    assert slugs(capability="helicopters") == [senegal.slug]
    assert slugs(status="withdrawn") == [senegal.slug]
    assert slugs(base="kidal") == [chad.slug]
    assert slugs(personnel_type="Contingent Troop", active_on="2020-01-01") == [senegal.slug]
    assert chad.slug in slugs(active_on="2015-01-01")


def test_strength_observations_filter(api):
    """Contingent, country and period narrow the strength observations."""
    wanted = StrengthObservationFactory(contingent__country="SN")
    StrengthObservationFactory(date_from="2019-01-01", date_to="2019-01-01")

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/strength-observations/", params).json()["results"]]

    assert ids(country="SN") == [wanted.pk]
    assert ids(contingent=wanted.contingent.slug) == [wanted.pk]
    assert ids(date_to="2016-01-01") == [wanted.pk]


def test_ordering_by_an_unoffered_field_is_refused(api):
    """Ordering names what it offers instead of silently ignoring a bad field."""
    response = api.get("/api/v1/actors/", {"ordering": "-description"})
    assert response.status_code == 400
    assert "name" in response.json()["ordering"][0]


def test_session_user_with_permission_creates_an_actor(api):
    """Session authentication serves the browsable API; the model permission is required."""
    user = User.objects.create_user("curator", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_actor"))
    api.force_login(user)
    response = api.post("/api/v1/actors/", {"name": "Barkhane", "slug": "barkhane", "kind": "military_operation"})
    assert response.status_code == 201, response.json()
    response = api.post("/api/v1/actors/", {"name": "X", "slug": "x", "kind": "person", "wikidata_id": "123"})
    assert response.status_code == 400
    assert "wikidata_id" in response.json()


def test_strength_observation_excerpt_must_be_verbatim(api):
    """Writes run the model's full_clean: an excerpt not in the source article is a 400 on `excerpt`."""
    user = User.objects.create_user("curator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_strengthobservation"))
    api.force_authenticate(user)
    contingent, article = ContingentFactory(), ArticleFactory()
    payload = {"contingent": contingent.slug, "personnel": 650, "source": article.pk, "excerpt": "650 troops"}
    response = api.post("/api/v1/strength-observations/", payload, format="json")
    assert response.status_code == 400
    assert "excerpt" in response.json()
    payload["excerpt"] = "a Chadian peacekeeper"
    response = api.post("/api/v1/strength-observations/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["excerpt_start"] == article.body.index("a Chadian peacekeeper")

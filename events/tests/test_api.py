import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actors.tests.factories import ActorFactory, ContingentFactory, MissionFactory
from articles.tests.factories import ArticleFactory
from events.models import IncidentActor
from events.tests.factories import (
    CasualtyFactory,
    FigureFactory,
    IncidentActorFactory,
    IncidentExternalDateFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceAliasFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def make_incidents(count: int) -> None:
    """Incidents each with a place in a region, two actors, a casualty, a source and a date from outside."""
    region = PlaceFactory(kind="region")
    for _ in range(count):
        incident = IncidentFactory(place=PlaceFactory(parent=region))
        IncidentExternalDateFactory(incident=incident)
        IncidentActorFactory(incident=incident)
        IncidentActorFactory(incident=incident, role=IncidentActor.Role.TARGET, actor=MissionFactory())
        CasualtyFactory(incident=incident, contingent=ContingentFactory())
        IncidentSourceFactory(incident=incident)


@pytest.mark.parametrize("count", [1, 15])
def test_incident_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: ETag aggregate and history (the test's transaction has not committed), count, the
    page's ids, the page (with its places), actor roles and their actors, casualties and their contingents and
    articles, sources and their articles: one query per kind of related record (common/api/chunked.py); with place
    and actors embedded, the serializers' prefetches."""
    make_incidents(count)
    with django_assert_num_queries(12):
        response = api.get("/api/v1/incidents/", {"page_size": 100})
    assert len(response.json()["results"]) == count
    with django_assert_num_queries(10):
        response = api.get("/api/v1/incidents/", {"page_size": 100, "expand": "place,actors"})
    first = response.json()["results"][0]
    assert first["place"]["parent"]["id"]
    assert {role["actor"]["kind"] for role in first["actors"]} == {"person", "un_mission"}


@pytest.mark.parametrize("page_size", [1, 5, 50])
def test_a_page_of_incidents_is_read_in_the_lists_order_without_sorting_the_table(api, page_size):
    """The default order (newest first, undated last, then title and id) is an index of its own: with the date's
    index alone SQLite's planner sorted the whole table for a page of fewer than ten rows (170 ms at 100k incidents
    for ?page_size=1). PostgreSQL's plan keeps to events_incident_date_desc at any page size."""
    make_incidents(3)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/incidents/", {"page_size": page_size}).status_code == 200
    (page,) = [sql for query in queries.captured_queries if " LIMIT " in (sql := query["sql"]) and "ORDER BY" in sql]
    assert f"LIMIT {min(page_size + 1, 51)}" in page
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {page}")
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "events_incident_list_order" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("count", [1, 15])
def test_incident_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries on an incident's detail, however many actors and sources it has."""
    incident = IncidentFactory(slug="kidal-attack")
    for _ in range(count):
        IncidentActorFactory(incident=incident)
        IncidentSourceFactory(incident=incident)
    with django_assert_num_queries(5):
        response = api.get("/api/v1/incidents/kidal-attack/")
    assert len(response.json()["actors"]) == count


@pytest.mark.parametrize("count", [1, 15])
def test_place_list_and_detail_run_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries on places (aliases, parent, children)."""
    region = PlaceFactory(slug="kidal-region", kind="region")
    for _ in range(count):
        PlaceAliasFactory(place=PlaceFactory(parent=region))
    with django_assert_num_queries(6):
        response = api.get("/api/v1/places/", {"page_size": 100})
    assert len(response.json()["results"]) == count + 1
    with django_assert_num_queries(7):
        api.get("/api/v1/places/", {"page_size": 100, "expand": "parent"})
    with django_assert_num_queries(4):
        response = api.get("/api/v1/places/kidal-region/")
    assert len(response.json()["children"]) == count


@pytest.mark.parametrize("count", [1, 15])
def test_figure_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries on figures, with subject and source embedded or not."""
    FigureFactory.create_batch(count)
    with django_assert_num_queries(5):
        response = api.get("/api/v1/figures/", {"page_size": 100})
    assert len(response.json()["results"]) == count
    with django_assert_num_queries(7):
        api.get("/api/v1/figures/", {"page_size": 100, "expand": "subject,source"})


def test_figure_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries):
    """Guards against N+1 queries on a figure's detail; it carries its source and excerpt."""
    figure = FigureFactory()
    with django_assert_num_queries(2):
        data = api.get(f"/api/v1/figures/{figure.pk}/").json()
    assert data["value"] == 1
    assert data["source"]["id"] == figure.source_id
    assert data["excerpt"] == "killing a Chadian peacekeeper"


def test_incident_carries_actors_casualties_and_sources(api):
    """An incident lists its actors with roles, its casualties by source and the number killed."""
    incident = IncidentFactory()
    role = IncidentActorFactory(incident=incident)
    CasualtyFactory(incident=incident, best=2)
    CasualtyFactory(incident=incident, best=3)
    source = IncidentSourceFactory(incident=incident)
    data = api.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert data["actors"] == [
        {"actor": {**data["actors"][0]["actor"], "id": role.actor_id}, "role": "perpetrator", "confidence": "reported"}
    ]
    assert data["killed"] == 3  # the largest one source reports, not their sum
    assert data["sources"][0]["source"]["name"] == source.source.title
    assert data["acled_time_precision"] == 1


def test_incidents_filter_by_period_with_overlap(api):
    """A month-precise incident is in any period that overlaps its month."""
    january = IncidentFactory(
        date_from=datetime.date(2015, 1, 1), date_to=datetime.date(2015, 1, 31), date_precision="month"
    )
    IncidentFactory(date_from=datetime.date(2016, 3, 2), date_to=datetime.date(2016, 3, 2))

    def slugs(**params):
        return [row["slug"] for row in api.get("/api/v1/incidents/", params).json()["results"]]

    assert slugs(date_from="2015-01-20", date_to="2015-01-20") == [january.slug]
    assert slugs(date_to="2015-01-05") == [january.slug]


def test_incidents_filter_by_place_region_actor_and_victims(api):
    """Place takes the places inside it; actor and role match one participation; victims and killed."""
    region = PlaceFactory(slug="kidal-region", kind="region")
    in_town = IncidentFactory(place=PlaceFactory(parent=region))
    elsewhere = IncidentFactory(in_mali=False)
    armed_group = ActorFactory(slug="jnim", kind="armed_group")
    IncidentActorFactory(incident=in_town, actor=armed_group, role="perpetrator")
    IncidentActorFactory(incident=elsewhere, actor=armed_group, role="claimant")
    contingent = ContingentFactory(slug="chad-kidal")
    CasualtyFactory(incident=in_town, best=10, contingent=contingent)
    CasualtyFactory(incident=elsewhere, best=2, nationality="GN")

    def slugs(**params):
        response = api.get("/api/v1/incidents/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["slug"] for row in response.json()["results"])

    assert slugs(place="kidal-region") == [in_town.slug]
    assert slugs(actor="jnim") == sorted([in_town.slug, elsewhere.slug])
    assert slugs(actor="jnim", role="claimant") == [elsewhere.slug]
    assert slugs(role="perpetrator") == [in_town.slug]
    assert slugs(victim_nationality="gn") == [elsewhere.slug]
    assert slugs(victim_contingent="chad-kidal") == [in_town.slug]
    assert slugs(min_killed=5) == [in_town.slug]
    assert slugs(in_mali="false") == [elsewhere.slug]
    assert slugs(acled_event_type="Explosions/Remote violence", incident_type="attack_on_base") == sorted(
        [in_town.slug, elsewhere.slug]
    )


def test_incident_bad_filters_are_refused(api):
    """Bad filter values answer 400 naming the parameter; never everything, never a 500."""
    for params in (
        {"min_killed": "many"},
        {"role": "boss"},
        {"in_mali": "perhaps"},
        {"acled_event_type": "Battle"},
        {"place": "atlantis"},
        {"date_from": "2015-13-01"},
        {"pagination": "infinite"},
        {"pagination": "cursor", "ordering": "title"},
    ):
        response = api.get("/api/v1/incidents/", params)
        assert response.status_code == 400, params
        assert set(response.json()) & set(params), params
    assert "Battles" in api.get("/api/v1/incidents/", {"acled_event_type": "Battle"}).json()["acled_event_type"][0]


def test_places_filter_and_search(api):
    """Places narrow by kind, parent and `within`; search covers aliases."""
    region = PlaceFactory(slug="gao-region", kind="region")
    town = PlaceFactory(slug="gao", parent=region)
    base = PlaceFactory(slug="camp", parent=town, kind="military_base")
    PlaceAliasFactory(place=town, name="Gawgaw")

    def slugs(**params):
        return sorted(row["slug"] for row in api.get("/api/v1/places/", params).json()["results"])

    assert slugs(kind="military_base") == [base.slug]
    assert slugs(parent="gao-region") == [town.slug]
    assert slugs(within="gao-region") == sorted([region.slug, town.slug, base.slug])
    assert slugs(search="gawgaw") == [town.slug]


def test_figures_filter(api):
    """Figures narrow by quantity, subject and period."""
    killed = FigureFactory()
    FigureFactory(quantity="troops_deployed", subject=ActorFactory(slug="chad"), value=1400)

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/figures/", params).json()["results"]]

    assert ids(quantity="peacekeepers_killed") == [killed.pk]
    assert ids(subject="minusma") == [killed.pk]
    assert ids(date_from="2016-01-01") == []


def test_figure_write_runs_model_validation(api):
    """A figure whose excerpt is not in its article is refused with a field message."""
    user = User.objects.create_user("curator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_figure"))
    api.force_authenticate(user)
    payload = {
        "quantity": "peacekeepers_killed",
        "value": 1,
        "subject": MissionFactory().slug,
        "source": ArticleFactory().pk,
        "excerpt": "killing two peacekeepers",
    }
    response = api.post("/api/v1/figures/", payload, format="json")
    assert response.status_code == 400
    assert "excerpt" in response.json()
    response = api.post("/api/v1/figures/", {**payload, "date_precision": "day"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "date_precision" in response.json()


def test_incident_update_and_delete_need_permissions(api):
    """Changing needs change_incident and deleting delete_incident; the place must still be valid."""
    incident = IncidentFactory()
    user = User.objects.create_user("curator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_incident"))
    api.force_authenticate(user)
    response = api.patch(f"/api/v1/incidents/{incident.slug}/", {"place": None}, format="json")
    assert response.status_code == 400  # a place, or location precision “unknown”
    response = api.patch(
        f"/api/v1/incidents/{incident.slug}/", {"place": None, "location_precision": "unknown"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["place"] is None
    assert api.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 403


def test_incident_says_where_its_date_comes_from(api):
    """date_source is article or external; external_date gives the outside source and the reasoning, else null."""
    dated_here = IncidentFactory()
    citation = IncidentExternalDateFactory()
    record = api.get(f"/api/v1/incidents/{citation.incident.slug}/").json()
    assert record["date_source"] == "external"
    assert record["external_date"] == {
        "source": {
            "slug": citation.source.slug,
            "title": citation.source.title,
            "publisher": "Human Rights Watch",
            "published": "2022-04-05",
            "url": citation.source.url,
            "note": "",
        },
        "reasoning": citation.reasoning,
    }
    record = api.get(f"/api/v1/incidents/{dated_here.slug}/").json()
    assert record["date_source"] == "article" and record["external_date"] is None


def test_incidents_filter_by_date_source_as_the_web_list_does(api):
    """The API takes the web list's date_source filter (one FilterSet), and refuses an unknown value with a 400."""
    dated_here = IncidentFactory()
    dated_outside = IncidentExternalDateFactory().incident
    slugs = lambda query: [row["slug"] for row in api.get("/api/v1/incidents/", query).json()["results"]]  # noqa: E731
    assert slugs({"date_source": "article"}) == [dated_here.slug]
    assert slugs({"date_source": "external"}) == [dated_outside.slug]
    refused = api.get("/api/v1/incidents/", {"date_source": "both"})
    assert refused.status_code == 400 and "date_source" in refused.json()


def test_incident_csv_flattens_the_outside_source_of_the_date(api):
    """CSV: flat columns for the outside source, empty cells when the articles give the date."""
    IncidentFactory(slug="dated-here")
    citation = IncidentExternalDateFactory(incident=IncidentFactory(slug="dated-outside"))
    response = api.get("/api/v1/incidents/", {"format": "csv"})
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert rows["dated-outside"]["date_source"] == "external"
    assert rows["dated-outside"]["external_date_source_url"] == citation.source.url
    assert rows["dated-outside"]["external_date_reasoning"] == citation.reasoning
    assert rows["dated-here"]["date_source"] == "article" and rows["dated-here"]["external_date_source_url"] == ""

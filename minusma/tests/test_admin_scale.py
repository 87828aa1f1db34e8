"""The admin's changelists at research scale: no full counts, no per-row date functions, search through the indexes,
and a fixed number of queries whatever the table's size."""

import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from common import admin as common_admin
from common.admin import EstimatedCountPaginator
from common.timelimit import TimeLimitExceeded
from events.tests.factories import CasualtyFactory, IncidentActorFactory, IncidentFactory, IncidentSourceFactory

pytestmark = pytest.mark.django_db

BIG_MODELS = [
    "events/incident",
    "events/incidentactor",
    "events/casualty",
    "events/incidentsource",
    "articles/quote",
    "articles/article",
    "actors/actor",
]


def changelist(model: str) -> str:
    app, name = model.split("/")
    return reverse(f"admin:{app}_{name}_changelist")


def make_records(count: int) -> None:
    for _ in range(count):
        incident = IncidentFactory()
        IncidentActorFactory(incident=incident)
        CasualtyFactory(incident=incident)
        IncidentSourceFactory(incident=incident)
        QuoteFactory()


@pytest.mark.parametrize("model", BIG_MODELS)
@pytest.mark.parametrize("query", ["", "?q=Kidal"], ids=["list", "search"])
def test_big_changelists_run_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, model, query):
    """Guards against N+1 queries: a big model's changelist, plain or searched, runs as many queries for 12 rows of
    each kind as for 1."""
    make_records(1)
    with django_assert_max_num_queries(12) as one:
        assert admin_client.get(changelist(model) + query).status_code == 200
    make_records(11)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert admin_client.get(changelist(model) + query).status_code == 200


@pytest.mark.parametrize("model", BIG_MODELS)
def test_big_changelists_never_truncate_a_date_per_row(admin_client, django_assert_max_num_queries, model):
    """No date hierarchy on the big lists: it truncates the date of every row (on SQLite in Python) to list years."""
    make_records(2)
    with django_assert_max_num_queries(12) as queries:
        admin_client.get(changelist(model))
    sql = " ".join(query["sql"].lower() for query in queries.captured_queries)
    assert "date_trunc" not in sql
    assert "count(distinct" not in sql


def test_a_large_table_is_not_counted_but_estimated(admin_client, monkeypatch):
    """Past EXACT_UP_TO rows an unfiltered list shows the database's estimate, labelled “about”, not a COUNT."""
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 2)
    IncidentFactory.create_batch(3)
    if connection.vendor == "postgresql":  # the estimate is the planner's statistics, which ANALYZE makes
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_incident")
    response = admin_client.get(changelist("events/incident"))
    assert response.context["cl"].paginator.count_qualifier == "about"
    assert "about" in response.content.decode()


def test_a_small_table_is_counted_exactly(admin_client):
    """Under EXACT_UP_TO rows the count is exact and says so by saying nothing more."""
    IncidentFactory.create_batch(3)
    response = admin_client.get(changelist("events/incident"))
    assert response.context["cl"].result_count == 3
    assert response.context["cl"].paginator.count_qualifier == ""


def test_a_large_selection_is_counted_up_to_a_cap(admin_client, monkeypatch):
    """A filtered list counts at most CAPPED_AT rows and then says “more than”."""
    monkeypatch.setattr(EstimatedCountPaginator, "CAPPED_AT", 2)
    IncidentFactory.create_batch(3, incident_type="ied")
    response = admin_client.get(changelist("events/incident"), {"incident_type__exact": "ied"})
    assert response.context["cl"].result_count == 2
    assert "more than 2" in response.content.decode()


def test_incidents_are_listed_by_year_from_an_index(admin_client):
    """The year filter lists the years there are and keeps the incidents dated in the one chosen."""
    IncidentFactory(title="In 2015")
    IncidentFactory(title="In 2017", date_from="2017-03-01", date_to="2017-03-01")
    response = admin_client.get(changelist("events/incident"), {"year": "2017"})
    assert [incident.title for incident in response.context["cl"].result_list] == ["In 2017"]
    assert "?year=2016" in response.content.decode()  # every year from the first to the last


@pytest.mark.parametrize("year", ["abc", "²", "0", "-1"])
def test_a_year_that_is_not_one_is_refused_without_an_error(admin_client, year):
    """A year that is not ASCII digits in range sends the curator back with the admin's “?e=1”, never a 500."""
    IncidentFactory()
    response = admin_client.get(changelist("events/incident"), {"year": year})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_incident_search_finds_words_of_the_title_through_the_engine(admin_client):
    """Searching incidents finds them by a word of their title (the full-text index), not others."""
    IncidentFactory(title="Ambush near Tessalit")
    IncidentFactory(title="Rocket fire on Gao")
    response = admin_client.get(changelist("events/incident"), {"q": "tessalit"})
    assert [incident.title for incident in response.context["cl"].result_list] == ["Ambush near Tessalit"]


def test_incident_search_finds_a_slug(admin_client):
    """A slug typed whole finds its incident."""
    IncidentFactory(slug="ambush-2015-01-17", title="Ambush")
    response = admin_client.get(changelist("events/incident"), {"q": "ambush-2015-01-17"})
    assert response.context["cl"].result_count == 1


def test_incident_actors_are_found_by_their_actor_alias_or_their_incident(admin_client):
    """An incident actor row is found by its actor's alias and by its incident's title."""
    actor = ActorFactory(name="Mouvement national de libération de l'Azawad")
    ActorAliasFactory(actor=actor, name="MNLA")
    IncidentActorFactory(actor=actor, incident=IncidentFactory(title="Clash at Anefis"))
    IncidentActorFactory(incident=IncidentFactory(title="Rocket fire on Gao"))
    by_alias = admin_client.get(changelist("events/incidentactor"), {"q": "MNLA"})
    assert [row.actor for row in by_alias.context["cl"].result_list] == [actor]
    by_incident = admin_client.get(changelist("events/incidentactor"), {"q": "Anefis"})
    assert [row.actor for row in by_incident.context["cl"].result_list] == [actor]


def test_casualties_and_sources_are_found_by_their_excerpt(admin_client):
    """Casualty and incident-source rows are found by words of their excerpt, as before."""
    CasualtyFactory(excerpt="killing a Chadian peacekeeper")
    CasualtyFactory(incident=IncidentFactory(), excerpt="killing a Chadian peacekeeper", category="civilians")
    IncidentSourceFactory(excerpt="occurred at the mission’s base in Kidal")
    casualties = admin_client.get(changelist("events/casualty"), {"q": "Chadian"})
    assert casualties.context["cl"].result_count == 2
    sources = admin_client.get(changelist("events/incidentsource"), {"q": "base in Kidal"})
    assert sources.context["cl"].result_count == 1


def test_a_search_page_walks_the_lists_order_without_collecting_every_match(admin_client):
    """The search is one condition on the rows (the engine's own, EXISTS for a related record's), not an IN list of
    every id it finds: a page of a broad search stops at the page, as a plain page does."""
    IncidentActorFactory(incident=IncidentFactory(title="Clash at Anefis"))
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(changelist("events/incidentactor"), {"q": "Anefis"})
    page = next(query["sql"] for query in queries.captured_queries if "LIMIT 100" in query["sql"])
    assert "EXISTS(SELECT" in page and "UNION" not in page.split(" WHERE ", 1)[1].split("EXISTS", 1)[0]


def test_articles_and_quotes_are_searched_by_the_engine(admin_client):
    """Articles are found by a word of their title, quotes by a word they say."""
    ArticleFactory(title="Why Mali Is the Deadliest Nation for UN Peacekeepers")
    QuoteFactory()
    articles = admin_client.get(changelist("articles/article"), {"q": "deadliest"})
    assert articles.context["cl"].result_count == 1
    assert admin_client.get(changelist("articles/article"), {"q": "nothing-like-this"}).context["cl"].result_count == 0
    quotes = admin_client.get(changelist("articles/quote"), {"q": "forefront"})
    assert quotes.context["cl"].result_count == 1


def test_autocomplete_still_matches_what_is_typed_so_far(admin_client):
    """The autocomplete widgets keep the admin's own matching, which finds a title from its first letters."""
    IncidentFactory(title="Ambush near Tessalit")
    url = reverse("admin:autocomplete")
    params = {"term": "Tessa", "app_label": "events", "model_name": "incidentactor", "field_name": "incident"}
    response = admin_client.get(url, params)
    assert [result["text"] for result in response.json()["results"]] == ["Ambush near Tessalit"]


@pytest.mark.postgresql_only("the planner's estimate is PostgreSQL's EXPLAIN")
def test_a_selection_too_slow_to_count_takes_the_planners_estimate(admin_client, monkeypatch):
    """On PostgreSQL, a capped count that runs past its budget gives way to the planner's estimate, “about N”."""

    @contextlib.contextmanager
    def out_of_time(milliseconds, using="default"):
        raise TimeLimitExceeded
        yield

    monkeypatch.setattr(common_admin, "time_limited", out_of_time)
    IncidentFactory.create_batch(3, incident_type="ied")
    response = admin_client.get(changelist("events/incident"), {"incident_type__exact": "ied"})
    assert response.status_code == 200
    assert response.context["cl"].paginator.count_qualifier == "about"
    assert response.context["cl"].result_count >= 1

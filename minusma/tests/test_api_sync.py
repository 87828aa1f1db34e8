"""What lets clients keep a copy in step: modified_after, the feed of deletions, ETag and Last-Modified with 304s,
links to the website, CORS for reads, and date ranges that make sense."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory, StrengthObservationFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import FigureFactory, IncidentFactory, PlaceFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["articles", "quotes", "actors", "contingents", "strength-observations", "incidents", "places", "figures"]
DATED = ["articles", "quotes", "strength-observations", "incidents", "figures"]


@pytest.fixture
def api():
    return APIClient()


def backdate(record, days: int) -> None:
    """Set `modified` in the past without a save (auto_now would reset it)."""
    type(record).objects.filter(pk=record.pk).update(modified=timezone.now() - datetime.timedelta(days=days))


# modified_after


def test_modified_after_gives_only_records_changed_since(api):
    """A sync client asks for what changed after the latest `modified` it has."""
    old, recent = ActorFactory(slug="old"), ActorFactory(slug="recent")
    backdate(old, 10)
    moment = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    slugs = [row["slug"] for row in api.get("/api/v1/actors/", {"modified_after": moment}).json()["results"]]
    assert slugs == [recent.slug]
    assert api.get("/api/v1/actors/", {"modified_after": "2000-01-01"}).json()["count"] == 2
    assert api.get("/api/v1/actors/", {"modified_after": "2000-01-01T00:00:00+02:00"}).json()["count"] == 2


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "bad",
    [
        "yesterday",
        "2023-02-30T00:00:00Z",
        "2023-06-01T25:00Z",
        "0001-01-01T00:00:00+23:00",
        "2023-06-01T12:00:00",  # no offset: not RFC 3339
        "2023-06-01 12:00:00Z",
    ],
)
def test_every_list_refuses_a_bad_modified_after(api, endpoint, bad):
    """A date-time that cannot be read is a 400 that says what to give, on every list."""
    response = api.get(f"/api/v1/{endpoint}/", {"modified_after": bad})
    assert response.status_code == 400
    assert "RFC 3339" in response.json()["modified_after"][0]


# deletions


def test_deleted_feed_lists_deletions_with_id_slug_type_and_time(api):
    """Deleted records come from the audit history, oldest first, with what a client needs to drop its copy."""
    actor, quote = ActorFactory(slug="gone"), QuoteFactory()
    ActorFactory(slug="kept")
    actor_id, quote_id = actor.pk, quote.pk
    actor.delete()
    quote.delete()
    results = api.get("/api/v1/deleted/").json()["results"]
    assert [(row["type"], row["id"], row["slug"]) for row in results] == [
        ("actor", actor_id, "gone"),
        ("quote", quote_id, None),
    ]
    assert datetime.datetime.fromisoformat(results[0]["deleted_at"]) <= timezone.now()


def test_deleted_feed_filters_by_time_and_type(api):
    """`since` and `type` narrow the feed."""
    ActorFactory().delete()
    PlaceFactory(slug="nowhere").delete()
    moment = timezone.now()
    IncidentFactory(slug="later").delete()
    later = api.get("/api/v1/deleted/", {"since": moment.isoformat()}).json()["results"]
    assert [row["slug"] for row in later] == ["later"]
    places = api.get("/api/v1/deleted/", {"type": "place,figure"}).json()["results"]
    assert [row["slug"] for row in places] == ["nowhere"]


def test_deleted_feed_refuses_bad_input(api):
    """A bad date-time, kind or parameter is a 400."""
    assert "since" in api.get("/api/v1/deleted/", {"since": "last week"}).json()
    assert "type" in api.get("/api/v1/deleted/", {"type": "outlet"}).json()
    assert api.get("/api/v1/deleted/", {"sice": "2020-01-01"}).status_code == 400


@pytest.mark.parametrize("count", [1, 10])
def test_deleted_feed_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: a count and a page over the union of every kind's history."""
    for _ in range(count):
        ActorFactory().delete()
        FigureFactory().delete()
        StrengthObservationFactory().delete()
    with django_assert_num_queries(2):
        response = api.get("/api/v1/deleted/", {"page_size": 100})
    assert response.json()["count"] == 3 * count


# ETag and Last-Modified


def test_list_and_detail_answer_304_to_a_current_etag_or_date(api):
    """If-None-Match and If-Modified-Since with the validators of the last answer give 304, with no body."""
    ActorFactory(slug="habib")
    for url in ("/api/v1/actors/", "/api/v1/actors/habib/"):
        first = api.get(url)
        etag, last_modified = first["ETag"], first["Last-Modified"]
        assert etag.startswith('"') and last_modified
        by_etag = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert by_etag.status_code == 304 and by_etag.content == b""
        assert by_etag["ETag"] == etag
        assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
        earlier = http_date((timezone.now() - datetime.timedelta(days=1)).timestamp())
        assert api.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_etag_changes_with_the_record_its_relations_the_filter_and_the_format(api):
    """A changed record, a renamed alias, a deletion, another query or another format each give another ETag."""
    actor = ActorFactory(slug="habib")
    alias = ActorAliasFactory(actor=actor)

    def etag(url="/api/v1/actors/", **params):
        return api.get(url, params)["ETag"]

    seen = {etag(), etag("/api/v1/actors/habib/")}
    actor.name = "Habib Ould Mahmoud"
    actor.save()
    assert api.get("/api/v1/actors/", HTTP_IF_NONE_MATCH=next(iter(seen))).status_code == 200
    after_edit = {etag(), etag("/api/v1/actors/habib/")}
    assert not after_edit & seen
    alias.name = "Habib Mahmoud"
    alias.save()
    after_alias = etag()
    assert after_alias not in after_edit | seen
    ActorFactory().delete()
    assert etag() != after_alias
    assert len({etag(), etag(kind="person"), etag(format="csv"), etag(format="jsonl")}) == 4


@pytest.mark.parametrize("count", [1, 15])
def test_a_304_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: a current client costs the aggregate and the history lookup, nothing per row."""
    for _ in range(count):
        ActorAliasFactory()
    etag = api.get("/api/v1/actors/")["ETag"]
    with django_assert_num_queries(2):
        assert api.get("/api/v1/actors/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_writes_carry_no_validators(api):
    """ETag and Last-Modified describe reads; an error or a refused write has none."""
    response = api.post("/api/v1/actors/", {"name": "X"}, format="json")
    assert response.status_code == 401
    assert "ETag" not in response


# links to the website


def test_records_link_their_web_page(api):
    """`web_url` is the absolute address of the record's page; a quote's is its article's, at the quote."""
    quote = QuoteFactory()
    contingent = ContingentFactory()
    figure = FigureFactory()
    expectations = {
        f"/api/v1/quotes/{quote.pk}/": f"{quote.article.get_absolute_url()}#quote-{quote.pk}",
        f"/api/v1/articles/{quote.article.slug}/": quote.article.get_absolute_url(),
        f"/api/v1/contingents/{contingent.slug}/": contingent.get_absolute_url(),
        f"/api/v1/actors/{contingent.mission.slug}/": contingent.mission.get_absolute_url(),
        f"/api/v1/figures/{figure.pk}/": figure.get_absolute_url(),
    }
    for url, path in expectations.items():
        assert api.get(url).json()["web_url"] == f"http://testserver{path}"
    incident = IncidentFactory()
    incident_data = api.get("/api/v1/incidents/").json()["results"][0]
    assert incident_data["web_url"] == f"http://testserver{incident.get_absolute_url()}"
    place_data = api.get(f"/api/v1/places/{incident.place.slug}/").json()
    assert place_data["web_url"] == f"http://testserver{incident.place.get_absolute_url()}"
    assert api.get(incident_data["web_url"]).status_code == 200


# CORS


def test_other_sites_may_read_but_not_write(api):
    """GET and its preflight are allowed from any origin, without credentials; a write's answer is not shared."""
    ActorFactory()
    origin = {"HTTP_ORIGIN": "https://research.example.org"}
    read = api.get("/api/v1/actors/", **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in read["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in read
    preflight = api.options("/api/v1/actors/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origin)
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    write = api.post("/api/v1/actors/", {"name": "X"}, format="json", **origin)
    assert "Access-Control-Allow-Origin" not in write
    assert "Access-Control-Allow-Origin" not in api.get("/", **origin)


# date ranges


@pytest.mark.parametrize("endpoint", DATED)
def test_a_date_range_ending_before_it_starts_is_refused(api, endpoint):
    """date_from after date_to is a 400 that says so, not an empty list."""
    ArticleFactory()
    response = api.get(f"/api/v1/{endpoint}/", {"date_from": "2016-01-01", "date_to": "2015-01-01"})
    assert response.status_code == 400
    assert "before date_from" in response.json()["date_to"][0]
    assert api.get(f"/api/v1/{endpoint}/", {"date_from": "2015-01-01", "date_to": "2015-01-01"}).status_code == 200


def test_null_characters_are_refused_before_they_reach_the_database(api):
    """PostgreSQL text cannot hold NUL: a parameter or a slug with one is a 400 (schemathesis found these as
    500s)."""
    assert api.get("/api/v1/articles/", {"actor": "mi\x00nusma"}).status_code == 400
    assert api.get("/api/v1/search/", {"q": "ki\x00dal"}).status_code == 400
    assert api.get("/api/v1/deleted/", {"type": "\x00"}).status_code == 400
    assert api.get("/api/v1/actors/mi%00nusma/").status_code == 400

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import ActorKind
from actors.tests.factories import ActorFactory, ContingentSourceFactory
from articles.models import Quote
from articles.tests.factories import BODY, ArticleFactory, OutletFactory, QuoteFactory
from events.tests.factories import IncidentSourceFactory, PlaceFactory

pytestmark = pytest.mark.django_db

# Distinct words of the factory body, so several quotes of one article sit at different offsets.
WORDS = list(dict.fromkeys(BODY.split()))


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api():
    """A client authenticated by token as a curator (staff) who may add and change quotes."""
    user = User.objects.create_user("editor", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_quote", "change_quote", "add_article"]))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def make_articles(count: int) -> list:
    """Articles each with two authors and a quote, so any per-row query would show in the count."""
    articles = []
    for _ in range(count):
        article = ArticleFactory()
        article.authors.set([ActorFactory(), ActorFactory()])
        QuoteFactory(article=article)
        articles.append(article)
    return articles


@pytest.mark.parametrize("count", [1, 15])
def test_article_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: count, the page's ids, the page, authors; expanding authors adds their aliases."""
    make_articles(count)
    with django_assert_num_queries(6):
        response = api.get("/api/v1/articles/", {"page_size": 100})
    assert len(response.json()["results"]) == count
    with django_assert_num_queries(7):
        api.get("/api/v1/articles/", {"page_size": 100, "expand": "authors"})


@pytest.mark.parametrize("count", [1, 15])
def test_article_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries: the article, its authors, its quotes with their speakers."""
    article = ArticleFactory()
    for word in WORDS[:count]:
        QuoteFactory(article=article, speaker=ActorFactory(), text=word)
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    assert len(response.json()["quotes"]) == count


@pytest.mark.parametrize("count", [1, 15])
def test_quote_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    """Guards against N+1 queries, with and without embedding speaker and article."""
    make_articles(count)
    with django_assert_num_queries(5):
        api.get("/api/v1/quotes/", {"page_size": 100})
    with django_assert_num_queries(7):
        response = api.get("/api/v1/quotes/", {"page_size": 100, "expand": "speaker,article"})
    assert len(response.json()["results"]) == count


def test_quote_detail_runs_a_fixed_number_of_queries(api, django_assert_num_queries):
    """Guards against N+1 queries on a quote's detail with everything embedded."""
    quote = QuoteFactory()
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/quotes/{quote.pk}/", {"expand": "speaker,article"})
    assert response.json()["speaker"]["aliases"] == []


def test_article_is_found_by_id_and_by_slug(api):
    """The detail route takes the numeric id or the slug."""
    article = ArticleFactory(slug="deadliest-mission")
    by_id = api.get(f"/api/v1/articles/{article.pk}/").json()
    by_slug = api.get("/api/v1/articles/deadliest-mission/").json()
    assert by_id == by_slug
    assert by_id["url"].endswith(f"/api/v1/articles/{article.pk}/")
    assert api.get("/api/v1/articles/no-such-article/").status_code == 404


def test_quote_carries_its_source_and_links(api):
    """A quote names its article (id, title, link) and its speaker, and sits at its offsets."""
    quote = QuoteFactory()
    data = api.get(f"/api/v1/quotes/{quote.pk}/").json()
    assert data["article"]["id"] == quote.article.pk
    assert data["article"]["name"] == quote.article.title
    assert data["article"]["url"].endswith(f"/api/v1/articles/{quote.article.pk}/")
    assert data["speaker"]["slug"] == quote.speaker.slug
    assert quote.article.body[data["text_start"] : data["text_end"]] == data["text"]


def test_fields_picks_fields_and_expand_embeds_records(api):
    """`fields` trims the record; `expand` swaps a reference for the whole related record."""
    quote = QuoteFactory()
    data = api.get("/api/v1/quotes/", {"fields": "id,speaker", "expand": "speaker"}).json()["results"][0]
    assert set(data) == {"id", "speaker"}
    assert data["speaker"]["kind"] == quote.speaker.kind
    assert api.get("/api/v1/quotes/", {"fields": "id,colour"}).status_code == 400
    response = api.get("/api/v1/quotes/", {"expand": "outlet"})
    assert response.status_code == 400
    assert "article" in response.json()["expand"][0]


def test_articles_filter_by_outlet_author_and_period(api):
    """Outlet, author (id or slug) and publication period narrow the article list."""
    outlet = OutletFactory(slug="irin")
    author = ActorFactory(slug="reporter")
    wanted = ArticleFactory(outlet=outlet)
    wanted.authors.add(author)
    ArticleFactory(date_from="2019-05-01", date_to="2019-05-01", date_precision="day")

    def slugs(**params):
        response = api.get("/api/v1/articles/", params)
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["results"]]

    assert slugs(outlet="irin") == [wanted.slug]
    assert slugs(author="reporter") == [wanted.slug]
    assert slugs(author=author.pk) == [wanted.slug]
    assert slugs(date_from="2019-01-01") != [wanted.slug]
    assert slugs(date_to="2015-12-31") == [wanted.slug]


def test_articles_filter_by_actor_and_place_mentioned(api):
    """An article mentions an actor it quotes, and a place where an incident it sources happened."""
    quote = QuoteFactory()
    ArticleFactory()
    region = PlaceFactory(kind="region")
    incident_source = IncidentSourceFactory(incident__place=PlaceFactory(parent=region))
    based = ContingentSourceFactory(contingent__base=region)

    def slugs(**params):
        return sorted(row["slug"] for row in api.get("/api/v1/articles/", params).json()["results"])

    assert slugs(actor=quote.speaker.slug) == [quote.article.slug]
    assert slugs(place=region.slug) == sorted([incident_source.source.slug, based.source.slug])


def test_quotes_filter_by_speaker_kind_article_and_outlet(api):
    """Quotes narrow by speaker, speaker kind, article and outlet."""
    by_person = QuoteFactory()
    by_mission = QuoteFactory(speaker=ActorFactory(kind=ActorKind.UN_MISSION))

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/quotes/", params).json()["results"]]

    assert ids(speaker=by_person.speaker.slug) == [by_person.pk]
    assert ids(speaker_kind="un_mission") == [by_mission.pk]
    assert ids(article=by_mission.article.slug) == [by_mission.pk]
    assert ids(outlet=by_person.article.outlet.slug) == [by_person.pk]
    assert ids(date_from="2016-01-01") == []


def test_unknown_parameter_is_refused_with_the_allowed_ones(api):
    """A misspelt filter answers 400 naming it and listing the allowed parameters, not every record."""
    response = api.get("/api/v1/quotes/", {"speker": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["unknown_parameters"] == ["speker"]
    assert {"speaker", "page_size", "q", "ordering", "fields"} <= set(body["allowed_parameters"])


def test_invalid_filter_values_are_refused(api):
    """Bad choices, dates, ids and page sizes answer 400 with what is allowed."""
    response = api.get("/api/v1/quotes/", {"speaker_kind": "wizard"})
    assert response.status_code == 400
    assert "un_mission" in response.json()["speaker_kind"][0]
    assert api.get("/api/v1/articles/", {"date_from": "last year"}).status_code == 400
    assert "No actor" in api.get("/api/v1/articles/", {"author": "nobody"}).json()["author"][0]
    assert api.get("/api/v1/articles/", {"page_size": 1001}).status_code == 400
    assert api.get("/api/v1/articles/", {"page": "two"}).status_code == 400
    assert "Order by one of date_from" in api.get("/api/v1/articles/", {"ordering": "colour"}).json()["ordering"][0]


def test_page_number_and_cursor_pagination(api):
    """Pages carry count/next/previous; a cursor walk visits every record once, in id order."""
    articles = ArticleFactory.create_batch(5)
    page = api.get("/api/v1/articles/", {"page_size": 2}).json()
    assert page["count"] == 5
    assert page["next"] and page["previous"] is None
    seen, url = [], "/api/v1/articles/?pagination=cursor&page_size=2"
    while url:
        body = api.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(article.pk for article in articles)
    assert api.get("/api/v1/articles/", {"cursor": "garbage"}).status_code == 400


def test_search_and_ordering(api):
    """`search` looks in the text (the search engine's); `ordering` takes the offered fields, descending with -."""
    ArticleFactory(title="Peacekeepers in Kidal", slug="a")
    ArticleFactory(title="Gao market", slug="b", body="The market in Gao reopened.")
    rows = api.get("/api/v1/articles/", {"search": "kidal"}).json()["results"]
    assert [row["slug"] for row in rows] == ["a"]
    rows = api.get("/api/v1/articles/", {"ordering": "-title"}).json()["results"]
    assert [row["slug"] for row in rows] == ["a", "b"]


def test_reads_are_public_and_writes_need_a_token(api):
    """Anonymous clients read; an anonymous write is refused before anything is saved."""
    article = ArticleFactory()
    assert api.get("/api/v1/quotes/").status_code == 200
    response = api.post("/api/v1/quotes/", {"article": article.pk, "speaker_description": "x", "text": "Mali"})
    assert response.status_code == 401
    assert not Quote.objects.exists()


def test_write_needs_the_model_permission(api):
    """A token without the add permission gets 403."""
    user = User.objects.create_user("reader", is_staff=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = api.post("/api/v1/quotes/", {"article": ArticleFactory().pk, "speaker_description": "x", "text": "Mali"})
    assert response.status_code == 403


def test_quote_must_be_verbatim_in_its_article(editor_api):
    """The model's full_clean runs: a misquote is a 400 on `text`; a verbatim quote is anchored and saved."""
    article = ArticleFactory(slug="source")
    response = editor_api.post(
        "/api/v1/quotes/", {"article": "source", "speaker_description": "an analyst", "text": "Mali is doomed"}
    )
    assert response.status_code == 400
    assert "text" in response.json()
    response = editor_api.post(
        "/api/v1/quotes/",
        {"article": "source", "speaker_description": "an analyst", "text": "Mali is in the forefront,"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["text_start"] == article.body.index("Mali is in the forefront,")


def test_quote_edit_reanchors_or_is_refused(editor_api):
    """Changing a quote's text re-runs validation: verbatim text moves the offsets, other text is refused."""
    quote = QuoteFactory()
    response = editor_api.patch(f"/api/v1/quotes/{quote.pk}/", {"text": "an analyst"}, format="json")
    assert response.status_code == 200, response.json()
    quote.refresh_from_db()
    assert quote.article.body[quote.text_start : quote.text_end] == "an analyst"
    response = editor_api.patch(f"/api/v1/quotes/{quote.pk}/", {"text": "not in the article"}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_quote_needs_a_speaker_or_description(editor_api):
    """Model clean() errors come back as field messages."""
    response = editor_api.post(
        "/api/v1/quotes/", {"article": ArticleFactory().pk, "text": "Mali is in the forefront,"}, format="json"
    )
    assert response.status_code == 400
    assert "speaker_description" in response.json()


def test_anonymous_clients_are_throttled(api, monkeypatch):
    """Past the anonymous rate, requests get 429 with Retry-After."""
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/minute")
    assert [api.get("/api/v1/articles/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture
def article_editor_api():
    """A client authenticated by token as a user who may change articles."""
    user = User.objects.create_user("article-editor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_body_edit_that_drops_a_quote_is_a_400_with_the_reason(article_editor_api):
    """PATCHing a body that no longer holds a quote's text is a 400 on `body` quoting it, as the admin says it,
    not the verbatim trigger's IntegrityError as a 500; the body is unchanged."""
    quote = QuoteFactory()
    response = article_editor_api.patch(
        f"/api/v1/articles/{quote.article_id}/", {"body": "A different text altogether."}, format="json"
    )
    assert response.status_code == 400, response.content
    message = response.json()["body"][0]
    assert "quote" in message
    assert "“Mali is in the forefront,” does not occur in the article body." in message
    quote.article.refresh_from_db()
    assert quote.article.body == BODY


def test_a_body_edit_that_moves_a_cited_excerpt_is_a_400_with_the_reason(article_editor_api):
    """Text inserted before an incident's source excerpt moves it off its offsets: a 400 that says so."""
    source = IncidentSourceFactory()
    response = article_editor_api.patch(
        f"/api/v1/articles/{source.source_id}/", {"body": "Breaking. " + BODY}, format="json"
    )
    assert response.status_code == 400, response.content
    message = response.json()["body"][0]
    assert "incident source" in message
    assert f"“{source.excerpt}”" in message


def test_a_body_edit_that_keeps_every_citation_in_place_is_saved(article_editor_api):
    """Appending to a body leaves quotes and excerpts where they are, so the edit goes through."""
    quote = QuoteFactory()
    IncidentSourceFactory(source=quote.article)
    response = article_editor_api.patch(
        f"/api/v1/articles/{quote.article_id}/", {"body": BODY + " A postscript."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"].endswith("A postscript.")


def test_a_refusal_by_the_database_itself_is_a_400(article_editor_api, monkeypatch):
    """Should validation miss what a trigger refuses (a quote added meanwhile), the write is a 400 with the
    database's reason, and nothing is saved."""
    quote = QuoteFactory()
    monkeypatch.setattr("articles.models.Article.citations_broken_by", lambda article, body: [])
    response = article_editor_api.patch(
        f"/api/v1/articles/{quote.article_id}/", {"body": "A different text altogether."}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "breaks rows of articles_quote" in response.json()["non_field_errors"][0]
    quote.article.refresh_from_db()
    assert quote.article.body == BODY

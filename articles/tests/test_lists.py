"""The article and quote list pages: filters, facets, sorting, pagination, bad input and query counts."""

import datetime

import pytest
from django.urls import reverse

from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory, OutletFactory, QuoteFactory
from articles.views import ArticleListView, QuoteListView
from common.timelimit import queries_per_limit

pytestmark = pytest.mark.django_db

ARTICLES = reverse("articles:article_list")
QUOTES = reverse("articles:quote_list")


def _facet(response, param):
    return next(facet for facet in response.context["listing"]["facets"] if facet["param"] == param)


def test_articles_filter_by_outlet_and_author(client):
    """?outlet= and ?author= accept slugs and keep only matching articles."""
    times = OutletFactory(slug="nyt", name="The New York Times")
    author = ActorFactory(slug="somini-sengupta", name="Somini Sengupta")
    wanted = ArticleFactory(outlet=times)
    wanted.authors.add(author)
    ArticleFactory(outlet=times)
    ArticleFactory()
    response = client.get(ARTICLES, {"outlet": "nyt", "author": "somini-sengupta"})
    assert response.status_code == 200
    assert [article.pk for article in response.context["listing"]["page"]["rows"]] == [wanted.pk]


def test_articles_filter_by_date_range_overlaps_estimated_dates(client):
    """An article estimated to late January 2015 is in a query for 2015-01-20 to 2015-01-25."""
    inside = ArticleFactory()
    ArticleFactory(date_from=datetime.date(2016, 3, 1), date_to=datetime.date(2016, 3, 1), date_precision="day")
    response = client.get(ARTICLES, {"date_from": "2015-01-20", "date_to": "2015-01-25"})
    assert [article.pk for article in response.context["listing"]["page"]["rows"]] == [inside.pk]


def test_articles_filter_by_actor_quoted(client):
    """?actor= finds the articles that quote the actor."""
    quote = QuoteFactory()
    ArticleFactory()
    response = client.get(ARTICLES, {"actor": quote.speaker.slug})
    assert [article.pk for article in response.context["listing"]["page"]["rows"]] == [quote.article_id]


def test_article_facets_count_the_filtered_rows_and_toggle_the_filter(client):
    """Each outlet option counts its articles and links to the list filtered by it; the chosen one removes it."""
    times = OutletFactory(slug="nyt", name="The New York Times")
    ArticleFactory.create_batch(3, outlet=times)
    ArticleFactory(outlet=OutletFactory(slug="pri", name="PRI"))
    outlets = _facet(client.get(ARTICLES), "outlet")
    assert [(option["label"], option["count"]) for option in outlets["options"]] == [
        ("The New York Times", 3),
        ("PRI", 1),
    ]
    assert outlets["options"][0]["url"] == f"{ARTICLES}?outlet=nyt"
    chosen = _facet(client.get(ARTICLES, {"outlet": "nyt"}), "outlet")
    assert chosen["options"] == [{"label": "The New York Times", "count": 3, "selected": True, "url": ARTICLES}]


def test_author_facet_counts_each_article_once(client):
    """A to-many facet counts distinct articles, not joined rows."""
    author = ActorFactory(slug="somini-sengupta", name="Somini Sengupta")
    for article in ArticleFactory.create_batch(2):
        article.authors.add(author, ActorFactory())
    authors = _facet(client.get(ARTICLES), "author")
    assert authors["options"][0] == {
        "label": "Somini Sengupta",
        "count": 2,
        "selected": False,
        "url": f"{ARTICLES}?author=somini-sengupta",
    }


def test_articles_sort_by_title_both_ways_with_aria_sort(client):
    """?sort=title ascends, ?sort=-title descends, and the header says so with aria-sort."""
    for title in ("Beta", "Alpha", "Gamma"):
        ArticleFactory(title=title)
    ascending = client.get(ARTICLES, {"sort": "title"})
    assert [a.title for a in ascending.context["listing"]["page"]["rows"]] == ["Alpha", "Beta", "Gamma"]
    assert 'aria-sort="ascending"' in ascending.content.decode()
    descending = client.get(ARTICLES, {"sort": "-title"})
    assert [a.title for a in descending.context["listing"]["page"]["rows"]] == ["Gamma", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in descending.content.decode()


def test_ties_are_broken_by_primary_key_so_pages_never_overlap(client):
    """Rows equal on the sort key come in id order, and consecutive pages share no row."""
    articles = ArticleFactory.create_batch(5, title="Same")
    first = client.get(ARTICLES, {"sort": "title", "page_size": 2}).context["listing"]["page"]["rows"]
    second = client.get(ARTICLES, {"sort": "title", "page_size": 2, "page": 2}).context["listing"]["page"]["rows"]
    assert [a.pk for a in first + second] == [a.pk for a in articles[:4]]


def test_pagination_defaults_to_fifty_and_is_bounded(client):
    """Fifty rows a page unless asked; page_size above the maximum (the API's 1000: one cap) or not a number is a
    400."""
    ArticleFactory.create_batch(51)
    page = client.get(ARTICLES).context["listing"]["page"]
    assert (len(page["rows"]), page["count"], page["pages"]) == (50, 51, 2)
    assert len(client.get(ARTICLES, {"page": 2}).context["listing"]["page"]["rows"]) == 1
    assert client.get(ARTICLES, {"page_size": 1000}).status_code == 200
    assert client.get(ARTICLES, {"page_size": 1001}).status_code == 400
    assert client.get(ARTICLES, {"page_size": "ten"}).status_code == 400
    assert client.get(ARTICLES, {"page": 3}).status_code == 404


def test_invalid_filter_is_a_400_with_the_error_beside_the_field(client):
    """An outlet that does not exist or a malformed date is shown on the page with status 400, never a 500."""
    response = client.get(ARTICLES, {"outlet": "nowhere", "date_from": "2015-13-45"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No outlet has the id, slug, name or alias “nowhere”" in page
    assert 'aria-invalid="true"' in page


def test_unknown_sort_key_and_unknown_parameter_are_400s_that_list_what_is_allowed(client):
    """?ordering=colour (or the older ?sort=colour) and ?colour= are refused with the allowed values, in the words
    the API uses."""
    for name in ("ordering", "sort"):
        bad_sort = client.get(ARTICLES, {name: "colour"})
        assert bad_sort.status_code == 400
        assert "Order by one of date_from, title, outlet, word_count, id" in bad_sort.content.decode()
    unknown = client.get(ARTICLES, {"colour": "red"})
    assert unknown.status_code == 400
    assert "Unknown query parameter: colour." in unknown.content.decode()
    api = client.get(reverse("api:article-list"), {"colour": "red"})
    assert api.json()["detail"] == "Unknown query parameter: colour."


def test_page_advertises_its_json_and_csv_twins_and_export_links_for_the_filter_state(client):
    """The head links the API's JSON and CSV of the filtered rows; the download links carry the filters, not the
    page."""
    ArticleFactory(outlet=OutletFactory(slug="nyt"))
    page = client.get(ARTICLES, {"outlet": "nyt", "page_size": 10}).content.decode()
    api = reverse("api:article-list")
    assert f'<link rel="alternate" type="application/json" href="{api}?outlet=nyt&amp;format=json">' in page
    assert f'<link rel="alternate" type="text/csv" href="{api}?outlet=nyt&amp;format=csv">' in page
    for export_format in ("csv", "json", "jsonl", "bibtex", "ris", "csl-json"):
        assert f"{api}?outlet=nyt&amp;format={export_format}" in page


def test_form_is_a_labelled_get_form(client):
    """Every control has a label, so the page works without JavaScript and with a screen reader."""
    page = client.get(ARTICLES).content.decode()
    assert '<form method="get"' in page
    for name in ("outlet", "author", "date_from", "date_to", "actor", "place", "page_size"):
        assert f'<label for="id_{name}">' in page


@pytest.mark.parametrize("copies", [1, 6])
def test_article_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: count, the rows' ids, rows, authors, and one GROUP BY per facet, whatever the
    page size."""
    for _ in range(copies):
        ArticleFactory().authors.add(ActorFactory())
    with django_assert_num_queries(6 + len(ArticleListView.facets) * queries_per_limit()):
        response = client.get(ARTICLES, {"page_size": 100})
    assert len(response.context["listing"]["page"]["rows"]) == copies


def test_quotes_filter_by_speaker_kind_outlet_and_article(client):
    """Quotes filter by the speaker's kind, the outlet and the article."""
    person = QuoteFactory()
    QuoteFactory(speaker=ActorFactory(kind="un_mission"))
    assert [q.pk for q in client.get(QUOTES, {"speaker_kind": "person"}).context["listing"]["page"]["rows"]] == [
        person.pk
    ]
    by_outlet = client.get(QUOTES, {"outlet": person.article.outlet.slug, "article": person.article.slug})
    assert [q.pk for q in by_outlet.context["listing"]["page"]["rows"]] == [person.pk]
    assert client.get(QUOTES, {"speaker_kind": "wizard"}).status_code == 400


def test_quote_speaker_kind_facet_counts(client):
    """The kind-of-speaker facet counts quotes per kind, labelled in words."""
    QuoteFactory.create_batch(2)
    QuoteFactory(speaker=ActorFactory(kind="un_mission"))
    kinds = _facet(client.get(QUOTES), "speaker_kind")
    assert [(o["label"], o["count"]) for o in kinds["options"]] == [("Person", 2), ("UN mission", 1)]


@pytest.mark.parametrize("copies", [1, 6])
def test_quote_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: the count, the quotes' ids, quotes with article, outlet and speaker in one query
    and their authors in another; one GROUP BY per column facet; five for the speakers' organisations (the quotes by
    speaker, their positions, their affiliations, the part-of relations and the organisations' names)."""
    QuoteFactory.create_batch(copies)
    with django_assert_num_queries(4 + 4 + 5 + len(QuoteListView.facets) * queries_per_limit()):
        client.get(QUOTES)

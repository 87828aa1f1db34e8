import pytest
from django.urls import reverse

from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_article_reader_highlights_every_quote(client):
    """The reader marks each quote in the body and lists who said it."""
    quote = QuoteFactory()
    page = client.get(quote.article.get_absolute_url()).content.decode()
    assert (
        f'<mark class="quote" id="quote-{quote.pk}" title="{quote.speaker.name}">Mali is in the forefront,</mark>'
        in page
    )
    assert f'<strong><a href="{quote.speaker.get_absolute_url()}">{quote.speaker.name}</a></strong>' in page


def test_article_reader_keeps_paragraphs():
    """Paragraph breaks in the body become paragraphs, also inside the segments list."""
    article = ArticleFactory(body="First paragraph.\n\nSecond “with a quote” here.")
    QuoteFactory(article=article, text="with a quote")
    paragraphs = article.__class__.objects.for_detail().get(pk=article.pk).body_segments()
    assert [[segment["text"] for segment in paragraph] for paragraph in paragraphs] == [
        ["First paragraph."],
        ["Second “", "with a quote", "” here."],
    ]


@pytest.mark.parametrize("quote_count", [1, 3])
def test_article_reader_runs_a_fixed_number_of_queries(client, django_assert_num_queries, quote_count):
    """Guards against N+1 queries: one query each for the article, authors, quotes, actors and places tied to it,
    the passages records cite (coverage, one UNION) and the actors and places curators recorded as named."""
    article = ArticleFactory(body="“Mali is in the forefront,” “one” “two” “three”.")
    QuoteFactory(article=article)
    for text in ["one", "two", "three"][: quote_count - 1]:
        QuoteFactory(article=article, text=text)
    with django_assert_num_queries(8):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_unknown_article_is_a_404(client):
    """A slug that names no article answers 404."""
    assert client.get(reverse("articles:article_detail", args=["no-such-article"])).status_code == 404


def test_source_link_opens_the_article_at_the_passage(client):
    """?passage=START-END marks the cited excerpt with an anchor the link jumps to."""
    article = ArticleFactory()
    start = article.body.index("occurred at")
    response = client.get(article.get_absolute_url(), {"passage": f"{start}-{start + 11}"})
    assert '<mark class="passage" id="passage">occurred at</mark>' in response.content.decode()


@pytest.mark.parametrize("passage", ["abc", "10-5", "0-999999", "-1-3"])
def test_bad_passage_is_a_400_with_a_message(client, passage):
    """A malformed or out-of-range passage answers 400 and says what is expected."""
    article = ArticleFactory()
    response = client.get(article.get_absolute_url(), {"passage": passage})
    assert response.status_code == 400
    assert "must be START-END character offsets" in response.content.decode()


def test_article_reader_links_the_actors_and_places_it_mentions(client):
    """Speakers and the places of incidents the article is cited for are linked from the reader."""
    from events.tests.factories import IncidentSourceFactory

    quote = QuoteFactory()
    source = IncidentSourceFactory(source=quote.article)
    page = client.get(quote.article.get_absolute_url()).content.decode()
    assert f'<a href="{quote.speaker.get_absolute_url()}">{quote.speaker.name}</a>' in page
    assert f'<a href="{source.incident.place.get_absolute_url()}">{source.incident.place.name}</a>' in page


def test_article_reader_advertises_its_json_twin(client):
    """The reader links to the article's API record."""
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<link rel="alternate" type="application/json" href="/api/v1/articles/{article.pk}/">' in page


def test_quote_page_shows_the_speaker_the_sentence_around_and_the_article(client):
    """A quote's own page: the words, who said them, the sentence they sit in and a link to them in the article."""
    quote = QuoteFactory()
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "“Mali is in the forefront,”" in page
    assert f'<a href="{quote.speaker.get_absolute_url()}">{quote.speaker.name}</a>' in page
    assert "“Mali is in the forefront,” said Jeff Laurenti, an analyst." in page
    assert f'href="{quote.article.get_absolute_url()}#quote-{quote.pk}"' in page


def test_quote_pages_are_linked_from_the_article_and_the_quote_list(client):
    """Each quote's page is reachable from the article reader and the quote list."""
    quote = QuoteFactory()
    assert f'href="{quote.get_absolute_url()}"' in client.get(quote.article.get_absolute_url()).content.decode()
    assert f'href="{quote.get_absolute_url()}"' in client.get(reverse("articles:quote_list")).content.decode()


def test_unknown_quote_is_a_404(client):
    """An id that names no quote answers 404."""
    assert client.get(reverse("articles:quote_detail", args=[999])).status_code == 404


def test_quote_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    """Guards against N+1 queries: the quote with its article, outlet and speaker, then the article's authors."""
    quote = QuoteFactory()
    quote.article.authors.set([ActorFactory(), ActorFactory()])
    with django_assert_num_queries(2):
        assert client.get(quote.get_absolute_url()).status_code == 200


def test_article_reader_shows_coverage(client):
    """Cited sentences are marked; numbers and quoted passages no record covers are listed, linking to the passage."""
    article = ArticleFactory(
        body="“Mali is in the forefront,” said Jeff Laurenti. The UN lost 29 peacekeepers in 2014. It “wavered” then."
    )
    QuoteFactory(article=article, text="Mali is in the forefront,")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="cited">“</span>' in html or '<span class="cited"><mark class="quote"' in html
    assert "1 of 3 sentences" in html
    start = article.body.index("29 peacekeepers")
    assert f'href="?passage={start}-{start + len("29 peacekeepers")}#passage">29 peacekeepers</a>' in html
    assert "“wavered”" in html.split("Quoted passages not yet covered")[1]


def test_recorded_mentions_are_listed_on_the_article(client):
    """Actors and places a curator recorded as named in the text are linked from the article."""
    from actors.tests.factories import ActorFactory
    from articles.models import ActorMention

    article = ArticleFactory()
    actor = ActorFactory(name="Jeff Laurenti")
    ActorMention.objects.create(actor=actor, source=article, excerpt="Jeff Laurenti")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{actor.get_absolute_url()}">Jeff Laurenti</a>' in html.split("Named in the text")[1]

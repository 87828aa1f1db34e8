"""The article's admin page: its quotes as a short table, each edited on its own page, added from a link."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Quote
from articles.tests.factories import ArticleFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def _article_with_quotes(count: int):
    """An article whose body holds `count` distinct sentences, each quoted once."""
    sentences = [f"Sentence number {index} was said by somebody at the base." for index in range(count)]
    article = ArticleFactory(body=" ".join(sentences))
    for sentence in sentences:
        QuoteFactory(article=article, text=sentence, speaker_role="a spokesperson of the mission in Bamako")
    return article


class _FormFields(HTMLParser):
    """The name → value pairs a browser would submit from the page's main form (inputs, checked boxes, textareas,
    selected options), to post back exactly what the template rendered."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "file"}:
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self.data.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.data.setdefault(self._select, []).append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n") if not self.data[self._textarea][-1] else data


def _posted_back(page_html: str, **changes) -> dict:
    parser = _FormFields()
    parser.feed(page_html)
    return {**parser.data, **{name: [value] for name, value in changes.items()}}


def test_a_long_article_page_has_no_quote_forms(admin_client):
    """26 quotes show as table rows, not as 26 forms with a text box each: the page's only text boxes are the
    article's own (subtitle, date reasoning, body, attribution note)."""
    article = _article_with_quotes(26)
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert page.count("<textarea") == 4
    assert 'name="quotes-0-text"' not in page
    for quote in article.quotes.all():
        assert f'href="{reverse("admin:articles_quote_change", args=[quote.pk])}?return_to_article=1"' in page
    assert "Quotes (26)" in page


def test_the_quote_table_shortens_long_quotes_and_roles(admin_client):
    """A long quote and a long role are cut short in the table; the whole of them is on the quote's page."""
    words = "word " * 60
    article = ArticleFactory(body=f"He said {words}and left.")
    quote = QuoteFactory(article=article, text=words.strip(), speaker_role="an official " * 10)
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert words.strip() not in page.split('id="quotes-group"')[1]
    assert "word word…" in page
    assert "an official an official…" in page
    quote_page = admin_client.get(reverse("admin:articles_quote_change", args=[quote.pk])).content.decode()
    assert words.strip() in quote_page


def test_the_article_page_costs_the_same_queries_for_few_or_many_quotes(admin_client, django_assert_num_queries):
    """Guards against N+1 queries: the quote table reads its quotes and speakers in one query."""
    few, many = _article_with_quotes(2), _article_with_quotes(12)
    admin_client.get(reverse("admin:articles_article_change", args=[few.pk]))  # sessions, content types warmed
    with CaptureQueriesContext(connection) as for_few:
        admin_client.get(reverse("admin:articles_article_change", args=[few.pk]))
    with django_assert_num_queries(len(for_few.captured_queries)):
        admin_client.get(reverse("admin:articles_article_change", args=[many.pk]))


def test_add_a_quote_from_the_article_and_come_back_to_it(admin_client):
    """The table's “Add a quote” link opens the quote form with the article filled in; saving returns to the
    article, where the new quote is a row of the table."""
    article = ArticleFactory()
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    add_url = f"{reverse('admin:articles_quote_add')}?article={article.pk}&amp;return_to_article=1"
    assert f'href="{add_url}">Add a quote to this article</a>' in page

    add_url = add_url.replace("&amp;", "&")
    form = admin_client.get(add_url)
    assert form.context["adminform"].form.initial["article"] == str(article.pk)
    data = {"article": article.pk, "speaker_description": "an analyst", "text": "Mali is in the forefront,"}
    response = admin_client.post(add_url, data)
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[article.pk])
    quote = Quote.objects.get(article=article)
    page = admin_client.get(response.url).content.decode()
    assert f"✔ {quote.text_start}–{quote.text_end}" in page


def test_a_quote_opened_from_its_article_returns_to_it_and_otherwise_to_the_list(admin_client):
    """Saving a quote opened from the article's table goes back to the article; opened from the list, to the list."""
    quote = QuoteFactory()
    url = reverse("admin:articles_quote_change", args=[quote.pk])
    data = _posted_back(admin_client.get(url).content.decode(), speaker_role="an analyst in New York")
    response = admin_client.post(f"{url}?return_to_article=1", data)
    assert response.url == reverse("admin:articles_article_change", args=[quote.article_id])
    data = _posted_back(admin_client.get(url).content.decode(), speaker_role="an analyst")
    assert admin_client.post(url, data).url == reverse("admin:articles_quote_changelist")
    quote.refresh_from_db()
    assert quote.speaker_role == "an analyst"


def test_the_article_page_saves_as_rendered_and_deletes_a_ticked_quote(admin_client):
    """What the page renders posts back cleanly (management form, each row's hidden fields); a ticked, labelled
    delete box removes that quote and leaves the others."""
    article = _article_with_quotes(3)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = admin_client.get(url).content.decode()
    assert '<label for="id_quotes-1-DELETE" class="visually-hidden">Delete the quote “Sentence number 1' in page
    kept = list(article.quotes.values_list("pk", flat=True))

    assert admin_client.post(url, _posted_back(page, title="Renamed")).status_code == 302
    article.refresh_from_db()
    assert article.title == "Renamed"
    assert list(article.quotes.values_list("pk", flat=True)) == kept

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, _posted_back(page, **{"quotes-1-DELETE": "on"}))
    assert response.status_code == 302
    assert list(article.quotes.values_list("pk", flat=True)) == [kept[0], kept[2]]


def test_a_body_sent_back_with_a_browsers_line_ends_keeps_its_citations(admin_client):
    """A browser sends a textarea's lines ended by CR LF: the body is stored with its own line ends, so the quotes
    after a paragraph break stay where they are and the save is not refused."""
    article = ArticleFactory(body="First paragraph.\n\nThe mission said it would stay in Kidal.")
    QuoteFactory(article=article, text="it would stay in Kidal.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = _posted_back(admin_client.get(url).content.decode(), title="Staying in Kidal")
    data["body"] = [article.body.replace("\n", "\r\n")]
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == (
        "Staying in Kidal",
        "First paragraph.\n\nThe mission said it would stay in Kidal.",
    )

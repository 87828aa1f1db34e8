"""The Cite control on article, quote and incident pages, and its downloads: BibTeX, RIS, CSL-JSON and plain text,
readable and copyable without JavaScript."""

import html
import json
import re

import pytest
from django.urls import reverse

from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import IncidentSourceFactory

pytestmark = pytest.mark.django_db

FORMATS = {"text": "txt", "bibtex": "bib", "ris": "ris", "csl-json": "json"}


def _pages() -> dict[str, tuple[str, str, int]]:
    """One page of each kind: (page address, its citations' download address, how many passages it cites)."""
    quote = QuoteFactory()
    source = IncidentSourceFactory(source=quote.article)
    IncidentSourceFactory(incident=source.incident, excerpt="killing a Chadian peacekeeper")
    article = quote.article
    return {
        "article": (article.get_absolute_url(), reverse("articles:article_citation", args=[article.slug]), 1),
        "quote": (quote.get_absolute_url(), reverse("articles:quote_citation", args=[quote.pk]), 1),
        "incident": (
            source.incident.get_absolute_url(),
            reverse("events:incident_citation", args=[source.incident.slug]),
            2,
        ),
    }


def _boxes(page: str) -> dict[str, str]:
    """The text of each read-only citation box on the page, by format."""
    found = re.findall(r'<textarea id="cite-([a-z-]+)" class="cite-text" readonly[^>]*>(.*?)</textarea>', page, re.S)
    return {name: html.unescape(text) for name, text in found}


@pytest.mark.parametrize("kind", ["article", "quote", "incident"])
def test_every_page_kind_has_a_cite_control_copyable_without_javascript(client, kind):
    """A <details> Cite control holds each format in a labelled, read-only box, and links each format's download."""
    url, download, passages = _pages()[kind]
    page = client.get(url).content.decode()
    assert '<details class="cite" id="cite">' in page and "<summary>Cite " in page
    boxes = _boxes(page)
    assert set(boxes) == set(FORMATS)
    for name in FORMATS:
        assert f'<label for="cite-{name}">' in page
        assert f'href="{download}?format={name}" download' in page
    assert boxes["bibtex"].count("@article{") == passages
    assert boxes["ris"].count("TY  - NEWS") == passages
    assert len(json.loads(boxes["csl-json"])) == passages
    assert '<script src="/static/js/cite.js" defer></script>' in page


@pytest.mark.parametrize("kind", ["quote", "incident"])
def test_passage_pages_cite_the_article_and_the_passage(client, kind):
    """A quote's or an incident's citation names the article and quotes the passage with its address."""
    url, _, _ = _pages()[kind]
    boxes = _boxes(client.get(url).content.decode())
    assert "Passage: “" in boxes["text"] and "?passage=" in boxes["text"]
    assert all("Passage: “" in item["note"] for item in json.loads(boxes["csl-json"]))


@pytest.mark.parametrize("kind", ["article", "quote", "incident"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_downloads_as_a_file_matching_the_box(client, kind, name):
    """The download is an attachment named for the record, holding what the box on the page shows."""
    url, download, _ = _pages()[kind]
    response = client.get(download, {"format": name})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{FORMATS[name]}"')
    assert response.content.decode().rstrip("\n") == _boxes(client.get(url).content.decode())[name]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Give format."),
        ({"format": "endnote"}, "“endnote” is not a citation format."),
        ({"format": "ris", "style": "apa"}, "Unknown parameter: style."),
    ],
)
def test_a_bad_citation_request_is_a_400_saying_what_is_allowed(client, query, message):
    """A missing or unknown format, or an unknown parameter, is a 400 listing the formats."""
    article = ArticleFactory()
    response = client.get(reverse("articles:article_citation", args=[article.slug]), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "text, bibtex, ris, csl-json" in response.content.decode()


def test_citing_an_unknown_record_is_a_404(client):
    """No article, quote or incident by that key: 404."""
    assert client.get(reverse("articles:article_citation", args=["none"]), {"format": "ris"}).status_code == 404
    assert client.get(reverse("articles:quote_citation", args=[999]), {"format": "ris"}).status_code == 404
    assert client.get(reverse("events:incident_citation", args=["none"]), {"format": "ris"}).status_code == 404


def test_cite_control_escapes_what_the_record_holds(client):
    """A title with markup is shown as text inside the box, never as markup."""
    article = ArticleFactory(title="</textarea><script>alert(1)</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;" in page

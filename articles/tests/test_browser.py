"""In a real browser: a curator adds a quote in the admin, sees it verified, and finds it on the public side."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.models import Quote
from articles.tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _log_in(page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def _add_quote(page, article, *, speaker: str, text: str) -> None:
    """Add an unnamed speaker's quote from the article's page (its quote table's link) and save."""
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_role("link", name="Add a quote to this article").click()
    page.get_by_label("Speaker description").fill(speaker)
    page.get_by_label("Text").fill(text)
    page.get_by_role("button", name="Save", exact=True).click()


def test_curator_adds_a_quote_and_finds_it_verified_and_public(page):
    """Log in, add a quote to an article, see it verified and highlighted, then see it in the public reader."""
    article = ArticleFactory(title="The UN’s Mission in Mali Is on Tenterhooks")
    curator = User.objects.create_user(username="curator", password="a-long-test-password", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))

    _log_in(page, "curator", "a-long-test-password")

    _add_quote(page, article, speaker="an American analyst", text="Mali is in the forefront,")
    page.wait_for_selector("text=was added successfully")

    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    expect(page.locator(".quote-table .verified").first).to_be_visible()
    page.get_by_role("heading", name="The quotes in the body").click()
    expect(page.locator("mark", has_text="Mali is in the forefront,").first).to_be_visible()
    quote = Quote.objects.get(article=article)
    assert article.body[quote.text_start : quote.text_end] == "Mali is in the forefront,"

    page.goto(f"/articles/{article.slug}/")
    highlighted = page.locator(f"mark#quote-{quote.pk}")
    expect(highlighted).to_have_text("Mali is in the forefront,")
    expect(page.get_by_text("an American analyst")).to_be_visible()


def test_a_misquote_is_refused_with_the_reason(page, admin_user):
    """Pasting words that are not in the article shows why they were refused."""
    article = ArticleFactory()
    _log_in(page, "admin", "password")
    _add_quote(page, article, speaker="someone", text='Mali is in the forefront," said')
    expect(page.get_by_text("quote marks, dashes, ellipses and spaces are ignored")).to_be_visible()
    assert not Quote.objects.exists()


def test_a_reader_opens_cite_and_copies_the_bibtex(page, browser):
    """The Cite control opens from the keyboard-reachable summary; its Copy button puts the BibTeX on the clipboard
    and says so to screen readers."""
    article = ArticleFactory(title="The UN’s Mission in Mali Is on Tenterhooks")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(article.get_absolute_url())
    page.get_by_text("Cite this article").click()
    box = page.get_by_label("BibTeX", exact=True)
    expect(box).to_be_visible()
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("status")).to_have_text("BibTeX citation copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == box.input_value()
    assert copied.startswith(f"@article{{{article.slug},")

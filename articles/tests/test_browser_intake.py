"""In a real browser: a curator pastes a paragraph as a new article, accepts a quote, an actor mention and a figure
from its suggestions, and finds all three on the public pages, with no Content-Security-Policy violation."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.models import ActorMention, Article, Quote
from articles.tests.factories import OutletFactory
from events.models import Figure
from events.tests.factories import PlaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PARAGRAPH = (
    "“Mali is in the forefront in the fight against violent jihadi movements,” said Jeff Laurenti, an American "
    "analyst. For the UN mission, which lost 29 peacekeepers in 2014, Kidal remains the hardest posting."
)


def _item(page, kind: str, text: str):
    """The suggestion of that kind and text, in the list beside the body."""
    heading = re.compile(rf"^{kind}: \W?{re.escape(text)}\W?$")
    return page.locator("li.intake-item").filter(has=page.get_by_role("heading", name=heading))


def test_curator_takes_an_article_from_paste_to_public_records(page):
    """Paste a paragraph, accept a quote, an actor mention and a figure, and find them on the public pages."""
    OutletFactory(name="PassBlue", slug="passblue")
    ActorFactory(name="Jeff Laurenti", slug="jeff-laurenti")
    ActorAliasFactory(
        actor=ActorFactory(name="United Nations", slug="united-nations", kind="intergovernmental"), name="UN"
    )
    PlaceFactory(name="Kidal", slug="kidal")
    curator = User.objects.create_user(username="curator", password="a-long-test-password", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    # Add the article by pasting its text.
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Title:", exact=True).fill("Mali is in the forefront")
    page.locator(".field-outlet .select2-selection").click()
    page.locator("[aria-controls=select2-id_outlet-results]").fill("Pass")
    page.get_by_role("option", name="PassBlue").click()
    page.get_by_label("Body:", exact=True).fill(PARAGRAPH)
    page.get_by_role("button", name="Save", exact=True).click()

    # Saving opens the article's intake page.
    expect(page).to_have_url(re.compile(r"/admin/articles/article/\d+/intake/$"))
    article = Article.objects.get(title="Mali is in the forefront")
    assert article.slug == "mali-is-in-the-forefront"

    quote = _item(page, "Quote", "Mali is in the forefront in the fight against violent jihadi movements,")
    expect(quote).to_contain_text("Jeff Laurenti")
    quote.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted “Mali is in the forefront")).to_be_visible()

    _item(page, "Actor", "Jeff Laurenti").get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted “Jeff Laurenti” (actormention)")).to_be_visible()

    figure = _item(page, "Number", "29 peacekeepers")
    figure.get_by_text("Edit before accepting").click()
    figure.get_by_label("Record as").select_option("figure")
    figure.get_by_label("Quantity").select_option(label="Peacekeepers killed")
    figure.get_by_label("Subject").select_option(label="United Nations")
    figure.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted “29 peacekeepers” (figure)")).to_be_visible()

    saved_quote = Quote.objects.get(article=article)
    assert saved_quote.speaker.slug == "jeff-laurenti"
    assert ActorMention.objects.get(source=article).actor.slug == "jeff-laurenti"
    saved_figure = Figure.objects.get(source=article)
    assert (saved_figure.value, saved_figure.quantity, saved_figure.date_from.year) == (29, "peacekeepers_killed", 2014)

    # The public article page: the quote highlighted and attributed, the actor named, the figure's sentence cited.
    page.goto(article.get_absolute_url())
    expect(page.locator(f"#quote-{saved_quote.pk}")).to_have_text(saved_quote.text)
    quoted = page.locator("section[aria-labelledby='quotes-heading']")
    expect(quoted.get_by_role("link", name="Jeff Laurenti")).to_be_visible()
    named = page.locator("section[aria-labelledby='mentioned-heading']")
    expect(named).to_contain_text("Named in the text")
    expect(named.get_by_role("link", name="Jeff Laurenti").last).to_be_visible()
    expect(page.locator(".body .cited").filter(has_text="29 peacekeepers")).to_have_count(1)

    # The figure's own page cites the article at the passage.
    page.goto(saved_figure.get_absolute_url())
    expect(page.get_by_text("29 peacekeepers").first).to_be_visible()
    page.get_by_role("link", name=re.compile("Mali is in the forefront")).first.click()
    expect(page.locator("#passage")).to_have_text("29 peacekeepers")
    assert violations == []

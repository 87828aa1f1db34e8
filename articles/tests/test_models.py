import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.tests.factories import ActorFactory, ContingentSourceFactory
from articles.models import Article, Outlet, Quote
from articles.tests.factories import ArticleFactory, OutletFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_quote_offsets_are_filled_from_its_text():
    """Saving a quote stores where its text sits in the article body."""
    quote = QuoteFactory()
    assert quote.article.body[quote.text_start : quote.text_end] == quote.text


def test_quote_not_in_body_is_refused_by_validation_with_a_reason():
    """full_clean refuses a quote that is not verbatim and says so on the text field."""
    quote = Quote(article=ArticleFactory(), speaker=ActorFactory(), text="Mali is at the forefront")
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "does not occur in the article body" in error.value.message_dict["text"][0]


def test_database_refuses_a_quote_inserted_without_validation():
    """The trigger refuses a quote whose text is not at its offsets, even from bulk_create."""
    article = ArticleFactory()
    bogus = Quote(article=article, speaker=ActorFactory(), text="invented words", text_start=0, text_end=14)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.bulk_create([bogus])
    assert not Quote.objects.exists()


def test_database_refuses_an_update_that_breaks_a_quote():
    """Rewriting a quote's text behind the model's back is refused by the database."""
    quote = QuoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(text="Mali is at the forefront,")
    quote.refresh_from_db()
    assert quote.text == "Mali is in the forefront,"


def test_database_refuses_a_body_edit_that_breaks_a_quote():
    """An article body cannot change under the quotes that cite it."""
    quote = QuoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=quote.article_id).update(body="A different text altogether.")
    assert Article.objects.get(pk=quote.article_id).body.startswith("The mission is moving north.")


def test_validation_refuses_a_body_edit_that_breaks_its_citations_with_the_reasons():
    """full_clean (so the admin, imports and the API) says which quotes and excerpts a new body would break, before
    the trigger has to refuse it."""
    quote = QuoteFactory()
    ContingentSourceFactory(source=quote.article, excerpt="killing a Chadian peacekeeper")
    article = Article.objects.get(pk=quote.article_id)
    article.body = "Breaking. " + article.body.replace("Mali is in the forefront,", "Mali leads,")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    messages = error.value.message_dict["body"]
    assert "The new body drops text that a quote cites: “Mali is in the forefront,” does not occur" in messages[0]
    assert "The new body moves text that a contingent source cites: “killing a Chadian peacekeeper”" in messages[1]
    article.body = article.body.removeprefix("Breaking. ").replace("Mali leads,", "Mali is in the forefront,")
    article.full_clean()


def test_body_edit_that_keeps_quotes_in_place_is_allowed():
    """Appending to a body leaves earlier quotes at their offsets, so it is accepted."""
    quote = QuoteFactory()
    Article.objects.filter(pk=quote.article_id).update(body=quote.article.body + " A postscript.")
    assert Article.objects.get(pk=quote.article_id).body.endswith("A postscript.")


def test_quote_needs_a_speaker_or_a_description():
    """An anonymous quote must at least describe its unnamed source, in the database too."""
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.bulk_create([Quote(article=article, text="Mali", text_start=30, text_end=34)])
    unnamed = Quote(article=article, speaker_description="the head of a local NGO", text="Mali is in the forefront")
    unnamed.full_clean()
    unnamed.save()
    assert unnamed.speaker is None


def test_article_word_count_is_kept_in_step_with_body():
    """word_count is derived from the body on save."""
    article = ArticleFactory(body="Peacekeepers’ camp in Gao was hit; twenty-nine died.")
    assert article.word_count == 8


def test_article_date_range_must_be_ordered():
    """The database refuses a publication date range that ends before it starts."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(date_from=datetime.date(2015, 2, 1), date_to=datetime.date(2015, 1, 1))


def test_day_precision_means_one_day():
    """A date precise to the day must not span several days."""
    article = ArticleFactory.build(
        outlet=OutletFactory(),
        date_from=datetime.date(2015, 1, 1),
        date_to=datetime.date(2015, 1, 2),
        date_precision="day",
    )
    with pytest.raises(ValidationError):
        article.full_clean()


def test_outlet_source_scale_must_be_acled_vocabulary():
    """ACLED source scales are one or two of ACLED's own values joined by a hyphen."""
    OutletFactory.build(acled_source_scale="National-International").full_clean()
    with pytest.raises(ValidationError) as error:
        Outlet(name="X", slug="x", kind="news_site", acled_source_scale="Global").full_clean()
    assert "acled_source_scale" in error.value.message_dict


def test_natural_keys_round_trip():
    """Fixtures refer to records by natural key; each manager finds the record from its key."""
    quote = QuoteFactory()
    assert Quote.objects.get_by_natural_key(*quote.natural_key()) == quote
    assert Article.objects.get_by_natural_key(*quote.article.natural_key()) == quote.article

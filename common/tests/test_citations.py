"""Citations (common/citations.py): what each format says about the date, the URL, the passage and the authors."""

import datetime
import json

import pytest

from actors.tests.factories import ActorFactory
from articles.tests.factories import ArticleFactory, OutletFactory, QuoteFactory
from common import citations
from common.citations import Cited, cited_date

pytestmark = pytest.mark.django_db


def _absolute(path: str) -> str:
    return f"https://minusma.example.org{path}"


def _article(**fields):
    """An article with two authors (listed by name), dated as the factory does: estimated, 18–31 January 2015."""
    article = ArticleFactory(
        slug="moves-north", title="Mission moves north", outlet=OutletFactory(name="PassBlue"), **fields
    )
    article.authors.set([ActorFactory(name="Dulcie Leimbach"), ActorFactory(name="Colum Lynch")])
    return article


def _day(article, day: datetime.date):
    article.date_from = article.date_to = day
    article.date_precision = "day"
    return article


@pytest.mark.parametrize(
    ("date_from", "date_to", "precision", "expected"),
    [
        ("2015-01-18", "2015-01-18", "day", ([2015, 1, 18], False)),
        ("2023-01-15", "2023-01-26", "month", ([2023, 1], True)),
        ("2016-06-01", "2016-06-06", "days", ([2016, 6], True)),
        ("2013-04-25", "2013-06-30", "season", ([2013], True)),
        ("2013-01-01", "2013-12-31", "year", ([2013], True)),
        ("2014-12-20", "2015-01-10", "season", ([2014], True)),
        (None, None, "unknown", ([], False)),
    ],
)
def test_cited_date_gives_only_the_parts_the_range_shares(date_from, date_to, precision, expected):
    """A day is a day; an estimate is the year and month (or year) its whole range shares, flagged as an estimate."""
    article = ArticleFactory.build(
        date_from=date_from and datetime.date.fromisoformat(date_from),
        date_to=date_to and datetime.date.fromisoformat(date_to),
        date_precision=precision,
    )
    assert cited_date(article) == expected


def test_ris_da_never_states_a_day_the_source_does_not():
    """RIS: DA is year/month/ for an estimate within a month, year/// within a year, the whole day only when known."""
    article = _article()
    lines = citations.ris(Cited(article), _absolute).split("\r\n")
    assert "DA  - 2015/01//" in lines and "PY  - 2015" in lines
    article.date_to = datetime.date(2015, 3, 1)
    assert "DA  - 2015///" in citations.ris(Cited(article), _absolute).split("\r\n")
    _day(article, datetime.date(2015, 1, 20))
    assert "DA  - 2015/01/20/" in citations.ris(Cited(article), _absolute).split("\r\n")


def test_ris_record_lists_every_author_and_ends_once():
    """RIS: one AU line per author, family name first, one TY and one ER."""
    text = citations.ris(Cited(_article()), _absolute)
    lines = text.split("\r\n")
    assert lines[0] == "TY  - NEWS"
    assert [line for line in lines if line.startswith("AU  -")] == ["AU  - Lynch, Colum", "AU  - Leimbach, Dulcie"]
    assert text.count("ER  - ") == 1 and text.count("TY  - ") == 1


def test_csl_issued_is_one_date_with_circa_and_the_range_in_the_note():
    """CSL-JSON: an estimated date is one date-parts entry marked circa; the note gives the range."""
    item = citations.csl(Cited(_article()), _absolute)
    assert item["issued"] == {"date-parts": [[2015, 1]], "circa": True}
    assert "between 2015-01-18 and 2015-01-31" in item["note"]


def test_csl_exact_date_has_no_circa_and_no_note():
    """CSL-JSON: a day-precise date is the day, without circa; with no URL of its own the item points at our copy."""
    item = citations.csl(Cited(_day(_article(), datetime.date(2015, 1, 18))), _absolute)
    assert item["issued"] == {"date-parts": [[2015, 1, 18]]}
    assert "note" not in item
    assert item["URL"] == "https://minusma.example.org/articles/moves-north/"


def test_bibtex_keeps_the_article_url_in_url():
    """BibTeX: the published address is `url` (our record moves to the note); month is BibTeX's macro."""
    article = _article(url="https://www.passblue.com/2015/01/18/moves-north/")
    entry = citations.bibtex(Cited(article), _absolute)
    assert "  url = {https://www.passblue.com/2015/01/18/moves-north/}," in entry
    assert "  month = jan," in entry and "  date = {2015-01}," in entry
    assert "Text and record: https://minusma.example.org/articles/moves-north/" in entry


def test_bibtex_without_a_published_url_points_at_the_text_here():
    """BibTeX: an article known only from its text here still gets a `url`, our page holding that text."""
    entry = citations.bibtex(Cited(_article()), _absolute)
    assert "  url = {https://minusma.example.org/articles/moves-north/}," in entry


def test_a_passage_is_cited_with_its_words_and_address():
    """A quote's citation keys on the passage and carries its words and the reader's address of them."""
    quote = QuoteFactory(article=_article())
    cited = quote.citation()
    address = f"https://minusma.example.org/articles/moves-north/?passage={quote.text_start}-{quote.text_end}#passage"
    assert cited.key == f"moves-north:{quote.text_start}-{quote.text_end}"
    assert f"Passage: “Mali is in the forefront,” ({address})" in citations.csl(cited, _absolute)["note"]
    assert f"ID  - {cited.key}\r\n" in citations.ris(cited, _absolute)
    assert citations.bibtex(cited, _absolute).startswith(f"@article{{{cited.key},")


def test_plain_text_reference_follows_chicago():
    """Plain text: authors (first inverted), quoted title, outlet, approximate date, URL, then the estimate."""
    text = citations.plain_text(Cited(_article()), _absolute)
    assert text.startswith("Lynch, Colum and Dulcie Leimbach. “Mission moves north.” PassBlue, c. January 2015. ")
    assert "https://minusma.example.org/articles/moves-north/." in text
    assert text.endswith("Publication date estimated: between 2015-01-18 and 2015-01-31.")


def test_plain_text_of_a_dated_article_without_authors_starts_with_the_title():
    """No byline: the reference starts with the title; a known day is written out, with no estimate."""
    article = _day(ArticleFactory(title="Who Is Next?", outlet=OutletFactory(name="VICE")), datetime.date(2016, 6, 2))
    text = citations.plain_text(Cited(article), _absolute)
    assert text.startswith("“Who Is Next?” VICE, June 2, 2016. ")
    assert "estimated" not in text


def test_citation_files_hold_every_cited_passage():
    """The downloadable files hold one entry per cited passage, in each format."""
    article = _article()
    cited = [QuoteFactory(article=article).citation(), Cited(article)]
    files = {name: spec.write(cited, _absolute) for name, spec in citations.CITATION_FORMATS.items()}
    assert files["bibtex"].count("@article{") == 2
    assert files["ris"].count("TY  - NEWS") == 2
    assert len(json.loads(files["csl-json"])) == 2
    assert len(files["text"].strip().split("\n\n")) == 2

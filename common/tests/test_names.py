"""Records found by name: the folded, sorted index of names and aliases, and when it is read again."""

import re
import unicodedata

import pytest

from actors.tests.factories import ActorAliasFactory, ActorFactory
from common import datacache, names
from common.names import NameIndex, RecordName
from common.text import fold
from events.models import Place
from events.tests.factories import PlaceAliasFactory, PlaceFactory

TOWN = RecordName(1, "kidal", "Kidal")
REGION = RecordName(2, "kidal-region", "Kidal Region")
REGION_ALIAS = RecordName(2, "kidal-region", "Kidal Region", "Kidal")
CAMP = RecordName(3, "minusma-camp-kidal", "MINUSMA camp, Kidal")
TIMBUKTU = RecordName(4, "timbuktu", "Timbuktu")
TIMBUKTU_FRENCH = RecordName(4, "timbuktu", "Timbuktu", "Tombouctou")
SEGOU = RecordName(5, "segou", "Ségou")
INDEX = NameIndex([TOWN, REGION, REGION_ALIAS, CAMP, TIMBUKTU, TIMBUKTU_FRENCH, SEGOU])


def test_a_name_is_found_in_any_case_and_without_its_accents():
    """“SEGOU”, “segou” and “Ségou” all name Ségou; an alias names its record."""
    assert INDEX.named("SEGOU") == INDEX.named(" ségou ") == [SEGOU]
    assert INDEX.named("tombouctou") == [TIMBUKTU_FRENCH]


def test_a_name_that_is_also_an_alias_names_both_records():
    """“Kidal” is the town's name and the region's alias: both records, the own name first."""
    assert INDEX.named("kidal") == [TOWN, REGION_ALIAS]
    assert INDEX.named("kid") == []


def test_suggestions_start_with_whole_names_then_words_inside_names():
    """“kid” suggests the town and the region (by its name, not its alias) before the camp named after the town."""
    assert INDEX.suggestions("kid") == [TOWN, REGION, CAMP]
    assert INDEX.suggestions("KIDAL", limit=1) == [TOWN]
    assert INDEX.suggestions("tomb") == [TIMBUKTU_FRENCH]
    assert INDEX.suggestions("") == []
    assert INDEX.suggestions("zz") == []


def test_an_exact_alias_comes_before_longer_names():
    """“un” puts the United Nations (alias UN) before UN Photo, whose name only starts with it."""
    photo, nations = RecordName(1, "un-photo", "UN Photo"), RecordName(2, "united-nations", "United Nations")
    index = NameIndex([photo, nations, RecordName(2, "united-nations", "United Nations", "UN")])
    assert [record_name.slug for record_name in index.suggestions("un")] == ["united-nations", "un-photo"]


@pytest.mark.django_db
def test_the_names_are_read_once_per_data_version(monkeypatch, django_assert_num_queries):
    """Once the data is committed, a worker reads a model's names (two queries) once per data version: a write
    makes it read them again."""
    kidal = PlaceFactory(name="Kidal", slug="kidal")
    PlaceAliasFactory(place=kidal, name="Kidal town")
    monkeypatch.setattr(datacache, "uncommitted_changes", lambda: False)
    with django_assert_num_queries(2):
        assert [name.pk for name in names.name_index(Place).named("kidal town")] == [kidal.pk]
    with django_assert_num_queries(0):
        names.name_index(Place).named("kidal")
    datacache.bump_data_version()
    with django_assert_num_queries(2):
        names.name_index(Place)


@pytest.mark.django_db
def test_uncommitted_names_are_read_afresh_and_not_kept():
    """Inside a transaction that wrote (as the tests and the admin do), the index shows the writes at once."""
    assert names.name_index(Place).named("Gao") == []
    gao = PlaceFactory(name="Gao")
    assert [name.pk for name in names.name_index(Place).named("gao")] == [gao.pk]


@pytest.mark.django_db
def test_actor_names_include_aliases():
    """An actor's aliases are names it is found by, labelled with the alias matched."""
    un = ActorFactory(name="United Nations", slug="united-nations", kind="intergovernmental")
    ActorAliasFactory(actor=un, name="ONU")
    [found] = names.name_index(un.__class__).named("onu")
    assert (found.slug, found.label) == ("united-nations", "United Nations (ONU)")


@pytest.mark.parametrize(
    "text", ["Kidal", "  KIDAL \t region ", "Ansar\u00a0Dine", "Jézéquel", "ﬁn", "a\x1cb", "Ménaka  Cercle", ""]
)
def test_the_ascii_shortcut_folds_as_the_full_fold(text):
    """fold()'s shortcut for ASCII names gives what decomposing them would."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    assert fold(text) == re.sub(r"\s+", " ", without_marks).strip().casefold()

import pytest

from actors.models import Actor, ActorAlias, ActorRelation
from actors.services import actor_merge
from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from articles.models import Quote
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.models import IncidentActor
from events.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_merge_moves_every_reference_to_the_survivor():
    """Quotes, relations, incident roles, contingents and authorships of the duplicate move to the survivor."""
    survivor = ActorFactory(name="National Movement for the Liberation of Azawad", slug="mnla")
    duplicate = ActorFactory(name="NMLA", slug="nmla", kind="armed_group")
    quote = QuoteFactory(speaker=duplicate)
    article = ArticleFactory()
    article.authors.add(duplicate)
    relation = ActorRelation.objects.create(
        subject=duplicate, kind="allied_with", object=ActorFactory(), source=article, excerpt="Kidal"
    )
    incident = IncidentFactory()
    IncidentActor.objects.create(incident=incident, actor=duplicate, role="perpetrator")
    contingent = ContingentFactory(contributor=duplicate)

    actor_merge(survivor=survivor, duplicate=duplicate)

    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    assert Quote.objects.get(pk=quote.pk).speaker == survivor
    assert list(article.authors.all()) == [survivor]
    assert ActorRelation.objects.get(pk=relation.pk).subject == survivor
    assert IncidentActor.objects.get(incident=incident).actor == survivor
    contingent.refresh_from_db()
    assert contingent.contributor == survivor


def test_merge_keeps_the_duplicates_names_as_aliases():
    """The duplicate's name and aliases become the survivor's aliases, without repeating known names."""
    survivor = ActorFactory(name="Jean-Hervé Jezequel")
    ActorAliasFactory(actor=survivor, name="Jezequel")
    duplicate = ActorFactory(name="Jean-Hervé Jézéquel")
    ActorAliasFactory(actor=duplicate, name="JEZEQUEL")
    ActorAliasFactory(actor=duplicate, name="J.-H. Jézéquel")

    actor_merge(survivor=survivor, duplicate=duplicate)

    assert sorted(ActorAlias.objects.filter(actor=survivor).values_list("name", flat=True)) == [
        "J.-H. Jézéquel",
        "Jean-Hervé Jézéquel",
        "Jezequel",
    ]


def test_merge_drops_rows_that_would_repeat_or_become_reflexive():
    """A role the survivor already has, or a relation between the two, is dropped rather than duplicated."""
    survivor, duplicate = ActorFactory(), ActorFactory()
    incident = IncidentFactory()
    IncidentActor.objects.create(incident=incident, actor=survivor, role="target")
    IncidentActor.objects.create(incident=incident, actor=duplicate, role="target")
    article = ArticleFactory()
    ActorRelation.objects.create(
        subject=duplicate, kind="allied_with", object=survivor, source=article, excerpt="Kidal"
    )

    actor_merge(survivor=survivor, duplicate=duplicate)

    assert IncidentActor.objects.filter(incident=incident).count() == 1
    assert not ActorRelation.objects.exists()


def test_merge_is_recorded_in_the_history():
    """The survivor's history carries the merge with its reason."""
    survivor, duplicate = ActorFactory(name="Minusma"), ActorFactory(name="Minsuma")
    duplicate_pk = duplicate.pk
    actor_merge(survivor=survivor, duplicate=duplicate)
    latest = survivor.history.latest()
    assert "Merged actor “Minsuma”" in latest.history_change_reason
    assert Actor.history.filter(id=duplicate_pk, history_type="-").exists()


def test_merge_into_itself_is_refused():
    """Merging an actor into itself is a mistake, not a no-op."""
    actor = ActorFactory()
    with pytest.raises(ValueError):
        actor_merge(survivor=actor, duplicate=actor)

"""The admin's history pages: each change as the whole text with the changed words marked, and the reason a curator
gave with the save (or nothing, never “None”)."""

import pytest
from django.urls import reverse

from actors.models import Actor
from actors.tests.factories import ActorFactory
from common import textdiff
from common.textdiff import word_diff

REMOVED = '<del><span class="visually-hidden">removed: </span>'
ADDED = '<ins><span class="visually-hidden">added: </span>'

# The actor change form's three inlines, submitted empty.
ACTOR_INLINES_EMPTY = {
    f"{prefix}-{count}": 0
    for prefix in ("aliases", "relations_as_subject", "positions")
    for count in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_a_word_diff_is_the_whole_new_text_with_the_change_marked_and_escaped():
    """Unchanged words stay as they are, removed ones are struck through, added ones marked; markup is escaped."""
    diff = word_diff("Head of <b>MINUSMA</b> from January 2015.", "Head of <b>MINUSMA</b> from 2015, in Bamako.")
    assert diff == (
        f"Head of &lt;b&gt;MINUSMA&lt;/b&gt; from {REMOVED}January 2015.</del>{ADDED}2015, in Bamako.</ins>"
    )
    assert word_diff("", "Leader.") == f"{ADDED}Leader.</ins>"
    assert word_diff("Leader.", "") == f"{REMOVED}Leader.</del>"
    assert word_diff("The mission moves north.", "The mission moved north.") == (
        f"The mission {REMOVED}moves </del>{ADDED}moved </ins>north."
    )


def test_a_text_rewritten_whole_is_shown_removed_then_added(monkeypatch):
    """Past the comparison budget the changed middle is shown removed and added whole, still around what is kept."""
    monkeypatch.setattr(textdiff, "MAX_COMPARISONS", 1)
    assert word_diff("Kept a b c end.", "Kept d e f end.") == f"Kept {REMOVED}a b c </del>{ADDED}d e f </ins>end."


def _actor_form(actor: Actor, **changes) -> dict:
    data = {"name": actor.name, "slug": actor.slug, "kind": actor.kind, "description": actor.description}
    return {**data, "country": "", **ACTOR_INLINES_EMPTY, **changes}


def _history_table(client, actor: Actor) -> str:
    page = client.get(reverse("admin:actors_actor_history", args=[actor.pk])).content.decode()
    start = page.index('<table id="change-history"')
    return page[start : page.index("</table>", start)]


@pytest.mark.django_db
def test_the_change_form_asks_for_a_reason_and_the_history_shows_it(admin_client):
    """The reason typed in the change form is stored as the version's change reason and shown in the history."""
    actor = ActorFactory(name="Mongi Hamdi", kind="person", description="Head of MINUSMA.")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    form = admin_client.get(url).content.decode()
    assert '<label for="id_change_reason">Reason for this change:</label>' in form
    reason = "Corrected from the UN press release SG/A/1534"
    data = _actor_form(actor, description="Head of MINUSMA from January 2015.", change_reason=reason)
    assert admin_client.post(url, data).status_code == 302
    assert actor.history.latest().history_change_reason == reason
    assert f"<td>{reason}</td>" in _history_table(admin_client, actor)


@pytest.mark.django_db
def test_no_reason_and_no_user_show_nothing_never_none(admin_client):
    """A save without a reason stores none, and neither it nor a version saved outside the admin (no user) shows
    “None” in the history."""
    actor = ActorFactory(name="Mongi Hamdi", kind="person", description="Head of MINUSMA.")  # no user, no reason
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    assert admin_client.post(url, _actor_form(actor, description="Head of MINUSMA, 2015.")).status_code == 302
    assert [version.history_change_reason for version in actor.history.all()] == [None, None]
    table = _history_table(admin_client, actor)
    assert "None" not in table
    assert table.count("<td></td>") == 3  # two empty reasons, one empty user


@pytest.mark.django_db
def test_the_history_shows_the_whole_changed_text_with_the_change_marked(admin_client):
    """A long description changed by one word is shown whole (not cut to 100 characters) with that word marked."""
    start = "Mongi Hamdi, a Tunisian diplomat, led the mission " * 4
    actor = ActorFactory(name="Mongi Hamdi", kind="person", description=f"{start}from January 2015.")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    assert admin_client.post(url, _actor_form(actor, description=f"{start}from 2015.")).status_code == 302
    table = _history_table(admin_client, actor)
    assert f"{start}from {REMOVED}January </del>2015.</dd>" in table
    assert "chars]" not in table  # simple-history's shortening


@pytest.mark.django_db
def test_a_choice_change_shows_the_labels(admin_client):
    """A choice field's change reads in its labels, as the form shows them, not its stored codes."""
    actor = ActorFactory(name="Ansar Dine", kind="armed_group")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    assert admin_client.post(url, _actor_form(actor, kind="organisation")).status_code == 302
    old, new = (dict(Actor._meta.get_field("kind").flatchoices)[code] for code in ("armed_group", "organisation"))
    assert f"{REMOVED}{old}</del>{ADDED}{new}</ins>" in _history_table(admin_client, actor)


@pytest.mark.django_db
def test_inline_rows_saved_with_the_record_carry_its_reason(admin_client):
    """An alias added on the actor's form is recorded with the reason given on that form."""
    actor = ActorFactory(name="Mouvement national de libération de l'Azawad", kind="armed_group")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    data = _actor_form(
        actor,
        change_reason="Acronym used by every source",
        **{"aliases-TOTAL_FORMS": 1, "aliases-0-name": "MNLA", "aliases-0-kind": "acronym"},
    )
    assert admin_client.post(url, data).status_code == 302
    alias = actor.aliases.get()
    assert alias.history.get().history_change_reason == "Acronym used by every source"


@pytest.mark.django_db
def test_a_revert_takes_a_reason_too(admin_client):
    """Reverting from the history page stores the reason given on the revert form."""
    actor = ActorFactory(name="Radhia Achouri", kind="person", description="spokeswoman")
    first = actor.history.earliest()
    actor.description = "wrong"
    actor.save()
    url = reverse("admin:actors_actor_simple_history", args=[actor.pk, first.history_id])
    data = _actor_form(actor, description="spokeswoman", change_reason="Undo a wrong edit")
    assert admin_client.post(url, data).status_code == 302
    assert actor.history.latest().history_change_reason == "Undo a wrong edit"

"""The curators' workbench: roles, audit history, verified quoting, import/export, duplicates, query counts."""

import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from actors.models import Actor, ActorRelation, ContingentSource, Position, StrengthObservation
from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from articles.models import ActorMention, IntakeReview, PlaceMention
from articles.tests.factories import ArticleFactory, ExternalSourceFactory, OutletFactory, QuoteFactory
from events.models import Casualty, Figure, Incident, IncidentActor, Place, PlaceAlias
from events.resources import IncidentResource
from events.tests.factories import IncidentExternalDateFactory, IncidentFactory, IncidentSourceFactory, PlaceFactory

pytestmark = pytest.mark.django_db


# The actor change form's three inlines, submitted empty.
ACTOR_INLINES_EMPTY = {
    f"{prefix}-{count}": 0
    for prefix in ("aliases", "relations_as_subject", "positions")
    for count in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def _client_for(role: str) -> Client:
    user = User.objects.create_user(username=role.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def curator() -> Client:
    return _client_for("Curator")


@pytest.fixture
def editor() -> Client:
    return _client_for("Editor")


def test_curator_can_add_and_change_but_not_delete(curator):
    """Curators add and change records; deleting is for editors."""
    incident = IncidentFactory()
    assert curator.get(reverse("admin:events_incident_add")).status_code == 200
    assert curator.get(reverse("admin:events_incident_change", args=[incident.pk])).status_code == 200
    assert curator.get(reverse("admin:events_incident_delete", args=[incident.pk])).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_curator_can_neither_import_nor_merge(curator):
    """Import and merge are editors' tools."""
    assert curator.get(reverse("admin:events_incident_import")).status_code == 403
    actors = ActorFactory.create_batch(2)
    response = curator.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "merge_actors", "_selected_action": [a.pk for a in actors], "survivor": actors[0].pk},
    )
    assert Actor.objects.count() == 2
    assert response.status_code in (200, 302)


def test_editor_can_delete_import_and_merge(editor):
    """Editors may also delete, import and merge."""
    incident = IncidentFactory()
    assert editor.get(reverse("admin:events_incident_import")).status_code == 200
    response = editor.post(reverse("admin:events_incident_delete", args=[incident.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()
    first, second = ActorFactory(name="MNLA"), ActorFactory(name="NMLA")
    editor.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "merge_actors", "_selected_action": [first.pk, second.pk], "survivor": first.pk},
    )
    assert list(Actor.objects.values_list("name", flat=True)) == ["MNLA"]
    assert list(first.aliases.values_list("name", flat=True)) == ["NMLA"]


def test_merge_asks_which_actor_to_keep(editor):
    """Choosing the merge action first shows both actors to pick the survivor."""
    actors = ActorFactory.create_batch(2)
    response = editor.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "merge_actors", "_selected_action": [a.pk for a in actors]},
    )
    assert response.status_code == 200
    assert "Actor to keep" in response.content.decode()
    assert Actor.objects.count() == 2


def test_history_records_who_changed_what_and_shows_the_diff(admin_client):
    """A change through the admin is recorded with its author, and the history page shows old and new values."""
    actor = ActorFactory(name="Mongi Hamdi", description="")
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    data = {
        "name": "Mongi Hamdi",
        "slug": actor.slug,
        "kind": "person",
        "description": "Head of MINUSMA from January 2015.",
        "country": "TN",
        **ACTOR_INLINES_EMPTY,
    }
    assert admin_client.post(url, data).status_code == 302
    latest = actor.history.latest()
    assert latest.history_user.username == "admin"
    page = admin_client.get(reverse("admin:actors_actor_history", args=[actor.pk])).content.decode()
    assert "Head of MINUSMA from January 2015." in page


def test_revert_to_an_earlier_version(admin_client):
    """Reverting from the history page restores the earlier values."""
    actor = ActorFactory(name="Radhia Achouri", description="spokeswoman")
    first_version = actor.history.earliest()
    actor.description = "wrong"
    actor.save()
    url = reverse("admin:actors_actor_simple_history", args=[actor.pk, first_version.history_id])
    form = admin_client.get(url)
    assert form.status_code == 200
    data = {
        "name": "Radhia Achouri",
        "slug": actor.slug,
        "kind": "person",
        "description": "spokeswoman",
        "country": "",
        **ACTOR_INLINES_EMPTY,
    }
    assert admin_client.post(url, data).status_code == 302
    actor.refresh_from_db()
    assert actor.description == "spokeswoman"


def test_verified_quote_shows_its_sentence_with_the_passage_marked(admin_client):
    """The quote's change page shows where it sits in the article, marked."""
    quote = QuoteFactory()
    page = admin_client.get(reverse("admin:articles_quote_change", args=[quote.pk])).content.decode()
    assert "Found verbatim at characters" in page
    assert "<mark>Mali is in the forefront,</mark>" in page


def test_pasted_quote_with_straight_quotes_gets_a_hint(admin_client):
    """A quote that differs only by quote marks or dashes is refused with a hint saying so."""
    quote = QuoteFactory()
    data = {"article": quote.article.pk, "speaker": quote.speaker.pk}
    data["text"] = 'Mali is in the forefront," said'
    page = admin_client.post(reverse("admin:articles_quote_add"), data).content.decode()
    assert "quote marks, dashes, ellipses and spaces are ignored" in page


def test_quoting_the_same_passage_twice_is_a_form_error(admin_client):
    """A second quote of the same passage is refused on the form, not with a server error."""
    quote = QuoteFactory()
    data = {"article": quote.article.pk, "speaker": quote.speaker.pk, "text": quote.text}
    response = admin_client.post(reverse("admin:articles_quote_add"), data)
    assert response.status_code == 200
    assert "already quoted" in response.content.decode()


def test_article_page_highlights_its_quotes(admin_client):
    """The article change page shows the body with every quote marked."""
    quote = QuoteFactory()
    page = admin_client.get(reverse("admin:articles_article_change", args=[quote.article.pk])).content.decode()
    assert f'<mark title="{quote.speaker.name}">Mali is in the forefront,</mark>' in page


def test_excerpt_admin_shows_verified_context(admin_client):
    """Sourced claims show their excerpt in context rather than raw offsets."""
    source = IncidentSourceFactory()
    page = admin_client.get(reverse("admin:events_incidentsource_change", args=[source.pk])).content.decode()
    assert "<mark>occurred at the mission’s base in Kidal</mark>" in page


def _incident_rows(*rows: tuple[str, str]) -> tablib.Dataset:
    place = Place.objects.filter(slug="kidal").first() or PlaceFactory(slug="kidal")
    headers = [
        "slug",
        "title",
        "incident_type",
        "acled_disorder_type",
        "acled_event_type",
        "acled_sub_event_type",
        "date_from",
        "date_to",
        "date_precision",
        "place",
        "location_precision",
        "in_mali",
    ]
    data = tablib.Dataset(headers=headers)
    for slug, sub_event in rows:
        data.append(
            [
                slug,
                f"Attack {slug}",
                "attack_on_base",
                "Political violence",
                "Explosions/Remote violence",
                sub_event,
                "2015-01-17",
                "2015-01-17",
                "day",
                place.slug,
                "town",
                "1",
            ]
        )
    return data


def test_import_dry_run_previews_without_saving():
    """A dry run reports what would be created and saves nothing."""
    result = IncidentResource().import_data(_incident_rows(("a", "Suicide bomb")), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1
    assert not Incident.objects.exists()


def test_failed_import_changes_nothing_and_lists_bad_rows():
    """One invalid row rolls back the whole import and is reported with its reason."""
    rows = _incident_rows(("good", "Suicide bomb"), ("bad", "Armed clash"))
    result = IncidentResource().import_data(rows, dry_run=False, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert "sub-event type does not belong" in str(invalid.error_dict)
    assert not Incident.objects.exists()


def test_import_creates_and_updates_by_slug():
    """Rows are matched by slug: a second import updates rather than duplicates."""
    IncidentResource().import_data(_incident_rows(("a", "Suicide bomb")), dry_run=False)
    IncidentResource().import_data(_incident_rows(("a", "Shelling/artillery/missile attack")), dry_run=False)
    assert Incident.objects.get().acled_sub_event_type == "Shelling/artillery/missile attack"


def test_export_selected_rows_as_csv(admin_client):
    """The admin action streams the selected rows as CSV."""
    wanted, _ = ActorFactory(name="Ansar Dine"), ActorFactory(name="Wagner Group")
    response = admin_client.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "export_selected_as_csv", "_selected_action": [wanted.pk]},
    )
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Ansar Dine" in body and "Wagner Group" not in body


def test_new_actor_matching_an_alias_warns_until_confirmed(admin_client):
    """Creating “Jézéquel” when “Jezequel” exists as an alias warns; confirming saves it anyway."""
    ActorAliasFactory(name="Jezequel")
    data = {
        "name": "JÉZÉQUEL",
        "slug": "jezequel-2",
        "kind": "person",
        **ACTOR_INLINES_EMPTY,
    }
    page = admin_client.post(reverse("admin:actors_actor_add"), data).content.decode()
    assert "Possible duplicate of" in page
    assert not Actor.objects.filter(slug="jezequel-2").exists()
    data["confirm_not_duplicate"] = "on"
    assert admin_client.post(reverse("admin:actors_actor_add"), data).status_code == 302
    assert Actor.objects.filter(slug="jezequel-2").exists()


def test_new_place_matching_a_name_warns(admin_client):
    """Places get the same duplicate warning: “tombouctou” matches “Tombouctou”."""
    PlaceFactory(name="Tombouctou")
    data = {
        "name": "tombouctou",
        "slug": "tombouctou-2",
        "kind": "city",
        "coordinates_note": "none",
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
        "children-TOTAL_FORMS": 0,
        "children-INITIAL_FORMS": 0,
    }
    assert "Possible duplicate of" in admin_client.post(reverse("admin:events_place_add"), data).content.decode()


def _sourced(model, **fields):
    article = ArticleFactory()
    return model.objects.create(source=article, excerpt="occurred at the mission’s base in Kidal", **fields)


CHANGELISTS = {
    "articles_outlet": lambda: OutletFactory(),
    "articles_article": lambda: QuoteFactory(),
    "articles_actormention": lambda: _sourced(ActorMention, actor=ActorFactory()),
    "articles_placemention": lambda: _sourced(PlaceMention, place=PlaceFactory()),
    "articles_intakereview": lambda: IntakeReview.objects.create(
        article=ArticleFactory(),
        fingerprint="f",
        kind="quote",
        text_start=0,
        text_end=3,
        text="The",
        decision="dismissed",
    ),
    "articles_quote": lambda: QuoteFactory(),
    "articles_externalsource": lambda: ExternalSourceFactory(),
    "actors_actor": lambda: ActorAliasFactory(),
    "actors_contingent": lambda: ContingentFactory(base=PlaceFactory()),
    "events_incident": lambda: IncidentSourceFactory(),
    "events_incidentsource": lambda: IncidentSourceFactory(),
    "events_incidentexternaldate": lambda: IncidentExternalDateFactory(),
    "events_place": lambda: PlaceFactory(parent=PlaceFactory()),
    "events_placealias": lambda: PlaceAlias.objects.create(
        place=PlaceFactory(), name="Tombouctou", kind="other_language"
    ),
    "actors_actoralias": lambda: ActorAliasFactory(),
    "actors_actorrelation": lambda: _sourced(
        ActorRelation, subject=ActorFactory(), kind="member_of", object=ActorFactory()
    ),
    "actors_position": lambda: _sourced(
        Position, person=ActorFactory(), title="spokeswoman", organisation=ActorFactory()
    ),
    "actors_contingentsource": lambda: _sourced(ContingentSource, contingent=ContingentFactory(base=PlaceFactory())),
    "actors_strengthobservation": lambda: _sourced(
        StrengthObservation, contingent=ContingentFactory(base=PlaceFactory()), personnel=12
    ),
    "events_incidentactor": lambda: IncidentActor.objects.create(
        incident=IncidentFactory(), actor=ActorFactory(), role="target"
    ),
    "events_casualty": lambda: _sourced(
        Casualty, incident=IncidentFactory(), category="civilians", outcome="killed", best=2
    ),
    "events_figure": lambda: _sourced(Figure, quantity="peacekeepers_killed", value=29, subject=ActorFactory()),
}


def test_every_registered_model_has_a_changelist_query_check():
    """The query-count guard below covers every model in the admin."""
    from django.contrib import admin

    registered = {
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model in admin.site._registry
        if model._meta.app_label in {"articles", "actors", "events"}
    }
    assert registered == set(CHANGELISTS)


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_changelists_run_a_fixed_number_of_queries(admin_client, changelist, django_assert_num_queries):
    """Guards against N+1 queries: a changelist of 2 rows and of 20 rows run the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:{changelist}_changelist")
    CHANGELISTS[changelist]()
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(10):
        CHANGELISTS[changelist]()
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(url)


def test_import_through_the_admin_previews_then_confirms(editor):
    """An editor uploads a CSV, sees the dry-run preview with nothing saved, then confirms to save."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = SimpleUploadedFile("incidents.csv", _incident_rows(("kidal-attack", "Suicide bomb")).csv.encode())
    preview = editor.post(reverse("admin:events_incident_import"), {"import_file": csv_file, "format": "0"})
    assert preview.status_code == 200
    assert "Confirm import" in preview.content.decode()
    assert not Incident.objects.exists()
    confirm = preview.context["confirm_form"]
    response = editor.post(reverse("admin:events_incident_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Incident.objects.get().slug == "kidal-attack"


def test_import_through_the_admin_lists_bad_rows_and_saves_nothing(editor):
    """A CSV with a bad row shows which row and why, and offers no confirmation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = _incident_rows(("good", "Suicide bomb"), ("bad", "Armed clash"))
    csv_file = SimpleUploadedFile("incidents.csv", rows.csv.encode())
    page = editor.post(reverse("admin:events_incident_import"), {"import_file": csv_file, "format": "0"})
    text = page.content.decode()
    assert "sub-event type does not belong" in text
    assert "Confirm import" not in text
    assert not Incident.objects.exists()

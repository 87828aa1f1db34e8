"""The admin's intake page: reviewing, editing, accepting and dismissing suggestions, and adding an article by
upload."""

import io

import docx
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from actors.tests.factories import ActorAliasFactory, ActorFactory
from articles.intake import Kind, suggest
from articles.models import ActorMention, Article, IntakeReview, PlaceMention, Quote
from articles.tests.factories import ArticleFactory, OutletFactory
from events.models import Figure, Incident, IncidentSource
from events.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

BODY = (
    "The mission is moving north.\n\n"
    "“Mali is in the forefront,” said Jeff Laurenti, an analyst. The UN lost 29 peacekeepers in 2014.\n\n"
    "On Jan. 17, fighters fired rockets at the UN camp in Kidal. Officials met Amadou Toumani Kone."
)


def _client_for(role: str, username: str | None = None) -> tuple[Client, User]:
    user = User.objects.create_user(username=username or role.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def curator():
    return _client_for("Curator")


@pytest.fixture
def article():
    ActorFactory(name="Jeff Laurenti", slug="jeff-laurenti")
    united_nations = ActorFactory(name="United Nations", slug="united-nations", kind="intergovernmental")
    ActorAliasFactory(actor=united_nations, name="UN")
    PlaceFactory(name="Kidal", slug="kidal")
    return ArticleFactory(body=BODY)


def _url(article: Article) -> str:
    return reverse("admin:articles_article_intake", args=[article.pk])


def _find(article: Article, kind: Kind, text: str):
    return next(s for s in suggest(article).by_kind(kind) if s.text == text)


def _post(client: Client, article: Article, suggestion, action: str = "accept", **fields):
    """What the page's form posts: the fingerprint, the action, and the form's fields under its prefix."""
    from articles.intake.forms import FORMS, Choices

    form = FORMS[suggestion.kind](suggestion=suggestion, choices=Choices.for_article(article, [suggestion]))
    data = {"fingerprint": suggestion.fingerprint, "action": action}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[form.add_prefix(name)] = "" if value is None else value
    data.update({form.add_prefix(name): value for name, value in fields.items()})
    return client.post(_url(article), data)


def test_intake_page_shows_the_body_and_suggestions(curator, article):
    """The page marks the suggestions in the body and lists each with its proposed values and buttons."""
    client, _ = curator
    response = client.get(_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mali is in the forefront," in html
    assert "Jeff Laurenti" in html
    assert 'name="action" value="accept"' in html
    assert "<script" not in html.split('id="content-main"')[1]  # the page's own part needs no script


def test_intake_page_costs_a_fixed_number_of_queries(curator, article, django_assert_max_num_queries):
    """Guards against N+1 queries: a long body with many suggestions is as cheap as a short one."""
    client, _ = curator
    article.body = " ".join([BODY.replace("\n\n", " ")] * 30)
    article.save()
    with django_assert_max_num_queries(40):
        assert client.get(_url(article)).status_code == 200


def test_anonymous_and_non_staff_cannot_open_intake(client, article):
    """Signed-out visitors are sent to the login page; staff without the article permission get 403."""
    assert client.get(_url(article)).status_code == 302
    user = User.objects.create_user(username="staff", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(_url(article)).status_code == 403


def test_accepting_a_quote_creates_it_with_offsets_and_history(curator, article):
    """One POST creates the quote at its offsets, with the curator and “accepted from intake” in its history."""
    client, user = curator
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    response = _post(client, article, suggestion)
    assert response.status_code == 302
    quote = Quote.objects.get(article=article)
    assert (quote.text_start, quote.text_end) == (suggestion.start, suggestion.end)
    assert quote.speaker.slug == "jeff-laurenti"
    entry = quote.history.get()
    assert entry.history_user == user
    assert entry.history_change_reason == "accepted from intake by curator"
    review = IntakeReview.objects.get(article=article, fingerprint=suggestion.fingerprint)
    assert (review.decision, review.record_model, review.record_id) == ("accepted", "articles.quote", quote.pk)
    assert _find(article, Kind.QUOTE, "Mali is in the forefront,").recorded


def test_edit_then_accept_uses_the_edited_values(curator, article):
    """Values changed in the form are the ones saved."""
    client, _ = curator
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    _post(client, article, suggestion, speaker_role="an American analyst")
    assert Quote.objects.get(article=article).speaker_role == "an American analyst"


def test_an_edit_that_is_not_verbatim_is_refused_with_a_form_error(curator, article):
    """A quote edited into words the body does not hold is a 400 with the reason; nothing is saved."""
    client, _ = curator
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    response = _post(client, article, suggestion, text="Mali is at the back,")
    assert response.status_code == 400
    assert "does not occur in the article body" in response.content.decode()
    assert not Quote.objects.exists() and not IntakeReview.objects.exists()


def test_accepting_twice_creates_one_record(curator, article):
    """The second acceptance of the same suggestion is refused; one quote exists."""
    client, _ = curator
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    _post(client, article, suggestion)
    _post(client, article, suggestion)
    assert Quote.objects.count() == 1


def test_dismissing_is_remembered_and_can_be_undone(curator, article):
    """A dismissed suggestion leaves the pending list, creates nothing, and can be reconsidered."""
    client, _ = curator
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    assert _post(client, article, suggestion, action="dismiss").status_code == 302
    assert IntakeReview.objects.get().decision == "dismissed"
    assert not Quote.objects.exists()
    assert suggestion.fingerprint[:12] not in client.get(_url(article)).content.decode()
    assert suggestion.fingerprint[:12] in client.get(_url(article), {"state": "dismissed"}).content.decode()
    client.post(_url(article), {"fingerprint": suggestion.fingerprint, "action": "reopen"})
    assert not IntakeReview.objects.exists()


def test_accepting_mentions_records_them(curator, article):
    """An actor mention and a place mention become ActorMention and PlaceMention rows at the name's offsets."""
    client, _ = curator
    _post(client, article, _find(article, Kind.ACTOR, "Jeff Laurenti"))
    _post(client, article, _find(article, Kind.PLACE, "Kidal"))
    mention = ActorMention.objects.get()
    assert (mention.actor.slug, mention.excerpt) == ("jeff-laurenti", "Jeff Laurenti")
    assert article.body[mention.excerpt_start : mention.excerpt_end] == "Jeff Laurenti"
    assert PlaceMention.objects.get().place.slug == "kidal"


def test_accepting_a_number_as_a_figure(curator, article):
    """“29 peacekeepers” becomes a figure with its value, subject and the passage as excerpt."""
    client, _ = curator
    suggestion = _find(article, Kind.NUMBER, "29 peacekeepers")
    subject = Actor.objects.get(slug="united-nations")
    response = _post(
        client, article, suggestion, record_as="figure", quantity="peacekeepers_killed", subject=str(subject.pk)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = Figure.objects.get()
    assert (figure.value, figure.quantity, figure.subject, figure.excerpt) == (
        29,
        "peacekeepers_killed",
        subject,
        "29 peacekeepers",
    )
    assert figure.history.get().history_change_reason == "accepted from intake by curator"


def test_a_figure_needs_a_subject(curator, article):
    """Accepting a figure without a subject is a form error, not a 500."""
    client, _ = curator
    response = _post(client, article, _find(article, Kind.NUMBER, "29 peacekeepers"), record_as="figure", subject="")
    assert response.status_code == 400
    assert not Figure.objects.exists()


def test_accepting_an_incident_draft(curator, article):
    """The draft creates the incident, its source (the sentence) and its actors, in one go."""
    client, _ = curator
    draft = next(iter(suggest(article).by_kind(Kind.INCIDENT)))
    response = _post(client, article, draft)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.place.slug == "kidal"
    assert IncidentSource.objects.get().excerpt == draft.text
    assert list(incident.actor_roles.values_list("actor__slug", "role")) == [("united-nations", "target")]


def test_creating_an_unknown_name(curator, article):
    """An unknown name becomes a new actor of the chosen kind, with its first mention."""
    client, _ = curator
    name = _find(article, Kind.NAME, "Amadou Toumani Kone")
    assert _post(client, article, name, create_as="actor:person").status_code == 302
    actor = Actor.objects.get(name="Amadou Toumani Kone")
    assert actor.kind == "person"
    assert ActorMention.objects.get(actor=actor).excerpt == "Amadou Toumani Kone"


def test_accepting_needs_the_permission_to_add_the_record(article):
    """A curator without the permission to add figures gets 403 and nothing is created."""
    client, user = _client_for("Curator")
    group = Group.objects.create(name="No figures")
    group.permissions.set(Group.objects.get(name="Curator").permissions.exclude(codename="add_figure"))
    user.groups.set([group])
    assert client.get(_url(article)).status_code == 200
    subject = Actor.objects.get(slug="united-nations")
    suggestion = _find(article, Kind.NUMBER, "29 peacekeepers")
    response = _post(client, article, suggestion, record_as="figure", subject=str(subject.pk))
    assert response.status_code == 403
    assert not Figure.objects.exists()
    assert Permission.objects.filter(codename="add_figure").exists()


def test_an_unknown_suggestion_is_a_400(curator, article):
    """A fingerprint the engine no longer offers (the body changed) is refused; nothing is saved."""
    client, _ = curator
    response = client.post(_url(article), {"fingerprint": "nothing", "action": "accept"})
    assert response.status_code == 400
    assert not IntakeReview.objects.exists()


def test_bad_filters_are_a_400(curator, article):
    """An unknown kind or state in the address is a 400 that lists the allowed values."""
    client, _ = curator
    assert client.get(_url(article), {"kind": "everything"}).status_code == 400


def test_posting_without_a_csrf_token_is_refused(article):
    """The accept form is protected against cross-site requests."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    suggestion = _find(article, Kind.QUOTE, "Mali is in the forefront,")
    response = client.post(_url(article), {"fingerprint": suggestion.fingerprint, "action": "accept"})
    assert response.status_code == 403
    assert not Quote.objects.exists()


def _add_article(client: Client, **fields):
    outlet = OutletFactory()
    data = {
        "title": "Uploaded",
        "slug": "uploaded",
        "outlet": outlet.pk,
        "language": "en",
        "date_precision": "unknown",
        "body": "",
        "quotes-TOTAL_FORMS": 0,
        "quotes-INITIAL_FORMS": 0,
        **fields,
    }
    return client.post(reverse("admin:articles_article_add"), data)


def _docx(text: str) -> bytes:
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(
    "name, content",
    [
        ("article.txt", b"First paragraph.\r\n\r\nSecond paragraph."),
        (
            "article.html",
            b"<html><body><nav>Home | Subscribe | Log in</nav><article><h1>Headline</h1>"
            b"<p>First paragraph.</p><p>Second paragraph.</p></article><footer>Copyright</footer></body></html>",
        ),
        ("article.docx", _docx("First paragraph.\n\nSecond paragraph.")),
    ],
)
def test_add_an_article_by_upload(curator, name, content):
    """A .txt, .html (without the page's chrome) or .docx upload fills the body; the intake page opens next."""
    client, _ = curator
    response = _add_article(client, upload=SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="uploaded")
    assert "First paragraph.\n\nSecond paragraph." in article.body
    assert "Subscribe" not in article.body and "Copyright" not in article.body
    assert response["Location"] == _url(article)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Paste the article"),
        ({"body": "Pasted.", "upload": SimpleUploadedFile("a.txt", b"Uploaded.")}, "not both"),
        ({"upload": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}, "Upload a .txt, .html or .docx file."),
        ({"upload": SimpleUploadedFile("a.docx", b"not a zip")}, "not a readable .docx"),
    ],
)
def test_bad_uploads_are_form_errors(curator, fields, message):
    """No body, both a body and a file, another format or a broken file: a form error, nothing saved."""
    client, _ = curator
    response = _add_article(client, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()

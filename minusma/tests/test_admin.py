"""The admin: every page opens for staff, none for anonymous visitors."""

import pytest
from django.contrib import admin
from django.urls import reverse

from actors.tests.factories import ActorAliasFactory, ContingentFactory
from articles.tests.factories import QuoteFactory
from events.tests.factories import IncidentSourceFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def some_records():
    QuoteFactory()
    ActorAliasFactory(name="MNLA")
    ContingentFactory()
    IncidentSourceFactory()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_add_pages_open_for_a_superuser(admin_client, some_records, model):
    """Each model's list and add pages render for a superuser (django-axes' login records have no add page)."""
    info = (model._meta.app_label, model._meta.model_name)
    assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if admin.site._registry[model].has_add_permission(add.wsgi_request) else 403)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_anonymous_visitors_never_reach_the_admin(client, model):
    """Anonymous visitors are sent to the login page."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_actor_search_finds_aliases(admin_client, some_records):
    """Searching actors in the admin matches their aliases too."""
    response = admin_client.get(reverse("admin:actors_actor_changelist"), {"q": "mnla"})
    assert response.context["cl"].result_count == 1


def test_quote_saved_through_the_admin_gets_its_offsets(admin_client):
    """A curator's quote is located in the body and its offsets stored; a misquote is refused."""
    quote = QuoteFactory()
    url = reverse("admin:articles_quote_add")
    data = {"article": quote.article.pk, "speaker": quote.speaker.pk, "text": "said Jeff Laurenti", "speaker_role": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    data["text"] = "said Jeff Laurentii"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "does not occur in the article body" in response.content.decode()

"""The browsable API: a person who opens a record's `url` in a browser (Accept: text/html) gets a page, whether
anonymous or a curator who may write (who also gets the write forms), for every list and detail."""

import html
import json
import re

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from actors.tests.factories import ContingentSourceFactory, StrengthObservationFactory
from articles.tests.factories import QuoteFactory
from events.models import IncidentActor
from events.tests.factories import (
    CasualtyFactory,
    FigureFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceAliasFactory,
    PlaceFactory,
)
from minusma.api import router

pytestmark = pytest.mark.django_db

RECORD_ENDPOINTS = [prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "serializer_class")]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def records():
    """One related record of every kind, and their ids by endpoint."""
    place = PlaceFactory(parent=PlaceFactory(kind="region"))
    PlaceAliasFactory(place=place)
    incident = IncidentFactory(place=place)
    IncidentActorFactory(incident=incident)
    IncidentActorFactory(incident=incident, role=IncidentActor.Role.TARGET)
    IncidentSourceFactory(incident=incident)
    contingent_source = ContingentSourceFactory()
    observation = StrengthObservationFactory(contingent=contingent_source.contingent)
    CasualtyFactory(incident=incident, contingent=contingent_source.contingent)
    quote = QuoteFactory()
    figure = FigureFactory()
    return {
        "articles": quote.article_id,
        "quotes": quote.pk,
        "actors": quote.speaker_id,
        "contingents": contingent_source.contingent_id,
        "strength-observations": observation.pk,
        "incidents": incident.pk,
        "places": place.pk,
        "figures": figure.pk,
    }


@pytest.fixture(params=["anonymous", "curator"])
def browser(request):
    """A browser's client: anonymous, or logged in (a session) as a curator who may add and change records."""
    client = APIClient(HTTP_ACCEPT=BROWSER)
    if request.param == "curator":
        curator = User.objects.create_user("curator", is_staff=True)
        curator.groups.add(Group.objects.get(name="Curator"))
        client.force_login(curator)
    return client


def test_every_record_endpoint_is_covered(records):
    """The fixture names a record for each endpoint the router serves."""
    assert sorted(RECORD_ENDPOINTS) == sorted(records)


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS)
def test_a_list_opens_in_a_browser(browser, records, endpoint):
    """A list asked for as HTML is the browsable page, not a 500."""
    response = browser.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS)
def test_a_record_opens_in_a_browser(browser, records, endpoint):
    """A record's `url` opened in a browser is the browsable page of the record, not a 500."""
    response = browser.get(f"/api/v1/{endpoint}/{records[endpoint]}/")
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/search/?q=kidal", "/api/v1/deleted/"])
def test_the_root_search_and_deletions_open_in_a_browser(browser, records, path):
    """The API root, the search and the deletions feed render as pages too."""
    response = browser.get(path)
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"].startswith("text/html")


def test_bad_input_in_a_browser_is_a_400_page(browser, records):
    """An error asked for as HTML is shown as a page with its status, not a 500."""
    assert browser.get("/api/v1/incidents/", {"page": "x"}).status_code == 400
    assert browser.get("/api/v1/incidents/999999/").status_code == 404


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS)
def test_a_curator_edits_a_record_in_the_raw_json_form_that_round_trips(records, endpoint):
    """A curator's record page offers the raw JSON form, holding the record as the API gives it, which validates
    back unchanged (references included); there is no field-by-field form to clear references by mistake."""
    curator = User.objects.create_user("curator", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    client = APIClient(HTTP_ACCEPT=BROWSER)
    client.force_login(curator)
    response = client.get(f"/api/v1/{endpoint}/{records[endpoint]}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["put_form"] is None
    assert response.context["raw_data_put_form"] is not None
    view = response.renderer_context["view"]
    raw = re.search(r'<textarea[^>]*name="_content"[^>]*>(.*?)</textarea>', content, re.S)[1]
    serializer = view.get_serializer_class()(
        instance=view.get_object(), data=json.loads(html.unescape(raw)), context={"request": response.wsgi_request}
    )
    assert serializer.is_valid(), serializer.errors


def test_reference_choices_are_keyed_by_id(records):
    """Anything that lists a reference field's choices (a form, a schema tool) gets ids, not unhashable dicts."""
    from actors.models import Contingent
    from common.api.fields import RefField

    choices = RefField(queryset=Contingent.objects.all()).get_choices()
    assert list(choices) == [records["contingents"]]


def test_a_reader_who_signs_in_is_not_given_back_the_page_kept_from_before(records):
    """The browsable page shows the writer's forms, so its ETag names the reader: the anonymous copy's ETag does not
    earn a curator a 304 (which would keep the form-less page), while the JSON's ETag is the same for both."""
    curator = User.objects.create_user("curator", password="a long enough passphrase")
    curator.groups.add(Group.objects.get(name="Curator"))
    url = f"/api/v1/incidents/{records['incidents']}/"
    for accept, reused in [(BROWSER, False), ("application/json", True)]:
        anonymous = APIClient().get(url, HTTP_ACCEPT=accept)
        client = APIClient()
        client.force_login(curator)
        signed_in = client.get(url, HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=anonymous["ETag"])
        assert signed_in.status_code == (304 if reused else 200), accept

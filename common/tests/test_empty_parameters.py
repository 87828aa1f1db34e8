"""A list page asked with empty parameters (a form submitted without JavaScript) moves to the short address."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_list_with_empty_parameters_redirects_to_the_address_without_them(client):
    """?date_from=&place=&incident_type=ambush → 302 to ?incident_type=ambush, every filled value kept in order."""
    response = client.get(
        reverse("events:incident_list"), {"date_from": "", "place": " ", "incident_type": "ambush", "q": "kidal"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/incidents/?incident_type=ambush&q=kidal"


def test_only_empty_parameters_redirect_to_the_bare_list(client):
    """Every box empty: the list itself."""
    response = client.get(reverse("articles:quote_list"), {"speaker": "", "date_to": ""})
    assert response.status_code == 302
    assert response["Location"] == "/quotes/"


def test_a_list_without_empty_parameters_is_not_redirected(client):
    """A short address is answered as it is."""
    assert client.get(reverse("events:incident_list"), {"incident_type": "ambush"}).status_code == 200


def test_the_api_reads_empty_parameters_as_absent_and_does_not_redirect():
    """The API's contract is unchanged: an empty filter is no filter, answered at once."""
    response = APIClient().get("/api/v1/incidents/", {"date_from": "", "place": ""})
    assert response.status_code == 200

"""The site's own pages and links: the favicon, the navigation, and the data downloads page."""

import pytest
from django.urls import reverse

from actors.tests.factories import ActorFactory, ContingentFactory
from articles.tests.factories import ArticleFactory, QuoteFactory
from events.tests.factories import FigureFactory, IncidentFactory, PlaceFactory
from minusma.api import router

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_sites_icon(client):
    """/favicon.ico, which browsers ask for on their own, leads to the icon the pages name, which is served."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    home = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in home


def test_navigation_offers_the_api_and_the_data_downloads(client):
    content = client.get(reverse("home")).content.decode()
    nav = content[content.index('<nav aria-label="Main">') : content.index("</nav>")]
    assert f'<a href="{reverse("data_downloads")}">Data downloads</a>' in nav
    assert f'<a href="{reverse("api:swagger-ui")}">API</a>' in nav


def test_downloads_page_lists_every_dataset_with_working_links(client, django_assert_num_queries):
    """Each record endpoint of the API is a dataset on the page, with a download in each of its formats; each link
    answers with that format."""
    ArticleFactory()
    IncidentFactory()
    ContingentFactory()
    with django_assert_num_queries(8):  # one count per dataset
        response = client.get(reverse("data_downloads"))
    assert response.status_code == 200
    datasets = {dataset["api_list"]: dataset for dataset in response.context["datasets"]}
    endpoints = {reverse(f"api:{basename}-list") for prefix, _, basename in router.registry}
    assert set(datasets) == endpoints - {reverse("api:search-list"), reverse("api:deleted-list")}
    content = response.content.decode()
    formats = {api_list: [d["format"] for d in dataset["downloads"]] for api_list, dataset in datasets.items()}
    assert formats[reverse("api:incident-list")] == ["csv", "jsonl", "geojson", "acled", "ucdp"]
    assert formats[reverse("api:article-list")] == ["csv", "jsonl", "bibtex", "ris", "csl-json"]
    assert formats[reverse("api:place-list")] == ["csv", "jsonl", "geojson"]
    assert datasets[reverse("api:incident-list")]["count"] == 1
    for api_list, dataset in datasets.items():
        assert f'<a href="{api_list}">{api_list}</a>' in content
        for download in dataset["downloads"]:
            assert f'<a href="{download["url"]}" data-format="{download["format"]}">' in content
            answer = client.get(download["url"])
            assert answer.status_code == 200, download["url"]
            assert answer["Content-Type"].split(";")[0] not in ("text/html", "application/json"), download["url"]


def test_downloads_page_separates_thousands(client, monkeypatch):
    """Record counts read 12,345, not 12345."""
    from minusma import views

    real = views.datasets

    def many():
        return [{**dataset, "count": 12345} for dataset in real()]

    monkeypatch.setattr(views, "datasets", many)
    assert ">12,345<" in client.get(reverse("data_downloads")).content.decode()


@pytest.mark.parametrize(
    ("factory", "formats"),
    [
        (IncidentFactory, ["json", "csv", "geojson"]),
        (ActorFactory, ["json", "csv"]),
        (PlaceFactory, ["json", "csv", "geojson"]),
        (ArticleFactory, ["json", "csv"]),
        (QuoteFactory, ["json", "csv"]),
        (ContingentFactory, ["json", "csv"]),
        (FigureFactory, ["json", "csv"]),
    ],
)
def test_record_pages_link_their_own_data(client, factory, formats):
    """Every record page links its address in the API beside the data, as JSON and in the one-record formats its
    endpoint offers; each link answers with that record."""
    record = factory()
    api_url = reverse(f"api:{record._meta.model_name}-detail", args=[record.pk])
    content = client.get(record.get_absolute_url()).content.decode()
    links = content[content.index('<p class="record-data">') :]
    links = links[: links.index("</p>")]
    offered = [chunk.partition('"')[0] for chunk in links.split('data-format="')[1:]]
    assert offered == formats
    assert f'<a href="{api_url}" type="application/json" data-format="json">JSON</a>' in links
    assert client.get(api_url).json()["id"] == record.pk
    for name in formats[1:]:
        assert f'<a href="{api_url}?format={name}" data-format="{name}">' in links
        answer = client.get(f"{api_url}?format={name}")
        assert answer.status_code == 200
        assert str(record.pk).encode() in b"".join(answer.streaming_content)


@pytest.mark.parametrize(
    ("path", "written_here"),
    [
        pytest.param("/api/v1/", False, id="browsable-root"),
        pytest.param("/api/v1/incidents/", False, id="browsable-list"),
        pytest.param("/api/v1/docs/", True, id="swagger-ui"),
        pytest.param("/api/v1/redoc/", True, id="redoc"),
    ],
)
def test_api_pages_say_their_language_and_fit_a_phone(client, path, written_here):
    """The browsable API and the API docs declare English and a viewport, as the site's pages do."""
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<html") == 1
    assert '<html lang="en">' in content
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in content
    if written_here:  # the docs pages' templates, which replace drf-spectacular's whole
        assert "<script>" not in content and "<style>" not in content  # nothing inline, for the CSP


def test_list_filters_wait_behind_a_disclosure_open_when_they_have_an_error(client):
    """The filters and facets are a <details>, closed in the HTML (a phone shows the rows first; a script opens it on
    a wide screen), open when a filter has an error to show; the list takes a wide page."""
    IncidentFactory()
    content = client.get(reverse("events:incident_list")).content.decode()
    assert '<body class="wide">' in content
    assert '<details class="list-controls" id="list-controls">' in content
    assert content.index('<form method="get" action="" class="list-filters"') > content.index("<summary>")
    assert '<script src="/static/js/list-controls.js" defer></script>' in content
    refused = client.get(reverse("events:incident_list"), {"min_killed": "-1"})
    assert refused.status_code == 400
    assert '<details class="list-controls" id="list-controls" open>' in refused.content.decode()

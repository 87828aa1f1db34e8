import pytest
from django.urls import reverse

from actors.tests.factories import ActorFactory, ContingentFactory, MissionFactory
from articles.tests.factories import ArticleFactory
from events.models import Casualty, Figure, IncidentActor, Place
from events.tests.factories import (
    FigureFactory,
    IncidentExternalDateFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db


def test_incident_page_shows_actors_casualties_and_sources_linked_to_the_passage(client):
    """Sources open the article at the highlighted excerpt; actors and place link to their pages."""
    source = IncidentSourceFactory()
    incident = source.incident
    actor = ActorFactory(name="Ansar Dine")
    IncidentActor.objects.create(incident=incident, actor=actor, role="perpetrator", confidence="claimed")
    Casualty.objects.create(
        incident=incident,
        category="peacekeepers",
        outcome="killed",
        best=1,
        nationality="TD",
        source=source.source,
        excerpt="killing a Chadian peacekeeper",
    )
    page = client.get(incident.get_absolute_url()).content.decode()
    assert source.get_source_url().replace("&", "&amp;") in page or source.get_source_url() in page
    assert actor.get_absolute_url() in page and "perpetrator" in page
    assert incident.place.get_absolute_url() in page
    assert "Chad" in page


@pytest.mark.parametrize("copies", [1, 5])
def test_incident_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: roles, casualties and sources (with their articles' outlets) are one query each,
    and the cited articles' authors, which the Cite control needs, one more."""
    incident = IncidentFactory()
    for _ in range(copies):
        source = IncidentSourceFactory(incident=incident)
        source.source.authors.set([ActorFactory()])
        IncidentActor.objects.create(incident=incident, actor=ActorFactory(), role="target")
    with django_assert_num_queries(5):
        client.get(incident.get_absolute_url())


@pytest.mark.parametrize("copies", [1, 5])
def test_place_page_lists_incidents_within_and_contingents_based_there(client, django_assert_num_queries, copies):
    """Guards against N+1 queries: a region's page includes its towns' incidents and contingents, and its map their
    points, bases and the place labels, in a fixed number of queries."""
    region = PlaceFactory(name="Kidal Region", kind=Place.Kind.REGION, latitude=None, longitude=None)
    town = PlaceFactory(name="Kidal", parent=region)
    for _ in range(copies):
        IncidentSourceFactory(incident=IncidentFactory(place=town))
        ContingentFactory(base=town)
    with django_assert_num_queries(14):
        page = client.get(region.get_absolute_url()).content.decode()
    assert page.count('href="/incidents/incident-') == copies
    assert page.count('href="/contingents/contingent-') == copies
    assert town.get_absolute_url() in page


def test_place_page_map_counts_the_contingents_it_lists(client):
    """A camp without coordinates: its contingent is drawn at the camp's town, so the map's words and the heading
    both count one contingent at one base (they said 0 bases beside a listed contingent)."""
    town = PlaceFactory(name="Kidal")
    camp = PlaceFactory(
        name="MINUSMA camp, Kidal", kind=Place.Kind.MILITARY_BASE, parent=town, latitude=None, longitude=None
    )
    contingent = ContingentFactory(base=camp)
    response = client.get(camp.get_absolute_url())
    page = response.content.decode()
    assert "Contingents based here (1)" in page
    assert "and 1 contingent base (1 contingent) over" in page
    [base] = response.context["map"].bases["features"]
    assert base["geometry"]["coordinates"] == [1.40921, 18.44345]
    assert base["properties"] | {"contingents": None} == {
        "name": "MINUSMA camp, Kidal",
        "url": camp.get_absolute_url(),
        "located_at": "Kidal",
        "fallback": True,
        "contingents": None,
    }
    assert base["properties"]["contingents"] == [{"name": str(contingent), "url": contingent.get_absolute_url()}]


def test_place_page_map_counts_contingents_at_bases_it_cannot_draw(client):
    """A base with no point in its whole chain is not drawn, and the map's words say how many contingents that
    leaves off, so the count still adds up to the list."""
    camp = PlaceFactory(kind=Place.Kind.MILITARY_BASE, latitude=None, longitude=None, coordinates_note="Unknown.")
    ContingentFactory(base=camp)
    page = client.get(camp.get_absolute_url()).content.decode()
    assert "Contingents based here (1)" in page
    assert "0 contingent bases (0 contingents), 1 more contingent at a base without coordinates" in page


def test_place_page_empty_sections_say_so_once(client):
    """A place with nothing recorded: counts of 0 and one sentence each, no empty table or list."""
    page = client.get(PlaceFactory().get_absolute_url()).content.decode()
    assert "Incidents here (0)" in page and "<p>No incidents recorded.</p>" in page
    assert "Contingents based here (0)" in page and "<p>No contingents recorded.</p>" in page
    assert "<table>" not in page


def test_figure_page_compares_every_claim_of_the_quantity(client, django_assert_num_queries):
    """A figure sits beside the other claims of the same quantity, in date order, each with its source."""
    mission = MissionFactory()
    claims = []
    for year, value in [(2014, 29), (2016, 60), (2023, 165)]:
        article = ArticleFactory(title=f"Report {year}")
        claims.append(
            Figure.objects.create(
                quantity="peacekeepers_killed",
                value=value,
                subject=mission,
                scope="since_start",
                date_from=f"{year}-01-01",
                date_to=f"{year}-12-31",
                date_precision="year",
                source=article,
                excerpt="killing a Chadian peacekeeper",
            )
        )
    with django_assert_num_queries(2):
        page = client.get(claims[1].get_absolute_url()).content.decode()
    table = page[page.index("Every claim of this quantity") :]
    assert table.index("Report 2014") < table.index("Report 2016") < table.index("Report 2023")
    assert 'aria-current="true"' in page


def test_unknown_incident_place_and_figure_are_404(client):
    """Unknown slugs and ids answer 404."""
    assert client.get(reverse("events:incident_detail", args=["nothing"])).status_code == 404
    assert client.get(reverse("events:place_detail", args=["nowhere"])).status_code == 404
    assert client.get(reverse("events:figure_detail", args=[999])).status_code == 404


def test_place_page_has_a_map_and_detail_pages_advertise_json(client):
    """A place's page embeds its incidents as map features; detail pages link their API records."""
    incident = IncidentFactory()
    page = client.get(incident.place.get_absolute_url()).content.decode()
    assert 'id="place-map"' in page and incident.get_absolute_url() in page
    assert f'href="/api/v1/places/{incident.place.pk}/"' in page
    assert f'href="/api/v1/incidents/{incident.pk}/"' in client.get(incident.get_absolute_url()).content.decode()


def test_incident_page_says_where_its_date_comes_from(client):
    """A date from outside the articles is shown as such, linking the outside source, with the reasoning; a date from
    the articles says so."""
    citation = IncidentExternalDateFactory()
    page = client.get(citation.incident.get_absolute_url()).content.decode()
    assert '<div id="date-source"><dt>Date from</dt><dd><strong>outside the articles</strong>' in page
    assert f'<a href="{citation.source.url}">{citation.source.title}</a>, Human Rights Watch, 5 April 2022' in page
    assert citation.reasoning in page
    page = client.get(IncidentFactory().get_absolute_url()).content.decode()
    assert "<dt>Date from</dt><dd>the cited articles</dd>" in page


def test_figure_units_agree_and_values_separate_thousands(client):
    """“1 year”, not “1 years”; a range agrees with its upper bound; 12,500 has its thousands separated."""
    one = FigureFactory(value=1, unit="years")
    span = FigureFactory(value=1, value_high=2, unit="years")
    many = FigureFactory(value=12500, unit="people")
    assert "1 year</h1>" in client.get(one.get_absolute_url()).content.decode()
    assert "1–2 years</h1>" in client.get(span.get_absolute_url()).content.decode()
    page = client.get(many.get_absolute_url()).content.decode()
    assert "12,500 people</h1>" in page
    assert f'href="/api/v1/figures/{many.pk}/"' in page  # numbers in addresses are left alone

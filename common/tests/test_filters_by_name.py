"""Record and country filters take a name or an alias, in any case and without accents, besides an id or a slug:
on the web lists and in the API, with the same FilterSets and the same errors."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from actors.tests.factories import ActorAliasFactory, ActorFactory, ContingentFactory
from articles.tests.factories import ArticleFactory, OutletFactory
from events.filters import IncidentFilter
from events.models import Incident
from events.tests.factories import (
    CasualtyFactory,
    IncidentActorFactory,
    IncidentFactory,
    PlaceAliasFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db

INCIDENTS = reverse("events:incident_list")
API_INCIDENTS = "/api/v1/incidents/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def kidal():
    """The town of Kidal and the region that also goes by “Kidal”, each with an incident; Ségou with one."""
    town = PlaceFactory(name="Kidal", slug="kidal")
    region = PlaceFactory(name="Kidal Region", slug="kidal-region", kind="region")
    PlaceAliasFactory(place=region, name="Kidal")
    segou = PlaceFactory(name="Ségou", slug="segou")
    PlaceAliasFactory(place=segou, name="Segu")
    return {
        "town": IncidentFactory(place=town, slug="in-town"),
        "region": IncidentFactory(place=region, slug="in-region"),
        "segou": IncidentFactory(place=segou, slug="in-segou"),
    }


def _slugs(response) -> set[str]:
    return {incident.slug for incident in response.context["listing"]["page"]["rows"]}


@pytest.mark.parametrize("value", ["Ségou", "segou", "SEGOU", "  Segou ", "segu", "SÉGU"])
def test_a_place_is_found_by_name_or_alias_in_any_case_and_accents(client, kidal, value):
    """“Ségou”, “SEGOU” and its alias “Segu” all filter the list to the incident in Ségou."""
    response = client.get(INCIDENTS, {"place": value})
    assert response.status_code == 200
    assert _slugs(response) == {"in-segou"}


def test_a_name_that_is_one_records_own_name_and_anothers_alias_is_the_first(client, kidal):
    """“Kidal” is the town (whose name it is), though the region has it as an alias."""
    assert _slugs(client.get(INCIDENTS, {"place": "kidal"})) == {"in-town"}


def test_ids_and_slugs_still_work(client, kidal):
    """A slug or an id keeps its meaning: the region's slug finds the region's incident."""
    region = kidal["region"].place
    assert _slugs(client.get(INCIDENTS, {"place": "kidal-region"})) == {"in-region"}
    assert _slugs(client.get(INCIDENTS, {"place": str(region.pk)})) == {"in-region"}


def test_an_ambiguous_name_offers_its_candidates_as_links(client):
    """Two actors called “Mohamed Ag Intalla” (the case differs): a 400 whose error links to each by slug."""
    ActorFactory(name="Mohamed Ag Intalla", slug="mohamed-ag-intalla")
    ActorFactory(name="Mohamed ag Intalla", slug="mohamed-ag-intalla-2")
    response = client.get(INCIDENTS, {"actor": "mohamed ag intalla", "incident_type": "ambush"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“mohamed ag intalla” is the name of 2 actors" in page
    links = re.findall(r'<a href="([^"]+)">Mohamed a?A?g Intalla</a>', page)
    assert links == [
        "/incidents/?actor=mohamed-ag-intalla&amp;incident_type=ambush",
        "/incidents/?actor=mohamed-ag-intalla-2&amp;incident_type=ambush",
    ]


def test_an_unknown_name_suggests_near_ones(client, kidal):
    """“kid” names nothing: the 400 offers the places whose names start with it."""
    response = client.get(INCIDENTS, {"place": "kid"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No place has the id, slug, name or alias “kid”. Did you mean Kidal (kidal), Kidal Region" in page
    assert '<a href="/incidents/?place=kidal-region">Kidal Region</a>' in page


def test_api_takes_names_slugs_and_ids(api, kidal):
    """The API's filters are the same FilterSet: a name, an alias, a slug or an id."""
    region = kidal["region"].place
    for value in ("Kidal Region", "kidal-region", str(region.pk)):
        response = api.get(API_INCIDENTS, {"place": value})
        assert response.status_code == 200, response.content
        assert [row["slug"] for row in response.json()["results"]] == ["in-region"]


def test_api_unknown_or_ambiguous_name_is_a_400_naming_the_candidates(api, kidal):
    """Unknown: a 400 saying what is accepted (and what is near); ambiguous: a 400 naming each candidate's slug."""
    unknown = api.get(API_INCIDENTS, {"place": "Atlantis"})
    assert unknown.status_code == 400
    assert unknown.json() == {"place": ["No place has the id, slug, name or alias “Atlantis”."]}

    ActorFactory(name="Ansar Dine", slug="ansar-dine")
    ActorAliasFactory(actor=ActorFactory(name="Ansar al-Din", slug="ansar-al-din"), name="Ansar Dine")
    one_own_name = api.get(API_INCIDENTS, {"actor": "ANSAR DINE"})
    assert one_own_name.status_code == 200  # the one actor whose own name it is, rather than an alias
    ActorFactory(name="Ansar Dine", slug="ansar-dine-2")
    ambiguous = api.get(API_INCIDENTS, {"actor": "ANSAR DINE"})
    assert ambiguous.status_code == 400
    assert ambiguous.json() == {
        "actor": [
            "“ANSAR DINE” is the name of 3 actors: Ansar Dine (ansar-dine), Ansar Dine (ansar-dine-2), "
            "Ansar al-Din (ansar-al-din). Give the slug of the one you mean."
        ]
    }


def test_every_record_filter_takes_a_name(api):
    """Outlet, author, speaker, contingent and victims' nationality take names too (API and web alike)."""
    outlet = OutletFactory(name="Jeune Afrique", slug="jeune-afrique")
    author = ActorFactory(name="Rémi Carayol", slug="remi-carayol")
    article = ArticleFactory(outlet=outlet)
    article.authors.add(author)
    ArticleFactory()
    response = api.get("/api/v1/articles/", {"outlet": "jeune afrique", "author": "remi carayol"})
    assert [row["slug"] for row in response.json()["results"]] == [article.slug]

    contingent = ContingentFactory(country="TD", unit_name="GTIA 1")
    hit = IncidentFactory()
    CasualtyFactory(incident=hit, best=1, nationality="TD", contingent=contingent)
    IncidentFactory()
    for params in ({"victim_contingent": "gtia 1"}, {"victim_nationality": "Chad"}, {"victim_nationality": "tchad"}):
        response = api.get(API_INCIDENTS, params)
        assert response.status_code == 200, (params, response.content)
        assert [row["slug"] for row in response.json()["results"]] == [hit.slug], params


def test_a_country_filter_takes_a_code_or_a_name(client):
    """Actors by country: a code in any case, an English or French name, accents aside; else a 400 that says both."""
    chadian = ActorFactory(country="TD")
    ActorFactory(country="ML")
    for value in ("td", "TD", "Chad", "TCHAD", "tchad"):
        response = client.get(reverse("actors:actor_list"), {"country": value})
        assert [actor.pk for actor in response.context["listing"]["page"]["rows"]] == [chadian.pk], value
    ivorian = ActorFactory(country="CI")
    response = client.get(reverse("actors:actor_list"), {"country": "cote d'ivoire"})
    assert [actor.pk for actor in response.context["listing"]["page"]["rows"]] == [ivorian.pk]
    response = client.get(reverse("actors:actor_list"), {"country": "Wakanda"})
    assert response.status_code == 400
    assert "neither a country&#x27;s name nor its ISO 3166-1 alpha-2 code" in response.content.decode()


def test_resolving_a_name_takes_a_fixed_number_of_queries(client, kidal, django_assert_max_num_queries):
    """Guards against N+1 queries: a name costs the slug lookup, the names (two queries, none once the data is
    committed and read) and the record, whatever the table's size."""
    PlaceFactory.create_batch(20)
    with django_assert_max_num_queries(4):
        IncidentFilter(data={"place": "Segu"}, queryset=Incident.objects.all()).is_valid()


def test_labels_stay_the_same_after_the_api_schema_is_drawn(client):
    """“ACLED disorder type” on every render: drawing the API schema (which makes the FilterSets' own fields) no
    longer leaves them label-less, to be capitalised as “Acled disorder type”."""

    def labels():
        response = client.get(INCIDENTS)
        return re.findall(r'<label for="id_[a-z_]+">([^<]+)</label>', response.content.decode())

    before = labels()
    SchemaGenerator().get_schema(request=None, public=True)
    assert labels() == before
    assert "ACLED disorder type:" in before
    assert "Victims’ nationality:" in before
    assert "At least this many killed:" in before
    assert not [label for label in before if "invalid name" in label or label.lower() == label]


def test_a_record_filter_given_a_participant_name(client):
    """An actor's name filters the incidents it took part in."""
    jnim = ActorFactory(name="Jama'at Nusrat al-Islam wal-Muslimin", slug="jnim")
    ActorAliasFactory(actor=jnim, name="JNIM")
    incident = IncidentFactory()
    IncidentActorFactory(incident=incident, actor=jnim)
    IncidentFactory()
    assert {i.pk for i in client.get(INCIDENTS, {"actor": "jnim"}).context["listing"]["page"]["rows"]} == {incident.pk}

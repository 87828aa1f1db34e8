import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from actors.tests.factories import MissionFactory
from articles.tests.factories import ArticleFactory, ExternalSourceFactory
from events.models import Casualty, Figure, Incident, IncidentExternalDate, Place
from events.tests.factories import IncidentExternalDateFactory, IncidentFactory, IncidentSourceFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def test_acled_sub_event_must_belong_to_its_event_type():
    """The database refuses an ACLED sub-event type under the wrong event type."""
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(acled_event_type="Battles", acled_sub_event_type="Suicide bomb")


def test_acled_event_must_belong_to_its_disorder_type():
    """A coup coded as political violence is refused: strategic developments go with their own type."""
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(
            acled_disorder_type="Political violence",
            acled_event_type="Strategic developments",
            acled_sub_event_type="Other",
        )
    IncidentFactory(
        incident_type="coup",
        acled_disorder_type="Strategic developments",
        acled_event_type="Strategic developments",
        acled_sub_event_type="Other",
    )


def test_incident_needs_a_place_or_an_explicit_unknown():
    """An incident without a place must say its location is unknown."""
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(place=None, location_precision="town")
    assert IncidentFactory(place=None, location_precision="unknown").place is None


def test_incident_source_excerpt_is_verbatim():
    """An incident's source excerpt is found in the article and its offsets stored."""
    source = IncidentSourceFactory()
    assert source.source.body[source.excerpt_start : source.excerpt_end] == source.excerpt


def test_casualty_counts_are_ordered_low_best_high():
    """low ≤ best ≤ high is enforced by the database."""
    incident = IncidentFactory()
    article = ArticleFactory()
    common = {
        "incident": incident,
        "source": article,
        "excerpt": "killing a Chadian peacekeeper",
        "category": "peacekeepers",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Casualty.objects.create(outcome="killed", low=3, best=2, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Casualty.objects.create(outcome="killed", best=2, high=1, **common)
    Casualty.objects.create(outcome="killed", low=1, best=1, high=2, nationality="TD", **common)


def test_place_needs_coordinates_or_a_reason():
    """A place without coordinates must say why; half a coordinate pair is refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude=None, longitude=None, coordinates_note="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude="12.5", longitude=None)
    with pytest.raises(ValidationError):
        PlaceFactory.build(latitude="95", longitude="0").full_clean()


def test_place_cannot_lie_inside_itself():
    """Cycles in the place hierarchy are refused."""
    region = PlaceFactory(kind=Place.Kind.REGION)
    town = PlaceFactory(parent=region)
    region.parent = town
    with pytest.raises(ValidationError):
        region.full_clean()


def test_incidents_in_period_overlap_the_range():
    """in_period keeps incidents whose date range overlaps the asked range."""
    january = IncidentFactory()
    IncidentFactory(date_from=datetime.date(2016, 5, 31), date_to=datetime.date(2016, 5, 31))
    found = Incident.objects.in_period(datetime.date(2015, 1, 1), datetime.date(2015, 1, 31))
    assert list(found) == [january]


def test_figure_value_cannot_be_negative_and_range_is_ordered():
    """Figures are non-negative and their upper bound is not below the value."""
    article = ArticleFactory()
    common = {"quantity": "peacekeepers_killed", "subject": MissionFactory(), "source": article, "excerpt": "Kidal"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(value=Decimal("-1"), **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(value=Decimal("10"), value_high=Decimal("5"), **common)


def test_a_date_from_outside_the_articles_needs_its_reasoning():
    """An external date citation without a reason is refused by validation and by the database."""
    citation = IncidentExternalDateFactory.build(
        incident=IncidentFactory(), source=ExternalSourceFactory(), reasoning=""
    )
    with pytest.raises(ValidationError) as refused:
        citation.full_clean()
    assert "reasoning" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        citation.save()


def test_an_incident_has_at_most_one_date_citation():
    """The date comes from one outside source: a second citation for the same incident is refused."""
    citation = IncidentExternalDateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentExternalDate.objects.create(incident=citation.incident, source=citation.source, reasoning="again")


def test_date_source_says_whether_the_articles_give_the_date():
    """An incident's date_source is `article` unless an external date citation names its outside source."""
    dated_here = IncidentFactory()
    dated_outside = IncidentExternalDateFactory().incident
    incidents = {incident.pk: incident for incident in Incident.objects.for_list()}
    assert incidents[dated_here.pk].date_source == "article" and incidents[dated_here.pk].date_citation is None
    assert incidents[dated_outside.pk].date_source == "external"
    assert set(Incident.objects.dated_from("external")) == {dated_outside}
    assert set(Incident.objects.dated_from("article")) == {dated_here}


def test_an_outside_source_cited_for_a_date_cannot_be_deleted():
    """Provenance is protected: deleting the outside source of a date is refused while a date cites it."""
    citation = IncidentExternalDateFactory()
    with pytest.raises(ProtectedError):
        citation.source.delete()

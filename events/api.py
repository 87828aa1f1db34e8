from minusma.api_tools import RecordViewSet

from .filters import FigureFilter, IncidentFilter, PlaceFilter
from .geo import coordinates
from .models import Figure, Incident, Place
from .querysets import FigureQuerySet, IncidentQuerySet, PlaceQuerySet
from .serializers import FigureSerializer, IncidentSerializer, PlaceDetailSerializer, PlaceSerializer


class IncidentViewSet(RecordViewSet):
    """Attacks, clashes, coups, resolutions, withdrawals: with ACLED and UCDP codes, actors, casualties, sources."""

    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    ordering_fields = ["date_from", "title", "killed", "wounded", "abducted", "id"]
    search_description = IncidentQuerySet.search_spec.description
    geometry = staticmethod(lambda incident: incident.location.point)


class PlaceViewSet(RecordViewSet):
    """The gazetteer: WGS84 coordinates, GeoNames ids and the administrative hierarchy."""

    queryset = Place.objects.all()
    serializer_class = PlaceSerializer
    detail_serializer_class = PlaceDetailSerializer
    filterset_class = PlaceFilter
    ordering_fields = ["name", "kind", "id"]
    search_description = PlaceQuerySet.search_spec.description
    geometry = staticmethod(coordinates)


class FigureViewSet(RecordViewSet):
    """Sourced numbers: troops authorised and deployed, peacekeepers killed, displaced people…"""

    queryset = Figure.objects.all()
    serializer_class = FigureSerializer
    filterset_class = FigureFilter
    ordering_fields = ["quantity", "date_from", "value", "id"]
    search_description = FigureQuerySet.search_spec.description

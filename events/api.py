from common import exports
from common.api import renderers
from common.api.viewsets import RecordViewSet

from .crosswalks import CROSSWALKS
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
    search_description = IncidentQuerySet.search_spec.description
    geometry = staticmethod(lambda incident: incident.location.point)
    extra_formats = {"acled": renderers.ACLEDRenderer, "ucdp": renderers.UCDPRenderer}

    def get_queryset(self):
        if self.action in ("list", "retrieve") and self.streamed_format in CROSSWALKS:
            return self.queryset.all().for_export()
        return super().get_queryset()

    def fixed_shape_chunks(self, export_format, records):
        """`format=acled` and `format=ucdp`: every matching incident as a row of that dataset (events/crosswalks.py),
        as CSV with the dataset's own columns."""
        crosswalk, absolute = CROSSWALKS[export_format], self.request.build_absolute_uri
        rows = (crosswalk.row(incident, absolute(incident.get_absolute_url())) for incident in records)
        return exports.csv_lines(crosswalk.columns, rows)


class PlaceViewSet(RecordViewSet):
    """The gazetteer: WGS84 coordinates, GeoNames ids and the administrative hierarchy."""

    queryset = Place.objects.all()
    serializer_class = PlaceSerializer
    detail_serializer_class = PlaceDetailSerializer
    filterset_class = PlaceFilter
    search_description = PlaceQuerySet.search_spec.description
    geometry = staticmethod(coordinates)


class FigureViewSet(RecordViewSet):
    """Sourced numbers: troops authorised and deployed, peacekeepers killed, displaced people…"""

    queryset = Figure.objects.all()
    serializer_class = FigureSerializer
    filterset_class = FigureFilter
    search_description = FigureQuerySet.search_spec.description

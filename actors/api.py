from common.api.viewsets import RecordViewSet

from .filters import ActorFilter, ContingentFilter, StrengthObservationFilter
from .models import Actor, Contingent, StrengthObservation
from .querysets import ActorQuerySet, ContingentQuerySet, StrengthObservationQuerySet
from .serializers import (
    ActorDetailSerializer,
    ActorSerializer,
    ContingentDetailSerializer,
    ContingentSerializer,
    StrengthObservationSerializer,
)


class ActorViewSet(RecordViewSet):
    """People, organisations, states, forces, groups and operations the sources name."""

    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    detail_serializer_class = ActorDetailSerializer
    filterset_class = ActorFilter
    search_description = ActorQuerySet.search_spec.description


class ContingentViewSet(RecordViewSet):
    """National contributions to MINUSMA, with the sources that attest them."""

    queryset = Contingent.objects.all()
    serializer_class = ContingentSerializer
    detail_serializer_class = ContingentDetailSerializer
    filterset_class = ContingentFilter
    search_description = ContingentQuerySet.search_spec.description


class StrengthObservationViewSet(RecordViewSet):
    """How many personnel a contingent had at a date, according to one source."""

    queryset = StrengthObservation.objects.all()
    serializer_class = StrengthObservationSerializer
    filterset_class = StrengthObservationFilter
    search_description = StrengthObservationQuerySet.search_spec.description

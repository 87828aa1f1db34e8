import datetime

from django.db import models
from django.db.models import Q

from minusma.text import fold


class PlaceQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("parent")

    def matching_folded_name(self, folded: str) -> list:
        """Places whose name or an alias folds (case and accents aside) to `folded`. Two queries."""
        names = self.values_list("pk", "name")
        aliases = self.model.aliases.rel.related_model.objects.filter(place__in=self).values_list("place_id", "name")
        pks = {pk for pk, name in [*names, *aliases] if fold(name) == folded}
        return list(self.filter(pk__in=pks)) if pks else []


class IncidentQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("place__parent")

    def in_period(self, start: datetime.date | None = None, end: datetime.date | None = None):
        """Incidents whose date range overlaps [start, end]."""
        condition = Q()
        if start is not None:
            condition &= Q(date_to__gte=start)
        if end is not None:
            condition &= Q(date_from__lte=end)
        return self.filter(condition)

    def in_mali(self):
        return self.filter(in_mali=True)


class FigureQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("subject", "source")

    def get_by_natural_key(self, quantity, source_slug, excerpt_start):
        return self.get(quantity=quantity, source__slug=source_slug, excerpt_start=excerpt_start)

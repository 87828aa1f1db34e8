import datetime

from django.db import models
from django.db.models import Q

from minusma.text import fold


class ActorQuerySet(models.QuerySet):
    def for_list(self):
        return self.prefetch_related("aliases")

    def matching_folded_name(self, folded: str) -> list:
        """Actors whose name or an alias folds (case and accents aside) to `folded`. Two queries."""
        names = self.values_list("pk", "name")
        aliases = self.model.aliases.rel.related_model.objects.filter(actor__in=self).values_list("actor_id", "name")
        pks = {pk for pk, name in [*names, *aliases] if fold(name) == folded}
        return list(self.filter(pk__in=pks)) if pks else []

    def matching_name(self, name: str):
        """Actors whose name or an alias is `name`, case-insensitively."""
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()


class ContingentQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("mission", "contributor", "base")

    def active_on(self, day: datetime.date):
        return self.filter(
            Q(date_from__lte=day) | Q(date_from__isnull=True), Q(date_to__gte=day) | Q(date_to__isnull=True)
        )

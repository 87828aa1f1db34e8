from django.apps import AppConfig


class ActorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actors"

    def ready(self) -> None:
        from common import datacache, search

        datacache.track(self)  # any write renews the data version of the cached aggregates

        from .models import Actor, Contingent

        search.register(
            search.SearchKind(
                "actor", "Actors", Actor, title=lambda actor: actor.name, detail=lambda actor: actor.get_kind_display()
            )
        )
        search.register(
            search.SearchKind(
                "contingent",
                "Contingents",
                Contingent,
                title=lambda contingent: (
                    contingent.unit_name or f"{contingent.country.name} {contingent.get_capability_display().lower()}"
                ),
                detail=str,
                select_related=("base",),
            )
        )

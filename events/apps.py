from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"

    def ready(self) -> None:
        from common import datacache, search

        datacache.track(self)  # any write renews the data version of the cached aggregates

        from .models import Incident, Place

        search.register(
            search.SearchKind(
                "incident",
                "Incidents",
                Incident,
                title=lambda incident: incident.title,
                detail=lambda incident: incident.date_display,
            )
        )
        search.register(
            search.SearchKind(
                "place",
                "Places",
                Place,
                title=lambda place: place.name,
                detail=lambda place: f"{place.get_kind_display()}{', ' + place.parent.name if place.parent else ''}",
                select_related=("parent",),
            )
        )

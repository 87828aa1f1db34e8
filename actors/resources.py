"""Import/export definitions (django-import-export) for actors and contingents: natural keys, not ids."""

from import_export import fields, widgets

from common.resources import CuratedResource
from events.models import Place

from .models import Actor, Contingent


class ActorResource(CuratedResource):
    class Meta(CuratedResource.Meta):
        model = Actor
        import_id_fields = ["slug"]
        fields = ["slug", "name", "kind", "description", "country", "wikidata_id", "acled_actor_type"]
        export_order = fields


class ContingentResource(CuratedResource):
    mission = fields.Field(attribute="mission", column_name="mission", widget=widgets.ForeignKeyWidget(Actor, "slug"))
    contributor = fields.Field(
        attribute="contributor", column_name="contributor", widget=widgets.ForeignKeyWidget(Actor, "slug")
    )
    base = fields.Field(attribute="base", column_name="base", widget=widgets.ForeignKeyWidget(Place, "slug"))

    class Meta(CuratedResource.Meta):
        model = Contingent
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "country",
            "contributor",
            "mission",
            "personnel_type",
            "capability",
            "unit_name",
            "base",
            "status",
            "date_as_written",
            "date_from",
            "date_to",
            "date_precision",
            "notes",
        ]
        export_order = fields

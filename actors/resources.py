"""Import/export definitions (django-import-export) for actors and contingents: natural keys, not ids."""

from import_export import fields

from common.resources import CuratedResource, SlugWidget
from events.models import Place

from .models import Actor, Contingent


class ActorResource(CuratedResource):
    sample_rows = (
        {
            "slug": "katiba-macina",
            "name": "Katiba Macina",
            "kind": "armed_group",
            "description": "Armed group active in central Mali.",
            "country": "ML",
            "acled_actor_type": "2",
        },
    )

    class Meta(CuratedResource.Meta):
        model = Actor
        import_id_fields = ["slug"]
        fields = ["slug", "name", "kind", "description", "country", "wikidata_id", "acled_actor_type"]
        export_order = fields


class ContingentResource(CuratedResource):
    mission = fields.Field(attribute="mission", column_name="mission", widget=SlugWidget(Actor))
    contributor = fields.Field(attribute="contributor", column_name="contributor", widget=SlugWidget(Actor))
    base = fields.Field(attribute="base", column_name="base", widget=SlugWidget(Place))
    sample_rows = (
        {
            "slug": "td-infantry-kidal-2015-01",
            "country": "TD",
            "contributor": "chad",
            "mission": "minusma",
            "personnel_type": "Contingent Troop",
            "capability": "infantry",
            "unit_name": "battalion",
            "base": "kidal",
            "status": "deployed",
            "date_as_written": "Jan. 17",
            "date_from": "2015-01-17",
            "date_to": "2015-01-17",
            "date_precision": "day",
            "notes": "Chadian peacekeepers at the mission's base in Kidal; size not stated.",
        },
    )

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

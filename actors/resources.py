"""Import/export definitions (django-import-export) for actors and contingents: natural keys, not ids."""

from import_export import fields, resources, widgets

from events.models import Place
from minusma import exports

from .models import Actor, Contingent


class CuratedResource(resources.ModelResource):
    """Rows are validated like the admin form (full_clean) and a failed import rolls back whole."""

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def export_resource(self, instance, selected_fields=None, **kwargs) -> list:
        """A row whose cells a spreadsheet shows rather than runs, in CSV and XLSX alike (exports.spreadsheet_safe).

        Done here rather than by IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, which only drops a leading “=” (losing it)
        and turns every XLSX cell into text, numbers and empty cells (“None”) included.
        """
        values = super().export_resource(instance, selected_fields, **kwargs)
        return [exports.spreadsheet_safe(value) for value in values]

    def before_import_row(self, row, **kwargs) -> None:
        """Undo export_resource's escaping, so that an exported file imported back changes nothing."""
        for column, value in row.items():
            row[column] = exports.spreadsheet_value(value)


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

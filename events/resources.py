"""Import/export definitions (django-import-export) for places, incidents and figures: natural keys, not ids."""

from import_export import fields, widgets

from actors.models import Actor
from articles.models import Article
from common.resources import CuratedResource

from .models import Figure, Incident, Place


class PlaceResource(CuratedResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=widgets.ForeignKeyWidget(Place, "slug"))

    class Meta(CuratedResource.Meta):
        model = Place
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "parent",
            "country",
            "latitude",
            "longitude",
            "geo_precision",
            "coordinates_note",
            "geonames_id",
            "description",
        ]
        export_order = fields


class IncidentResource(CuratedResource):
    place = fields.Field(attribute="place", column_name="place", widget=widgets.ForeignKeyWidget(Place, "slug"))

    class Meta(CuratedResource.Meta):
        model = Incident
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "incident_type",
            "acled_disorder_type",
            "acled_event_type",
            "acled_sub_event_type",
            "ucdp_type_of_violence",
            "acled_event_id",
            "date_as_written",
            "date_from",
            "date_to",
            "date_precision",
            "place",
            "location_as_written",
            "location_precision",
            "in_mali",
            "description",
        ]
        export_order = fields


class FigureResource(CuratedResource):
    subject = fields.Field(attribute="subject", column_name="subject", widget=widgets.ForeignKeyWidget(Actor, "slug"))
    source = fields.Field(attribute="source", column_name="source", widget=widgets.ForeignKeyWidget(Article, "slug"))

    class Meta(CuratedResource.Meta):
        model = Figure
        fields = [
            "id",
            "quantity",
            "value",
            "value_high",
            "qualifier",
            "unit",
            "subject",
            "scope",
            "date_as_written",
            "date_from",
            "date_to",
            "date_precision",
            "source",
            "excerpt",
            "note",
        ]
        export_order = fields

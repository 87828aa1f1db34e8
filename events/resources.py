"""Import/export definitions (django-import-export) for places, incidents and figures: natural keys, not ids."""

from import_export import fields

from actors.models import Actor
from articles.models import Article
from common.resources import CuratedResource, SlugWidget

from .models import Figure, Incident, Place


class PlaceResource(CuratedResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=SlugWidget(Place))
    sample_rows = (
        {
            "slug": "aguelhok",
            "name": "Aguelhok",
            "kind": "village",
            "parent": "kidal-region",
            "country": "ML",
            "latitude": "19.461",
            "longitude": "0.858",
            "geo_precision": "town",
            "coordinates_note": "Approximate centre of the village.",
            "description": "Village in the Kidal region, site of a MINUSMA camp.",
        },
    )

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
    place = fields.Field(attribute="place", column_name="place", widget=SlugWidget(Place))
    sample_rows = (
        {
            "slug": "2015-01-17-kidal-base-attack",
            "title": "Attack on the MINUSMA base in Kidal",
            "incident_type": "attack_on_base",
            "acled_disorder_type": "Political violence",
            "acled_event_type": "Explosions/Remote violence",
            "acled_sub_event_type": "Shelling/artillery/missile attack",
            "date_as_written": "Jan. 17",
            "date_from": "2015-01-17",
            "date_to": "2015-01-17",
            "date_precision": "day",
            "place": "kidal",
            "location_as_written": "the mission's base in Kidal",
            "location_precision": "town",
            "in_mali": "1",
            "description": "The mission's base in Kidal was attacked; a Chadian peacekeeper was killed.",
        },
    )

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
    subject = fields.Field(attribute="subject", column_name="subject", widget=SlugWidget(Actor))
    source = fields.Field(attribute="source", column_name="source", widget=SlugWidget(Article))
    # No id: a row without one adds a figure (an id names the figure to update).
    sample_rows = (
        {
            "quantity": "peacekeepers_killed",
            "value": "1",
            "qualifier": "exact",
            "unit": "people",
            "subject": "minusma",
            "scope": "at_date",
            "date_as_written": "Jan. 17",
            "date_from": "2015-01-17",
            "date_to": "2015-01-17",
            "date_precision": "day",
            "source": "passblue-2015-minusma-moves-north",
            "excerpt": "killing a Chadian peacekeeper",
            "note": "The excerpt is copied from the article's text, exactly.",
        },
    )

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

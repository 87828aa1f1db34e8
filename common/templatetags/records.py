"""Template tags for record pages."""

from django import template
from django.db import models
from django.urls import resolve, reverse

from common.api import renderers
from common.text import unit_agreeing

register = template.Library()

# The formats a record page links beside its data: one record is read as JSON, or as a row or a map feature; the
# rest (JSON Lines, the incidents' ACLED columns, the articles' citations) serve whole lists or the Cite control.
RECORD_FORMATS = (renderers.CSV, renderers.GEOJSON)


@register.inclusion_tag("includes/record_data.html")
def record_data(record: models.Model) -> dict:
    """Links to the record's own address in the API (as Datasette's .json), as JSON and in the other formats its
    endpoint offers for one record (CSV, GeoJSON where the records have a point)."""
    api_url = reverse(f"api:{record._meta.model_name}-detail", args=[record.pk])
    offered = resolve(api_url).func.cls.streamed_formats()
    return {
        "api_url": api_url,
        "formats": [
            {"label": renderers.FORMAT_LABELS[name], "format": name, "url": f"{api_url}?format={name}"}
            for name in RECORD_FORMATS
            if name in offered
        ],
        "verbose_name": record._meta.verbose_name,
    }


@register.filter
def agree(unit: str, number) -> str:
    """`{{ figure.unit|agree:figure.value }}`: “1 year”, “2 years” (common.text.unit_agreeing)."""
    return unit_agreeing(number, unit)

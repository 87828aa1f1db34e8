"""Content negotiation that answers an unknown `?format=` with a 400 naming the formats offered, as the README
promises, instead of DRF's bare 404 "Not found." (the address exists; the format asked for does not)."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation

from common.api.parameters import FORMAT_PARAM


class StrictContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            offered = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise ValidationError({FORMAT_PARAM: [f"“{format}” is not a format of this address. Offered: {offered}."]})
        return matching

"""Where an incident is drawn, and how precisely: its place's point, or failing that the nearest enclosing place's,
said in ACLED's geo_precision and UCDP's where_prec codes, with the country, region (admin1) and cercle (admin2)
read from the place's parent chain.

Pure functions of an incident and its place chain (Incident.objects.for_list() selects the chain in its one query),
so the map, the lists, the API and the ACLED/UCDP shapes all say the same.
"""

from dataclasses import dataclass
from typing import Any

from common import exports

# Place kinds (events.models.Place.Kind values), by what they say about a point.
COUNTRY, REGION, CERCLE = "country", "region", "cercle"
WIDE_AREAS = {"area", "natural_feature"}  # no fixed boundaries, or far larger than a point
APPROXIMATE = "approximate"  # Place.GeoPrecision: coordinates that are only near the place

# How many places up from an incident's place the chain is selected with it: a camp inside a base inside a town,
# its cercle, region and country. A deeper chain still works, at a query per further level.
CHAIN_DEPTH = 6
PLACE_CHAIN = "place" + "__parent" * (CHAIN_DEPTH - 1)

# What each UCDP where_prec means, in words for the map and the pages.
WHERE_PREC_LABELS = {
    1: "the exact place",
    2: "within about 25 km of the point",
    3: "only the cercle (second-level division) is known",
    4: "only the region (first-level division) is known",
    5: "a wider area than a region",
    6: "only the country is known",
}


def chain(place) -> list:
    """The place and the places it lies in, innermost first (a loop in bad data ends the walk)."""
    places, seen = [], set()
    while place is not None and place.pk not in seen:
        places.append(place)
        seen.add(place.pk)
        place = place.parent
    return places


def has_point(place) -> bool:
    return place.latitude is not None and place.longitude is not None


@dataclass(frozen=True)
class Location:
    """An incident's place, the place whose point stands for it, and the administrative places around it."""

    place: Any  # the incident's place, or None when the location is unknown
    point_place: Any  # the place itself when it has coordinates, else its nearest ancestor that has them
    country: Any  # the country place in the chain, if any
    admin1: Any  # the region (first-level division) in the chain, if any
    admin2: Any  # the cercle (second-level division) in the chain, if any
    country_code: str | None  # ISO 3166-1 alpha-2
    ucdp_where_prec: int | None
    acled_geo_precision: int | None

    @property
    def point(self) -> list[float] | None:
        """RFC 7946 position: [longitude, latitude]."""
        if self.point_place is None:
            return None
        return exports.position(self.point_place.latitude, self.point_place.longitude)

    @property
    def latitude(self) -> float | None:
        return float(self.point_place.latitude) if self.point_place is not None else None

    @property
    def longitude(self) -> float | None:
        return float(self.point_place.longitude) if self.point_place is not None else None

    @property
    def fallback(self) -> bool:
        """True when the point is an enclosing place's, the incident's own place having no coordinates."""
        return self.point_place is not None and self.point_place.pk != self.place.pk

    @property
    def precision_label(self) -> str:
        """The precision in words, saying whose point is used when it is not the place's own."""
        if self.point_place is None:
            return "not on the map"
        words = WHERE_PREC_LABELS[self.ucdp_where_prec]
        if self.fallback:
            return f"{words}: drawn at {self.point_place.name}, as {self.place.name} has no coordinates"
        return words


def locate(incident) -> Location:
    """The incident's Location, from its place chain (selected by for_list()) and its location_precision."""
    places = chain(incident.place)
    by_kind = {}
    for place in places:
        by_kind.setdefault(place.kind, place)
    point_place = next((place for place in places if has_point(place)), None)
    code = next((str(place.country) for place in places if place.country), None)
    if code is None and incident.place is None and incident.in_mali:
        code = "ML"  # location unknown, but the record says it is in Mali
    where = where_prec(incident.place, point_place, incident.location_precision)
    return Location(
        place=incident.place,
        point_place=point_place,
        country=by_kind.get(COUNTRY),
        admin1=by_kind.get(REGION),
        admin2=by_kind.get(CERCLE),
        country_code=code,
        ucdp_where_prec=where,
        acled_geo_precision=geo_precision(incident.place, point_place, incident.location_precision, where),
    )


def where_prec(place, point_place, location_precision: str) -> int | None:
    """UCDP where_prec of a point: 1 the exact place, 2 within ~25 km (near it, a site drawn at its town, or
    approximate coordinates), 3 a cercle's point, 4 a region's, 5 a wider area (e.g. northern Mali) drawn at the
    country's point, 6 only the country. 7 (international waters or airspace) is never derived. None: no point."""
    if point_place is None:
        return None
    if place.kind in WIDE_AREAS:
        return 5
    if location_precision == "country" or point_place.kind == COUNTRY:
        return 6
    if location_precision == "region" or point_place.kind == REGION:
        return 4
    if point_place.kind == CERCLE:
        return 3
    if location_precision == "near" or point_place.pk != place.pk or point_place.geo_precision == APPROXIMATE:
        return 2
    return 1


def geo_precision(place, point_place, location_precision: str, where: int | None) -> int | None:
    """ACLED geo_precision: 1 the town itself (a site in a town drawn at the town counts), 2 near a town or part of a
    region (a cercle's point), 3 a larger region (a region's, an area's or the country's point). None: no point."""
    if where is None:
        return None
    if where == 1 or (where == 2 and location_precision == "town"):
        return 1
    return 2 if where in (2, 3) else 3

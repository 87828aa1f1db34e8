"""Incidents and contingent bases as GeoJSON (RFC 7946: WGS84, [longitude, latitude]), for the map and its feed.

The map page and /map/incidents.geojson build their features here, from the same filtered queryset, so what the
map shows and what the feed serves cannot drift apart.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from actors.models import Contingent
from common import exports

from .locations import CHAIN_DEPTH, PLACE_CHAIN, chain, has_point
from .models import Incident, Place

BASE_CHAIN = "base" + "__parent" * (CHAIN_DEPTH - 1)
# The feed and the page stop here; a narrower filter shows the rest.
MAX_FEATURES = 5000
# The three marker styles, by ACLED geo_precision (see static/js/incident-map.js and the map's legend).
PRECISION_MARKERS = {
    1: "at the town itself (solid markers)",
    2: "near a town or at a cercle's point (dashed markers)",
    3: "only at a region's, an area's or the country's point (hollow markers)",
}


# The places whose names the map's label layer shows, and from which zoom to which (None: at every closer zoom):
# the countries and capitals at the zoom that shows Mali whole, towns a little closer, villages closer still; regions
# only in between, where their names say more than their towns' and before the towns crowd them out. Bases, sites
# and areas have markers or outlines of their own.
LABEL_ZOOMS = {
    Place.Kind.COUNTRY: (4, 7),
    Place.Kind.CAPITAL: (4, None),
    Place.Kind.REGION: (6, 8),
    Place.Kind.CITY: (5.5, None),
    Place.Kind.VILLAGE: (8, None),
}
# A cap for a gazetteer grown far beyond the corpus's: the biggest kinds come last (LABEL_ZOOMS' order).
MAX_LABELS = 1000


def place_labels(places: QuerySet[Place]) -> dict[str, Any]:
    """The labels of the named places that have coordinates, as a FeatureCollection: name, kind, link and the zooms
    at which the map shows each. One query."""
    rank = Case(*(When(kind=kind, then=Value(index)) for index, kind in enumerate(LABEL_ZOOMS)))
    labelled = (
        places.filter(kind__in=list(LABEL_ZOOMS), latitude__isnull=False, longitude__isnull=False)
        .only("name", "slug", "kind", "latitude", "longitude")
        .order_by(rank, "name")[:MAX_LABELS]
    )
    features = []
    for place in labelled:
        min_zoom, max_zoom = LABEL_ZOOMS[place.kind]
        properties = {
            "name": place.name,
            "kind": place.kind,
            "url": place.get_absolute_url(),
            "min_zoom": min_zoom,
            "max_zoom": max_zoom,
        }
        features.append(exports.geojson_feature(place.pk, coordinates(place), properties))
    return {"type": "FeatureCollection", "features": features}


def incidents_for_map(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """What a map feature and a table row need: the place and the places it lies in (for the point and its
    precision) and the stored casualty totals, in one query."""
    return incidents.select_related(PLACE_CHAIN).order_by("-date_from", "title")


def bases_for_map(contingents: QuerySet[Contingent]) -> QuerySet[Contingent]:
    """Contingents that have a base, with the base and the places it lies in (a camp without coordinates is drawn
    at its town's point, as an incident is), in one query."""
    return (
        contingents.filter(base__isnull=False)
        .select_related(BASE_CHAIN)
        .order_by("base__name", "country", "capability")
    )


def coordinates(place) -> list[float] | None:
    """A place's RFC 7946 position (longitude first), or None."""
    return None if place is None else exports.position(place.latitude, place.longitude)


def unmapped_reason(incident: Incident) -> str | None:
    """Why an incident has no point on the map, or None when it has one (its place's, or an enclosing place's)."""
    if incident.place is None:
        written = f" (the source says “{incident.location_as_written}”)" if incident.location_as_written else ""
        return f"Location unknown{written}."
    if incident.location.point is None:
        note = incident.place.coordinates_note or "no note given"
        return f"Neither {incident.place.name} nor any place it lies in has coordinates: {note}"
    return None


def incident_feature(incident: Incident) -> dict[str, Any]:
    """A Point feature for an incident that has a point. Every feature has the same keys (null where empty), and the
    record's id as its id, as in the API's and the list's GeoJSON."""
    return exports.geojson_feature(incident.pk, incident.location.point, incident_properties(incident))


def incident_properties(incident: Incident) -> dict[str, Any]:
    location, place = incident.location, incident.place
    return {
        "slug": incident.slug,
        "title": incident.title,
        "url": incident.get_absolute_url(),
        "date": incident.date_display,
        "incident_type": incident.incident_type,
        "incident_type_label": incident.get_incident_type_display(),
        "killed": incident.killed,
        "wounded": incident.wounded,
        "abducted": incident.abducted,
        "place": place.name,
        "place_url": place.get_absolute_url(),
        "located_at": location.point_place.name,
        "located_at_url": location.point_place.get_absolute_url(),
        "geo_precision": location.acled_geo_precision,
        "where_prec": location.ucdp_where_prec,
        "precision": location.precision_label,
        "location_precision": incident.location_precision,
    }


@dataclass
class IncidentMap:
    """Incidents split into those on the map (as features) and those not, with the reason; the contingents' bases
    likewise."""

    incidents: list[Incident]
    features: list[dict[str, Any]]
    unmapped: list[tuple[Incident, str]]
    truncated: bool
    bases: dict[str, Any]
    unmapped_bases: list[tuple[Contingent, str]] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=lambda: {"type": "FeatureCollection", "features": []})
    # A place page's own point ([longitude, latitude]), which the map's view includes with the markers.
    focus: list[float] | None = None

    @property
    def feature_collection(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": self.features}

    @property
    def bounds(self) -> list[list[float]] | None:
        """[[south, west], [north, east]] around the incidents, the bases and the focus (Leaflet's order), or None
        when there is nothing to frame."""
        points = [feature["geometry"]["coordinates"] for feature in [*self.features, *self.bases["features"]]]
        if self.focus:
            points.append(self.focus)
        if not points:
            return None
        longitudes, latitudes = [point[0] for point in points], [point[1] for point in points]
        return [[min(latitudes), min(longitudes)], [max(latitudes), max(longitudes)]]

    @property
    def based_contingents(self) -> int:
        """The contingents drawn at a base (one base feature lists all those stationed there)."""
        return sum(len(feature["properties"]["contingents"]) for feature in self.bases["features"])

    @property
    def alternative(self) -> str:
        """The map in words, for readers who cannot see it."""
        unmapped = f", {len(self.unmapped)} more are not on it (no coordinates)" if self.unmapped else ""
        counts = Counter(feature["properties"]["geo_precision"] for feature in self.features)
        precisions = [f"{counts[code]} {words}" for code, words in PRECISION_MARKERS.items() if counts[code]]
        drawn = f" ({'; '.join(precisions)})" if precisions else ""
        bases = len(self.bases["features"])
        contingents = self.based_contingents
        based = f"{plural(bases, 'contingent base')} ({plural(contingents, 'contingent')})"
        if self.unmapped_bases:
            based += f", {plural(len(self.unmapped_bases), 'more contingent')} at a base without coordinates"
        return (
            f"The map shows {plural(len(self.features), 'incident')}{drawn}{unmapped} and {based} over Mali's "
            "regions. Every incident is also listed in a table, with a link to its record."
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def incident_map(
    incidents: QuerySet[Incident],
    contingents: QuerySet[Contingent],
    *,
    limit: int = MAX_FEATURES,
    focus: Place | None = None,
) -> IncidentMap:
    """At most `limit` incidents, placed or listed as not on the map, the contingents' bases and the labels of the
    named places; framed around `focus` (a place page's place) too. Three queries."""
    rows = list(incidents_for_map(incidents)[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    features, unmapped = [], []
    for incident in rows:
        reason = unmapped_reason(incident)
        if reason is None:
            features.append(incident_feature(incident))
        else:
            unmapped.append((incident, reason))
    bases, unmapped_bases = base_features(bases_for_map(contingents))
    return IncidentMap(
        incidents=rows,
        features=features,
        unmapped=unmapped,
        truncated=truncated,
        bases=bases,
        unmapped_bases=unmapped_bases,
        labels=place_labels(Place.objects.all()),
        focus=None if focus is None else point_of(focus),
    )


def point_of(place: Place) -> list[float] | None:
    """The place's point or, failing that, the nearest place's it lies in (select its parents with it)."""
    return next((coordinates(each) for each in chain(place) if has_point(each)), None)


def stream_incident_features(incidents: QuerySet[Incident], *, limit: int = MAX_FEATURES) -> Iterator[str]:
    """The map's feed: at most `limit` incidents as a FeatureCollection, streamed by the one GeoJSON writer.

    Incidents without coordinates are left out of the features but counted in the `unmapped` foreign member.
    """
    counts = {"unmapped": 0, "truncated": False}

    def features() -> Iterator[tuple[int, list[float], dict[str, Any]]]:
        for index, incident in enumerate(incidents_for_map(incidents)[: limit + 1].iterator(chunk_size=500)):
            if index == limit:
                counts["truncated"] = True
                return
            if unmapped_reason(incident) is not None:
                counts["unmapped"] += 1
                continue
            yield incident.pk, incident.location.point, incident_properties(incident)

    return exports.geojson_feature_collection(features(), foreign_members=lambda: counts)


def base_features(contingents: Iterable[Contingent]) -> tuple[dict[str, Any], list[tuple[Contingent, str]]]:
    """One Point feature per base, listing the contingents stationed there, drawn at the base's point or, failing
    that, at the nearest place it lies in that has one; and the contingents whose base cannot be drawn, with why."""
    by_base: dict[int, dict[str, Any]] = {}
    unmapped: list[tuple[Contingent, str]] = []
    for contingent in contingents:
        base = contingent.base
        point_place = next((place for place in chain(base) if has_point(place)), None)
        if point_place is None:
            unmapped.append((contingent, f"Neither {base.name} nor any place it lies in has coordinates."))
            continue
        feature = by_base.setdefault(
            base.pk,
            {
                "type": "Feature",
                "id": base.pk,
                "geometry": {"type": "Point", "coordinates": coordinates(point_place)},
                "properties": {
                    "name": base.name,
                    "url": base.get_absolute_url(),
                    "located_at": point_place.name,
                    "fallback": point_place.pk != base.pk,
                    "contingents": [],
                },
            },
        )
        feature["properties"]["contingents"].append({"name": str(contingent), "url": contingent.get_absolute_url()})
    return {"type": "FeatureCollection", "features": list(by_base.values())}, unmapped

"""Incidents as ACLED and UCDP GED rows, column for column, so a researcher can concatenate them with those datasets.

Pure functions of an incident read from Incident.objects.for_export() (its place chain, actor roles, casualties and
sources with their outlets, in a fixed number of queries) and the absolute address of its page: no query of their
own, no knowledge of how the rows are written. docs/crosswalks.md documents every column's derivation.

Unknown stays unknown, except where a codebook says otherwise: ACLED writes 0 fatalities when none are reported, so
`fatalities` does too, and our extra `fatalities_reported` column says whether a number was reported.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django_countries import countries

from actors.models import AcledActorType
from articles.models import SourceScale

from . import vocabularies as vocab
from .models import Casualty, Incident, IncidentActor

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
    # Ours, after ACLED's own columns: whether `fatalities` is a reported number (ACLED writes 0 for none), and the
    # record, whose page lists every source and passage.
    "fatalities_reported",
    "record_url",
]

UCDP_COLUMNS = [
    "id",
    "year",
    "type_of_violence",
    "side_a",
    "side_b",
    "dyad_name",
    "date_start",
    "date_end",
    "date_prec",
    "where_prec",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "source_article",
    # Ours: the record, whose page lists every source and passage.
    "record_url",
]

# ACLED's regions, by ISO 3166-1 alpha-2 code (its region column; UN M49 subregions, with its Middle East and
# Caucasus and Central Asia).
ACLED_REGIONS = {
    code: region
    for region, codes in {
        "Western Africa": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
        "Middle Africa": "AO CM CF TD CG CD GQ GA ST",
        "Eastern Africa": "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW",
        "Southern Africa": "BW SZ LS NA ZA",
        "Northern Africa": "DZ EG LY MA SD TN EH",
        "Middle East": "BH IR IQ IL JO KW LB OM PS QA SA SY TR AE YE",
        "South Asia": "AF BD BT IN MV NP PK LK",
        "Southeast Asia": "BN KH ID LA MY MM PH SG TH TL VN",
        "East Asia": "CN HK JP KP KR MN MO TW",
        "Caucasus and Central Asia": "AM AZ GE KZ KG TJ TM UZ",
        "Europe": "AL AD AT AX BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE XK LV LI LT LU MT MD "
        "MC ME NL MK NO PL PT RO RU SM RS SK SI ES SE CH UA GB VA",
        "North America": "US CA BM GL PM",
        "Central America": "MX BZ CR SV GT HN NI PA",
        "Caribbean": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI",
        "South America": "AR BO BR CL CO EC FK GF GY PY PE SR UY VE",
        "Oceania": "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF",
        "Antarctica": "AQ",
    }.items()
    for code in codes.split()
}
UNKNOWN_COUNTRY = "XXX"  # ISO 3166's user-assigned code, for an event_id_cnty whose country is unknown
ATTACKER_ROLES = (IncidentActor.Role.PERPETRATOR, IncidentActor.Role.CLAIMANT)
ROLE_ORDER = {role: rank for rank, role in enumerate(IncidentActor.Role.values)}
# The actor types a casualty category belongs to, to tell on which side the victims fought.
CATEGORY_TYPES = {
    Casualty.Category.PEACEKEEPERS: {AcledActorType.EXTERNAL_OTHER},
    Casualty.Category.FOREIGN_FORCES: {AcledActorType.EXTERNAL_OTHER},
    Casualty.Category.NATIONAL_FORCES: {AcledActorType.STATE_FORCES},
    Casualty.Category.ARMED_GROUP: {
        AcledActorType.REBEL_GROUP,
        AcledActorType.POLITICAL_MILITIA,
        AcledActorType.IDENTITY_MILITIA,
    },
}


@dataclass(frozen=True)
class Crosswalk:
    """One dataset's shape: its columns, and the row of an incident given the absolute address of its page."""

    name: str
    columns: list[str]
    row: Callable[[Incident, str], dict[str, Any]]


# Sides, from the actor roles


def _ranked(roles: Iterable[IncidentActor]) -> list:
    """Actors of these roles, each once: those with an ACLED actor type first, then by role and name."""
    ranked = sorted(
        roles, key=lambda role: (role.actor.acled_actor_type is None, ROLE_ORDER[role.role], role.actor.name)
    )
    return list({role.actor.pk: role.actor for role in ranked}.values())


def sides(incident: Incident) -> tuple[list, list]:
    """(the initiators: perpetrators and claimants; the targets), each ranked. With neither, the associated actors
    are the initiators: in a resolution or a deployment they are the ones acting."""
    roles = list(incident.actor_roles.all())
    attackers = _ranked(role for role in roles if role.role in ATTACKER_ROLES)
    targets = _ranked(role for role in roles if role.role == IncidentActor.Role.TARGET)
    targets = [actor for actor in targets if actor not in attackers]
    if not attackers and not targets:
        attackers = _ranked(role for role in roles if role.role == IncidentActor.Role.ASSOCIATED)
    return attackers, targets


# Place and sources


def country_name(incident: Incident) -> str:
    location = incident.location
    if location.country is not None:
        return location.country.name
    return countries.name(location.country_code) if location.country_code else ""


def outlets(incident: Incident) -> list:
    return list({claim.source.outlet_id: claim.source.outlet for claim in incident.sources.all()}.values())


def source_scale(incident: Incident) -> str:
    """ACLED source_scale: the sources' outlets' scales, in ACLED's order, at most two joined with “-”."""
    scales = {part for outlet in outlets(incident) for part in outlet.acled_source_scale.split("-") if part}
    return "-".join([scale for scale in SourceScale.values if scale in scales][:2])


# ACLED


def acled_default_actor(incident: Incident) -> tuple[str, int | None]:
    """ACLED's own names for an initiator the sources do not name: protesters or rioters for demonstrations,
    an unidentified armed group for political violence."""
    where = f" ({country_name(incident)})" if country_name(incident) else ""
    if incident.acled_event_type == vocab.EventType.RIOTS:
        return f"Rioters{where}", AcledActorType.RIOTERS
    if incident.acled_event_type == vocab.EventType.PROTESTS:
        return f"Protesters{where}", AcledActorType.PROTESTERS
    if incident.acled_disorder_type == vocab.DisorderType.POLITICAL_VIOLENCE:
        return f"Unidentified Armed Group{where}", AcledActorType.POLITICAL_MILITIA
    return "", None


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """The two inter codes, the smaller first (18); one actor alone is its code then 0 (80)."""
    if inter1 is None or inter2 is None:
        return None
    if 0 in (inter1, inter2):
        return max(inter1, inter2) * 10
    return min(inter1, inter2) * 10 + max(inter1, inter2)


def acled_row(incident: Incident, record_url: str) -> dict[str, Any]:
    """The incident as one row of an ACLED export (ACLED_COLUMNS)."""
    location = incident.location
    attackers, targets = sides(incident)
    if attackers:
        actor1, inter1 = attackers[0].name, attackers[0].acled_actor_type
    else:
        actor1, inter1 = acled_default_actor(incident)
    actor2, inter2 = (targets[0].name, targets[0].acled_actor_type) if targets else ("", 0)
    if not actor1:
        inter1 = None
    code = location.country_code
    country = countries.alpha3(code) if code else None
    civilians = incident.acled_event_type == vocab.EventType.VIOLENCE_AGAINST_CIVILIANS or (
        incident.ucdp_type_of_violence == vocab.UcdpViolenceType.ONE_SIDED
        or any(actor.acled_actor_type == AcledActorType.CIVILIANS for actor in targets)
    )
    return {
        "event_id_cnty": f"{country or UNKNOWN_COUNTRY}{incident.pk}",
        "event_date": incident.date_from.isoformat() if incident.date_from else None,
        "year": incident.date_from.year if incident.date_from else None,
        "time_precision": incident.acled_time_precision,
        "disorder_type": incident.acled_disorder_type,
        "event_type": incident.acled_event_type,
        "sub_event_type": incident.acled_sub_event_type,
        "actor1": actor1,
        "assoc_actor_1": "; ".join(actor.name for actor in attackers[1:]),
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": "; ".join(actor.name for actor in targets[1:]),
        "inter2": inter2,
        "interaction": interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if civilians else "",
        "iso": countries.numeric(code) if code else None,
        "region": ACLED_REGIONS.get(code, ""),
        "country": country_name(incident),
        "admin1": location.admin1.name if location.admin1 else "",
        "admin2": location.admin2.name if location.admin2 else "",
        "admin3": "",
        "location": incident.place.name if incident.place else incident.location_as_written,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "geo_precision": location.acled_geo_precision,
        "source": "; ".join(outlet.name for outlet in outlets(incident)),
        "source_scale": source_scale(incident),
        "notes": incident.description,
        "fatalities": incident.killed_low if incident.killed_low is not None else 0,
        "tags": "",
        "timestamp": int(incident.modified.timestamp()),
        "fatalities_reported": incident.killed is not None,
        "record_url": record_url,
    }


# UCDP GED


def ucdp_sides(incident: Incident) -> tuple[list, list, str, str]:
    """(side A's actors, side B's actors, side_a, side_b). One-sided violence: the perpetrator against “Civilians”.
    Otherwise side A is the side with state forces (ACLED inter 1), else the initiators; side B the other."""
    attackers, targets = sides(incident)
    if incident.ucdp_type_of_violence == vocab.UcdpViolenceType.ONE_SIDED:
        return attackers, [], attackers[0].name if attackers else "", "Civilians"

    def has_state(actors):
        return any(actor.acled_actor_type == AcledActorType.STATE_FORCES for actor in actors)

    side_a, side_b = (targets, attackers) if has_state(targets) and not has_state(attackers) else (attackers, targets)
    return side_a, side_b, side_a[0].name if side_a else "", side_b[0].name if side_b else ""


def victims_side(casualty: Casualty, side_a: list, side_b: list) -> str:
    """a, b, civilians or unknown: the victims' own actor if a side holds it, else the one side whose actors are of
    the victims' kind (peacekeepers and foreign forces: inter 8; national forces: 1; armed groups: 2-4)."""
    if casualty.category == Casualty.Category.CIVILIANS:
        return "civilians"
    for name, actors in (("a", side_a), ("b", side_b)):
        if casualty.armed_actor_id is not None and casualty.armed_actor_id in {actor.pk for actor in actors}:
            return name
    kinds = CATEGORY_TYPES.get(casualty.category, set())
    matching = [
        name for name, actors in (("a", side_a), ("b", side_b)) if any(a.acled_actor_type in kinds for a in actors)
    ]
    return matching[0] if len(matching) == 1 else "unknown"


def deaths(incident: Incident, side_a: list, side_b: list) -> dict[str, int | None]:
    """UCDP's split of the best count (the stored `killed`: the largest total one source gives) by that source's
    rows: deaths_a + deaths_b + deaths_civilians + deaths_unknown == best. All null when no number is reported."""
    split = dict.fromkeys(("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"))
    if incident.killed is None:
        return split
    per_source: dict[int, list[Casualty]] = {}
    for casualty in incident.casualties.all():
        if casualty.outcome == Casualty.Outcome.KILLED:
            per_source.setdefault(casualty.source_id, []).append(casualty)
    best_source = min(per_source, key=lambda source: (-sum(c.best for c in per_source[source]), source))
    split = dict.fromkeys(split, 0)
    for casualty in per_source[best_source]:
        split[f"deaths_{victims_side(casualty, side_a, side_b)}"] += casualty.best
    return split


def source_article(incident: Incident) -> str:
    """UCDP source_article: each source as outlet, date and title, joined with “; ”."""
    return "; ".join(
        f"{claim.source.outlet.name}, {claim.source.date_display}, “{claim.source.title}”"
        for claim in {claim.source_id: claim for claim in incident.sources.all()}.values()
    )


def ucdp_row(incident: Incident, record_url: str) -> dict[str, Any]:
    """The incident as one row of a UCDP GED export (UCDP_COLUMNS)."""
    location = incident.location
    side_a_actors, side_b_actors, side_a, side_b = ucdp_sides(incident)
    return {
        "id": incident.pk,
        "year": incident.date_from.year if incident.date_from else None,
        "type_of_violence": incident.ucdp_type_of_violence,
        "side_a": side_a,
        "side_b": side_b,
        "dyad_name": f"{side_a} - {side_b}" if side_a and side_b else "",
        "date_start": incident.date_from.isoformat() if incident.date_from else None,
        "date_end": incident.date_to.isoformat() if incident.date_to else None,
        "date_prec": incident.ucdp_date_prec,
        "where_prec": location.ucdp_where_prec,
        "adm_1": location.admin1.name if location.admin1 else "",
        "adm_2": location.admin2.name if location.admin2 else "",
        "latitude": location.latitude,
        "longitude": location.longitude,
        "country": country_name(incident),
        **deaths(incident, side_a_actors, side_b_actors),
        "best": incident.killed,
        "high": incident.killed_high,
        "low": incident.killed_low,
        "source_article": source_article(incident),
        "record_url": record_url,
    }


ACLED = Crosswalk("acled", ACLED_COLUMNS, acled_row)
UCDP = Crosswalk("ucdp", UCDP_COLUMNS, ucdp_row)
CROSSWALKS = {crosswalk.name: crosswalk for crosswalk in (ACLED, UCDP)}

"""Controlled vocabularies: ACLED's, UCDP's and the UN's codes stored exactly as they write them, and our own."""

from django.db import models
from django.db.models import Q


class DisorderType(models.TextChoices):
    POLITICAL_VIOLENCE = "Political violence"
    DEMONSTRATIONS = "Demonstrations"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"
    POLITICAL_VIOLENCE_DEMONSTRATIONS = "Political violence; Demonstrations"


class EventType(models.TextChoices):
    BATTLES = "Battles"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    EXPLOSIONS_REMOTE_VIOLENCE = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"


SUB_EVENT_TYPES: dict[str, list[str]] = {
    EventType.BATTLES: ["Government regains territory", "Non-state actor overtakes territory", "Armed clash"],
    EventType.PROTESTS: ["Excessive force against protesters", "Protest with intervention", "Peaceful protest"],
    EventType.RIOTS: ["Violent demonstration", "Mob violence"],
    EventType.EXPLOSIONS_REMOTE_VIOLENCE: [
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ],
    EventType.VIOLENCE_AGAINST_CIVILIANS: ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    EventType.STRATEGIC_DEVELOPMENTS: [
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ],
}
SUB_EVENT_TYPE_CHOICES = [
    (str(event_type), [(sub, sub) for sub in subs]) for event_type, subs in SUB_EVENT_TYPES.items()
]

# Which event types each disorder type admits (ACLED's codebook).
EVENT_TYPES_BY_DISORDER: dict[str, list[str]] = {
    DisorderType.POLITICAL_VIOLENCE: [
        EventType.BATTLES,
        EventType.EXPLOSIONS_REMOTE_VIOLENCE,
        EventType.VIOLENCE_AGAINST_CIVILIANS,
        EventType.RIOTS,
    ],
    DisorderType.DEMONSTRATIONS: [EventType.PROTESTS, EventType.RIOTS],
    DisorderType.POLITICAL_VIOLENCE_DEMONSTRATIONS: [EventType.PROTESTS, EventType.RIOTS],
    DisorderType.STRATEGIC_DEVELOPMENTS: [EventType.STRATEGIC_DEVELOPMENTS],
}


def sub_event_matches_event_q() -> Q:
    condition = Q()
    for event_type, subs in SUB_EVENT_TYPES.items():
        condition |= Q(acled_event_type=str(event_type), acled_sub_event_type__in=subs)
    return condition


def event_matches_disorder_q() -> Q:
    condition = Q()
    for disorder, events in EVENT_TYPES_BY_DISORDER.items():
        condition |= Q(acled_disorder_type=str(disorder), acled_event_type__in=[str(e) for e in events])
    return condition


class UcdpViolenceType(models.IntegerChoices):
    STATE_BASED = 1, "State-based"
    NON_STATE = 2, "Non-state"
    ONE_SIDED = 3, "One-sided violence"


class UnFatalityIncidentType(models.TextChoices):
    MALICIOUS_ACT = "Malicious Act"
    ACCIDENT = "Accident"
    ILLNESS = "Illness"
    SELF_INFLICTED = "Self-Inflicted"
    TO_BE_DETERMINED = "To Be Determined"
    UNKNOWN = "Unknown"


class IncidentType(models.TextChoices):
    """Our own, friendlier incident types, next to ACLED's."""

    ATTACK_ON_BASE = "attack_on_base", "Attack on a base or camp"
    SUICIDE_ATTACK = "suicide_attack", "Suicide attack"
    INDIRECT_FIRE = "indirect_fire", "Rocket or mortar fire"
    IED = "ied", "Improvised explosive device"
    LANDMINE = "landmine", "Landmine"
    AMBUSH = "ambush", "Ambush"
    ARMED_CLASH = "armed_clash", "Armed clash"
    OFFENSIVE = "offensive", "Offensive or capture of territory"
    AIRSTRIKE = "airstrike", "Air or drone strike"
    MASSACRE = "massacre", "Massacre of civilians"
    ATTACK_ON_CIVILIANS = "attack_on_civilians", "Attack on civilians"
    KIDNAPPING = "kidnapping", "Kidnapping or disappearance"
    TERRORIST_ATTACK = "terrorist_attack", "Terrorist attack"
    PROTEST = "protest", "Protest or demonstration"
    COUP = "coup", "Coup"
    RESOLUTION = "resolution", "Security Council resolution"
    MANDATE_RENEWAL = "mandate_renewal", "Mandate renewal"
    DEPLOYMENT = "deployment", "Deployment or mission start"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    AGREEMENT = "agreement", "Agreement or peace talks"
    POLITICAL = "political", "Other political development"
    ARMS_DELIVERY = "arms_delivery", "Arms delivery"
    OTHER = "other", "Other"


class FigureQuantity(models.TextChoices):
    TROOPS_AUTHORISED = "troops_authorised", "Troops authorised"
    PERSONNEL_AUTHORISED = "personnel_authorised", "Military and police personnel authorised"
    TROOPS_DEPLOYED = "troops_deployed", "Troops deployed"
    PERSONNEL_DEPLOYED = "personnel_deployed", "Personnel deployed"
    PEACEKEEPERS_KILLED = "peacekeepers_killed", "Peacekeepers killed"
    PEACEKEEPERS_KILLED_SHARE = "peacekeepers_killed_share", "Share of peacekeepers killed"
    PROPOSED_INCREASE = "proposed_increase", "Proposed increase in personnel"
    FORCE_STRENGTH_SHARE_LEAVING = "force_strength_share_leaving", "Share of force strength announced to leave"
    FLIGHT_REQUESTS_DENIED = "flight_requests_denied", "Flight requests denied"
    LOCAL_STAFF = "local_staff", "Local staff employed"
    LOCAL_STAFF_LAID_OFF = "local_staff_laid_off", "Local staff laid off"
    DISPLACED_PEOPLE = "displaced_people", "Displaced people"
    CIVILIANS_KILLED = "civilians_killed", "Civilians killed"
    FOREIGN_TROOPS = "foreign_troops", "Foreign troops in the country"
    AFRICAN_FORCE_TROOPS = "african_force_troops", "African-led force troops"
    AIRCRAFT_DELIVERED = "aircraft_delivered", "Aircraft delivered"
    POPULATION = "population", "Population"
    OTHER = "other", "Other"

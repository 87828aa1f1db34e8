"""Incident drafts: sentences that name a place, carry a date and an event word (an attack, a coup, a resolution).

The event word picks our incident type and ACLED's disorder, event and sub-event types (a valid triple of
events.vocabularies) and UCDP's type of violence; the sentence's actor mentions are proposed with a role read from
the words around them. The draft is a starting point: a curator checks every field before accepting it.
"""

import re

from .suggestion import Kind, Suggestion

PV, SD, DEM = "Political violence", "Strategic developments", "Demonstrations"
BATTLES, REMOTE, VAC = "Battles", "Explosions/Remote violence", "Violence against civilians"
# (pattern, incident type, ACLED disorder type, event type, sub-event type, UCDP type of violence), most specific
# first: “a suicide attack” is a suicide attack before it is an attack.
EVENTS = [
    (r"suicide (?:bomb|attack|car)|truck bomb|car bomb", "suicide_attack", PV, REMOTE, "Suicide bomb", 1),
    (r"rockets?|mortars?|shell(?:ed|ing)", "indirect_fire", PV, REMOTE, "Shelling/artillery/missile attack", 1),
    (r"landmines?|\bmines?\b", "landmine", PV, REMOTE, "Remote explosive/landmine/IED", 1),
    (
        r"roadside bombs?|\bIEDs?\b|improvised explosive|explosive devices?",
        "ied",
        PV,
        REMOTE,
        "Remote explosive/landmine/IED",
        1,
    ),
    (r"air ?strikes?|drone strikes?|bombed from the air", "airstrike", PV, REMOTE, "Air/drone strike", 1),
    (r"massacred?|executions?|executed", "massacre", PV, VAC, "Attack", 3),
    (
        r"kidnapp(?:ed|ing)|abduct(?:ed|ion)|disappeared|taken hostage",
        "kidnapping",
        PV,
        VAC,
        "Abduction/forced disappearance",
        3,
    ),
    (r"ambush(?:ed)?", "ambush", PV, BATTLES, "Armed clash", 1),
    (
        r"attack(?:ed|s)? (?:on|against)? ?(?:a |the )?(?:\w+ )?(?:camp|base|barracks)",
        "attack_on_base",
        PV,
        BATTLES,
        "Armed clash",
        1,
    ),
    (
        r"offensive|captured|overran|took (?:over|control)|seized (?:the )?(?:town|city|north)",
        "offensive",
        PV,
        BATTLES,
        "Non-state actor overtakes territory",
        1,
    ),
    (
        r"clash(?:ed|es)?|fighting|battles?|attack(?:ed|s)?|assault|raids?|fired",
        "armed_clash",
        PV,
        BATTLES,
        "Armed clash",
        1,
    ),
    (r"protest(?:s|ed|ers)?|demonstrat(?:ion|ors|ed)", "protest", DEM, "Protests", "Peaceful protest", None),
    (r"coups?|seized power|ousted|overthrew", "coup", SD, SD, "Other", None),
    (r"renew(?:ed|al)? (?:the |its )?mandate|mandate renewal", "mandate_renewal", SD, SD, "Other", None),
    (r"resolution|voted|unanimously", "resolution", SD, SD, "Other", None),
    (r"withdr[ae]w(?:al|n)?|pull(?:ed)? out|leav(?:e|ing)", "withdrawal", SD, SD, "Change to group/activity", None),
    (r"accord|agreement|peace talks|ceasefire|cease-fire|signed", "agreement", SD, SD, "Agreement", None),
    (r"arrest(?:ed|s)?", "political", SD, SD, "Arrests", None),
    (r"deliver(?:ed|y|ies)", "arms_delivery", SD, SD, "Other", None),
    (
        r"deploy(?:ed|ment)|rolled out|began operating|arrived|intervention|intervened",
        "deployment",
        SD,
        SD,
        "Other",
        None,
    ),
]
_EVENTS = [(re.compile(rf"\b(?:{pattern})", re.IGNORECASE), rest) for pattern, *rest in EVENTS]
_CLAIM = re.compile(r"claim(?:ed|s)? responsibility|claimed", re.IGNORECASE)
_PERPETRATOR_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}(?:fighters|militants|gunmen)?\W*"
    r"(?:attacked|fired|ambushed|killed|struck|stormed|launched|kidnapped|seized|overran)\b",
    re.IGNORECASE,
)
_TARGET_BEFORE = re.compile(
    r"(?:attacks?|assault|fire|rockets?) (?:on|against|at) (?:\w+\W+){0,3}$"
    r"|(?:killing|wounding|injuring|targeting) (?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def incident_suggestions(body, dates: list[Suggestion], mentions: list[Suggestion]) -> list[Suggestion]:
    text = body.text
    suggestions = []
    for sentence in body.sentences:
        sentence_dates = _inside(dates, sentence)
        sentence_mentions = _inside(mentions, sentence)
        places = [s for s in sentence_mentions if s.kind == Kind.PLACE]
        if not sentence_dates or not places:
            continue
        words = text[sentence.start : sentence.end]
        event = next(((pattern.search(words), rest) for pattern, rest in _EVENTS if pattern.search(words)), None)
        if event is None:
            continue
        found, (incident_type, disorder, event_type, sub_event, ucdp) = event
        date, place = sentence_dates[0], places[0]
        actors = []
        for mention in sentence_mentions:
            if mention.kind != Kind.ACTOR or any(a["actor"] == mention.values["actor"] for a in actors):
                continue
            actors.append(
                {
                    "actor": mention.values["actor"],
                    "actor_name": mention.values["actor_name"],
                    "role": _role(text, mention, sentence),
                }
            )
        values = {
            "title": f"{found.group().capitalize()} — {place.values['place_name']} ({date.text})",
            "incident_type": incident_type,
            "acled_disorder_type": disorder,
            "acled_event_type": event_type,
            "acled_sub_event_type": sub_event,
            "ucdp_type_of_violence": ucdp,
            "place": place.values["place"],
            "place_name": place.values["place_name"],
            "location_as_written": place.text,
            "location_precision": "town"
            if place.values.get("place_kind") in ("city", "village", "capital", "military_base", "airport", "building")
            else "region",
            "date_as_written": date.values["date_as_written"],
            "date_from": date.values["date_from"],
            "date_to": date.values["date_to"],
            "date_precision": date.values["date_precision"],
            "actors": actors,
            "event_word": found.group(),
        }
        score = 0.7 if disorder == PV else 0.5
        suggestions.append(Suggestion(Kind.INCIDENT, sentence.start, sentence.end, words, values, score))
    return suggestions


def _inside(suggestions: list[Suggestion], sentence) -> list[Suggestion]:
    return [s for s in suggestions if sentence.start <= s.start and s.end <= sentence.end]


def _role(text: str, mention: Suggestion, sentence) -> str:
    after = text[mention.end : min(sentence.end, mention.end + 60)]
    before = text[max(sentence.start, mention.start - 60) : mention.start]
    if _CLAIM.search(after[:40]):
        return "claimant"
    if _PERPETRATOR_AFTER.search(after):
        return "perpetrator"
    if _TARGET_BEFORE.search(before):
        return "target"
    return "associated"

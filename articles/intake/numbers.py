"""Numbers with what they count: “29 peacekeepers”, “about 6,300 soldiers”, “a third”, “hundreds of others”.

Each is offered as the records it could become: a figure (with a quantity guessed from the words around it), a
casualty row (people killed, wounded or abducted) or a strength observation (troops of a contingent). Words are
read as the corpus reads them (docs/corpus.md): “hundreds” is 200–999, “thousands” 2,000–9,999, “tens of
thousands” 20,000–99,999 and “dozens” 24–99, each an estimate.
"""

import re
from decimal import Decimal

from .suggestion import Kind, Suggestion

UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
FRACTIONS = {
    "half": "50",
    "a half": "50",
    "a third": "33.33",
    "one third": "33.33",
    "one-third": "33.33",
    "a quarter": "25",
    "one quarter": "25",
    "two-thirds": "66.67",
    "two thirds": "66.67",
    "three-quarters": "75",
    "three quarters": "75",
}
ESTIMATES = {
    "tens of thousands": ("20000", "99999"),
    "hundreds of thousands": ("200000", "999999"),
    "thousands": ("2000", "9999"),
    "hundreds": ("200", "999"),
    "dozens": ("24", "99"),
    "millions": ("2000000", "9999999"),
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
QUALIFIERS = [
    (r"well over|more than|over|upwards of|in excess of", "more_than"),
    (r"at least|a minimum of", "at_least"),
    (r"nearly|almost|close to|just under", "nearly"),
    (r"up to|as many as|a maximum of", "up_to"),
    (r"about|around|roughly|approximately|some|an estimated|estimated|only about|some \d+ to", "about"),
]
_QUALIFIER = re.compile(
    r"(?:" + "|".join(f"(?P<q{i}>\\b(?:{p}))" for i, (p, _) in enumerate(QUALIFIERS)) + r")\s+$", re.I
)

_WORD_NUMBER = "|".join([*TENS, *UNITS]) + r"|a dozen|dozen"
_NUMBER = re.compile(
    r"(?P<estimate>\b(?:tens of thousands|hundreds of thousands|thousands|hundreds|dozens|millions)\b)"
    r"|(?P<fraction>\b(?:a half|half|a third|one[- ]third|a quarter|one quarter|two[- ]thirds|three[- ]quarters)\b)"
    r"|(?P<digits>(?<![\w.\-/])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)|(?<![\w.\-/,])\d+(?:\.\d+)?(?!\d|,\d))"
    rf"(?P<scale>\s(?:hundred|thousand|million|billion)\b)?"
    rf"|(?P<words>\b(?:(?:{'|'.join(TENS)})(?:-(?:{'|'.join(list(UNITS)[:9])}))?|{_WORD_NUMBER})\b"
    rf"(?:\s(?:hundred|thousand|million|billion)\b)?)"
    r"|(?P<decade>\ba decade\b)"
    r"|(?P<single>\b(?:a|an|one)\s(?=(?:[A-Z][a-z]+\s)?(?:peacekeeper|soldier|civilian|priest|worker|officer|journalist"
    r"|policeman|child|woman|man|aid worker)\b))",
    re.IGNORECASE,
)
_RANGE_TAIL = re.compile(r"^\s?(?:to|-|–|or)\s?(?P<high>\d{1,3}(?:,\d{3})+|\d+|" + "|".join(UNITS) + r")\b", re.I)
PERSON_NOUNS = {
    "peacekeepers",
    "peacekeeper",
    "soldiers",
    "soldier",
    "troops",
    "personnel",
    "people",
    "civilians",
    "civilian",
    "officers",
    "police",
    "policemen",
    "fighters",
    "militants",
    "jihadists",
    "rebels",
    "others",
    "men",
    "women",
    "children",
    "staff",
    "employees",
    "workers",
    "residents",
    "villagers",
    "refugees",
    "migrants",
    "members",
    "priest",
    "helmets",
    "casualties",
    "deaths",
    "dead",
    "victims",
    "hostages",
    "experts",
    "observers",
}
PEACEKEEPER_NOUNS = {"peacekeepers", "peacekeeper", "helmets"}
KILL = re.compile(r"\bkill|\bdied\b|\bdie\b|\bdead\b|\bdeath|\blost\b|\bfatalit|\bmurder|\bmassacre", re.I)
WOUND = re.compile(r"\bwound|\binjur", re.I)
ABDUCT = re.compile(r"\babduct|\bkidnap|\bdisappear|\bhostage", re.I)
STRENGTH = re.compile(r"\bcontingent|\bsent\b|\bdeploy|\bbattalion|\bcompan(?:y|ies)\b|\bunit\b", re.I)
QUANTITY_RULES = [
    (r"peacekeeper|blue helmet|\bun soldiers|soldiers killed|\bsoldiers\b.*\bkilled", KILL, "peacekeepers_killed"),
    (r"civilian", KILL, "civilians_killed"),
    (r"flight", re.compile(r"request|denied|refus", re.I), "flight_requests_denied"),
    (r"laid off|lay off|lose their jobs", None, "local_staff_laid_off"),
    (r"employ|local staff|subcontractor", None, "local_staff"),
    (r"displaced|refuge|fled|camps? for", None, "displaced_people"),
    (r"authori[sz]ed|ceiling|limit", re.compile(r"troops|soldiers", re.I), "troops_authorised"),
    (r"authori[sz]ed|ceiling|limit", None, "personnel_authorised"),
    (r"increase|raising|raise|grow|another|more troops|additional|by up to|\bby\s[\d,]+$", None, "proposed_increase"),
    (r"planes|aircraft|helicopters|jets", None, "aircraft_delivered"),
    (r"population|million people", None, "population"),
    (
        r"french|foreign|russian|wagner|barkhane|serval",
        re.compile(r"troops|soldiers|force|officers|mercenar", re.I),
        "foreign_troops",
    ),
    (r"african union|african-led|afisma|ecowas", None, "african_force_troops"),
    (
        r"deployed|currently|netted|strength|peacekeepers|personnel",
        re.compile(r"troops|personnel|peacekeepers|soldiers", re.I),
        "personnel_deployed",
    ),
]


def _word_value(words: str) -> int | None:
    words = words.lower().replace("a dozen", "twelve").replace("dozen", "twelve")
    scale = 1
    for name, factor in SCALES.items():
        if words.endswith(" " + name):
            scale, words = factor, words[: -len(name) - 1]
    if "-" in words:
        tens, unit = words.split("-", 1)
        return (TENS.get(tens, 0) + UNITS.get(unit, 0)) * scale
    value = TENS.get(words) or UNITS.get(words)
    return value * scale if value else None


def _counted(text: str, end: int) -> tuple[str, int]:
    """The noun a number counts, and where the noun phrase ends: the first of up to four words that is a known
    person noun, else the last plain word before a preposition, a verb or punctuation."""
    tail = text[end : end + 80]
    if tail.startswith("-"):  # “the 3,000-strong French force”, “a 300-yard road”
        match = re.match(r"-(\w+)", tail)
        return (match.group(1) if match else ""), end + (match.end() if match else 0)
    words = list(re.finditer(r"[A-Za-z][\w’'\-]*|[^\w\s]", tail))
    noun, noun_end = "", end
    for word in words[:4]:
        token = word.group()
        lowered = token.lower().rstrip(".")
        if not token[0].isalpha():
            break
        if lowered in ("percent", "per"):
            return "percent", end + word.end()
        if lowered in PERSON_NOUNS:
            return lowered, end + word.end()
        if lowered in (
            "of",
            "in",
            "at",
            "on",
            "to",
            "from",
            "by",
            "and",
            "or",
            "who",
            "that",
            "were",
            "was",
            "are",
            "is",
            "have",
            "has",
            "had",
            "with",
            "for",
            "since",
            "each",
            "as",
            "than",
            "till",
            "until",
            "now",
            "will",
            "would",
            "could",
            "can",
            "may",
            "be",
            "been",
            "said",
            "says",
            "the",
            "a",
            "an",
        ):
            if lowered == "of" and not noun:
                continue
            break
        noun, noun_end = lowered, end + word.end()
    return noun, noun_end


def _qualifier(text: str, start: int) -> tuple[str, int]:
    match = _QUALIFIER.search(text[max(0, start - 30) : start])
    if not match:
        return "exact", start
    index = next(i for i in range(len(QUALIFIERS)) if match.group(f"q{i}"))
    return QUALIFIERS[index][1], start - (len(text[max(0, start - 30) : start]) - match.start())


def number_suggestions(text: str, sentences, skip: list[tuple[int, int]]) -> list[Suggestion]:
    """Numbers outside `skip` (the dates' spans), each with its counted noun, qualifier and the records it could
    become."""
    suggestions = []
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        if any(s <= start < e for s, e in skip):
            continue
        raw = match.group()
        values: dict = {}
        if match["estimate"]:
            low, high = ESTIMATES[raw.lower()]
            values = {"value": low, "value_high": high, "qualifier": "estimate"}
        elif match["fraction"]:
            values = {"value": FRACTIONS[raw.lower()], "unit": "percent"}
        elif match["digits"]:
            number = Decimal(match["digits"].replace(",", ""))
            if match["scale"]:
                number *= SCALES[match["scale"].strip().lower()]
            if re.fullmatch(r"(?:19[4-9]\d|20\d\d)", raw) and not re.match(
                r"\s?(?:percent|%|troops|soldiers|people|peacekeepers|personnel)", text[end : end + 14]
            ):
                continue  # a year: the dates have it
            if re.search(r"(?:No\.\s?|#|[A-Za-z]-?)$", text[max(0, start - 5) : start]):
                continue  # “No. 3”, “Su-25”, “G5”: a designation, not a count
            values = {"value": _plain(number)}
        elif match["words"]:
            if re.match(r"\s(?:of|day|another|by one)\b", text[end : end + 12]) and raw.lower() == "one":
                continue  # “one of the managers”, “one day”: a pronoun or an idiom, not a count
            value = _word_value(raw)
            if value is None:
                continue
            values = {"value": str(value)}
        elif match["decade"]:
            values = {"value": "10", "unit": "years", "qualifier": "about"}
        elif match["single"]:
            sentence = _sentence(sentences, start)
            if not (KILL.search(sentence) or WOUND.search(sentence) or ABDUCT.search(sentence)):
                continue
            values = {"value": "1"}
            end = start + len(raw.rstrip())
        if not values:
            continue
        range_tail = _RANGE_TAIL.match(text[end : end + 20])
        if range_tail and "value_high" not in values:
            high = range_tail["high"].replace(",", "")
            values["value_high"] = high if high.isdigit() else str(UNITS[high.lower()])
            end += range_tail.end()
        if re.match(r"\s?(?:percent|per cent|%)", text[end : end + 9]):
            values["unit"] = "percent"
            end += re.match(r"\s?(?:percent|per cent|%)", text[end : end + 9]).end()
        qualifier, phrase_start = _qualifier(text, start)
        values.setdefault("qualifier", qualifier)
        noun, phrase_end = _counted(text, end)
        if values.get("unit") != "percent" and match["single"]:
            noun = _counted(text, start + len(raw))[0]
        values.setdefault("unit", "people" if noun in PERSON_NOUNS else (noun or "items"))
        values["counted"] = noun
        sentence = _sentence(sentences, start)
        values.update(_offers(sentence, noun, values))
        suggestions.append(
            Suggestion(
                Kind.NUMBER,
                phrase_start,
                max(end, phrase_end),
                text[phrase_start : max(end, phrase_end)],
                values,
                score=0.8 if noun else 0.5,
            )
        )
    return suggestions


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


def _sentence(sentences, offset: int) -> str:
    for span, sentence in sentences:
        if span.start <= offset < span.end:
            return sentence
    return ""


def _offers(sentence: str, noun: str, values: dict) -> dict:
    """The records this number could become, likeliest first, with what each would hold."""
    offers = ["figure"]
    proposal: dict = {}
    person = noun in PERSON_NOUNS
    if person and (KILL.search(sentence) or WOUND.search(sentence) or ABDUCT.search(sentence)):
        outcome = "killed" if KILL.search(sentence) else ("wounded" if WOUND.search(sentence) else "abducted")
        category = (
            "peacekeepers"
            if noun in PEACEKEEPER_NOUNS or re.search(r"peacekeep|blue helmet|\bUN\b|U\.N\.", sentence)
            else "civilians"
            if noun in ("civilians", "civilian", "people", "villagers", "residents", "women", "children", "priest")
            else "armed_group"
            if noun in ("fighters", "militants", "jihadists", "rebels")
            else "unknown"
        )
        proposal["casualty"] = {"outcome": outcome, "category": category, "best": values["value"]}
        offers.insert(0, "casualty")
    if noun in ("soldiers", "troops", "personnel", "police", "officers", "peacekeepers") and STRENGTH.search(sentence):
        proposal["strength_observation"] = {"personnel": values["value"], "unit_of_count": "personnel"}
        offers.append("strength_observation")
    lowered = sentence.lower()
    quantity = "other"
    if values.get("unit") == "percent" and KILL.search(sentence):
        quantity = "peacekeepers_killed_share" if "peacekeep" in lowered or "mission" in lowered else "other"
    else:
        for pattern, condition, name in QUANTITY_RULES:
            if re.search(pattern, lowered) and (condition is None or condition.search(sentence)):
                quantity = name
                break
    if quantity in ("peacekeepers_killed", "civilians_killed") and not person:
        quantity = "other"
    return {"offer_as": offers, "quantity": quantity, **proposal}

"""Synthetic incidents in the real schema, at any scale, for benchmarks (`manage.py synthesize`).

Each synthetic article is a news report of the incidents of the days before it: one sentence per incident, dated as
the sources date things (a day, a few days, a week, a month, a year), naming the actors and the place, with the
casualties as clauses of the sentence. An incident cites that sentence (and its casualties the clause) at its real
offsets, so the verbatim triggers accept every row; about half the incidents are reported again, in other words, by
the next article (a second source, sometimes with another count). Articles also carry one to three direct quotes.

Rows are written in bulk with explicit ids (COPY on PostgreSQL, executemany on SQLite): no per-row ORM save and no
audit-history rows. The same seed on the same starting database gives the same rows (timestamps aside).
"""

import calendar
import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from actors.models import AcledActorType, Actor, ActorKind, Contingent
from articles.models import Article, Outlet, Quote
from common import datacache
from common.fuzzydates import DatePrecision

from . import vocabularies as vocab
from .models import Casualty, Incident, IncidentActor, IncidentSource, Place

# The mission's years; clipped to settings.MINUSMA_DATE_RANGE.
FIRST_DAY, LAST_DAY = datetime.date(2013, 1, 11), datetime.date(2023, 12, 31)
ARTICLES_PER_INCIDENT = 0.036  # 3.6k articles for 100k incidents
SECOND_SOURCE_SHARE = 0.5  # incidents reported again by the next article: 1.5 sources each on average
ARTICLES_PER_BATCH = 200  # rows are written, and the progress bar moves, once per batch of articles
SEED_FILE = "synthetic: manage.py synthesize --seed {seed}"

# -- The cast: the places, actors and outlets synthetic records use. Slugs are the corpus's where it has the record,
# so a database with the corpus loaded reuses its rows; the rest are created. -----------------------------------------

# slug, name, kind, parent slug, latitude, longitude
GAZETTEER = [
    ("mali", "Mali", Place.Kind.COUNTRY, None, None, None),
    ("kidal-region", "Kidal Region", Place.Kind.REGION, "mali", None, None),
    ("gao-region", "Gao Region", Place.Kind.REGION, "mali", None, None),
    ("timbuktu-region", "Timbuktu Region", Place.Kind.REGION, "mali", None, None),
    ("menaka-region", "Menaka Region", Place.Kind.REGION, "mali", None, None),
    ("mopti-region", "Mopti Region", Place.Kind.REGION, "mali", None, None),
    ("segou-region", "Segou Region", Place.Kind.REGION, "mali", None, None),
    ("kidal", "Kidal", Place.Kind.CITY, "kidal-region", "18.443450", "1.409210"),
    ("tessalit", "Tessalit", Place.Kind.CITY, "kidal-region", "20.201260", "1.011390"),
    ("aguelhok", "Aguelhok", Place.Kind.CITY, "kidal-region", "19.461700", "0.858300"),
    ("anefis", "Anefis", Place.Kind.VILLAGE, "kidal-region", "18.050000", "0.600000"),
    ("gao", "Gao", Place.Kind.CITY, "gao-region", "16.271670", "-0.044720"),
    ("ansongo", "Ansongo", Place.Kind.CITY, "gao-region", "15.659700", "0.502200"),
    ("bourem", "Bourem", Place.Kind.CITY, "gao-region", "16.956200", "-0.348600"),
    ("timbuktu", "Timbuktu", Place.Kind.CITY, "timbuktu-region", "16.773480", "-3.007420"),
    ("ber", "Ber", Place.Kind.VILLAGE, "timbuktu-region", "16.850000", "-2.750000"),
    ("goundam", "Goundam", Place.Kind.CITY, "timbuktu-region", "16.414500", "-3.670800"),
    ("menaka", "Menaka", Place.Kind.CITY, "menaka-region", "15.919850", "2.401740"),
    ("mopti", "Mopti", Place.Kind.CITY, "mopti-region", "14.484300", "-4.182960"),
    ("sevare", "Sevare", Place.Kind.CITY, "mopti-region", "14.530000", "-4.100000"),
    ("douentza", "Douentza", Place.Kind.CITY, "mopti-region", "15.003000", "-2.949700"),
    ("boni", "Boni", Place.Kind.VILLAGE, "mopti-region", "15.050000", "-2.200000"),
    ("konna", "Konna", Place.Kind.CITY, "mopti-region", "14.943000", "-3.889000"),
    ("segou", "Segou", Place.Kind.CITY, "segou-region", "13.440320", "-6.259460"),
    ("niono", "Niono", Place.Kind.CITY, "segou-region", "14.252600", "-5.992900"),
    ("diabaly", "Diabaly", Place.Kind.VILLAGE, "segou-region", "14.683300", "-6.016700"),
]
TOWN_KINDS = (Place.Kind.CITY, Place.Kind.VILLAGE, Place.Kind.CAPITAL)

# slug, name, kind, ACLED actor type, country
ARMED_GROUPS = [
    ("jnim", "Jama'at Nusrat al-Islam wal-Muslimin", ActorKind.ARMED_GROUP, AcledActorType.REBEL_GROUP, ""),
    (
        "islamic-state-in-the-greater-sahara",
        "Islamic State in the Greater Sahara",
        ActorKind.ARMED_GROUP,
        AcledActorType.REBEL_GROUP,
        "",
    ),
    ("ansar-dine", "Ansar Dine", ActorKind.ARMED_GROUP, AcledActorType.REBEL_GROUP, ""),
    ("al-mourabitoun", "Al-Mourabitoun", ActorKind.ARMED_GROUP, AcledActorType.REBEL_GROUP, ""),
    ("katiba-macina", "Katiba Macina", ActorKind.ARMED_GROUP, AcledActorType.REBEL_GROUP, ""),
    (
        "national-movement-for-the-liberation-of-azawad",
        "National Movement for the Liberation of Azawad",
        ActorKind.ARMED_GROUP,
        AcledActorType.REBEL_GROUP,
        "",
    ),
]
FORCES = [
    ("malian-armed-forces", "Malian Armed Forces", ActorKind.ARMED_FORCE, AcledActorType.STATE_FORCES, "ML"),
    ("malian-police", "Malian police", ActorKind.ARMED_FORCE, AcledActorType.STATE_FORCES, "ML"),
    ("operation-barkhane", "Operation Barkhane", ActorKind.MILITARY_OPERATION, AcledActorType.EXTERNAL_OTHER, "FR"),
    ("wagner-group", "Wagner Group", ActorKind.PRIVATE_MILITARY_COMPANY, AcledActorType.EXTERNAL_OTHER, "RU"),
]
MISSIONS = [("minusma", "MINUSMA", ActorKind.UN_MISSION, AcledActorType.EXTERNAL_OTHER, "")]
COMMUNITIES = [
    ("tuareg", "Tuareg", ActorKind.COMMUNITY, None, ""),
    ("songhai", "Songhai", ActorKind.COMMUNITY, None, ""),
    ("fulani", "Fulani", ActorKind.COMMUNITY, None, ""),
    ("dogon", "Dogon", ActorKind.COMMUNITY, None, ""),
]
# slug, name, ACLED source scale. Fictional outlets: synthetic reports are attributed to no real newsroom.
OUTLETS = [
    ("sahel-wire", "Sahel Wire", "Regional"),
    ("niger-river-herald", "Niger River Herald", "National"),
    ("bamako-evening-post", "Bamako Evening Post", "National"),
    ("desert-dispatch", "Desert Dispatch", "International"),
    ("timbuktu-chronicle", "Timbuktu Chronicle", "Subnational"),
    ("west-africa-ledger", "West Africa Ledger", "International"),
]
TROOP_CONTRIBUTORS = ["TD", "SN", "BF", "TG", "NE", "GN", "EG", "BD", "CI", "BJ"]
SYNTHETIC_NOTE = "Synthetic gazetteer entry (manage.py synthesize)."


@dataclass(frozen=True)
class CastPlace:
    id: int
    name: str
    region: str  # the region's name, or "Mali"


@dataclass(frozen=True)
class CastActor:
    id: int
    name: str
    kind: str
    country: str
    category: str  # the casualty category of its members


@dataclass
class Cast:
    places: list[CastPlace]
    armed_groups: list[CastActor]
    forces: list[CastActor]
    missions: list[CastActor]
    communities: list[CastActor]
    outlets: list[int]
    contingents: list[tuple[int, str]]  # (id, country) of the mission's contingents


def _casualty_category(kind: str, country: str) -> str:
    if kind == ActorKind.UN_MISSION:
        return Casualty.Category.PEACEKEEPERS
    if kind == ActorKind.ARMED_GROUP:
        return Casualty.Category.ARMED_GROUP
    if kind == ActorKind.COMMUNITY:
        return Casualty.Category.CIVILIANS
    return Casualty.Category.NATIONAL_FORCES if country == "ML" else Casualty.Category.FOREIGN_FORCES


def _actor_row(actor: Actor) -> CastActor:
    country = actor.country.code or ""
    return CastActor(actor.pk, actor.name, actor.kind, country, _casualty_category(actor.kind, country))


def _ensure_actors(specs: list[tuple], using: str) -> list[Actor]:
    actors = []
    for slug, name, kind, acled_type, country in specs:
        actor, _ = Actor.objects.using(using).get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "acled_actor_type": acled_type, "country": country}
        )
        actors.append(actor)
    return actors


def ensure_cast(using: str = "default") -> Cast:
    """The places, actors, outlets and contingents synthetic records use: the database's own (the corpus's, when it
    is loaded) where they exist, the built-in ones created where they do not. Ordered by slug, so a seed draws the
    same records from the same database."""
    places_by_slug: dict[str, Place] = {}
    for slug, name, kind, parent, latitude, longitude in GAZETTEER:
        places_by_slug[slug], _ = Place.objects.using(using).get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "country": "ML",
                "parent": places_by_slug.get(parent),
                "latitude": Decimal(latitude) if latitude else None,
                "longitude": Decimal(longitude) if longitude else None,
                "geo_precision": Place.GeoPrecision.TOWN if latitude else "",
                "coordinates_note": SYNTHETIC_NOTE,
            },
        )
    towns = Place.objects.using(using).filter(country="ML", kind__in=TOWN_KINDS).select_related("parent")
    places = [
        CastPlace(town.pk, town.name, town.parent.name if town.parent and town.parent.kind == "region" else "Mali")
        for town in towns.order_by("slug")
    ]
    _ensure_actors(ARMED_GROUPS, using)
    # Every armed group the database knows (the corpus's too) may be a perpetrator.
    armed_groups = Actor.objects.using(using).filter(kind=ActorKind.ARMED_GROUP).order_by("slug")
    missions = _ensure_actors(MISSIONS, using)
    for slug, name, scale in OUTLETS:
        Outlet.objects.using(using).get_or_create(
            slug=slug,
            defaults={"name": name, "kind": Outlet.Kind.NEWS_SITE, "acled_source_scale": scale},
        )
    contingents = Contingent.objects.using(using).filter(mission__in=missions).order_by("slug")
    return Cast(
        places=places,
        armed_groups=[_actor_row(actor) for actor in armed_groups],
        forces=[_actor_row(actor) for actor in _ensure_actors(FORCES, using)],
        missions=[_actor_row(actor) for actor in missions],
        communities=[_actor_row(actor) for actor in _ensure_actors(COMMUNITIES, using)],
        outlets=list(Outlet.objects.using(using).order_by("slug").values_list("pk", flat=True)),
        contingents=[(pk, country) for pk, country in contingents.values_list("pk", "country")],
    )


# -- What happened: incident types with their ACLED and UCDP codes and how a report words them. ------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of incident: its codes, who takes part, and the words of a report of it."""

    incident_type: str
    weight: int
    disorder: str
    event: str
    sub_events: tuple[str, ...]
    ucdp: int | None
    perpetrators: str  # "groups", "forces" or "" (none named)
    targets: str  # "security" (the mission or a force), "forces", "groups", "communities", "mission"
    title: str  # {perpetrator} {target} {place}
    sentence: str  # {date} {perpetrator} {target} {a_target} {where}, then the casualty clauses
    noun: str  # how a later report names it: "the {noun} reported in Kidal on …"
    violent: bool = True
    casualty_outcome: str = Casualty.Outcome.KILLED


PV, SD = vocab.DisorderType.POLITICAL_VIOLENCE, vocab.DisorderType.STRATEGIC_DEVELOPMENTS
EXPLOSIONS, BATTLES = vocab.EventType.EXPLOSIONS_REMOTE_VIOLENCE, vocab.EventType.BATTLES
CIVILIANS, STRATEGIC = vocab.EventType.VIOLENCE_AGAINST_CIVILIANS, vocab.EventType.STRATEGIC_DEVELOPMENTS
KINDS = [
    Kind(
        "ied", 18, PV, EXPLOSIONS, ("Remote explosive/landmine/IED",), 1, "groups", "security",
        "IED strikes {target} convoy near {place}",
        "{date}, {a_target} convoy struck an improvised explosive device {where}",
        "IED attack",
    ),
    Kind(
        "attack_on_base", 10, PV, EXPLOSIONS, ("Shelling/artillery/missile attack",), 1, "groups", "security",
        "Attack on {target} camp in {place}",
        "{date}, {perpetrator} attacked {a_target} camp {where} with mortars and small arms",
        "attack",
    ),
    Kind(
        "indirect_fire", 8, PV, EXPLOSIONS, ("Shelling/artillery/missile attack",), 1, "groups", "security",
        "Rockets fired at {target} base in {place}",
        "{date}, rockets fired by {perpetrator} struck {a_target} base {where}",
        "rocket attack",
    ),
    Kind(
        "suicide_attack", 4, PV, EXPLOSIONS, ("Suicide bomb",), 1, "groups", "security",
        "Suicide attack on {target} in {place}",
        "{date}, a suicide bomber drove a vehicle laden with explosives into {a_target} position {where}",
        "suicide attack",
    ),
    Kind(
        "landmine", 4, PV, EXPLOSIONS, ("Remote explosive/landmine/IED",), 1, "", "security",
        "{target} vehicle hits landmine near {place}",
        "{date}, {a_target} vehicle hit a landmine {where}",
        "landmine blast",
    ),
    Kind(
        "ambush", 10, PV, BATTLES, ("Armed clash",), 1, "groups", "security",
        "{perpetrator} ambush {target} patrol near {place}",
        "{date}, {perpetrator} ambushed {a_target} patrol {where}",
        "ambush",
    ),
    Kind(
        "armed_clash", 10, PV, BATTLES, ("Armed clash",), 1, "groups", "forces",
        "Clashes between {target} and {perpetrator} near {place}",
        "{date}, {target} clashed with {perpetrator} {where}",
        "clashes",
    ),
    Kind(
        "offensive", 3, PV, BATTLES, ("Non-state actor overtakes territory",), 1, "groups", "forces",
        "{perpetrator} seize positions around {place}",
        "{date}, {perpetrator} seized several {target} positions {where} after a dawn offensive",
        "offensive",
    ),
    Kind(
        "airstrike", 5, PV, EXPLOSIONS, ("Air/drone strike",), 1, "forces", "groups",
        "Air strike on {target} positions near {place}",
        "{date}, an air strike by {perpetrator} hit suspected {target} positions {where}",
        "air strike",
    ),
    Kind(
        "massacre", 3, PV, CIVILIANS, ("Attack",), 3, "groups", "communities",
        "Villagers killed in attack near {place}",
        "{date}, gunmen believed to belong to {perpetrator} attacked {a_target} village {where}",
        "massacre",
    ),
    Kind(
        "attack_on_civilians", 7, PV, CIVILIANS, ("Attack",), 3, "groups", "communities",
        "Civilians attacked on market day in {place}",
        "{date}, {perpetrator} opened fire on {target} traders at a market {where}",
        "attack",
    ),
    Kind(
        "kidnapping", 4, PV, CIVILIANS, ("Abduction/forced disappearance",), 3, "groups", "communities",
        "Civilians abducted near {place}",
        "{date}, {perpetrator} stopped a bus carrying {target} passengers {where}",
        "abduction",
        casualty_outcome=Casualty.Outcome.ABDUCTED,
    ),
    Kind(
        "protest", 4, vocab.DisorderType.DEMONSTRATIONS, vocab.EventType.PROTESTS, ("Peaceful protest",), None, "",
        "mission", "Residents of {place} protest against {target}",
        "{date}, hundreds of residents marched {where} to demand better protection from {target}",
        "protest",
        violent=False,
    ),
    Kind(
        "agreement", 2, SD, STRATEGIC, ("Agreement",), None, "groups", "forces",
        "Local ceasefire signed in {place}",
        "{date}, representatives of {perpetrator} and {target} signed a local ceasefire {where}",
        "ceasefire",
        violent=False,
    ),
    Kind(
        "deployment", 4, SD, STRATEGIC, ("Headquarters or base established",), None, "", "security",
        "{target} deploys troops to {place}",
        "{date}, {target} deployed additional troops {where}",
        "deployment",
        violent=False,
    ),
    Kind(
        "withdrawal", 4, SD, STRATEGIC, ("Non-violent transfer of territory",), None, "", "mission",
        "{target} hands over camp in {place}",
        "{date}, {target} handed over its camp {where} to the Malian Armed Forces",
        "handover",
        violent=False,
    ),
]  # fmt: skip
KIND_WEIGHTS = [kind.weight for kind in KINDS]

NOUNS = {
    Casualty.Category.PEACEKEEPERS: "peacekeepers",
    Casualty.Category.NATIONAL_FORCES: "soldiers",
    Casualty.Category.FOREIGN_FORCES: "soldiers",
    Casualty.Category.CIVILIANS: "civilians",
    Casualty.Category.ARMED_GROUP: "fighters",
}
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
MONTHS = [calendar.month_name[month] for month in range(13)]

FILLER = [
    "Security has deteriorated across the north and centre of the country since 2015.",
    "The mission did not immediately respond to a request for comment.",
    "Armed groups have repeatedly targeted convoys on the roads between the main towns.",
    "Local officials said the army had reinforced its positions after the attack.",
    "Humanitarian organisations have suspended some of their activities in the area.",
    "The region has seen a sharp rise in violence against civilians this year.",
    "Several families have fled to nearby towns, according to residents.",
    "No group has yet claimed responsibility for some of the attacks.",
]
QUOTE_LINES = [
    "We condemn in the strongest terms this cowardly attack on those who came to protect the people of {place}",
    "The situation in {place} remains extremely tense and we are monitoring it closely",
    "Our patrols will continue, whatever the threats, until security returns to {place}",
    "Nobody sleeps at night any more in {place}, we hear gunfire every evening",
    "We need more protection and we need it now, before the rainy season cuts the roads to {place}",
    "The attackers came on motorbikes at dawn and left before anyone could react",
]
UNNAMED_SPEAKERS = ["a local official", "a resident", "a security source", "a hospital worker", "a community leader"]


def _people(count: int, category: str) -> str:
    """“one civilian”, “three peacekeepers”, “20 soldiers”: a count as a report writes it."""
    noun = NOUNS[category] if count != 1 else NOUNS[category].removesuffix("s")
    return f"{NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else count} {noun}"


def _day_phrase(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def fuzzy_date(rng: random.Random, day: datetime.date, first: datetime.date, last: datetime.date) -> tuple:
    """(as written, date_from, date_to, precision, sentence opening) for an event around `day`, as a source dates it."""
    roll = rng.random()
    if roll < 0.75:
        written = _day_phrase(day)
        return written, day, day, DatePrecision.DAY, f"On {written}"
    if roll < 0.83:
        end = min(day + datetime.timedelta(days=rng.randint(1, 4)), last)
        if end == day:
            written = _day_phrase(day)
            return written, day, day, DatePrecision.DAY, f"On {written}"
        written = f"between {_day_phrase(day)} and {_day_phrase(end)}"
        return written, day, end, DatePrecision.DAYS, f"Between {_day_phrase(day)} and {_day_phrase(end)}"
    if roll < 0.88:
        monday = max(day - datetime.timedelta(days=day.weekday()), first)
        end = min(monday + datetime.timedelta(days=6), last)
        written = f"the week of {_day_phrase(monday)}"
        return written, monday, end, DatePrecision.WEEK, f"In the week of {_day_phrase(monday)}"
    if roll < 0.98:
        start = max(day.replace(day=1), first)
        end = min(day.replace(day=calendar.monthrange(day.year, day.month)[1]), last)
        written = f"{MONTHS[day.month]} {day.year}"
        return written, start, end, DatePrecision.MONTH, f"In {written}"
    start, end = max(datetime.date(day.year, 1, 1), first), min(datetime.date(day.year, 12, 31), last)
    return str(day.year), start, end, DatePrecision.YEAR, f"In {day.year}"


# -- Rows --------------------------------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Rows to write, per model, as tuples in the order of COLUMNS[model]."""

    rows: dict[type[models.Model], list[tuple]] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.rows.setdefault(model, []).append(row)


COLUMNS: dict[type[models.Model], list[str]] = {
    Article: [
        "id", "title", "slug", "outlet_id", "body", "word_count", "language", "seed_file",
        "date_as_written", "date_from", "date_to", "date_precision", "created", "modified",
    ],
    Quote: [
        "id", "article_id", "speaker_id", "speaker_description", "speaker_role", "text", "text_start", "text_end",
        "created", "modified",
    ],
    Incident: [
        "id", "title", "slug", "incident_type", "acled_disorder_type", "acled_event_type", "acled_sub_event_type",
        "ucdp_type_of_violence", "place_id", "location_as_written", "location_precision", "in_mali", "description",
        "date_as_written", "date_from", "date_to", "date_precision", "created", "modified",
    ],
    IncidentActor: ["id", "incident_id", "actor_id", "role", "confidence", "created", "modified"],
    IncidentSource: [
        "id", "incident_id", "source_id", "excerpt", "excerpt_start", "excerpt_end", "created", "modified",
    ],
    Casualty: [
        "id", "incident_id", "source_id", "excerpt", "excerpt_start", "excerpt_end", "category", "outcome",
        "low", "best", "high", "nationality", "contingent_id", "armed_actor_id", "un_type_of_incident",
        "created", "modified",
    ],
}  # fmt: skip
WRITE_ORDER = [Article, Quote, Incident, IncidentActor, IncidentSource, Casualty]


class Ids:
    """The next free id of each table: rows get explicit ids, so children can point at parents before either is
    written, and a seed gives the same ids on the same starting database."""

    def __init__(self, using: str):
        self.next = {model: (model._base_manager.using(using).aggregate(top=models.Max("pk"))["top"] or 0) + 1
                     for model in WRITE_ORDER}  # fmt: skip

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


@dataclass
class Reported:
    """An incident as a later article may report it again."""

    id: int
    kind: Kind
    date_as_written: str
    title: str
    target: CastActor
    place: CastPlace | None
    killed: tuple[int, str, int | None] | None  # (count, nationality, contingent id) as the first source gave it


class Body:
    """An article body under construction: every appended piece knows its offsets."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> int:
        """Append `text`; its start offset."""
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def mark(self) -> tuple[int, int]:
        return len(self.parts), self.length

    def since(self, mark: tuple[int, int]) -> tuple[int, str]:
        """(start, text) of what was appended since `mark`."""
        return mark[1], "".join(self.parts[mark[0] :])

    def text(self) -> str:
        return "".join(self.parts)


def _with_article(name: str) -> str:
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"


def _fighters(actor: CastActor | None) -> str:
    if actor is None:
        return "unidentified gunmen"
    return f"{actor.name} fighters" if actor.kind == ActorKind.ARMED_GROUP else actor.name


class Synthesizer:
    """Generates the rows of `count` incidents and their articles, batch by batch, from one seeded random stream."""

    def __init__(self, *, cast: Cast, ids: Ids, seed: int, now: datetime.datetime):
        self.cast, self.ids, self.seed, self.now = cast, ids, seed, now
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        first, last = settings.MINUSMA_DATE_RANGE
        self.first, self.last = max(FIRST_DAY, first), min(LAST_DAY, last)

    def batches(self, count: int) -> Iterator[tuple[Batch, int]]:
        """(rows, incidents in them) per batch of articles; `count` incidents in all, in date order."""
        articles = max(1, round(count * ARTICLES_PER_INCIDENT))
        per_article, extra = divmod(count, articles)
        span = (self.last - self.first).days
        previous: list[Reported] = []
        batch, in_batch = Batch(), 0
        for index in range(articles):
            day = self.first + datetime.timedelta(days=int(span * (index + self.rng.random()) / articles))
            new = per_article + (1 if index < extra else 0)
            previous = self.article(batch, day, new, previous)
            in_batch += new
            if (index + 1) % ARTICLES_PER_BATCH == 0 or index + 1 == articles:
                yield batch, in_batch
                batch, in_batch = Batch(), 0

    def article(self, batch: Batch, day: datetime.date, new: int, previous: list[Reported]) -> list[Reported]:
        """One report: `new` incidents of the days before `day`, about half of `previous` again, and quotes."""
        rng, article_id, body = self.rng, self.ids.take(Article), Body()
        dateline = rng.choice(self.cast.places)
        body.add(f"{dateline.name.upper()}, Mali — ")
        reported: list[Reported] = []
        for number in range(new):
            if number:
                body.add("\n\n" if number % 4 == 0 else " ")
            happened = max(day - datetime.timedelta(days=rng.randint(0, 10)), self.first)
            reported.append(self.incident(batch, body, article_id, happened))
        again = [incident for incident in previous if rng.random() < SECOND_SOURCE_SHARE]
        if again:
            body.add("\n\nEarlier reports were confirmed.")
            for incident in again:
                body.add(" ")
                self.report_again(batch, body, article_id, incident)
        for _ in range(rng.randint(1, 3)):
            body.add("\n\n")
            self.quote(batch, body, article_id, rng.choice(self.cast.places))
        body.add("\n\n" + " ".join(rng.sample(FILLER, 2)))
        text = body.text()
        title = f"Mali: {reported[0].title}" if reported else f"Mali: news from {dateline.name}"
        batch.add(
            Article,
            (
                article_id, title[:300], f"{slugify(title)[:180]}-{article_id}", rng.choice(self.cast.outlets),
                text, Article(body=text).count_words(), "en", SEED_FILE.format(seed=self.seed),
                _day_phrase(day), day, day, DatePrecision.DAY, self.now, self.now,
            ),
        )  # fmt: skip
        return reported

    def participants(self, kind: Kind) -> tuple[CastActor | None, CastActor]:
        rng, cast = self.rng, self.cast
        pools = {
            "groups": cast.armed_groups,
            "forces": cast.forces,
            "communities": cast.communities,
            "mission": cast.missions,
            "security": cast.missions + cast.forces if rng.random() < 0.5 else cast.missions,
        }
        perpetrator = rng.choice(pools[kind.perpetrators]) if kind.perpetrators and rng.random() < 0.85 else None
        return perpetrator, rng.choice(pools[kind.targets])

    def location(self) -> tuple[CastPlace | None, str, str, str]:
        """(place, location precision, location as written, the words of the sentence)."""
        place = self.rng.choice(self.cast.places) if self.rng.random() < 0.97 else None
        if place is None:
            area = self.rng.choice(["northern Mali", "central Mali"])
            return None, Incident.LocationPrecision.UNKNOWN, area, f"in {area}"
        precision = self.rng.choices(["town", "near", "region"], weights=[6, 3, 1])[0]
        written = {"town": place.name, "near": f"near {place.name}", "region": f"the {place.region}"}[precision]
        return place, precision, written, written if precision == "near" else f"in {written}"

    def incident(self, batch: Batch, body: Body, article_id: int, happened: datetime.date) -> Reported:
        """One incident, told in one sentence of the body that its source and casualties cite."""
        rng, incident_id = self.rng, self.ids.take(Incident)
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        perpetrator, target = self.participants(kind)
        written, date_from, date_to, precision, opening = fuzzy_date(rng, happened, self.first, self.last)
        place, location_precision, location_as_written, where = self.location()
        place_name = place.name if place else location_as_written
        title = kind.title.format(perpetrator=_fighters(perpetrator), target=target.name, place=place_name)
        title = (title[:1].upper() + title[1:])[:300]
        reported = Reported(incident_id, kind, written, title, target, place, None)
        sentence_mark = body.mark()
        body.add(
            kind.sentence.format(
                date=opening,
                perpetrator=_fighters(perpetrator),
                target=target.name,
                a_target=_with_article(target.name),
                where=where,
            )
        )
        casualties = []
        if kind.violent and rng.random() < 0.75:
            killed = rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30])
            verb = "abducting" if kind.casualty_outcome == Casualty.Outcome.ABDUCTED else "killing"
            body.add(", ")
            clause = f"{verb} {_people(killed, target.category)}"
            casualties.append((body.add(clause), clause, kind.casualty_outcome, killed))
            if kind.casualty_outcome == Casualty.Outcome.KILLED and rng.random() < 0.5:
                wounded = rng.randint(2, 25)
                body.add(" and ")
                clause = f"wounding {NUMBER_WORDS[wounded] if wounded < len(NUMBER_WORDS) else wounded} others"
                casualties.append((body.add(clause), clause, Casualty.Outcome.WOUNDED, wounded))
        body.add(".")
        sentence_start, sentence = body.since(sentence_mark)
        batch.add(
            Incident,
            (
                incident_id, title, f"{slugify(title)[:180]}-{incident_id}", kind.incident_type, kind.disorder,
                kind.event, rng.choice(kind.sub_events), kind.ucdp, place.id if place else None, location_as_written,
                location_precision, True, f"{sentence} {rng.choice(FILLER)}", written, date_from, date_to, precision,
                self.now, self.now,
            ),
        )  # fmt: skip
        self.roles(batch, incident_id, kind, perpetrator, target)
        self.source(batch, incident_id, article_id, sentence_start, sentence)
        if casualties:
            nationality, contingent = self.victims(target)
            for start, clause, outcome, count in casualties:
                high = count + rng.randint(1, 5) if rng.random() < 0.2 else None
                self.casualty(batch, incident_id, article_id, start, clause, target, outcome, count, count, high,
                              nationality, contingent)  # fmt: skip
                if outcome == Casualty.Outcome.KILLED:
                    reported.killed = (count, nationality, contingent)
        return reported

    def source(self, batch: Batch, incident_id: int, article_id: int, start: int, excerpt: str) -> None:
        batch.add(
            IncidentSource,
            (self.ids.take(IncidentSource), incident_id, article_id, excerpt, start, start + len(excerpt),
             self.now, self.now),
        )  # fmt: skip

    def casualty(self, batch, incident_id, article_id, start, clause, target, outcome, low, best, high, nationality,
                 contingent) -> None:  # fmt: skip
        category = target.category
        unarmed = (Casualty.Category.PEACEKEEPERS, Casualty.Category.CIVILIANS)  # the mission is no armed actor here
        armed_actor = None if category in unarmed else target.id
        un_type = vocab.UnFatalityIncidentType.MALICIOUS_ACT if category == Casualty.Category.PEACEKEEPERS else ""
        batch.add(
            Casualty,
            (
                self.ids.take(Casualty), incident_id, article_id, clause, start, start + len(clause), category,
                outcome, low, best, high, nationality, contingent, armed_actor, un_type, self.now, self.now,
            ),
        )  # fmt: skip

    def victims(self, target: CastActor) -> tuple[str, int | None]:
        """(nationality, contingent id) of the victims among the target's people."""
        if target.category == Casualty.Category.PEACEKEEPERS:
            if self.cast.contingents and self.rng.random() < 0.5:
                contingent, country = self.rng.choice(self.cast.contingents)
                return country, contingent
            return self.rng.choice(TROOP_CONTRIBUTORS), None
        if target.category == Casualty.Category.CIVILIANS:
            return "ML", None
        return target.country, None

    def roles(self, batch: Batch, incident_id: int, kind: Kind, perpetrator: CastActor | None, target: CastActor):
        """One to three actor roles: the target, the perpetrator when named, and sometimes its claim."""
        rng, roles = self.rng, []
        if kind.violent:
            roles.append((target.id, IncidentActor.Role.TARGET, IncidentActor.Confidence.CONFIRMED))
            if perpetrator:
                confidence = rng.choice([IncidentActor.Confidence.SUSPECTED, IncidentActor.Confidence.REPORTED])
                roles.append((perpetrator.id, IncidentActor.Role.PERPETRATOR, confidence))
                if rng.random() < 0.3:
                    roles.append((perpetrator.id, IncidentActor.Role.CLAIMANT, IncidentActor.Confidence.CLAIMED))
        else:
            roles.append((target.id, IncidentActor.Role.ASSOCIATED, IncidentActor.Confidence.REPORTED))
            if perpetrator:
                roles.append((perpetrator.id, IncidentActor.Role.ASSOCIATED, IncidentActor.Confidence.REPORTED))
        for actor_id, role, confidence in roles:
            batch.add(
                IncidentActor,
                (self.ids.take(IncidentActor), incident_id, actor_id, role, confidence, self.now, self.now),
            )

    def report_again(self, batch: Batch, body: Body, article_id: int, incident: Reported) -> None:
        """A second source: the same incident in other words, sometimes with its own count of the dead."""
        where = f"in {incident.place.name}" if incident.place else "in central Mali"
        mark = body.mark()
        body.add(f"The {incident.kind.noun} reported {where} on {incident.date_as_written}")
        if incident.killed is not None and self.rng.random() < 0.5:
            killed, nationality, contingent = incident.killed
            count = killed + self.rng.choice([0, 0, 1, 2, 3])
            body.add(" left ")
            clause = f"{_people(count, incident.target.category)} dead"
            start = body.add(clause)
            self.casualty(batch, incident.id, article_id, start, clause, incident.target, Casualty.Outcome.KILLED,
                          None, count, None, nationality, contingent)  # fmt: skip
        body.add(", according to witnesses.")
        self.source(batch, incident.id, article_id, *body.since(mark))

    def quote(self, batch: Batch, body: Body, article_id: int, place: CastPlace) -> None:
        """A direct quote, its words between curly quote marks, by a named speaker or an unnamed one."""
        rng = self.rng
        text = rng.choice(QUOTE_LINES).format(place=place.name)
        body.add("“")
        start = body.add(text)
        if rng.random() < 0.5:
            speaker = rng.choice(self.cast.missions + self.cast.forces)
            body.add(f",” said a spokesperson for {speaker.name}.")
            speaker_id, description, role = speaker.id, "", "spokesperson"
        else:
            description = rng.choice(UNNAMED_SPEAKERS)
            body.add(f",” said {description} in {place.name}.")
            speaker_id, role = None, ""
        batch.add(
            Quote,
            (self.ids.take(Quote), article_id, speaker_id, description, role, text, start, start + len(text),
             self.now, self.now),
        )  # fmt: skip


# -- Writing -----------------------------------------------------------------------------------------------------------


class TableWriter:
    """Appends rows to one table in bulk: COPY on PostgreSQL, executemany elsewhere. Columns the rows do not give
    get their field's default, so a new field with a default needs no change here."""

    def __init__(self, model: type[models.Model], columns: list[str], using: str):
        self.connection = connections[using]
        by_name = {f.attname: f for f in model._meta.concrete_fields if not getattr(f, "generated", False)}
        given = [by_name[name] for name in columns]
        rest = [f for name, f in by_name.items() if name not in columns and not f.primary_key]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in rest)
        self.dates = [index for index, f in enumerate(given) if isinstance(f, models.DateField)]
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in [*given, *rest])
        table = quote(model._meta.db_table)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from _meta

    def prepare(self, row: tuple) -> tuple:
        values = list(row)
        for index in self.dates:
            if values[index] is not None:
                values[index] = self.adapt(values[index])
        return (*values, *self.defaults)

    def adapt(self, value):
        if isinstance(value, datetime.datetime):
            return self.connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()

    def write(self, rows: list[tuple]) -> None:
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(self.prepare(row))
            else:
                cursor.executemany(self.insert_sql, [self.prepare(row) for row in rows])


# Adding at least this many incidents rebuilds PostgreSQL's secondary indexes once at the end rather than row by row.
REBUILD_INDEXES_FROM = 10_000


@contextlib.contextmanager
def secondary_indexes_built_after(using: str, enabled: bool) -> Iterator[None]:
    """On PostgreSQL, drop the written tables' secondary indexes (not those of primary keys and unique constraints,
    which keep the data right) and build them again at the end: much faster than updating them at every row,
    above all the full-text GIN indexes. Inside the caller's transaction, so a failure restores them; other sessions
    wait for these tables meanwhile."""
    connection = connections[using]
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in WRITE_ORDER]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname",
            [tables],
        )
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # The foreign keys' deferred checks must run first: PostgreSQL builds no index under pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in definitions:
            cursor.execute(definition)


def synthesize(
    count: int,
    *,
    seed: int = 1,
    using: str = "default",
    on_batch: Callable[[int], None] | None = None,
    rebuild_indexes: bool | None = None,
) -> dict[str, int]:
    """Add `count` synthetic incidents with their articles, quotes, actor roles, sources and casualties, all or
    nothing. `on_batch(incidents)` is called after each batch is written. Returns the rows added per model.
    `rebuild_indexes` (default: from REBUILD_INDEXES_FROM incidents on) see secondary_indexes_built_after()."""
    added: dict[str, int] = {}
    rebuild = count >= REBUILD_INDEXES_FROM if rebuild_indexes is None else rebuild_indexes
    with transaction.atomic(using=using):
        with secondary_indexes_built_after(using, rebuild):
            cast = ensure_cast(using)
            ids = Ids(using)
            first_casualty = ids.next[Casualty]
            writers = {model: TableWriter(model, COLUMNS[model], using) for model in WRITE_ORDER}
            synthesizer = Synthesizer(cast=cast, ids=ids, seed=seed, now=timezone.now())
            for batch, incidents in synthesizer.batches(count):
                for model in WRITE_ORDER:
                    rows = batch.rows.get(model, [])
                    if rows:
                        writers[model].write(rows)
                        added[model._meta.label] = added.get(model._meta.label, 0) + len(rows)
                if on_batch:
                    on_batch(incidents)
            connection = connections[using]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), WRITE_ORDER):
                    cursor.execute(statement)
        # The rows were written raw: bring their incidents' stored casualty totals in step, once the indexes the
        # per-incident lookups need are back.
        Casualty.objects.using(using).filter(pk__gte=first_casualty).refresh_derived()
        # Bulk writes send no signals: renew the cached aggregates' data version ourselves, once the rows are in.
        transaction.on_commit(datacache.bump_data_version, using=using)
    # Fresh statistics for the planner: autovacuum analyses a table only some time after a bulk load, and until then
    # PostgreSQL plans with a guess (a prefetch of 500 incidents' actor roles read all 1.9M rows: 340 ms, not 2 ms).
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
    return added

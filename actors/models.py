from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import translation
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from articles.provenance import SourcedClaim
from common.fields import NullIfBlankCharField
from common.fuzzydates import FuzzyDate
from common.models import NaturalKeyManager, TimeStamped
from common.reversing import record_path

from .querysets import ActorQuerySet, ContingentQuerySet, StrengthObservationQuerySet

wikidata_id_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q123.")


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    STATE = "state", "State"
    GOVERNMENT_BODY = "government_body", "Government body"
    ARMED_FORCE = "armed_force", "State armed force"
    MILITARY_OPERATION = "military_operation", "Military operation"
    ARMED_GROUP = "armed_group", "Armed group"
    PRIVATE_MILITARY_COMPANY = "private_military_company", "Private military company"
    UN_MISSION = "un_mission", "UN mission"
    UN_BODY = "un_body", "UN body"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    NGO = "ngo", "Non-governmental organisation"
    THINK_TANK = "think_tank", "Think tank or research institute"
    UNIVERSITY = "university", "University"
    MEDIA_OUTLET = "media_outlet", "Media outlet"
    COMMUNITY = "community", "Community or ethnic group"
    COMPANY = "company", "Company"
    DOCUMENT = "document", "Document"
    OTHER_ORGANISATION = "organisation", "Other organisation"


class AcledActorType(models.IntegerChoices):
    """ACLED inter codes, stored as ACLED numbers them."""

    STATE_FORCES = 1, "State forces"
    REBEL_GROUP = 2, "Rebel group"
    POLITICAL_MILITIA = 3, "Political militia"
    IDENTITY_MILITIA = 4, "Identity militia"
    RIOTERS = 5, "Rioters"
    PROTESTERS = 6, "Protesters"
    CIVILIANS = 7, "Civilians"
    EXTERNAL_OTHER = 8, "External/Other forces"


class Actor(TimeStamped):
    """A person, organisation, state, force, group or operation that the sources name."""

    name = models.CharField(max_length=300, db_index=True, help_text="The name most sources use, in full.")
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=ActorKind.choices, db_index=True)
    description = models.TextField(blank=True)
    country = CountryField(blank=True, db_index=True, help_text="Nationality or home country (ISO 3166-1).")
    wikidata_id = NullIfBlankCharField(
        "Wikidata id", max_length=20, null=True, blank=True, unique=True, validators=[wikidata_id_validator]
    )
    acled_actor_type = models.PositiveSmallIntegerField(
        "ACLED actor type", choices=AcledActorType.choices, null=True, blank=True, db_index=True
    )

    objects = NaturalKeyManager.from_queryset(ActorQuerySet)("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acled_actor_type__isnull=True) | Q(acled_actor_type__gte=1, acled_actor_type__lte=8),
                name="actors_actor_acled_actor_type_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("actors:actor_detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def sourced_relations(self) -> list["ActorRelation"]:
        """The relations the actor is the subject or the object of (for_detail() prefetches both)."""
        return [*self.relations_as_subject.all(), *self.relations_as_object.all()]

    @property
    def nationals_country(self) -> str:
        """The country whose nationals are this actor's own people: a state's. A person's or a group's country is
        only their home, so Chadian victims are Chad's, not every Chadian actor's."""
        return self.country.code if self.kind == ActorKind.STATE and self.country else ""


class ActorAlias(TimeStamped):
    class Kind(models.TextChoices):
        ACRONYM = "acronym", "Acronym"
        SHORT_NAME = "short_name", "Short name"
        OTHER_SPELLING = "other_spelling", "Other spelling"
        OTHER_LANGUAGE = "other_language", "Other language"
        MISSPELLING = "misspelling", "Misspelling in a source"
        FORMER_NAME = "former_name", "Former name"
        NICKNAME = "nickname", "Nickname or epithet"

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=12, blank=True, help_text="BCP 47 tag, for other-language names.")

    objects = NaturalKeyManager("actor__slug", "name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["actor", "name"]
        verbose_name_plural = "actor aliases"
        constraints = [models.UniqueConstraint(fields=["actor", "name"], name="actors_alias_unique_per_actor")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (*self.actor.natural_key(), self.name)

    natural_key.dependencies = ["actors.actor"]


class Certainty(models.TextChoices):
    STATED = "stated", "Stated as fact"
    REPORTED = "reported", "Reported by others"
    POSSIBLE = "possible", "Possible (“may be”)"
    DENIED = "denied", "Alleged and denied"


class ActorRelation(FuzzyDate, SourcedClaim, TimeStamped):
    """A dated, sourced relation: subject —kind→ object (e.g. al-Murabitoon part of AQIM)."""

    class Kind(models.TextChoices):
        MEMBER_OF = "member_of", "member of"
        PART_OF = "part_of", "part of"
        LEADER_OF = "leader_of", "leader of"
        SPOKESPERSON_OF = "spokesperson_of", "spokesperson of"
        SPLINTER_OF = "splinter_of", "splinter of"
        ALLIED_WITH = "allied_with", "allied with"
        AFFILIATED_WITH = "affiliated_with", "affiliated with"
        OPPOSED_TO = "opposed_to", "opposed to"
        EMPLOYED_BY = "employed_by", "employed by"

    subject = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_as_subject")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    object = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_as_object")
    certainty = models.CharField(max_length=10, choices=Certainty.choices, default=Certainty.STATED)

    objects = NaturalKeyManager("subject__slug", "kind", "object__slug", "source__slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["subject", "kind", "object"]
        constraints = [
            *FuzzyDate.Meta.constraints,
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "source"], name="actors_relation_unique_per_source"
            ),
            models.CheckConstraint(condition=~Q(subject=F("object")), name="actors_relation_not_reflexive"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.object}"

    def natural_key(self):
        return (self.subject.slug, self.kind, self.object.slug, self.source.slug)

    natural_key.dependencies = ["actors.actor", "articles.article"]


class Position(FuzzyDate, SourcedClaim, TimeStamped):
    """A person's position over time, as a source states it (e.g. head of MINUSMA from January 2015)."""

    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="positions", limit_choices_to={"kind": ActorKind.PERSON}
    )
    title = models.CharField(max_length=300, help_text="The position in the source's words, e.g. “spokeswoman”.")
    organisation = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="positions_held_in"
    )
    certainty = models.CharField(max_length=10, choices=Certainty.choices, default=Certainty.STATED)

    objects = NaturalKeyManager("person__slug", "title", "source__slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "date_from"]
        constraints = [
            *FuzzyDate.Meta.constraints,
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(fields=["person", "title", "source"], name="actors_position_unique_per_source"),
        ]

    def __str__(self) -> str:
        where = f", {self.organisation}" if self.organisation_id else ""
        return f"{self.person}: {self.title}{where}"

    def natural_key(self):
        return (self.person.slug, self.title, self.source.slug)

    natural_key.dependencies = ["actors.actor", "articles.article"]

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.person.kind != ActorKind.PERSON:
            raise ValidationError({"person": "A position is held by a person."})


class PersonnelType(models.TextChoices):
    """UN peacekeeping contributions personnel types, stored as the UN writes them."""

    CONTINGENT_TROOP = "Contingent Troop"
    STAFF_OFFICER = "Staff Officer"
    EXPERTS_ON_MISSION = "Experts on Mission"
    FORMED_POLICE_UNITS = "Formed Police Units"
    INDIVIDUAL_POLICE = "Individual Police"


class Contingent(FuzzyDate, TimeStamped):
    """A national contribution to a UN mission; the date fields hold the period the record refers to."""

    class Capability(models.TextChoices):
        INFANTRY = "infantry", "Infantry"
        FORCE_PROTECTION = "force_protection", "Force protection"
        AIR_TRANSPORT = "air_transport", "Air transport (aircraft)"
        HELICOPTERS = "helicopters", "Helicopters"
        SURVEILLANCE = "surveillance", "Surveillance and reconnaissance"
        SPECIAL_FORCES = "special_forces", "Special forces"
        ENGINEERING = "engineering", "Engineering"
        EXPLOSIVE_ORDNANCE = "explosive_ordnance", "Explosive ordnance disposal"
        MEDICAL = "medical", "Medical"
        LOGISTICS = "logistics", "Logistics"
        POLICE = "police", "Police"
        MIXED = "mixed", "Mixed or unspecified"

    class Status(models.TextChoices):
        PLEDGED = "pledged", "Pledged"
        DEPLOYED = "deployed", "Deployed"
        REHATTED = "rehatted", "Rehatted"
        # Still in the mission but kept from operating, e.g. drones grounded by the host government.
        SUSPENDED = "suspended", "Operations suspended"
        ANNOUNCED_WITHDRAWAL = "announced_withdrawal", "Withdrawal announced"
        WITHDRAWN = "withdrawn", "Withdrawn"

    slug = models.SlugField(max_length=200, unique=True)
    country = CountryField(db_index=True, help_text="Contributing country (ISO 3166-1).")
    # Lists read by country order by its name (Chad before Germany), which SQL cannot derive from the code.
    country_name = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text="The country's English name, kept from `country` on every save, to order lists by name.",
    )
    contributor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contingents_contributed",
        help_text="The state or force that contributes the contingent, when it is an actor in the database.",
    )
    mission = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="contingents", limit_choices_to={"kind": ActorKind.UN_MISSION}
    )
    personnel_type = models.CharField(max_length=30, choices=PersonnelType.choices, db_index=True)
    capability = models.CharField(max_length=30, choices=Capability.choices, db_index=True)
    unit_name = models.CharField(max_length=300, blank=True, help_text="The unit as the source names it.")
    base = models.ForeignKey(
        "events.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="contingents_based"
    )
    status = models.CharField(max_length=30, choices=Status.choices, db_index=True)
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(ContingentQuerySet)("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["country_name", "capability", "date_from"]
        constraints = [*FuzzyDate.Meta.constraints]
        indexes = [models.Index(fields=["mission", "country"])]

    def __str__(self) -> str:
        base = f" in {self.base}" if self.base_id else ""
        return (
            f"{self.country.name} {self.get_capability_display().lower()}{base} ({self.get_status_display().lower()})"
        )

    def get_absolute_url(self) -> str:
        return record_path("actors:contingent_detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["actors.actor", "events.place"]

    def clean(self) -> None:
        super().clean()
        if self.mission_id and self.mission.kind != ActorKind.UN_MISSION:
            raise ValidationError({"mission": "A contingent belongs to a UN mission."})


class ContingentSource(SourcedClaim, TimeStamped):
    contingent = models.ForeignKey(Contingent, on_delete=models.CASCADE, related_name="sources")

    objects = NaturalKeyManager("contingent__slug", "source__slug", "excerpt_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contingent", "source", "excerpt_start"]
        constraints = [
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["contingent", "source", "excerpt_start"], name="actors_contingentsource_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: “{self.excerpt[:60]}”"

    def natural_key(self):
        return (self.contingent.slug, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["actors.contingent", "articles.article"]


class Qualifier(models.TextChoices):
    """How a source qualifies a number: “about 12,000”, “more than half”, “nearly 300”."""

    EXACT = "exact", "exactly"
    ABOUT = "about", "about"
    NEARLY = "nearly", "nearly / almost"
    AT_LEAST = "at_least", "at least"
    MORE_THAN = "more_than", "more than"
    UP_TO = "up_to", "up to"
    # Read from words, not digits: “hundreds” is stored as the range 200–999, marked as a curator's estimate.
    ESTIMATE = "estimate", "estimated"


class StrengthObservation(FuzzyDate, SourcedClaim, TimeStamped):
    """How many personnel a contingent had (or was to have) at a date, according to one source."""

    class Basis(models.TextChoices):
        REPORTED = "reported", "Reported"
        ESTIMATED = "estimated", "Estimated"

    contingent = models.ForeignKey(Contingent, on_delete=models.CASCADE, related_name="strength_observations")
    personnel = models.PositiveIntegerField(help_text="Number of personnel (or aircraft, for an air unit).")
    unit_of_count = models.CharField(
        max_length=20, default="personnel", help_text="What is counted: personnel, aircraft…"
    )
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.REPORTED)

    objects = NaturalKeyManager.from_queryset(StrengthObservationQuerySet)(
        "contingent__slug", "source__slug", "excerpt_start"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contingent", "date_from"]
        constraints = [
            *FuzzyDate.Meta.constraints,
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["contingent", "source", "excerpt_start"], name="actors_strength_unique_per_excerpt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contingent}: {self.get_qualifier_display()} {self.personnel} {self.unit_of_count}"

    def natural_key(self):
        return (self.contingent.slug, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["actors.contingent", "articles.article"]


def country_name(code: str) -> str:
    """A country's English name as the pages show it (django-countries), whatever language is active."""
    with translation.override("en"):
        return str(countries.name(code)) if code else ""


@receiver(pre_save, sender=Contingent)
def keep_country_name(sender, instance: Contingent, **kwargs) -> None:
    """Every save keeps country_name, the fixtures' and imports' raw saves included (they send pre_save too)."""
    instance.country_name = country_name(str(instance.country))

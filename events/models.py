from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.functional import cached_property
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from actors.models import Actor, Contingent, Qualifier
from articles.provenance import SourcedClaim
from common.fuzzydates import FuzzyDate
from common.models import NaturalKeyManager, TimeStamped
from common.reversing import record_path
from common.text import unit_agreeing

from . import vocabularies as vocab
from .locations import Location, locate
from .querysets import CASUALTY_OUTCOMES, CasualtyQuerySet, FigureQuerySet, IncidentQuerySet, PlaceQuerySet


class Place(TimeStamped):
    """A named place, with WGS84 coordinates and its parent in the administrative hierarchy."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region (first-level division)"
        CERCLE = "cercle", "Cercle (second-level division)"
        CAPITAL = "capital", "Capital city"
        CITY = "city", "City or town"
        VILLAGE = "village", "Village"
        MILITARY_BASE = "military_base", "Military base or camp"
        AIRPORT = "airport", "Airport or airstrip"
        DISPLACEMENT_CAMP = "displacement_camp", "Displacement camp"
        BUILDING = "building", "Building or site"
        NATURAL_FEATURE = "natural_feature", "River, desert or other natural feature"
        AREA = "area", "Wider area"

    class GeoPrecision(models.TextChoices):
        EXACT = "exact", "Exact point"
        TOWN = "town", "Town centre"
        CENTROID = "centroid", "Centre of an area"
        APPROXIMATE = "approximate", "Approximate"

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The place this one lies in (a town's region, a region's country).",
    )
    country = CountryField(blank=True, db_index=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    geo_precision = models.CharField(max_length=12, choices=GeoPrecision.choices, blank=True)
    coordinates_note = models.TextField(blank=True, help_text="Where the coordinates come from, or why there are none.")
    geonames_id = models.PositiveIntegerField("GeoNames id", null=True, blank=True, unique=True)
    description = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(PlaceQuerySet)("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="events_place_coordinates_valid",
                violation_error_message="Give both latitude and longitude, within WGS84 bounds, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=False) | ~Q(coordinates_note=""),
                name="events_place_coordinates_or_reason",
                violation_error_message="A place without coordinates needs a note saying why.",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="events_place_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("events:place_detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both latitude and longitude, or neither.")
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"parent": "A place cannot lie inside itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class PlaceAlias(TimeStamped):
    class Kind(models.TextChoices):
        OTHER_SPELLING = "other_spelling", "Other spelling"
        OTHER_LANGUAGE = "other_language", "Other language"
        SHORT_NAME = "short_name", "Short name"
        FORMER_NAME = "former_name", "Former name"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=12, blank=True)

    objects = NaturalKeyManager("place__slug", "name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["place", "name"]
        verbose_name_plural = "place aliases"
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="events_placealias_unique_per_place")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.place.slug, self.name)

    natural_key.dependencies = ["events.place"]


@dataclass(frozen=True)
class ReportedCount:
    """People killed, wounded or abducted in one incident as its sources report them: None when no source gives a
    number (unknown is not zero), else the best total with the lowest and highest any source gives."""

    low: int | None
    best: int | None
    high: int | None

    @property
    def reported(self) -> bool:
        return self.best is not None

    @property
    def disagree(self) -> bool:
        return self.reported and (self.low, self.high) != (self.best, self.best)

    def __str__(self) -> str:
        if not self.reported:
            return "not reported"
        return f"{self.best} ({self.low}–{self.high})" if self.disagree else str(self.best)


def casualty_total_field(outcome: str, bound: str = "") -> models.PositiveIntegerField:
    """A stored total of casualty rows (see IncidentQuerySet.refresh_casualty_totals): never edited, never in the
    fixtures or the audit history, null when no source reports a number."""
    what = {"": "the largest total", "low": "the lowest total", "high": "the highest total"}[bound]
    return models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        serialize=False,
        db_index=not bound,
        help_text=f"People {outcome}: {what} that any one source reports (null when none gives a number).",
    )


CASUALTY_TOTAL_FIELDS = [f"{outcome}{suffix}" for outcome in CASUALTY_OUTCOMES for suffix in ("", "_low", "_high")]


class Incident(FuzzyDate, TimeStamped):
    """Something that happened on a date at a place: an attack, a coup, a resolution, a withdrawal.

    The casualty totals (killed, wounded, abducted, each with its low and high) are stored on the row so lists can
    sort and filter on them at any size; Casualty keeps them in step whenever a casualty row is written.
    """

    class LocationPrecision(models.TextChoices):
        """ACLED geo_precision 1-3, plus coarser levels UCDP distinguishes."""

        TOWN = "town", "The place itself"
        NEAR = "near", "Near the place or part of a region"
        REGION = "region", "A larger region"
        COUNTRY = "country", "Only the country"
        UNKNOWN = "unknown", "Unknown"

    class DateSource(models.TextChoices):
        """Where the incident's date comes from (an IncidentExternalDate row makes it external)."""

        ARTICLE = "article", "The cited articles"
        EXTERNAL = "external", "Outside the articles"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    incident_type = models.CharField(max_length=30, choices=vocab.IncidentType.choices, db_index=True)
    acled_disorder_type = models.CharField(
        "ACLED disorder type", max_length=40, choices=vocab.DisorderType.choices, db_index=True
    )
    acled_event_type = models.CharField(
        "ACLED event type", max_length=40, choices=vocab.EventType.choices, db_index=True
    )
    acled_sub_event_type = models.CharField(
        "ACLED sub-event type", max_length=60, choices=vocab.SUB_EVENT_TYPE_CHOICES, db_index=True
    )
    ucdp_type_of_violence = models.PositiveSmallIntegerField(
        "UCDP type of violence", choices=vocab.UcdpViolenceType.choices, null=True, blank=True
    )
    acled_event_id = models.CharField(  # noqa: DJ001 (null while unmatched, see below)
        "ACLED event id",
        max_length=16,
        null=True,  # null, not "": a nullable column without a default is added to SQLite without rebuilding the
        blank=True,  # table, which would drop its search and verbatim triggers
        db_index=True,
        validators=[RegexValidator(r"^[A-Z]{3}[0-9]{1,12}$", "Give ACLED's event_id_cnty, e.g. MLI1234.")],
        help_text="ACLED's event_id_cnty for the same event (e.g. MLI1234), once a curator has matched it, so the two "
        "datasets can be joined; empty (null) while unmatched.",
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents")
    location_as_written = models.CharField(max_length=300, blank=True)
    location_precision = models.CharField(max_length=10, choices=LocationPrecision.choices, db_index=True)
    in_mali = models.BooleanField("in Mali", default=True, db_index=True)
    description = models.TextField(blank=True)
    actors = models.ManyToManyField(Actor, through="IncidentActor", related_name="incidents")
    killed = casualty_total_field("killed")
    killed_low = casualty_total_field("killed", "low")
    killed_high = casualty_total_field("killed", "high")
    wounded = casualty_total_field("wounded")
    wounded_low = casualty_total_field("wounded", "low")
    wounded_high = casualty_total_field("wounded", "high")
    abducted = casualty_total_field("abducted")
    abducted_low = casualty_total_field("abducted", "low")
    abducted_high = casualty_total_field("abducted", "high")

    objects = NaturalKeyManager.from_queryset(IncidentQuerySet)("slug")
    # Derived from the casualty rows, so not versioned: reverting an incident keeps its current totals.
    history = HistoricalRecords(excluded_fields=CASUALTY_TOTAL_FIELDS)

    class Meta:
        ordering = ["-date_from", "title"]
        constraints = [
            *FuzzyDate.Meta.constraints,
            models.CheckConstraint(
                condition=Q(place__isnull=False) | Q(location_precision="unknown"),
                name="events_incident_place_or_unknown",
                violation_error_message="Give the place, or set the location precision to unknown.",
            ),
            models.CheckConstraint(
                condition=vocab.sub_event_matches_event_q(),
                name="events_incident_acled_sub_event_matches_event",
                violation_error_message="The ACLED sub-event type does not belong to the event type.",
            ),
            models.CheckConstraint(
                condition=vocab.event_matches_disorder_q(),
                name="events_incident_acled_event_matches_disorder",
                violation_error_message="The ACLED event type does not belong to the disorder type.",
            ),
        ]
        indexes = [
            models.Index(fields=["incident_type", "date_from"]),
            models.Index(fields=["place", "date_from"]),
            models.Index(fields=["title"], name="events_incident_title"),  # the list's sort by title
            models.Index(fields=["acled_event_type", "acled_sub_event_type", "id"], name="events_incident_acled_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_path("events:incident_detail", self.slug)

    @property
    def date_citation(self) -> "IncidentExternalDate | None":
        """The outside source of the date, when no cited article states it (for_list() selects it)."""
        return getattr(self, "external_date", None)

    @property
    def date_source(self) -> str:
        return self.DateSource.EXTERNAL if self.date_citation is not None else self.DateSource.ARTICLE

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["events.place", "actors.actor"]

    @cached_property
    def location(self) -> Location:
        """Where it is drawn and how precisely (its place's point, else the nearest enclosing place's), with its
        country, region and cercle: see events.locations."""
        return locate(self)

    # The columns each cached property is computed from (with the places they lead to), and nothing else: an export
    # computes it once per distinct combination (a few hundred places) rather than once per incident.
    computed_from = {"location": ("place_id", "location_precision", "in_mali")}

    def reported_count(self, outcome: str) -> ReportedCount:
        return ReportedCount(getattr(self, f"{outcome}_low"), getattr(self, outcome), getattr(self, f"{outcome}_high"))

    @property
    def killed_count(self) -> ReportedCount:
        return self.reported_count("killed")

    @property
    def wounded_count(self) -> ReportedCount:
        return self.reported_count("wounded")

    @property
    def abducted_count(self) -> ReportedCount:
        return self.reported_count("abducted")


class IncidentExternalDate(TimeStamped):
    """An incident dated from outside the corpus: the outside source its date comes from, and why.

    The incident's own date fields hold the date; this row says that no article it cites states it (they leave the
    incident undated, or date it otherwise), so the date is shown, exported and filtered (`date_source`) as one
    taken from outside the articles.
    """

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="external_date")
    source = models.ForeignKey(
        "articles.ExternalSource",
        on_delete=models.PROTECT,
        related_name="incident_dates",
        help_text="The publication outside the corpus that dates the incident.",
    )
    reasoning = models.TextField(
        help_text="What the cited articles say about the date (or that they give none) and what the source gives."
    )

    objects = NaturalKeyManager("incident__slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident"]
        verbose_name = "external date citation"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reasoning=""),
                name="events_incidentexternaldate_has_reasoning",
                violation_error_message="Say why the date comes from outside the articles.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident}: dated by {self.source}"

    def natural_key(self):
        return (self.incident.slug,)

    natural_key.dependencies = ["events.incident", "articles.externalsource"]


class IncidentActor(TimeStamped):
    """An actor's part in an incident, and how sure the attribution is."""

    class Role(models.TextChoices):
        PERPETRATOR = "perpetrator", "Perpetrator"
        TARGET = "target", "Target"
        CLAIMANT = "claimant", "Claimed responsibility"
        ASSOCIATED = "associated", "Associated"

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CLAIMED = "claimed", "Claimed"
        REPORTED = "reported", "Reported"
        SUSPECTED = "suspected", "Suspected (“most likely”)"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actor_roles")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="incident_roles")
    role = models.CharField(max_length=12, choices=Role.choices, db_index=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, default=Confidence.REPORTED)

    objects = NaturalKeyManager("incident__slug", "actor__slug", "role")
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "role", "actor"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "actor", "role"], name="events_incidentactor_unique_role")
        ]
        # The incident list's actor and role filters and facets read the incidents of an actor or a role from these
        # alone (index-only), without the table.
        indexes = [
            models.Index(fields=["actor", "incident"], name="events_incidentactor_actor"),
            models.Index(fields=["role", "incident"], name="events_incidentactor_role"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()}) in {self.incident}"

    def natural_key(self):
        return (self.incident.slug, self.actor.slug, self.role)

    natural_key.dependencies = ["events.incident", "actors.actor"]


class IncidentSource(SourcedClaim, TimeStamped):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sources")

    objects = NaturalKeyManager("incident__slug", "source__slug", "excerpt_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "source", "excerpt_start"]
        constraints = [
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["incident", "source", "excerpt_start"], name="events_incidentsource_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: “{self.excerpt[:60]}”"

    def natural_key(self):
        return (self.incident.slug, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["events.incident", "articles.article"]


class Casualty(SourcedClaim, TimeStamped):
    """People killed, wounded or abducted in an incident, by category, as one source reports them."""

    class Category(models.TextChoices):
        PEACEKEEPERS = "peacekeepers", "UN peacekeepers"
        NATIONAL_FORCES = "national_forces", "National forces"
        FOREIGN_FORCES = "foreign_forces", "Foreign forces outside the mission"
        CIVILIANS = "civilians", "Civilians"
        ARMED_GROUP = "armed_group", "Armed group members"
        UNKNOWN = "unknown", "Unknown"

    class Outcome(models.TextChoices):
        KILLED = "killed", "Killed"
        WOUNDED = "wounded", "Wounded"
        ABDUCTED = "abducted", "Abducted"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="casualties")
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, db_index=True)
    low = models.PositiveIntegerField(null=True, blank=True)
    best = models.PositiveIntegerField()
    high = models.PositiveIntegerField(null=True, blank=True)
    nationality = CountryField(blank=True, db_index=True, help_text="Nationality of the victims, where stated.")
    contingent = models.ForeignKey(
        Contingent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="casualties",
        help_text="For peacekeepers: the contingent they served in.",
    )
    armed_actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="casualties",
        help_text="The force or group the victims belonged to, where stated.",
    )
    un_type_of_incident = models.CharField(
        "UN type of incident", max_length=20, choices=vocab.UnFatalityIncidentType.choices, blank=True
    )

    objects = NaturalKeyManager.from_queryset(CasualtyQuerySet)(
        "incident__slug", "category", "outcome", "nationality", "source__slug"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "category", "outcome"]
        verbose_name_plural = "casualties"
        constraints = [
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["incident", "category", "outcome", "nationality", "source"], name="events_casualty_unique"
            ),
            models.CheckConstraint(
                condition=(Q(low__isnull=True) | Q(low__lte=F("best")))
                & (Q(high__isnull=True) | Q(best__lte=F("high"))),
                name="events_casualty_low_best_high_ordered",
                violation_error_message="Counts must satisfy low ≤ best ≤ high.",
            ),
        ]
        # The incident list's victims' nationality filter and facet, index-only; the admin's filters, newest
        # incidents first.
        indexes = [
            models.Index(fields=["nationality", "incident"], name="events_casualty_nationality"),
            models.Index(fields=["outcome", "incident"], name="events_casualty_outcome"),
            models.Index(fields=["category", "incident"], name="events_casualty_category"),
        ]

    def __str__(self) -> str:
        return f"{self.incident}: {self.best} {self.get_category_display().lower()} {self.outcome}"

    def natural_key(self):
        return (self.incident.slug, self.category, self.outcome, self.nationality.code or "", self.source.slug)

    natural_key.dependencies = ["events.incident", "articles.article", "actors.contingent"]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_incident_id = instance.__dict__.get("incident_id")
        return instance

    def save(self, *args, **kwargs) -> None:
        """Saves the row and brings its incident's totals (and those of the incident it moved from) in step."""
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            incident_ids = {self.incident_id, getattr(self, "_stored_incident_id", None)} - {None}
            Incident.objects.using(using).filter(pk__in=incident_ids).refresh_casualty_totals()
        self._stored_incident_id = self.incident_id

    def delete(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            result = super().delete(*args, **kwargs)
            Incident.objects.using(using).filter(pk=self.incident_id).refresh_casualty_totals()
        return result


class Figure(FuzzyDate, SourcedClaim, TimeStamped):
    """A sourced numeric claim. The date fields hold when it holds: a day, or the period it counts over."""

    class Scope(models.TextChoices):
        AT_DATE = "at_date", "At a date"
        DURING_PERIOD = "during_period", "During the period"
        SINCE_START = "since_start", "Cumulative since the start"

    quantity = models.CharField(max_length=40, choices=vocab.FigureQuantity.choices, db_index=True)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    value_high = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Upper bound when the source gives a range."
    )
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    unit = models.CharField(max_length=20, default="people", help_text="people, percent, requests…")
    subject = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="figures", help_text="What the number is about (e.g. MINUSMA)."
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.AT_DATE)
    note = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(FigureQuerySet)("quantity", "source__slug", "excerpt_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["quantity", "date_from"]
        constraints = [
            *FuzzyDate.Meta.constraints,
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(fields=["quantity", "source", "excerpt_start"], name="events_figure_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="events_figure_value_not_negative"),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gte=F("value")), name="events_figure_range_ordered"
            ),
        ]
        indexes = [models.Index(fields=["quantity", "date_from"]), models.Index(fields=["subject", "quantity"])]

    @property
    def unit_display(self) -> str:
        """The unit agreeing with the value it follows (the upper bound of a range): “1 year”, “1–2 years”."""
        return unit_agreeing(self.value if self.value_high is None else self.value_high, self.unit)

    def __str__(self) -> str:
        return (
            f"{self.get_quantity_display()}: {self.get_qualifier_display()} {self.value.normalize():f} ({self.source})"
        )

    def get_absolute_url(self) -> str:
        return record_path("events:figure_detail", self.pk)

    def natural_key(self):
        return (self.quantity, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["articles.article", "actors.actor"]

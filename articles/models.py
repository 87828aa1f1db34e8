import re
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.citations import Cited
from common.fuzzydates import FuzzyDate, plausible_date
from common.models import NaturalKeyManager, TimeStamped, validate_own_constraints
from common.querysets import NamedQuerySet
from common.reversing import record_path
from common.verbatim import locate

from .provenance import SourcedClaim
from .querysets import ArticleQuerySet, QuoteQuerySet


class SourceScale(models.TextChoices):
    """ACLED source_scale, stored as ACLED writes it."""

    LOCAL_PARTNER = "Local partner"
    SUBNATIONAL = "Subnational"
    NATIONAL = "National"
    REGIONAL = "Regional"
    INTERNATIONAL = "International"
    NEW_MEDIA = "New media"
    OTHER = "Other"


class Outlet(TimeStamped):
    class Kind(models.TextChoices):
        NEWS_SITE = "news_site", "Online news site"
        NEWSPAPER = "newspaper", "Newspaper"
        MAGAZINE = "magazine", "Magazine"
        NEWS_AGENCY = "news_agency", "News agency"
        BROADCASTER = "broadcaster", "Broadcaster"
        BLOG = "blog", "Blog"
        THINK_TANK = "think_tank", "Think tank"
        OFFICIAL = "official", "Official body"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    country = CountryField(blank=True, db_index=True, help_text="Where the outlet is based (ISO 3166-1).")
    acled_source_scale = models.CharField(
        "ACLED source scale", max_length=40, blank=True, help_text="ACLED source_scale, e.g. “International”."
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(NamedQuerySet)("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self) -> None:
        # ACLED joins two scales with "-", e.g. "National-International".
        scales = [part for part in self.acled_source_scale.split("-") if part] if self.acled_source_scale else []
        unknown = [part for part in scales if part not in SourceScale.values]
        if unknown or len(scales) > 2:
            raise ValidationError(
                {"acled_source_scale": f"Use one or two of {', '.join(SourceScale.values)}, joined by “-”."}
            )


class ExternalSource(TimeStamped):
    """A publication outside the corpus (a UN resolution, an NGO's report, a reference work) that a record cites for
    a fact that no corpus article states, such as an incident's date.

    Its text is not stored, so what it says cannot be checked verbatim as an article's excerpt is: the records that
    cite it say so, and researchers can leave such facts out (an incident list's `date_source=article`).
    """

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    publisher = models.CharField(
        max_length=200, help_text="Who published it, e.g. “United Nations Security Council”, “Human Rights Watch”."
    )
    published = models.DateField(
        null=True, blank=True, validators=[plausible_date], help_text="When it was published, if it says."
    )
    url = models.URLField("URL", max_length=500, help_text="Where a reader can check it.")
    note = models.TextField(blank=True, help_text="What it is (a document symbol, a page's title), when not obvious.")

    objects = NaturalKeyManager("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"

    def natural_key(self):
        return (self.slug,)


class Article(FuzzyDate, TimeStamped):
    """One published text. The date fields hold its publication date, estimated when not printed."""

    title = models.CharField(max_length=300, db_index=True)
    title_inferred = models.BooleanField(
        default=False, help_text="The text prints no headline; the title was written by a curator."
    )
    subtitle = models.TextField(blank=True, help_text="Standfirst or deck, as printed.")
    slug = models.SlugField(max_length=200, unique=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(
        "actors.Actor", blank=True, related_name="authored_articles", limit_choices_to={"kind": "person"}
    )
    date_reasoning = models.TextField(
        blank=True, help_text="Why the publication date is estimated as it is, when it is not printed."
    )
    attribution_note = models.TextField(
        blank=True, help_text="How the outlet and authors were identified when the text does not print them."
    )
    url = models.URLField("URL", max_length=500, blank=True)
    language = models.CharField(max_length=12, default="en", help_text="BCP 47 language tag, e.g. en, fr.")
    body = models.TextField(help_text="Clean body text: no newsletter, comment or related-links noise.")
    word_count = models.PositiveIntegerField(default=0, editable=False)
    seed_file = models.CharField(max_length=200, blank=True, help_text="The seed file this text was taken from.")

    objects = NaturalKeyManager.from_queryset(ArticleQuerySet)("slug")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date_from", "title"]
        constraints = [*FuzzyDate.Meta.constraints]
        indexes = [models.Index(fields=["outlet", "date_from"])]

    def __str__(self) -> str:
        return self.title

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["articles.outlet", "actors.actor"]

    def get_absolute_url(self) -> str:
        return record_path("articles:article_detail", self.slug)

    def citation(self) -> Cited:
        return Cited(self)

    def body_segments(
        self, passage: tuple[int, int] | None = None, cited: list[tuple[int, int]] | None = None
    ) -> list[list[dict]]:
        """The body as paragraphs of segments, each {"text", "quote", "first_of_quote", "in_passage",
        "first_of_passage", "cited"}, cut wherever a quote, the highlighted passage or a `cited` sentence starts or
        ends.

        Uses the prefetched quotes, so rendering a highlighted article costs no query per quote.
        """
        quotes = sorted(self.quotes.all(), key=lambda quote: quote.text_start)
        cited = cited or []
        cuts = {0, len(self.body)}
        for span in cited:
            cuts.update(span)
        for quote in quotes:
            cuts.update((quote.text_start, quote.text_end))
        if passage:
            cuts.update(passage)
        index = self.body.find("\n\n")
        while index >= 0:
            cuts.update((index, index + 2))
            index = self.body.find("\n\n", index + 2)
        paragraphs: list[list[dict]] = [[]]
        seen_quotes: set[int] = set()
        passage_started = False
        bounds = sorted(cut for cut in cuts if 0 <= cut <= len(self.body))
        for start, end in pairwise(bounds):
            text = self.body[start:end]
            if text == "\n\n":
                paragraphs.append([])
                continue
            quote = next((q for q in quotes if q.text_start <= start and end <= q.text_end), None)
            in_passage = bool(passage) and passage[0] <= start and end <= passage[1]
            paragraphs[-1].append(
                {
                    "text": text,
                    "quote": quote,
                    "first_of_quote": quote is not None and quote.pk not in seen_quotes,
                    "in_passage": in_passage,
                    "first_of_passage": in_passage and not passage_started,
                    "cited": any(cited_start <= start and end <= cited_end for cited_start, cited_end in cited),
                }
            )
            if quote is not None:
                seen_quotes.add(quote.pk)
            passage_started = passage_started or in_passage
        return paragraphs

    def count_words(self) -> int:
        return len(re.findall(r"\w+(?:[’'\-]\w+)*", self.body))

    def clean(self) -> None:
        super().clean()
        self.word_count = self.count_words()
        if self.pk is not None and (broken := self.citations_broken_by(self.body)):
            raise ValidationError({"body": broken})

    def citations_broken_by(self, body: str) -> list[str]:
        """Why `body` would break the quotes and sourced claims that cite this article (the verbatim triggers
        would refuse it), one message per citing row; empty when every cited passage stays at its offsets.

        One query for the stored body and, when it changes, one per kind of citing record.
        """
        if Article.objects.filter(pk=self.pk, body=body).exists():
            return []
        broken = []
        for relation in self._meta.related_objects:
            model = relation.related_model
            if issubclass(model, Quote):
                columns = ("text", "text_start", "text_end")
            elif issubclass(model, SourcedClaim):
                columns = ("excerpt", "excerpt_start", "excerpt_end")
            else:
                continue
            label = model._meta.verbose_name
            rows = model._default_manager.filter(**{relation.field.name: self}).order_by(columns[1])
            for text, start, end in rows.values_list(*columns):
                if body[start:end] == text:
                    continue
                try:
                    locate(body, text)
                except ValidationError as error:
                    broken.append(f"The new body drops text that a {label} cites: {' '.join(error.messages)}")
                else:
                    preview = text if len(text) <= 80 else text[:77] + "…"
                    broken.append(
                        f"The new body moves text that a {label} cites: “{preview}” is no longer at characters "
                        f"{start}–{end}. Keep cited passages in place (edit after them), or remove the {label} "
                        "and add it again after the edit."
                    )
        return broken

    def save(self, *args, **kwargs) -> None:
        self.word_count = self.count_words()
        super().save(*args, **kwargs)


class Quote(TimeStamped):
    """A direct quotation, stored verbatim with its offsets in the article body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    speaker = models.ForeignKey(
        "actors.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="Who is quoted: a person, or an organisation or document speaking as one.",
    )
    speaker_description = models.CharField(
        max_length=300, blank=True, help_text="For an unnamed source, how the article describes them."
    )
    speaker_role = models.CharField(
        max_length=300, blank=True, help_text="The speaker's role as this article describes it."
    )
    text = models.TextField(help_text="The quoted words exactly as printed, without the surrounding quote marks.")
    text_start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Character offset of the quote in the article body (filled in on save)."
    )
    text_end = models.PositiveIntegerField(null=True, blank=True)

    objects = NaturalKeyManager.from_queryset(QuoteQuerySet)("article__slug", "text_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "text_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "text_start"],
                name="articles_quote_unique_position",
                violation_error_message="This passage of the article is already quoted.",
            ),
            models.CheckConstraint(condition=Q(text_end__gt=F("text_start")), name="articles_quote_offsets_ordered"),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | ~Q(speaker_description=""),
                name="articles_quote_has_speaker",
                violation_error_message="A quote needs a speaker or a description of the unnamed speaker.",
            ),
        ]

    def __str__(self) -> str:
        who = self.speaker.name if self.speaker_id else self.speaker_description
        return f"{who}: “{self.text[:60]}”"

    def natural_key(self):
        return (*self.article.natural_key(), self.text_start)

    natural_key.dependencies = ["articles.article", "actors.actor"]

    def get_absolute_url(self) -> str:
        return record_path("articles:quote_detail", self.pk)

    def citation(self) -> Cited:
        """The article, citing the quoted words as its passage."""
        return Cited(self.article, self.text, self.text_start, self.text_end)

    def anchor(self) -> None:
        if self.article_id is None:
            return
        try:
            self.text_start, self.text_end = locate(self.article.body, self.text, self.text_start)
        except ValidationError as error:
            raise ValidationError({"text": error.messages}) from None

    def clean(self) -> None:
        if self.speaker_id is None and not self.speaker_description.strip():
            raise ValidationError({"speaker_description": "Name the speaker or describe the unnamed one."})
        self.anchor()
        # The offsets are not form fields, so the form would skip the constraints that use them.
        validate_own_constraints(self)

    def save(self, *args, **kwargs) -> None:
        if self.text_start is None or self.text_end is None:
            self.anchor()
        super().save(*args, **kwargs)


class ActorMention(SourcedClaim, TimeStamped):
    """An actor named in an article, at the passage naming it: accepted by a curator from intake, so the article is
    tied to the actor by its own words even when no other claim cites them."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="mentions")

    objects = NaturalKeyManager("actor__slug", "source__slug", "excerpt_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "excerpt_start"]
        constraints = [
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["actor", "source", "excerpt_start"],
                name="articles_actormention_unique",
                violation_error_message="This mention of the actor is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} in {self.source}"

    def natural_key(self):
        return (self.actor.slug, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["actors.actor", "articles.article"]


class PlaceMention(SourcedClaim, TimeStamped):
    """A place named in an article, at the passage naming it (accepted from intake)."""

    place = models.ForeignKey("events.Place", on_delete=models.CASCADE, related_name="mentions")

    objects = NaturalKeyManager("place__slug", "source__slug", "excerpt_start")
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "excerpt_start"]
        constraints = [
            *SourcedClaim.Meta.constraints,
            models.UniqueConstraint(
                fields=["place", "source", "excerpt_start"],
                name="articles_placemention_unique",
                violation_error_message="This mention of the place is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} in {self.source}"

    def natural_key(self):
        return (self.place.slug, self.source.slug, self.excerpt_start)

    natural_key.dependencies = ["events.place", "articles.article"]


class IntakeReview(TimeStamped):
    """A curator's decision on one intake suggestion, so a review can stop and resume: keyed by the article and the
    suggestion's fingerprint (its kind, offsets and proposed record), which stay the same while the body does."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="intake_reviews")
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    text_start = models.PositiveIntegerField()
    text_end = models.PositiveIntegerField()
    text = models.TextField(help_text="The suggestion's text as it was when decided.")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="intake_reviews"
    )
    # What accepting created, for the review page's link: the model's label and the row's id.
    record_model = models.CharField(max_length=60, blank=True)
    record_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["article", "text_start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "fingerprint"], name="articles_intakereview_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.kind} “{self.text[:40]}”"

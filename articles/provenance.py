"""Provenance is a foreign key plus a verbatim excerpt, never a free-text note."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from common.citations import Cited
from common.models import validate_own_constraints
from common.verbatim import locate


class SourcedClaim(models.Model):
    """Abstract: a claim that cites one article and the exact excerpt of its body that makes it.

    The offsets are derived from the excerpt (clean() and save() keep them in step); a database
    trigger refuses a row whose excerpt is not at its offsets in the article body.
    """

    source = models.ForeignKey(
        "articles.Article",
        on_delete=models.PROTECT,
        related_name="cited_by_%(class)s",
        help_text="The article that makes this claim.",
    )
    excerpt = models.TextField(help_text="The passage of the article that makes the claim, copied verbatim.")
    excerpt_start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Character offset of the excerpt in the article body (filled in on save)."
    )
    excerpt_end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(excerpt_end__gt=F("excerpt_start")),
                name="%(app_label)s_%(class)s_excerpt_offsets_ordered",
                violation_error_message="The excerpt must end after it starts.",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if self.excerpt_start is None or self.excerpt_end is None:
            self.anchor_excerpt()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.anchor_excerpt()
        # The offsets are not form fields, so the form would skip the unique constraints that use them.
        validate_own_constraints(self)

    def anchor_excerpt(self) -> None:
        """Find the excerpt in the article body and store its offsets; ValidationError if it is not there."""
        if self.source_id is None or not self.excerpt:
            return
        try:
            self.excerpt_start, self.excerpt_end = locate(self.source.body, self.excerpt, self.excerpt_start)
        except ValidationError as error:
            raise ValidationError({"excerpt": error.messages}) from None

    def get_source_url(self) -> str:
        """The cited article, opened at the excerpt."""
        return f"{self.source.get_absolute_url()}?passage={self.excerpt_start}-{self.excerpt_end}#passage"

    def citation(self) -> Cited:
        """The cited article, with the excerpt as its passage."""
        return Cited(self.source, self.excerpt, self.excerpt_start, self.excerpt_end)

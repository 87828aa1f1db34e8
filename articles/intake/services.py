"""Accepting and dismissing suggestions: one call, one transaction, the decision remembered.

Every record accepting creates is validated as the admin would (full_clean: verbatim excerpt at its offsets,
choices, constraints) and saved with the curator as its history user and the change reason “accepted from
intake”. Nothing is created unless a curator asks.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction

from articles.models import Article, IntakeReview

from .suggestion import Suggestion

CHANGE_REASON = "accepted from intake"


def change_reason(user) -> str:
    return f"{CHANGE_REASON} by {user.get_username()}"


def save_record(record: models.Model, *, user) -> models.Model:
    """Validate and save one record created from intake, its history naming the curator and the reason."""
    record.full_clean()
    record._change_reason = change_reason(user)
    record._history_user = user
    record.save()
    return record


def decided(article: Article) -> dict[str, IntakeReview]:
    """The decisions taken on the article's suggestions, by fingerprint. One query."""
    return {review.fingerprint: review for review in article.intake_reviews.select_related("decided_by")}


def _refuse_if_decided(article: Article, suggestion: Suggestion) -> None:
    # Locked until the transaction ends, so two curators cannot accept the same suggestion twice.
    existing = IntakeReview.objects.select_for_update().filter(article=article, fingerprint=suggestion.fingerprint)
    review = existing.first()
    if review is not None:
        raise ValidationError(f"This suggestion was already {review.get_decision_display().lower()}.")


def intake_accept(
    *, article: Article, suggestion: Suggestion, create: Callable[[], models.Model | None], user
) -> IntakeReview:
    """Create the record (`create` builds and saves it with save_record) and remember the acceptance, all or
    nothing. `create` may return None for a suggestion that creates no record (a date, noted for later drafts)."""
    with transaction.atomic():
        _refuse_if_decided(article, suggestion)
        record = create()
        return _record_decision(article, suggestion, user, IntakeReview.Decision.ACCEPTED, record)


def _record_decision(article: Article, suggestion: Suggestion, user, decision, record=None) -> IntakeReview:
    """The saved decision on one suggestion, with the record accepting it created (if any)."""
    return IntakeReview.objects.create(
        article=article,
        fingerprint=suggestion.fingerprint,
        kind=str(suggestion.kind),
        text_start=suggestion.start,
        text_end=suggestion.end,
        text=suggestion.text,
        decision=decision,
        decided_by=user,
        record_model=record._meta.label_lower if record is not None else "",
        record_id=record.pk if record is not None else None,
    )


def intake_dismiss(*, article: Article, suggestion: Suggestion, user) -> IntakeReview:
    with transaction.atomic():
        _refuse_if_decided(article, suggestion)
        return _record_decision(article, suggestion, user, IntakeReview.Decision.DISMISSED)


def intake_reopen(*, article: Article, fingerprint: str) -> None:
    """Undo a dismissal, so the suggestion is pending again. An acceptance stays: its record is the curator's."""
    IntakeReview.objects.filter(
        article=article, fingerprint=fingerprint, decision=IntakeReview.Decision.DISMISSED
    ).delete()

"""The intake page of an article in the admin: the body with every suggestion highlighted beside the list of
suggestions, each with the form to edit it, accept it or dismiss it.

Works without JavaScript (one plain form per suggestion, details/summary to open the editor) and under the site's
strict Content-Security-Policy (no inline script or style element). Viewing needs the permission to change the
article; accepting also needs the permission to add the records accepting creates (a 403 otherwise).
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.models import Article, IntakeReview

from . import services
from .engine import suggest
from .forms import FORMS, Choices, add_validation_error
from .suggestion import Kind, Suggestion

KIND_LABELS = {
    Kind.QUOTE: "Quotes",
    Kind.ACTOR: "Actors",
    Kind.PLACE: "Places",
    Kind.NAME: "Unknown names",
    Kind.DATE: "Dates",
    Kind.NUMBER: "Numbers",
    Kind.INCIDENT: "Incident drafts",
}
STATES = [("pending", "Pending"), ("accepted", "Accepted"), ("dismissed", "Dismissed"), ("all", "All")]


class IntakeFilterForm(forms.Form):
    """The page's query parameters, validated: a bad value is a 400 that says what is allowed."""

    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *[(str(k), v) for k, v in KIND_LABELS.items()]], required=False
    )
    state = forms.ChoiceField(choices=STATES, required=False)
    hide_recorded = forms.BooleanField(required=False, label="Hide what is already recorded")


def intake_view(model_admin, request: HttpRequest, article: Article) -> HttpResponse:
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    filters = IntakeFilterForm(request.GET or None)
    if request.GET and not filters.is_valid():
        return _render(model_admin, request, article, filters=filters, status=400)
    if request.method == "POST":
        return _decide(model_admin, request, article, filters)
    return _render(model_admin, request, article, filters=filters)


def _decide(model_admin, request, article: Article, filters) -> HttpResponse:
    report = suggest(article)
    fingerprint = request.POST.get("fingerprint", "")
    suggestion = next((s for s in report.suggestions if s.fingerprint == fingerprint), None)
    action = request.POST.get("action")
    if suggestion is None or action not in ("accept", "dismiss", "reopen"):
        messages.error(request, "That suggestion is no longer offered (has the body changed?). Nothing was saved.")
        return _render(model_admin, request, article, filters=filters, report=report, status=400)
    if action == "reopen":
        services.intake_reopen(article=article, fingerprint=fingerprint)
        messages.success(request, f"“{suggestion.text[:60]}” is pending again.")
        return _redirect(article, filters, suggestion)
    if action == "dismiss":
        try:
            services.intake_dismiss(article=article, suggestion=suggestion, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Dismissed “{suggestion.text[:60]}”.")
        return _redirect(article, filters, suggestion)
    choices = Choices.for_article(article, report.suggestions)
    form = FORMS[suggestion.kind](request.POST, suggestion=suggestion, choices=choices)
    if not request.user.has_perms(form.permissions):
        raise PermissionDenied
    if form.is_valid():
        try:
            review = services.intake_accept(
                article=article,
                suggestion=suggestion,
                create=lambda: form.create(article=article, user=request.user),
                user=request.user,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            what = review.record_model.split(".")[-1] if review.record_model else "noted"
            messages.success(request, f"Accepted “{suggestion.text[:60]}” ({what}).")
            return _redirect(article, filters, suggestion)
    return _render(
        model_admin, request, article, filters=filters, report=report, choices=choices, bound=form, status=400
    )


def _redirect(article: Article, filters, suggestion: Suggestion) -> HttpResponse:
    url = reverse("admin:articles_article_intake", args=[article.pk])
    query = urlencode({k: v for k, v in (filters.cleaned_data if filters.is_bound else {}).items() if v})
    return HttpResponseRedirect(f"{url}{'?' + query if query else ''}#s-{suggestion.fingerprint[:12]}")


def _render(model_admin, request, article, *, filters, report=None, choices=None, bound=None, status=200):
    report = report if report is not None else suggest(article)
    reviews = services.decided(article)
    criteria = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    kind, state = criteria.get("kind") or "", criteria.get("state") or "pending"
    choices = choices or Choices.for_article(article, report.suggestions)
    items, counts = [], dict.fromkeys(KIND_LABELS.values(), 0)
    for suggestion in report.suggestions:
        review = reviews.get(suggestion.fingerprint)
        decision = review.decision if review else "pending"
        if decision == "pending":
            counts[KIND_LABELS[suggestion.kind]] += 1
        if kind and suggestion.kind != kind:
            continue
        if state != "all" and decision != state:
            continue
        if criteria.get("hide_recorded") and suggestion.recorded:
            continue
        form = None
        if decision == "pending":
            is_bound = bound is not None and bound.suggestion.fingerprint == suggestion.fingerprint
            form = bound if is_bound else FORMS[suggestion.kind](suggestion=suggestion, choices=choices)
        items.append(
            {
                "suggestion": suggestion,
                "anchor": f"s-{suggestion.fingerprint[:12]}",
                "label": KIND_LABELS[suggestion.kind],
                "review": review,
                "decision": decision,
                "form": form,
                "open": form is bound and bound is not None,
                "record_url": _record_url(review),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": article,
        "article": article,
        "title": f"Intake: {article.title}",
        "items": items,
        "counts": counts,
        "filters": filters if filters.is_bound else IntakeFilterForm(initial={"state": "pending"}),
        "body": _highlighted(article.body, items),
        "timings": sum(report.timings.values()),
    }
    return TemplateResponse(request, "admin/articles/article/intake.html", context, status=status)


def _record_url(review: IntakeReview | None) -> str:
    if review is None or not review.record_model or review.record_id is None:
        return ""
    app_label, model_name = review.record_model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_change", args=[review.record_id])


def _highlighted(body: str, items: list[dict]) -> list[list[dict]]:
    """The body as paragraphs of pieces, each suggestion shown (outermost first, overlaps skipped) as a mark that
    links to its entry in the list."""
    pieces: list[dict] = []
    cursor = 0
    for item in sorted(items, key=lambda item: (item["suggestion"].start, -item["suggestion"].end)):
        suggestion = item["suggestion"]
        if suggestion.start < cursor or suggestion.kind == Kind.INCIDENT:
            continue
        if suggestion.start > cursor:
            pieces.append({"text": body[cursor : suggestion.start]})
        pieces.append({"text": suggestion.text, "item": item})
        cursor = suggestion.end
    pieces.append({"text": body[cursor:]})
    paragraphs: list[list[dict]] = [[]]
    for piece in pieces:
        parts = piece["text"].split("\n\n")
        for index, part in enumerate(parts):
            if index:
                paragraphs.append([])
            if part:
                paragraphs[-1].append({**piece, "text": part})
    return paragraphs

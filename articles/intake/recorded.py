"""Which suggestions some record already holds: a fixed number of queries per article, whatever its length."""

from django.db.models import CharField, Value

from articles.models import Article, Quote
from articles.provenance import SourcedClaim
from common.fuzzydates import FuzzyDate

from .suggestion import Kind, Suggestion


def _claim_models() -> list[tuple[type, str]]:
    """Every sourced-claim model citing articles, with the name of its foreign key to the article."""
    return [
        (relation.related_model, relation.field.name)
        for relation in Article._meta.related_objects
        if issubclass(relation.related_model, SourcedClaim)
    ]


def cited_spans(article: Article) -> dict[str, list[tuple[int, int]]]:
    """The passages records cite, by model label (“articles.quote”, “events.figure”…). One query (a UNION)."""
    label = lambda model: Value(model._meta.label_lower, output_field=CharField())  # noqa: E731
    queries = [
        Quote.objects.filter(article=article)
        .order_by()
        .annotate(label=label(Quote))
        .values_list("label", "text_start", "text_end")
    ]
    for model, field in _claim_models():
        rows = model._default_manager.filter(**{field: article}).order_by().annotate(label=label(model))
        queries.append(rows.values_list("label", "excerpt_start", "excerpt_end"))
    spans: dict[str, list[tuple[int, int]]] = {"articles.quote": []}
    for model_label, start, end in queries[0].union(*queries[1:], all=True):
        spans.setdefault(model_label, []).append((start, end))
    return spans


def mark_recorded(article: Article, suggestions: list[Suggestion]) -> None:
    if article.pk is None:
        return
    spans = cited_spans(article)
    dated = {model._meta.label_lower for model, _ in _claim_models() if issubclass(model, FuzzyDate)}
    dated.add("events.incidentsource")
    numeric = {"events.figure", "events.casualty", "actors.strengthobservation"}
    mention_models = {"articles.actormention": Kind.ACTOR, "articles.placemention": Kind.PLACE}

    def within(labels, suggestion: Suggestion) -> bool:
        return any(
            start <= suggestion.start and suggestion.end <= end
            for label in labels
            for start, end in spans.get(label, [])
        )

    quotes = {start for start, _ in spans["articles.quote"]}
    for suggestion in suggestions:
        if suggestion.kind == Kind.QUOTE:
            suggestion.recorded = suggestion.start in quotes
        elif suggestion.kind in (Kind.ACTOR, Kind.PLACE):
            labels = [label for label, kind in mention_models.items() if kind == suggestion.kind]
            suggestion.recorded = any(
                (start, end) == (suggestion.start, suggestion.end)
                for label in labels
                for start, end in spans.get(label, [])
            )
        elif suggestion.kind == Kind.DATE:
            suggestion.recorded = within(dated, suggestion)
        elif suggestion.kind == Kind.NUMBER:
            suggestion.recorded = within(numeric, suggestion)
        elif suggestion.kind == Kind.INCIDENT:
            suggestion.recorded = any(
                start < suggestion.end and suggestion.start < end
                for start, end in spans.get("events.incidentsource", [])
            )

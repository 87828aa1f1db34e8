import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from actors.models import Actor
from common.citations import citation_response, cite_control
from common.listing import Column, Facet, RecordListView
from common.verbatim import sentence_around
from events.models import Place

from .api import ArticleViewSet, QuoteViewSet
from .filters import ArticleFilter, QuoteFilter
from .intake.coverage import coverage
from .models import Article, Quote

PASSAGE = re.compile(r"^(\d{1,9})-(\d{1,9})$")


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The article as a reader: its body with every quote highlighted and attributed.

    `?passage=START-END` also marks a cited excerpt, so a source link opens the article at the passage. Sentences
    some record cites are marked, and the numbers and quoted passages no record covers yet are listed.
    """
    article = get_object_or_404(Article.objects.for_detail(), slug=slug)
    passage, error = None, None
    if "passage" in request.GET:
        match = PASSAGE.match(request.GET["passage"])
        start, end = (int(match[1]), int(match[2])) if match else (0, 0)
        if match and start < end <= len(article.body):
            passage = (start, end)
        else:
            error = f"“passage” must be START-END character offsets within the body (0–{len(article.body)})."
    covered = coverage(article)
    context = {
        "article": article,
        "body": article.body_segments(passage, covered.cited_sentences),
        "passage_error": error,
        "actors": Actor.objects.mentioned_in(article).order_by("name"),
        "places": Place.objects.mentioned_in(article).order_by("name"),
        "cite": cite_control(request, [article.citation()], reverse("articles:article_citation", args=[slug])),
        "named_actors": Actor.objects.filter(mentions__source=article).distinct().order_by("name"),
        "named_places": Place.objects.filter(mentions__source=article).distinct().order_by("name"),
        "coverage": covered,
    }
    return render(request, "articles/article_detail.html", context, status=400 if error else 200)


@require_safe
def article_citation(request: HttpRequest, slug: str) -> HttpResponse:
    """The article's citation as a file: ?format=text|bibtex|ris|csl-json."""
    article = get_object_or_404(Article.objects.for_list(), slug=slug)
    return citation_response(request, [article.citation()], filename=article.slug)


@require_safe
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One quote: who said it, the sentence around it, and how to cite the article at the quoted words."""
    quote = get_object_or_404(Quote.objects.for_detail(expand=["article"]), pk=pk)
    context = {
        "quote": quote,
        "context": sentence_around(quote.article.body, quote.text_start, quote.text_end),
        "cite": cite_control(request, [quote.citation()], reverse("articles:quote_citation", args=[pk])),
    }
    return render(request, "articles/quote_detail.html", context)


@require_safe
def quote_citation(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote's citation (its article, the quoted words as the passage) as a file."""
    quote = get_object_or_404(Quote.objects.for_detail(expand=["article"]), pk=pk)
    return citation_response(request, [quote.citation()], filename=f"quote-{quote.pk}")


class ArticleListView(RecordListView):
    """Articles by outlet, author and publication date, or by the actors and places they source claims about."""

    model = Article
    filterset_class = ArticleFilter
    api_viewset = ArticleViewSet
    template_name = "articles/article_list.html"
    intro = "The published texts every record cites; estimated publication dates are ranges."
    default_ordering = "-date_from"
    columns = [
        Column("date", "Published", "date_from"),
        Column("title", "Title", "title"),
        Column("outlet", "Outlet", "outlet"),
        Column("authors", "Authors"),
        Column("words", "Words", "word_count"),
    ]
    facets = [
        Facet("outlet", "Outlet", "outlet__slug", "outlet__name"),
        Facet("author", "Author", "authors__slug", "authors__name"),
    ]


class QuoteListView(RecordListView):
    """Quotes by speaker, kind of speaker, article, outlet and the article's publication date."""

    model = Quote
    filterset_class = QuoteFilter
    api_viewset = QuoteViewSet
    template_name = "articles/quote_list.html"
    intro = "Direct quotations, verbatim, each opening its article at the quoted passage."
    default_ordering = "-date"
    columns = [
        Column("date", "Published", "date"),
        Column("speaker", "Speaker", "speaker"),
        Column("text", "Quote"),
        Column("article", "Article", "article"),
        Column("outlet", "Outlet", "outlet"),
    ]
    facets = [
        Facet(
            "speaker_organisation",
            "Speaker’s organisation",
            "speaker__slug",
            "speaker__name",
            counts="speaker_organisation_counts",
        ),
        Facet("speaker_kind", "Kind of speaker", "speaker__kind"),
        Facet("speaker", "Speaker", "speaker__slug", "speaker__name"),
        Facet("outlet", "Outlet", "article__outlet__slug", "article__outlet__name"),
        Facet("article", "Article", "article__slug", "article__title"),
    ]

    def for_list(self, queryset):
        return queryset.for_list(expand=["article"])

from common.api.viewsets import RecordViewSet

from .filters import ArticleFilter, QuoteFilter
from .models import Article, Quote
from .querysets import ArticleQuerySet, QuoteQuerySet
from .serializers import ArticleDetailSerializer, ArticleSerializer, QuoteSerializer


class ArticleViewSet(RecordViewSet):
    """Source articles: clean body, outlet, authors and estimated publication date."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    detail_serializer_class = ArticleDetailSerializer
    filterset_class = ArticleFilter
    ordering_fields = ["date_from", "title", "word_count", "id"]
    search_description = ArticleQuerySet.search_spec.description


class QuoteViewSet(RecordViewSet):
    """Direct quotations, verbatim, with their offsets in the article body."""

    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    ordering_fields = {"date": "article__date_from", "text_start": "text_start", "id": "id"}
    search_description = QuoteQuerySet.search_spec.description

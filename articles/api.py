from common import citations, exports
from common.api import renderers
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
    search_description = ArticleQuerySet.search_spec.description
    extra_formats = {
        "bibtex": renderers.BibTeXRenderer,
        "ris": renderers.RISRenderer,
        "csl-json": renderers.CSLJSONRenderer,
    }

    def fixed_shape_chunks(self, export_format, records):
        """The matching articles as citations: BibTeX entries, RIS records or a CSL-JSON array."""
        absolute = self.request.build_absolute_uri
        if export_format == "bibtex":
            return citations.bibtex_entries(records, absolute)
        if export_format == "ris":
            return citations.ris_records(records, absolute)
        return exports.json_array(citations.csl_items(records, absolute))


class QuoteViewSet(RecordViewSet):
    """Direct quotations, verbatim, with their offsets in the article body."""

    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    search_description = QuoteQuerySet.search_spec.description

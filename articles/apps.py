from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self) -> None:
        from common import datacache, search

        datacache.track(self)  # any write renews the data version of the cached aggregates

        from .models import Article, Quote

        search.register(
            search.SearchKind(
                "article",
                "Articles",
                Article,
                title=lambda article: article.title,
                detail=lambda article: f"{article.outlet}, {article.date_display}",
                select_related=("outlet",),
            )
        )
        search.register(
            search.SearchKind(
                "quote",
                "Quotes",
                Quote,
                title=lambda quote: str(quote.speaker or quote.speaker_description),
                detail=lambda quote: quote.article.title,
                url=lambda quote: f"{quote.article.get_absolute_url()}#quote-{quote.pk}",
                record_name=lambda quote: quote.text,
                select_related=("article", "speaker"),
            )
        )

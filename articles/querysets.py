from django.db import models


class ArticleQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("outlet").prefetch_related("authors")

    def for_detail(self):
        quote_model = self.model.quotes.rel.related_model
        quotes = quote_model.objects.select_related("speaker").order_by("text_start")
        return self.select_related("outlet").prefetch_related("authors", models.Prefetch("quotes", queryset=quotes))


class QuoteQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("article__outlet", "speaker")

    def by_speaker(self, actor):
        return self.filter(speaker=actor)

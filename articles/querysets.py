from django.db import models


class ArticleQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("outlet").prefetch_related("authors")

    def for_detail(self):
        return self.select_related("outlet").prefetch_related("authors", "quotes__speaker")


class QuoteQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("article__outlet", "speaker")

    def by_speaker(self, actor):
        return self.filter(speaker=actor)

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CommonConfig(AppConfig):
    """Shared building blocks: base models and managers, fuzzy dates, text and verbatim helpers, admin and import
    bases, list/filter/export machinery, the search engine and the API's base classes. It imports no other app of
    this project."""

    name = "common"
    verbose_name = "Shared building blocks"

    def ready(self) -> None:
        from common import search

        connection_created.connect(search.register_sqlite_functions, dispatch_uid="common.search.sqlite_functions")

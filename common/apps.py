from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared building blocks: base models and managers, fuzzy dates, text and verbatim helpers, admin and import
    bases, list/filter/export machinery and the API's base classes. It imports no other app of this project."""

    name = "common"
    verbose_name = "Shared building blocks"

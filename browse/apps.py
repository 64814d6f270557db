from django.apps import AppConfig


class BrowseConfig(AppConfig):
    """The public site: pages, search, comparisons, exports and the read-only JSON API."""

    name = "browse"
    verbose_name = "Public pages and API"

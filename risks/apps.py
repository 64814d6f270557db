from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk management plans"

    def ready(self):
        from . import published, terms

        published.connect(self)
        terms.connect()

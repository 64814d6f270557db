from django.apps import AppConfig


class CurationConfig(AppConfig):
    """The curation admin of plan versions: drafts, workflow steps, the plan's audit trail."""

    name = "curation"
    verbose_name = "Curation"

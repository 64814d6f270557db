from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from .protection import protect_history_tables

        post_migrate.connect(protect_history_tables, dispatch_uid="audit_protect_history")

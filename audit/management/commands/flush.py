"""``flush``, refused unless the settings allow it; it lifts the history triggers meanwhile.

Emptying the database deletes the audit trail with it, so only the local and test settings
allow it (``AUDIT_ALLOW_FLUSH = True``); the production settings do not, and there the
command refuses before it touches anything.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush

from audit.protection import protect_history_tables, unprotect_history_tables


class Command(flush.Command):
    help = (
        flush.Command.help + " History tables are emptied too, then protected again. Refused "
        "unless the settings set AUDIT_ALLOW_FLUSH (the local and test settings do; "
        "production does not)."
    )

    def handle(self, **options):
        if not getattr(settings, "AUDIT_ALLOW_FLUSH", False):
            raise CommandError(
                "flush would delete the audit trail: refused under these settings "
                f"({settings.SETTINGS_MODULE}). A database is emptied only where "
                "AUDIT_ALLOW_FLUSH is set (the local and test settings)."
            )
        database = options["database"]
        unprotect_history_tables(database)
        try:
            return super().handle(**options)
        finally:
            protect_history_tables(database)

"""``flush`` that lifts the history triggers while it empties the database."""

from django.core.management.commands import flush

from audit.protection import protect_history_tables, unprotect_history_tables


class Command(flush.Command):
    help = flush.Command.help + " History tables are emptied too, then protected again."

    def handle(self, **options):
        database = options["database"]
        unprotect_history_tables(database)
        try:
            return super().handle(**options)
        finally:
            protect_history_tables(database)

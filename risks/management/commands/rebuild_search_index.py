"""manage.py rebuild_search_index: fill the SQLite full-text index again from the published data."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from risks import search_index


class Command(BaseCommand):
    help = (
        "Empty the full-text index of the published data (SQLite FTS5 tables) and fill it again "
        "from the tables. Triggers keep it in step with every write; use this after writing to "
        "the database with the triggers dropped, or to compact the index. PostgreSQL needs no "
        "rebuild: it searches vectors stored in the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        if connections[database].vendor != "sqlite":
            self.stdout.write(
                "Nothing to rebuild: PostgreSQL searches the vectors stored in the rows."
            )
            return
        counts = search_index.rebuild(database)
        for model, count in counts.items():
            self.stdout.write(f"{model._meta.verbose_name_plural}: {count} indexed")

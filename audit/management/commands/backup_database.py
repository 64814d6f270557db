"""Back up the whole database (history included) with a manifest of its row counts."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from audit.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the database while the site serves: SQLite with its online backup API, "
        "PostgreSQL with pg_dump --format=custom. Writes PATH and PATH.manifest.json (row "
        "counts of every table, applied migrations, SHA-256), which restore_database checks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="the backup file to write, or a folder to write rmp-<UTC time>.* into"
        )
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--pg-bin", help="folder of pg_dump (default: PG_BIN, PATH, /usr/lib/postgresql)"
        )

    def handle(self, *args, **options):
        try:
            path, manifest = backup(
                options["path"], using=options["database"], pg_bin=options["pg_bin"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {manifest.database} to {path} ({filesizeformat(manifest.size)}): "
            f"{len(manifest.tables)} tables, {manifest.rows} rows, of which "
            f"{manifest.history_rows} history rows in {len(manifest.history_tables)} "
            "historical tables."
        )
        self.stdout.write(f"Manifest: {manifest_path(path)}")

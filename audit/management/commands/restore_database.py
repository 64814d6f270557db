"""Restore a backup made by backup_database into an empty database, and check it."""

from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup_database backup into the (empty) database of DATABASE_URL. Refuses "
        "a backup whose manifest is unsigned or not signed with BACKUP_SIGNING_KEY; undoes the "
        "restore if the restored audit trail does not verify; then compares the row count of "
        "every table with the manifest and exits non-zero unless every count matches and every "
        "history table is protected again. A restore that passes is recorded in the audit "
        "trail (who, when, which backup, --reason) and moves the data version past any "
        "number issued before."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file; PATH.manifest.json must be beside it")
        parser.add_argument(
            "--reason", required=True, help="why the backup is restored (recorded with it)"
        )
        parser.add_argument(
            "--operator", help="who restores it (recorded; default: the operating-system user)"
        )
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--force",
            action="store_true",
            help="SQLite only: replace everything the target database file holds",
        )
        parser.add_argument(
            "--pg-bin", help="folder of pg_restore (default: PG_BIN, PATH, /usr/lib/postgresql)"
        )

    def handle(self, *args, **options):
        try:
            report = restore(
                options["path"],
                reason=options["reason"],
                operator=options["operator"],
                using=options["database"],
                force=options["force"],
                pg_bin=options["pg_bin"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = report.manifest
        self.stdout.write(f"Restored {options['path']} into {report.database}.")
        width = max(len(name) for name in {*manifest.tables, *report.tables, "table"})
        self.stdout.write(f"{'table':<{width}}  {'backup':>9}  {'restored':>9}")
        for name in sorted({*manifest.tables, *report.tables}):
            expected, actual = manifest.tables.get(name), report.tables.get(name)
            mark = "" if expected == actual else "  MISMATCH"
            self.stdout.write(
                f"{name:<{width}}  {_number(expected):>9}  {_number(actual):>9}{mark}"
            )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        problems = [
            f"{name} has {_number(actual)} rows, the backup {_number(expected)}"
            for name, expected, actual in report.mismatches
        ]
        if report.unprotected:
            problems.append(f"no append-only triggers on {', '.join(report.unprotected)}")
        if problems:
            raise CommandError(
                "The restored database does not match the backup's manifest: "
                + "; ".join(problems)
                + "."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.tables)} tables, {sum(report.tables.values())} rows: every count "
                f"matches the manifest; {len(report.protected)} history tables are append-only."
            )
        )
        record = report.record
        self.stdout.write(
            f"The audit trail verifies. Recorded as restore {record.pk} by {record.operator} at "
            f"{record.restored_at:%Y-%m-%d %H:%M:%S} UTC; the data version is now "
            f"{record.data_version}."
        )


def _number(value):
    return "missing" if value is None else str(value)

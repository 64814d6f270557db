"""Recompute the hash chain of every history table; exit non-zero at the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, read_signed_manifest
from audit.chain import verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of every history table (and the restore log) from its rows, "
        "and compare each with its chain head. Prints one line and exits 0 when every chain "
        "is intact; otherwise names each broken table's first bad row (table, row id, "
        "expected and found hash) and exits 1. With --anchors, each chain must still pass "
        "through the heads a signed backup manifest recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--anchors",
            metavar="MANIFEST",
            help="a backup's PATH.manifest.json (its signature is checked with "
            "BACKUP_SIGNING_KEY): every chain must still pass through the heads it records",
        )

    def handle(self, *args, **options):
        anchors = None
        if options["anchors"]:
            anchors = _signed_anchors(options["anchors"])
        reports = verify(using=options["database"], anchors=anchors)
        breaks = [report.breaks[0] for report in reports if report.breaks]
        if breaks:
            for broken in breaks:
                self.stderr.write(f"BROKEN {broken}")
            raise CommandError(
                f"The audit trail is broken in {len(breaks)} of {len(reports)} tables; the "
                f"first: {breaks[0]}"
            )
        rows = sum(report.rows for report in reports)
        anchored = f", through the {len(anchors)} heads of {options['anchors']}" if anchors else ""
        self.stdout.write(
            f"Audit trail intact: {len(reports)} chained tables, {rows} rows, every hash and "
            f"chain head matches{anchored}."
        )


def _signed_anchors(path):
    try:
        return read_signed_manifest(path).chains
    except BackupError as error:
        raise CommandError(str(error)) from None

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.extract import ImportRejected
from imports.management.users import importer
from imports.services import import_rmp_summary


class Command(BaseCommand):
    help = (
        "Import a published RMP summary (.txt or .pdf) as a draft plan version: a new version of "
        "the product whose name matches, or a new product. Nothing is published; a curator "
        "reviews the draft in the admin. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The summary, as a .txt or .pdf file.")
        parser.add_argument(
            "--product",
            metavar="SLUG",
            help="Import into this product instead of matching by name.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be created; write nothing."
        )
        parser.add_argument(
            "--accept-incomplete",
            action="store_true",
            help="Import a document that lacks a required part; each gap becomes a warning "
            "that blocks submission until resolved.",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="Record this user as the importer in the log."
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why the file is imported; recorded in the audit trail (required to write).",
        )

    def handle(self, *args, path, product=None, dry_run=False, user=None, reason="", **options):
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            result = import_rmp_summary(
                content,
                file.name,
                user=importer(user),
                reason=reason,
                product_slug=product,
                dry_run=dry_run,
                accept_incomplete=options["accept_incomplete"],
            )
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        preview = result.preview
        if result.is_duplicate:
            earlier = preview.duplicate
            self.stdout.write(
                f"{file.name} was already imported on {earlier.created_at:%Y-%m-%d %H:%M} as "
                f"draft version {earlier.plan.version} of {earlier.plan.product.name}: "
                "nothing written."
            )
            return
        self._report(preview, options["verbosity"])
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created draft version {result.plan.version} of {result.plan.product.name} "
                    f"(import log #{result.log.pk})."
                )
            )

    def _report(self, preview, verbosity):
        self.stdout.write(preview.summary())
        if verbosity > 1:
            for concern in preview.data["plan"]["safety_concerns"]:
                self.stdout.write(f"  {concern['category']:<10} {concern['name']}")
            for study in preview.data["plan"]["studies"]:
                name = study["code"] or study["short_name"] or study["title"]
                self.stdout.write(f"  study      {name} (category {study['category']})")
        warnings = preview.warnings
        if warnings:
            self.stdout.write(self.style.WARNING(f"{len(warnings)} warnings to review:"))
            for subject, message in warnings:
                self.stdout.write(f"  - {subject}: {message}")

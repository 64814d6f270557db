from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.extract import ACCEPTED_SUFFIXES, ImportRejected
from imports.management.users import importer
from imports.services import import_rmp_summaries, import_rmp_summary

# How the last line of a folder's table names each outcome.
FOLDER_STATUS = {
    "created": "created draft",
    "nothing new": "nothing new",
    "dry run": "dry run",
    "refused": "refused",
}


class Command(BaseCommand):
    help = (
        "Import a published RMP summary (.txt or .pdf), or every summary in a folder, as draft "
        "plan versions: a new version of the product whose name matches, or a new product. "
        "Nothing is published; a curator reviews the drafts in the admin. Importing the same "
        "file, or the same content for the same product, again changes nothing. A summary that "
        "lacks a required part is refused unless --accept-incomplete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="The summary, as a .txt or .pdf file, or a folder of them (each file is "
            "imported on its own: one refused file does not stop the others).",
        )
        parser.add_argument(
            "--product",
            metavar="SLUG",
            help="Import into this product instead of matching by name (one file only).",
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

    def handle(self, *args, path, product=None, user=None, **options):
        target = Path(path)
        if target.is_dir():
            if product:
                raise CommandError("--product names one product: give it one file, not a folder.")
            self._folder(target, importer(user), options)
            return
        try:
            content = target.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            result = self._import(content, target.name, importer(user), product, options)
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        preview = result.preview
        if result.nothing_new:
            self.stdout.write(self._nothing_new(target.name, preview))
            return
        self._report(preview, options["verbosity"])
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created draft version {result.plan.version} of {result.plan.product.name} "
                    f"(import log #{result.log.pk})."
                )
            )

    def _import(self, content, name, user, product, options):
        return import_rmp_summary(
            content,
            name,
            user=user,
            reason=options["reason"],
            product_slug=product,
            dry_run=options["dry_run"],
            accept_incomplete=options["accept_incomplete"],
        )

    def _nothing_new(self, name, preview):
        if preview.duplicate:
            earlier = preview.duplicate
            return (
                f"{name} was already imported on {earlier.created_at:%Y-%m-%d %H:%M} as "
                f"draft version {earlier.plan.version} of {earlier.plan.product.name}: "
                "nothing written."
            )
        earlier = preview.same_content
        return (
            f"{name}: nothing new. {earlier.plan.product.name} already has this content "
            f"(imported from {earlier.file_name} on {earlier.created_at:%Y-%m-%d %H:%M} as "
            f"draft version {earlier.plan.version}): nothing written."
        )

    def _folder(self, folder, user, options):
        """Every summary of ``folder``, each in its own transaction, then one table."""
        files = sorted(
            path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() in ACCEPTED_SUFFIXES
        )
        if not files:
            raise CommandError(f"{folder} holds no .txt or .pdf file.")
        try:
            outcomes = import_rmp_summaries(
                [(path.name, path.read_bytes) for path in files],
                user=user,
                reason=options["reason"],
                dry_run=options["dry_run"],
                accept_incomplete=options["accept_incomplete"],
            )
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        rows = [self._folder_row(outcome) for outcome in outcomes]
        header = ["file", "product", "version", "identified/potential/missing", "studies"]
        header += ["warnings", "result"]
        widths = [
            max(len(str(row[index])) for row in [header, *rows]) for index in range(len(header))
        ]
        for row in [header, *rows]:
            cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())
        statuses = [outcome.status for outcome in outcomes]
        summary = ", ".join(
            f"{statuses.count(status)} {FOLDER_STATUS[status]}"
            for status in dict.fromkeys(statuses)
        )
        self.stdout.write(f"{len(rows)} files: {summary}.")

    def _folder_row(self, outcome):
        if outcome.status == "refused":
            return [outcome.file_name, "", "", "", "", "", f"refused: {outcome.refused}"]
        preview = outcome.preview
        if preview.duplicate:
            result = "nothing new: this file was imported before"
        elif preview.same_content:
            result = f"nothing new: same content as {preview.same_content.file_name}"
        elif outcome.status == "dry run":
            result = "dry run"
        else:
            result = f"created draft (import log #{outcome.result.log.pk})"
        return [
            outcome.file_name,
            preview.product_name,
            outcome.version,
            "/".join(str(number) for number in outcome.concerns_per_category),
            outcome.study_count,
            outcome.warning_count,
            result,
        ]

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

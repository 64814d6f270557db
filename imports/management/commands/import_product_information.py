from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.text import counted
from imports.extract import ImportRejected
from imports.management.users import importer
from imports.pi_drafts import draft_product_information, preview_product_information, refusals
from products.models import Product


class Command(BaseCommand):
    help = (
        "Read a product's information (EU: SmPC, Annex II, package leaflet; US: the label; "
        ".txt or .pdf) into a draft change of the product. A reviewer publishes it in the "
        "admin; nothing public changes here."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The product information file (.txt or .pdf).")
        parser.add_argument(
            "--product", required=True, metavar="SLUG", help="Slug of the product it belongs to."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the sections and the differences from the published ones; write nothing.",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why the file is loaded; recorded in the audit trail (required to write).",
        )
        parser.add_argument("--user", metavar="USERNAME", help="Record this user as the importer.")
        parser.add_argument(
            "--confirm-mismatch",
            action="store_true",
            help="Load the document although it names another product or substance (or none).",
        )
        parser.add_argument(
            "--confirm-few-sections",
            action="store_true",
            help="Load the document although it has far fewer sections than the published ones.",
        )

    def handle(self, *args, path, product, dry_run=False, verbosity=1, reason="", **options):
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        target = Product.objects.filter(slug=product or "").first()
        if target is None:
            raise CommandError(f"There is no product with the slug “{product}”.")
        user = importer(options.get("user"))
        try:
            preview = preview_product_information(content, file.name, target)
        except ImportRejected as error:
            raise CommandError(str(error)) from None

        if dry_run or verbosity >= 2:
            for section in preview.sections:
                size = counted(len(section.text), "characters", ",")
                self.stdout.write(f"{section.label} {section.title} ({size})")
        for warning in preview.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        diff = preview.diff
        changes = (
            f"{counted(len(diff.added), 'sections')} added, {len(diff.removed)} removed, "
            f"{len(diff.changed)} changed"
        )
        confirm = {
            "confirm_mismatch": options.get("confirm_mismatch", False),
            "confirm_few_sections": options.get("confirm_few_sections", False),
        }
        if dry_run:
            for message in refusals(preview, **confirm):
                self.stdout.write(self.style.WARNING(message))
            self.stdout.write(
                f"Dry run: {preview.summary()}; against the published information of "
                f"{target.name}: {changes}. Nothing was written."
            )
            return
        try:
            change = draft_product_information(preview, user=user, reason=reason, **confirm)
        except ImportRejected as error:
            hints = []
            if preview.mismatch and not confirm["confirm_mismatch"]:
                hints.append("--confirm-mismatch")
            if preview.few_sections and not confirm["confirm_few_sections"]:
                hints.append("--confirm-few-sections")
            hint = f" (to load it all the same: {' '.join(hints)})" if hints else ""
            raise CommandError(f"{error}{hint}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {preview.source.file_name} into {change} ({preview.summary()}; "
                f"{changes}). It is a draft: submit it for review in the admin; the public "
                "site shows the published information until a reviewer publishes it."
            )
        )

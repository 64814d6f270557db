from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.text import counted
from imports.extract import ImportRejected
from imports.management.users import importer
from imports.product_information import import_product_information


class Command(BaseCommand):
    help = (
        "Import a product's information (EU: SmPC, Annex II, package leaflet; US: the label; "
        ".txt or .pdf) as its information sections, replacing the sections it has."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The product information file (.txt or .pdf).")
        parser.add_argument(
            "--product", required=True, metavar="SLUG", help="Slug of the product it belongs to."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the sections that would be stored; write nothing.",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why the file is imported; recorded in the audit trail (required to write).",
        )
        parser.add_argument("--user", metavar="USERNAME", help="Record this user as the importer.")

    def handle(self, *args, path, product, dry_run=False, verbosity=1, reason="", **options):
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            result = import_product_information(
                content,
                file.name,
                product_slug=product,
                user=importer(options.get("user")),
                reason=reason,
                dry_run=dry_run,
            )
        except ImportRejected as error:
            raise CommandError(str(error)) from None

        name = result.product.name
        if result.is_duplicate:
            log = result.duplicate
            when = timezone.localtime(log.created_at).strftime("%Y-%m-%d %H:%M")
            who = log.user.get_username() if log.user else "the command line"
            self.stdout.write(
                f"{result.source.file_name} was already imported into {name} on {when} by "
                f"{who}; nothing changed."
            )
            return
        if dry_run or verbosity >= 2:
            for section in result.sections:
                size = len(section.text)
                self.stdout.write(
                    f"{section.label} {section.title} ({counted(size, 'characters', ',')})"
                )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        replaced = counted(result.replaced, "sections")
        if dry_run:
            self.stdout.write(
                f"Dry run: would replace {replaced} of {name} with {result.summary()}. "
                "Nothing was written."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {result.source.file_name} into {name} ({replaced} replaced): "
                    f"{result.summary()}."
                )
            )

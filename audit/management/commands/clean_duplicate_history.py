"""Refused: the audit trail is never pruned."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: history is append-only and is never deleted."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--auto", action="store_true")
        parser.add_argument("--days", type=int)
        parser.add_argument("--dry", action="store_true")

    def handle(self, *args, **options):
        raise CommandError(
            "The audit trail is append-only: history rows are never deleted or merged."
        )

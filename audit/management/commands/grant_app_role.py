"""Give the web application's PostgreSQL role exactly its rights (run after migrate)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.roles import RoleError, grant_app_role


class Command(BaseCommand):
    help = (
        "PostgreSQL: give ROLE (the role of DATABASE_URL in production) exactly the web "
        "application's rights on every table: SELECT and INSERT on the history tables (no "
        "UPDATE, DELETE, TRUNCATE), SELECT on the chain heads, read and write elsewhere. Run "
        "it as the owner of the tables after every migrate (docker/start.sh does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's role (not the owner)")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, **options):
        try:
            with transaction.atomic(using=options["database"]):
                statements = grant_app_role(options["role"], using=options["database"])
        except RoleError as error:
            raise CommandError(str(error)) from None
        granted = {}
        for statement in statements:
            if statement.startswith("GRANT ") and " ON SCHEMA " not in statement:
                rights = statement[len("GRANT ") : statement.index(" ON ")]
                granted[rights] = granted.get(rights, 0) + 1
        summary = "; ".join(f"{rights} on {count}" for rights, count in sorted(granted.items()))
        self.stdout.write(f"Granted {options['role']} the application's rights: {summary}.")

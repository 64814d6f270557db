import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_VARIABLE = "DJANGO_CURATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account in the Curators group (or, with --reviewer, the Reviewers group). "
        f"Asks for the password, or reads it from {PASSWORD_VARIABLE} with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="A reviewer, who checks and publishes versions, instead of a curator.",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Take the password from the {PASSWORD_VARIABLE} environment variable.",
        )

    def handle(self, *args, username, email, interactive, reviewer=False, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already an account named {username!r}.")
        role, group_name = ("Reviewer", "Reviewers") if reviewer else ("Curator", "Curators")
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise CommandError(
                f"The {group_name} group is missing: run `manage.py migrate`."
            ) from None
        password = self.read_password() if interactive else os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise CommandError(f"No password given: set {PASSWORD_VARIABLE} or run interactively.")
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(f"{role} {username!r} created: log in at /admin/.")

    def read_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password

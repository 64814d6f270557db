from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def importer(username):
    """The user a command-line import is recorded as, or None; CommandError if unknown."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user “{username}”.")
    return user

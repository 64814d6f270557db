"""Staff sessions: an idle timeout renewed by admin requests only, and an absolute lifetime.

Django ends a session ``SESSION_COOKIE_AGE`` seconds after it was last saved. It is saved
on admin requests only (``SESSION_SAVE_EVERY_REQUEST`` is off; this middleware marks the
session of an admin request as modified), so a tab left open on the public site does not
keep a curator logged in. And ``SESSION_MAX_SECONDS`` after logging in, the session ends
however busy it was: the login time is stored in the session at login and checked on every
request that carries a logged-in user (a session without one, from before this was kept,
starts its lifetime at its next request).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse

LOGIN_TIME = "rmpsite_login_at"  # seconds since the epoch, set at login


@receiver(user_logged_in, dispatch_uid="rmpsite.sessions.login_time")
def note_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME] = int(time.time())


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware: ends sessions past their lifetime, renews admin ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._too_old(request):
            logout(request)
            messages.info(
                request,
                "Your session ended: sessions last at most "
                f"{_hours(settings.SESSION_MAX_SECONDS)} after logging in. Log in again.",
            )
        elif request.user.is_authenticated and request.path.startswith(_admin_prefix()):
            request.session.modified = True  # saved with a new expiry: the idle timer restarts
        return self.get_response(request)

    def _too_old(self, request):
        login_at = request.session.get(LOGIN_TIME)
        if not isinstance(login_at, int):
            # A session from before login times were kept: its lifetime starts now.
            request.session[LOGIN_TIME] = login_at = int(time.time())
        return time.time() - login_at > settings.SESSION_MAX_SECONDS


def _admin_prefix():
    return reverse("admin:index")


def _hours(seconds):
    hours = seconds / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"

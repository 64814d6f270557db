"""Site-wide error pages with a plain message and the site's navigation, and health checks.

Error pages never read the database: they are what a client gets when it is down. The
footer's data version is the one the page cache read for this request, if it did.
"""

import re
import sys
import threading
import time

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from browse.api.errors import NOT_FOUND_MESSAGE
from common.text import counted

from .database import database_unavailable

UNAVAILABLE_MESSAGE = (
    "The database is not answering at the moment (down, overloaded, or a request took too "
    "long). Please try again in a little while."
)


def _error(request, status, title, message, headers=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, headers=headers)
    version = getattr(request, "public_version", None)
    context = {
        "title": title,
        "message": message,
        "status": status,
        "data_version": version.public_changed_at if version else None,
    }
    response = render(request, "error.html", context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def bad_request(request, exception=None):
    """The message of the BadRequest raised by a view (autoescaped), or a general one."""
    message = str(exception or "") or "The address contains a value this site cannot use."
    return _error(request, 400, "Bad request", message)


def page_not_found(request, exception=None):
    # Never the exception's text: it may name what the request asked for.
    if request.path.startswith("/api/"):  # an address no API route matches: the API's 404
        return JsonResponse({"detail": NOT_FOUND_MESSAGE}, status=404)
    return _error(request, 404, "Not found", "There is no published page at this address.")


def server_error(request):
    """500, or 503 with Retry-After when the database failed (down, frozen, timed out)."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    return _error(
        request, 500, "Server error", "Something went wrong on our side; the error has been logged."
    )


def service_unavailable(request):
    retry = {"Retry-After": str(settings.RETRY_AFTER_SECONDS)}
    return _error(request, 503, "Service unavailable", UNAVAILABLE_MESSAGE, headers=retry)


def too_many_requests(request):
    """The answer to an anonymous client over its rate of rendered pages (page cache)."""
    seconds = rate_period(settings.PUBLIC_RENDER_RATE)
    message = (
        "Too many pages were asked for from your address in a short time. Please wait "
        f"{counted(seconds, 'seconds')} and try again; pages already shown recently are "
        "still available."
    )
    return _error(request, 429, "Too many requests", message, {"Retry-After": str(seconds)})


def rate_period(rate):
    """The period of a django-ratelimit rate in seconds: "60/m" → 60, "100/5m" → 300."""
    match = re.fullmatch(r"\d+/(\d*)([smhd])", rate)
    if not match:
        raise ValueError(f"Not a rate such as 60/m: {rate!r}")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return int(match.group(1) or 1) * units[match.group(2)]


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username has failed to log in too often from one address."""
    hours = settings.AXES_COOLOFF_TIME
    wait = counted(hours, "hours", "g") if hours >= 1 else counted(hours * 60, "minutes", "g")
    message = (
        f"Too many failed logins ({settings.AXES_FAILURE_LIMIT}) for this account from your "
        f"address. Logging in is blocked for {wait}; an administrator can lift the block sooner "
        "(manage.py axes_reset_username USERNAME)."
    )
    return _error(request, 429, "Login blocked", message)


def healthz_live(request):
    """Liveness: the process answers requests. Reads nothing."""
    return HttpResponse("ok", content_type="text/plain")


def healthz_ready(request):
    """Readiness: the process can serve pages, i.e. the database answers, within seconds.

    A connection of its own with short limits, closed at once, so that a worker's connection
    (perhaps stuck on a frozen server) does not decide the answer. Each process checks at most
    once per ``settings.HEALTH_CHECK_CACHE_SECONDS`` and answers from the last check between:
    a client asking in a loop does not open a database connection per request.
    """
    with _readiness_lock:
        ready, checked_at = _readiness
        if time.monotonic() - checked_at >= settings.HEALTH_CHECK_CACHE_SECONDS:
            ready = _database_ready()
            _readiness[:] = [ready, time.monotonic()]
    if ready is not True:
        return HttpResponse(
            f"database unavailable: {ready}",
            status=503,
            content_type="text/plain",
            headers={"Retry-After": str(settings.RETRY_AFTER_SECONDS)},
        )
    return HttpResponse("ok", content_type="text/plain")


_readiness_lock = threading.Lock()
_readiness = [None, float("-inf")]  # the last answer (True, or why not) and when it was had


def _database_ready():
    """True, or the name of the error the database answered with."""
    connection = connections.create_connection("default")
    seconds = settings.HEALTH_CHECK_TIMEOUT
    options = {**connection.settings_dict["OPTIONS"]}
    connection.settings_dict = {**connection.settings_dict, "OPTIONS": options}  # its own
    if connection.vendor == "postgresql":
        options["connect_timeout"] = max(2, int(seconds))
        options["options"] = (
            f"{options.get('options', '')} -c statement_timeout={seconds * 1000:.0f}"
        )
    elif connection.vendor == "sqlite":
        options["timeout"] = seconds
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            cursor.fetchone()
    except Exception as error:  # any failure means: not ready
        return type(error).__name__
    finally:
        connection.close()
    return True

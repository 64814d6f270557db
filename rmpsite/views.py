"""Site-wide error pages with a plain message and the site's navigation, and a health check."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from browse.api.errors import NOT_FOUND_MESSAGE
from common.text import counted


def _error(request, status, title, message):
    context = {"title": title, "message": message, "status": status}
    return render(request, "error.html", context, status=status)


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
    return _error(
        request, 500, "Server error", "Something went wrong on our side; the error has been logged."
    )


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


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")

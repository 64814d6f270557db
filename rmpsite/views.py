"""Site-wide error pages with a plain message and the site's navigation, and a health check."""

from django.http import HttpResponse
from django.shortcuts import render


def _error(request, status, title, message):
    context = {"title": title, "message": message, "status": status}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    """The message of the BadRequest raised by a view (autoescaped), or a general one."""
    message = str(exception or "") or "The address contains a value this site cannot use."
    return _error(request, 400, "Bad request", message)


def page_not_found(request, exception=None):
    # Never the exception's text: it may name what the request asked for.
    return _error(request, 404, "Not found", "There is no published page at this address.")


def server_error(request):
    return _error(
        request, 500, "Server error", "Something went wrong on our side; the error has been logged."
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")

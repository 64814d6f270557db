"""Site-wide error pages with a plain message and the site's navigation."""

from django.shortcuts import render


def _error(request, exception, status, title, default_message):
    message = str(exception) if exception and str(exception) else default_message
    if status == 404:
        message = default_message
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )


def bad_request(request, exception=None):
    return _error(
        request, exception, 400, "Bad request", "The address contains a value this site cannot use."
    )


def page_not_found(request, exception=None):
    return _error(
        request, exception, 404, "Not found", "There is no published page at this address."
    )


def server_error(request):
    return render(
        request,
        "error.html",
        {
            "title": "Server error",
            "status": 500,
            "message": "Something went wrong on our side; the error has been logged.",
        },
        status=500,
    )


def healthz(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")

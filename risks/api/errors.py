from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with a 404 that names what was not found without echoing input."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: no published record matches this address.")
    return drf_exception_handler(exc, context)

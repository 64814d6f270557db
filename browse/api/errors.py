from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND_MESSAGE = "Not found: no published record matches this address."


def exception_handler(exc, context):
    """DRF's handler, with a 404 that names what was not found without echoing input."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_MESSAGE)
    return drf_exception_handler(exc, context)


# The error bodies, as the schema documents them.
NOT_FOUND = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    description="No published record has this address, or the page is past the last one.",
)
INVALID_PARAMETERS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        },
    },
    description="A query parameter has a value the API cannot use: each one names its problem.",
)

"""The API keeps its OpenAPI contract for generated requests, valid and invalid (schemathesis).

The schema is the one the site serves at /api/schema/. Every operation is called in-process
against the seeded database with requests schemathesis generates from the schema, those that
fit it and those that do not, and every response must be documented: its status code, its
content type and its body.

One test runs every operation: the seeded database is loaded once. (schemathesis'
``pytest.from_fixture`` would give one test per operation, but its lazy loader sets
``Function._nodeid``, which pytest 9 no longer has.)
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from risks.models import Study

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api_schema(seeded):
    """The served schema, bound to the site as a WSGI application inside the test transaction.

    Django's test client keeps the connection open between requests by disconnecting
    close_old_connections; calling the WSGI handler directly needs the same, or the first
    response would close the connection that holds the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def test_generated_requests_get_documented_responses(api_schema):
    labels = []
    for operation in operations(api_schema):
        for mode in GenerationMode:

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate(checks=CHECKS)

            call()
        labels.append(operation.label)
    assert labels == [
        "GET /api/v1/products/",
        "GET /api/v1/products/{slug}/",
        "GET /api/v1/studies/",
        "GET /api/v1/studies/{id}/",
    ]


def test_every_published_record_matches_the_schema(api_schema, seeded):
    """Generated slugs and ids rarely name a record: each seed product and study is asked for."""
    product = api_schema["/api/v1/products/{slug}/"]["GET"]
    study = api_schema["/api/v1/studies/{id}/"]["GET"]
    cases = [product.Case(path_parameters={"slug": slug}) for slug in seeded]
    cases += [
        study.Case(path_parameters={"id": pk})
        for pk in Study.objects.current().values_list("pk", flat=True)
    ]
    for case in cases:
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, case.formatted_path

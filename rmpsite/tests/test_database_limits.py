"""No request outlasts its database limit; a failed or slow database answers 503.

The endless query comes from a test-only page (rmpsite/tests/slow_urls.py) that counts to a
billion (SQLite) or sleeps ten minutes (PostgreSQL): only the request's limit ends it.
rmpsite/tests/test_database_down.py stops the database under a running server.
"""

import time
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory

from products.tests.factories import ProductFactory
from rmpsite.database import request_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """A client that gets the site's answer to an exception, as a browser would."""
    return Client(raise_request_exception=False)


@pytest.mark.urls("rmpsite.tests.slow_urls")
def test_a_public_request_is_stopped_at_its_limit_and_answered_503(client, settings):
    settings.DB_PUBLIC_STATEMENT_TIMEOUT = 0.5
    started = time.monotonic()
    response = client.get("/endless/")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert elapsed < 5
    assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "<h1>Service unavailable</h1>" in page and "try again" in page
    if connection.vendor == "postgresql":
        assert not sleeping_backends()  # canceled on the server, not only abandoned
    # The connection serves the next request; the limit is set again if it needs one.
    assert client.get("/healthz/ready").status_code == 200
    assert client.get("/products/").status_code == 200


def sleeping_backends():
    """Statements still running pg_sleep on the server, seen from another connection."""
    observer = connections.create_connection("default")
    try:
        with observer.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                "AND query LIKE 'SELECT pg_sleep%%' AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        observer.close()


def test_a_query_canceled_in_the_api_is_a_503_in_json(client):
    with mock.patch(
        "browse.api.views.ProductViewSet.list",
        side_effect=OperationalError("canceling statement due to statement timeout"),
    ):
        response = client.get("/api/v1/products/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("The database is not answering")
    assert response["Retry-After"]


def test_admin_requests_have_the_long_limit(settings):
    factory = RequestFactory()
    assert request_limit(factory.get("/products/")) == settings.DB_PUBLIC_STATEMENT_TIMEOUT
    assert request_limit(factory.get("/api/v1/products/")) == settings.DB_PUBLIC_STATEMENT_TIMEOUT
    assert request_limit(factory.get("/admin/risks/")) == settings.DB_STATEMENT_TIMEOUT
    assert settings.DB_STATEMENT_TIMEOUT > settings.DB_PUBLIC_STATEMENT_TIMEOUT


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_connections_carry_every_limit(admin_client, settings):
    def setting(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    connection.ensure_connection()
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == settings.DB_CONNECT_TIMEOUT
    assert setting("lock_timeout") == "10s"
    Client().get("/products/")
    assert setting("statement_timeout") == "5s"  # set by the public request
    assert setting("idle_in_transaction_session_timeout") == "1min"
    admin_client.get("/admin/")
    assert setting("statement_timeout") == "2min"  # and by the admin's


def refused():
    """The database refuses every connection, as when it is stopped."""
    return mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    )


def test_a_failed_database_is_a_503_page_rendered_without_it(client):
    ProductFactory(name="Lemtrada", slug="lemtrada")
    with refused():
        page = client.get("/products/lemtrada/")
        api = client.get("/api/v1/products/", headers={"Accept": "application/json"})
        missing = client.get("/no-such-page/")
        missing_api = client.get("/api/v2/nothing/")
        live = client.get("/healthz/live")
        ready = client.get("/healthz/ready")
    assert (page.status_code, api.status_code) == (503, 503)
    assert "<h1>Service unavailable</h1>" in page.content.decode()
    assert page["Retry-After"] == api["Retry-After"]
    assert api.json()["detail"].startswith("The database is not answering")
    assert missing.status_code == 404
    assert "There is no published page at this address." in missing.content.decode()
    assert missing_api.status_code == 404
    assert live.content == b"ok"
    assert ready.status_code == 503


def test_readiness_reports_the_database(client):
    assert client.get("/healthz/ready").content == b"ok"
    assert client.get("/healthz").content == b"ok"
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        ready = client.get("/healthz/ready")
        live = client.get("/healthz/live")
    assert ready.status_code == 503
    assert ready["Retry-After"]
    assert ready.content.startswith(b"database unavailable")
    assert live.status_code == 200


def test_readiness_asks_the_database_at_most_once_per_interval(client, settings, monkeypatch):
    monkeypatch.setattr("rmpsite.views._readiness", [None, float("-inf")])  # never checked
    settings.HEALTH_CHECK_CACHE_SECONDS = 60
    with mock.patch("rmpsite.views._database_ready", return_value=True) as check:
        for _ in range(5):
            assert client.get("/healthz/ready").content == b"ok"
    assert check.call_count == 1
    settings.HEALTH_CHECK_CACHE_SECONDS = 0
    with mock.patch("rmpsite.views._database_ready", return_value="OperationalError") as check:
        assert client.get("/healthz/ready").status_code == 503
        assert client.get("/healthz/ready").status_code == 503
    assert check.call_count == 2

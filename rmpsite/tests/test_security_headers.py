"""The security headers and cookies of every kind of page, under the production settings.

The security settings come from rmpsite/settings/production.py itself, evaluated with the
environment of .env.example; requests arrive as through the TLS proxy (X-Forwarded-Proto).
"""

import importlib.util
import os
from unittest import mock

import pytest

from products.tests.factories import ProductFactory
from risks.tests.factories import PlanFactory, SafetyConcernFactory
from rmpsite.tests.test_deploy import example_environment

pytestmark = pytest.mark.django_db

HTTPS = {"X-Forwarded-Proto": "https"}
SECURITY_SETTINGS = (
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE_",
    "MIDDLEWARE",
    "SECURE_",
    "SESSION_COOKIE_",
    "X_FRAME_OPTIONS",
)
POLICY = {
    "default-src": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
}
HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def production_module():
    """rmpsite/settings/production.py run afresh with the environment of .env.example."""
    spec = importlib.util.find_spec("rmpsite.settings.production")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, example_environment()):
        spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def production_security(settings):
    module = production_module()
    for name in dir(module):
        if name.startswith(SECURITY_SETTINGS):
            setattr(settings, name, getattr(module, name))


@pytest.fixture
def product():
    concern = SafetyConcernFactory(plan=PlanFactory(product=ProductFactory(slug="examplix")))
    return concern.plan.product


def policy(response):
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return dict(directives)


def assert_security_headers(response):
    assert {name: response.get(name) for name in HEADERS} == HEADERS
    assert policy(response) == POLICY


@pytest.mark.parametrize(
    ("path", "accept", "content_type", "cookies"),
    [
        ("/", "text/html", "text/html; charset=utf-8", set()),
        ("/products/", "text/html", "text/html; charset=utf-8", set()),
        ("/products/examplix/", "text/html", "text/html; charset=utf-8", set()),
        ("/risks/", "text/html", "text/html; charset=utf-8", set()),
        ("/api/v1/products/", "application/json", "application/json", set()),
        # the browsable API: its OPTIONS button posts with a CSRF token
        ("/api/v1/products/", "text/html", "text/html; charset=utf-8", {"csrftoken"}),
    ],
)
def test_public_pages_send_the_security_headers(
    client, product, path, accept, content_type, cookies
):
    response = client.get(path, headers={**HTTPS, "Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert_security_headers(response)
    assert set(response.cookies) == cookies
    assert all(cookie["secure"] for cookie in response.cookies.values())


def test_an_error_page_sends_the_security_headers(client):
    response = client.get("/products/no-such-product/", headers=HTTPS)
    assert response.status_code == 404
    assert_security_headers(response)


def test_a_page_from_the_cache_sends_the_same_headers(
    client, product, django_assert_max_num_queries
):
    first = client.get("/products/examplix/", headers=HTTPS)
    with django_assert_max_num_queries(1):  # answered from the cache, not rendered again
        again = client.get("/products/examplix/", headers=HTTPS)
    assert again.content == first.content
    assert_security_headers(again)
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]

    not_modified = client.get(
        "/products/examplix/", headers={**HTTPS, "If-None-Match": again["ETag"]}
    )
    assert not_modified.status_code == 304
    assert_security_headers(not_modified)


def test_plain_http_is_redirected_to_https(client, product):
    response = client.get("/products/examplix/?region=EU")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/products/examplix/?region=EU"


def test_the_admin_login_page_sends_the_headers_and_a_secure_csrf_cookie(client):
    response = client.get("/admin/login/", headers=HTTPS)
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    csrf = response.cookies["csrftoken"]
    assert (csrf["secure"], csrf["samesite"]) == (True, "Lax")


def test_logging_in_sets_a_secure_httponly_session_cookie_that_ends_with_the_browser(
    client, curator
):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "curator", "password": "a-long-test-password"},
        headers=HTTPS,
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert (session["max-age"], session["expires"]) == ("", "")  # a browser-session cookie
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("reviewer_client", "/admin/", 200),
        ("reviewer_client", "/admin/risks/riskmanagementplan/", 200),
        ("curator_client", "/admin/imports/importlog/upload/", 200),
        ("reviewer_client", "/admin/imports/importlog/upload/", 403),  # curators import
    ],
)
def test_admin_pages_for_logged_in_staff_send_the_headers(request, user, path, status):
    response = request.getfixturevalue(user).get(path, headers=HTTPS)
    assert response.status_code == status
    assert_security_headers(response)
    if status == 200:  # kept by no cache on the way, nor by the browser
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    session = response.cookies["sessionid"]  # renewed on every request: the idle timeout
    assert (session["secure"], session["httponly"]) == (True, True)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/products/", "/api/v1/products/examplix/"])
def test_the_api_refuses_writes(client, product, method, path):
    response = getattr(client, method)(path, headers=HTTPS)
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert_security_headers(response)

"""Logging in: brute-force protection (django-axes) and staff sessions that expire."""

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def log_in(client, password, username="curator"):
    return client.post(LOGIN, {"username": username, "password": password})


def test_a_curator_logs_in_with_the_right_password(client, curator):
    response = log_in(client, "a-long-test-password")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_five_failed_logins_lock_the_account_from_that_address(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = log_in(client, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins (5) for this account from your address." in page
    assert "blocked for 1 hour" in page

    # even the right password is refused now, and nobody is logged in
    response = log_in(client, "a-long-test-password")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302
    assert AccessAttempt.objects.get(username="curator").failures_since_start == 6


def test_the_lock_is_per_username_and_address(client, curator, django_user_model, settings):
    django_user_model.objects.create_user("other", password="another-long-password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, "another-long-password", username="other").status_code == 302
    elsewhere = client.__class__(REMOTE_ADDR="192.0.2.7")
    assert log_in(elsewhere, "a-long-test-password").status_code == 302


def test_a_successful_login_resets_the_count(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, "a-long-test-password").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200


def test_a_username_longer_than_any_is_refused_by_the_form(client, curator):
    """Found by fuzzing: django-axes could not store it, and PostgreSQL answered 500."""
    response = log_in(client, "wrong", username="x" * 300)
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 300)." in (
        response.content.decode()
    )
    assert not AccessAttempt.objects.exists()


def test_staff_sessions_expire_when_idle_and_with_the_browser(client, curator, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    log_in(client, "a-long-test-password")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert 29 * 60 < remaining.total_seconds() <= 30 * 60

    # each request extends the session; once idle past the limit it is gone
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_public_pages_set_no_session_cookie(client, seeded):
    response = client.get("/products/lemtrada/")
    assert response.status_code == 200
    assert not response.cookies

"""Accounts: passwords that are hard to guess, sessions that end."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from products.tests.factories import ProductFactory, SubstanceFactory
from rmpsite.sessions import LOGIN_TIME

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    product = ProductFactory(name="Lemtrada", slug="lemtrada")
    product.substances.add(SubstanceFactory(name="alemtuzumab"))
    ProductFactory(name="Uplizna", slug="uplizna-inebilizumab")


def refusal(password, user=None):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("password", "because"),
    [
        ("Summer2024", "at least 12 characters"),
        ("curator123", "at least 12 characters"),
        ("Lemtrada1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("Lemtrada-2024-spring", "contains “lemtrada”"),
        ("L3mtr@da-winter-2024", "contains “lemtrada”"),
        ("my-alemtuzumab-key", "contains “alemtuzumab”"),
        ("inebilizumab & friends", "contains “inebilizumab”"),
        ("TheCurator!2024x", "contains “curator”"),
        ("trusted reviewer 99", "contains “reviewer”"),
        ("RMP-browser-2024", "contains “rmp”"),
    ],
)
def test_guessable_passwords_are_refused(products, password, because):
    assert because in refusal(password)


def test_a_long_password_of_other_words_is_accepted(products):
    validate_password("correct horse battery staple")
    validate_password("Vq7#mT2!xL9p")


def test_the_words_come_from_the_database():
    validate_password("Zyntelor-wintertime")
    ProductFactory(name="Zyntelor", slug="zyntelor")
    assert "contains “zyntelor”" in refusal("Zyntelor-wintertime")


def test_create_curator_refuses_a_guessable_password(products, monkeypatch):
    monkeypatch.setenv("DJANGO_CURATOR_PASSWORD", "Lemtrada-2024-spring")
    with pytest.raises(CommandError, match="lemtrada"):
        call_command("create_curator", "jdoe", "--no-input")


# Sessions

ADMIN = "/admin/"
PUBLIC = "/products/"


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_ends_after_its_absolute_lifetime(curator_client, settings):
    settings.SESSION_MAX_SECONDS = 3600
    assert curator_client.get(ADMIN).status_code == 200
    session = curator_client.session
    assert abs(session[LOGIN_TIME] - time.time()) < 60
    session[LOGIN_TIME] = int(time.time()) - 3601
    session.save()

    response = curator_client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    page = curator_client.get(response["Location"]).content.decode()
    assert "Your session ended: sessions last at most 1 hour after logging in." in page
    assert curator_client.get(ADMIN).status_code == 302  # logged out, not just redirected


def test_a_busy_session_still_ends_after_its_lifetime(curator_client, settings):
    settings.SESSION_MAX_SECONDS = 3600
    session = curator_client.session
    session[LOGIN_TIME] = int(time.time()) - 3500
    session.save()
    assert curator_client.get(ADMIN).status_code == 200  # within its lifetime, and active
    session = curator_client.session
    session[LOGIN_TIME] = int(time.time()) - 3700
    session.save()
    assert curator_client.get(ADMIN).status_code == 302


def test_an_idle_session_ends(curator_client):
    assert curator_client.get(ADMIN).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = curator_client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_public_pages_do_not_extend_an_admin_session(curator_client):
    assert curator_client.get(ADMIN).status_code == 200
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.update(expire_date=soon)

    assert curator_client.get(PUBLIC).status_code == 200
    assert curator_client.get("/").status_code == 200
    assert session_row(curator_client).expire_date == soon

    assert curator_client.get(ADMIN).status_code == 200
    assert session_row(curator_client).expire_date > soon + timedelta(minutes=20)

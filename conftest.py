import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import caches

from audit.context import recorded_change
from audit.models import DataVersion
from risks.seed import load_seed, read_seed, seed_files

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached pages: data versions start again in every test."""
    for cache in caches.all():
        cache.clear()
    DataVersion.forget_recent()


@pytest.fixture(autouse=True)
def test_data_change():
    """Data the tests write directly is recorded like any change, with this reason."""
    with recorded_change("Test data"):
        yield


@pytest.fixture
def seeded(db):
    """The five curated seed products, as `manage.py load_seed_data` loads them."""
    return {result.product.slug: result.product for result in map(_load, seed_files())}


def _load(path):
    return load_seed(read_seed(path))


def _recreate_groups():
    """The groups the data migrations create; a transactional test's flush removes them."""
    steps = [
        ("risks.migrations.0002_curators_group", "create_curators"),
        ("imports.migrations.0002_curators_import_permissions", "grant_import_permissions"),
        ("risks.migrations.0005_reviewers_group", "create_reviewers"),
        ("imports.migrations.0004_reviewers_import_permissions", "grant_reviewer_permissions"),
    ]
    for module, function in steps:
        getattr(importlib.import_module(module), function)(django_apps, None)


def curators_group():
    if not Group.objects.filter(name="Curators").exists():
        _recreate_groups()
    return Group.objects.get(name="Curators")


def reviewers_group():
    if not Group.objects.filter(name="Reviewers").exists():
        _recreate_groups()
    return Group.objects.get(name="Reviewers")


@pytest.fixture
def curator(django_user_model):
    user = django_user_model.objects.create_user(
        "curator", password="a-long-test-password", is_staff=True
    )
    user.groups.add(curators_group())
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        "reviewer", password="a-long-test-password", is_staff=True
    )
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# Browser tests: real Chromium from the Debian package, driven by Playwright.


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }

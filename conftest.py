import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from risks.seed import load_seed, read_seed, seed_files

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def seeded(db):
    """The five curated seed products, as `manage.py load_seed_data` loads them."""
    return {result.product.slug: result.product for result in map(_load, seed_files())}


def _load(path):
    return load_seed(read_seed(path))


def curators_group():
    """The group the data migration creates; a transactional test's flush removes it."""
    if not Group.objects.filter(name="Curators").exists():
        migration = importlib.import_module("risks.migrations.0002_curators_group")
        migration.create_curators(django_apps, None)
        migration = importlib.import_module("imports.migrations.0002_curators_import_permissions")
        migration.grant_import_permissions(django_apps, None)
    return Group.objects.get(name="Curators")


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

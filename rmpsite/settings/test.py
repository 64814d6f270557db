"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL names it (CI)."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, LOGGING, database_from_env

DEBUG = False
SECRET_KEY = "test-suite-only-not-secret"
DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# the site's filters, without its console handler: warnings reach pytest's capture only
LOGGING = {**LOGGING, "handlers": {}, "root": {"level": "WARNING"}}

# Benchmark tooling (manage.py generate_synthetic_data); production does not install it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# Tests render hundreds of pages from one address; the rate tests set their own.
PUBLIC_RENDER_RATE = "1000000/m"
# Each readiness check asks the database (tests change it between two checks).
HEALTH_CHECK_CACHE_SECONDS = 0
# A request's PostgreSQL connection is cut off when its first query has not come this long
# after the request began (rmpsite/database.py, for a frozen server). On a two-core machine
# running browsers beside the suite, a stall of a second cut an in-process test's connection;
# the servers of rmpsite/tests/test_database_down.py keep production's 1 s.
DB_CLIENT_GRACE = float(os.environ.get("DJANGO_DB_CLIENT_GRACE", "3"))
# The transactional tests end with `flush`, which empties the audit trail too.
AUDIT_ALLOW_FLUSH = True

"""Development on one machine: ``make run``, SQLite under var/ unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# A key for local development only; production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", "local-development-only-not-secret")
# Serve static files straight from the app folders; production collects them into a manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # nothing collected locally: whitenoise finds files in the app folders

# Benchmark tooling (manage.py generate_synthetic_data); production does not install it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# `manage.py flush` may empty this database, audit trail included (production refuses it).
AUDIT_ALLOW_FLUSH = True

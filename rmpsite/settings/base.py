"""Settings shared by every environment.

Configuration comes from the environment: ``DJANGO_*`` variables and
``DATABASE_URL`` (default: a SQLite file under ``var/``).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value in (None, ""):
        if required:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_env(default_url=None, *, required=False):
    url = env("DATABASE_URL", default_url, required=required)
    database = dj_database_url.parse(url, conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "0")))
    if database["ENGINE"] == "django.db.backends.postgresql":
        # The facet counts' correlated EXISTS look costly enough for PostgreSQL's JIT, whose
        # compilation takes longer than the query itself (145 of 211 ms, docs/performance.md).
        database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return database


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "audit",
    "simple_history",
    "axes",
    "csp",
    "products",
    "risks",
    "imports",
    "browse",
    "curation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the page cache, so the header is set on the way out of every response, cached or not.
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "rmpsite.page_cache.PublicPageCacheMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "rmpsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rmpsite.context_processors.data_version",
            ],
        },
    },
]

WSGI_APPLICATION = "rmpsite.wsgi.application"

DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered public pages, per process, keyed by the data version (rmpsite/page_cache.py):
# nothing to invalidate by hand, so no shared cache server is needed.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public-pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": int(env("DJANGO_PAGE_CACHE_ENTRIES", "2000"))},
    },
}
PUBLIC_PAGE_CACHE = "public-pages"
# Each process keeps the data version it read for this many seconds (audit/versions.py): a
# cache hit then needs no database round trip, and another worker's change shows this late.
DATA_VERSION_TTL = float(env("DJANGO_DATA_VERSION_TTL", "1"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# One clock: the public pages, print and the admin show times in UTC unless configured.
TIME_ZONE = env("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Content-Security-Policy (django-csp), in every environment so tests see what production
# sends: scripts, styles, images and fonts come from this origin only, never inline; no
# plugins, no framing, and forms post only back to the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}

# Staff sessions end after this many seconds without a request, and with the browser.
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login brute-force protection (django-axes): after AXES_FAILURE_LIMIT failed logins for
# one username from one address, that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "rmpsite.views.locked_out"
AXES_RESET_ON_SUCCESS = True

# The audit trail (django-simple-history): reasons are free text; history is never reverted.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Uploaded summaries wait here, named by their SHA-256, between preview and confirm.
IMPORT_UPLOAD_DIR = Path(env("IMPORT_UPLOAD_DIR", BASE_DIR / "var" / "imports"))
# The largest document an import accepts, in bytes.
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "browse.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "browse.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "RMP Browser API",
    "DESCRIPTION": (
        "Read-only access to the published risk management plans: products, "
        "safety concerns, risk minimisation measures, studies and their milestones."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ConcernCategoryEnum": "risks.models.ConcernCategory",
        "StudyCategoryEnum": "risks.models.StudyCategory",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}

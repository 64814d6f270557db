"""Settings shared by every environment.

Configuration comes from the environment: ``DJANGO_*`` variables and
``DATABASE_URL`` (default: a SQLite file under ``var/``).
"""

import os
import re
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
        # Time limits (rmpsite/database.py): every connection waits for a lock this long at
        # most; a request sets its statement and idle-in-transaction limits.
        limits = {"jit": "off", "lock_timeout": seconds_ms(DB_LOCK_TIMEOUT)}
        options = database.setdefault("OPTIONS", {})
        options.setdefault("options", " ".join(f"-c {k}={v}" for k, v in limits.items()))
        options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    elif database["ENGINE"] == "django.db.backends.sqlite3":
        # Concurrent writers wait their turn instead of failing with "database is locked":
        # WAL lets readers go on while one writes; every transaction takes the write lock
        # when it begins (IMMEDIATE), so none has to upgrade a read lock later, which SQLite
        # refuses at once; and a writer waits up to DJANGO_SQLITE_TIMEOUT seconds for the
        # lock. Two curators saving the same draft then end as on PostgreSQL: the second
        # sees the first's revision and gets the conflict page.
        options = database.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", float(env("DJANGO_SQLITE_TIMEOUT", "20")))
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    return database


def seconds_ms(seconds):
    return str(int(seconds * 1000))


# Database time limits, in seconds (rmpsite/database.py). Public requests: the statement
# limit of a public page or API call. The admin (curation, imports): the longer one.
# Management commands set no statement limit.
DB_CONNECT_TIMEOUT = int(env("DJANGO_DB_CONNECT_TIMEOUT", "3"))  # whole seconds (libpq)
DB_PUBLIC_STATEMENT_TIMEOUT = float(env("DJANGO_DB_PUBLIC_STATEMENT_TIMEOUT", "5"))
DB_STATEMENT_TIMEOUT = float(env("DJANGO_DB_STATEMENT_TIMEOUT", "120"))
DB_LOCK_TIMEOUT = float(env("DJANGO_DB_LOCK_TIMEOUT", "10"))
DB_IDLE_IN_TRANSACTION_TIMEOUT = float(env("DJANGO_DB_IDLE_IN_TRANSACTION_TIMEOUT", "60"))
# How long past its limit a PostgreSQL query may go unanswered (a frozen server) before
# the worker cuts the connection off.
DB_CLIENT_GRACE = float(env("DJANGO_DB_CLIENT_GRACE", "1"))
# The readiness check (/healthz/ready) waits this many seconds for the database at most.
HEALTH_CHECK_TIMEOUT = float(env("DJANGO_HEALTH_CHECK_TIMEOUT", "2"))
# ... and checks at most once in this many seconds per process (answering from the last check).
HEALTH_CHECK_CACHE_SECONDS = float(env("DJANGO_HEALTH_CHECK_CACHE_SECONDS", "1"))
# A 503 (database unavailable) asks clients to come back after this many seconds.
RETRY_AFTER_SECONDS = int(env("DJANGO_RETRY_AFTER_SECONDS", "30"))


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
    # Time limits on every query of a request, the page cache's included.
    "rmpsite.database.DatabaseLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rmpsite.sessions.SessionLifetimeMiddleware",
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

# Rendered public pages, per process, keyed by the public data version (rmpsite/page_cache.py):
# nothing to invalidate by hand, so no shared cache server is needed. Bounded in entries and
# in bytes (rmpsite/bounded_cache.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public-pages": {
        "BACKEND": "rmpsite.bounded_cache.BoundedLocMemCache",
        "LOCATION": "public-pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {
            "MAX_ENTRIES": int(env("DJANGO_PAGE_CACHE_ENTRIES", "2000")),
            "MAX_BYTES": int(env("DJANGO_PAGE_CACHE_BYTES", str(64 * 1024 * 1024))),
        },
    },
}
PUBLIC_PAGE_CACHE = "public-pages"
# Pages rendered for one anonymous client address (cache misses only; a cache hit is never
# limited): django-ratelimit's rate, "count/period", e.g. "10/10s". Counted per process, in
# fixed windows of the period: 10/10s is one a second on average, as 60/m, but at most 10 at
# once where 60/m let 60 renders start together (bench/run.py abuse, docs/performance.md).
PUBLIC_RENDER_RATE = env("DJANGO_PUBLIC_RENDER_RATE", "10/10s")
if not re.fullmatch(r"\d+/\d*[smhd]", PUBLIC_RENDER_RATE):
    raise ImproperlyConfigured(
        f"DJANGO_PUBLIC_RENDER_RATE must be count/period such as 60/m, not {PUBLIC_RENDER_RATE!r}."
    )
# The client address (rmpsite.page_cache.client_address): REMOTE_ADDR, or the request header
# the trusted reverse proxy sets, as a META key (e.g. HTTP_X_REAL_IP), when present and valid.
# Only a header the proxy overwrites: a client could set any other.
CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER")
RATELIMIT_IP_META_KEY = "rmpsite.page_cache.client_address"
RATELIMIT_USE_CACHE = "default"
# Each process keeps the data version it read for this many seconds (audit/versions.py): a
# cache hit then needs no database round trip, and another worker's change shows this late.
DATA_VERSION_TTL = float(env("DJANGO_DATA_VERSION_TTL", "1"))

# Staff passwords: at least 12 characters, not like the username, not among the 20,000
# commonest passwords, not all digits, and without the site's own words (product names,
# "curator", "rmp": rmpsite/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "rmpsite.passwords.SiteWordsValidator"},
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

# Staff sessions end after this many seconds without an admin request, and with the
# browser; only admin requests renew the idle timer (rmpsite/sessions.py), public pages do
# not keep a session alive.
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and, however busy, this many seconds after logging in.
SESSION_MAX_SECONDS = int(env("DJANGO_SESSION_MAX_SECONDS", str(12 * 60 * 60)))

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

# A file's import claim (imports.claims) older than this is taken as left by a crash.
IMPORT_CLAIM_STALE_MINUTES = int(env("IMPORT_CLAIM_STALE_MINUTES", "30"))
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
    "filters": {"without_refusals": {"()": "rmpsite.logs.WithoutRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["without_refusals"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}

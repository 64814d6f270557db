"""Settings the benchmark serves with: production's, with static files collected under var/bench.

Everything else comes from the environment exactly as in production (``bench/run.py`` sets
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL``, and turns the HTTPS redirect
off, since the benchmark speaks plain HTTP on loopback).

``BENCH_PAGE_CACHE=off`` replaces the cache of rendered public pages (``PUBLIC_PAGE_CACHE``,
where the site has one) by a dummy cache, so that every request renders its page, as for the
first reader after a publication. ``bench/run.py latency`` measures each page with the cache
off, then on; ``bench/run.py load`` runs with it on unless told otherwise, as in production.
"""

import os

from rmpsite.settings import production
from rmpsite.settings.production import *  # noqa: F403

# collectstatic writes here, not into the production STATIC_ROOT (var/static).
STATIC_ROOT = production.BASE_DIR / "var" / "bench" / "static"

PAGE_CACHE_ALIAS = getattr(production, "PUBLIC_PAGE_CACHE", None)
if PAGE_CACHE_ALIAS and os.environ.get("BENCH_PAGE_CACHE", "on") == "off":
    CACHES = {
        **production.CACHES,
        PAGE_CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

# manage.py generate_synthetic_data fills the benchmark database.
INSTALLED_APPS = [*production.INSTALLED_APPS, "bench"]

# The benchmark measures rendering, not the render rate limit (rmpsite/page_cache.py): every
# request comes from one address. BENCH_PUBLIC_RENDER_RATE=10/10s measures with production's.
PUBLIC_RENDER_RATE = os.environ.get("BENCH_PUBLIC_RENDER_RATE", "1000000/s")

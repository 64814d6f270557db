"""Public pages cached per data version, and answered "304 Not Modified" on repeat.

A public page depends on the published data and on today's date (what is overdue), never
on who asks. So its validator is (data version, UTC date): ``audit.models.DataVersion``
moves with every recorded change to curated data, and the cache key of a page is that
validator with the method-independent request (host, path, query string, Accept header). After a
change the worker that made it renders afresh on its next request, every other worker
within ``DATA_VERSION_TTL`` seconds (each keeps the version it read that long, so a cache
hit makes no query: ``audit.versions``); older entries age out of the cache.

Not cached: the admin (its audit pages included), the health check, anything but GET and
HEAD, and any response that is not a plain 200 (errors, streamed CSV), sets a cookie or
uses the CSRF token.
"""

import hashlib
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from audit.models import DataVersion

UNCACHED_PREFIXES = ("/admin/", "/healthz")
MAX_CACHED_BYTES = 2 * 1024 * 1024


def validators():
    """(ETag, Last-Modified timestamp) of every public page now: at most one query."""
    version = DataVersion.recent()
    today = timezone.now().date()
    etag = quote_etag(f"{version.counter}-{today:%Y%m%d}")
    start_of_day = datetime.combine(today, time.min, tzinfo=UTC)
    last_modified = max(filter(None, [version.changed_at, start_of_day]))
    return etag, int(last_modified.timestamp())


def _cache_key(request, etag):
    accept = request.headers.get("Accept", "")
    # The host too: pages and exports carry absolute addresses (print, permanent links).
    address = request.build_absolute_uri()
    digest = hashlib.sha256(f"{address}\n{accept}".encode()).hexdigest()
    return f"public-page:{etag}:{digest}"


def _cacheable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and len(response.content) <= MAX_CACHED_BYTES
    )


def _plain(response):
    """The bytes and headers only: a DRF Response would also pickle its data and renderer."""
    return HttpResponse(response.content, status=response.status_code, headers=response.headers)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(UNCACHED_PREFIXES):
            return self.get_response(request)

        etag, last_modified = validators()
        if not_modified := get_conditional_response(
            request, etag=etag, last_modified=last_modified
        ):
            return self._with_validators(not_modified, etag, last_modified)

        cache = caches[settings.PUBLIC_PAGE_CACHE]
        key = _cache_key(request, etag)
        if (response := cache.get(key)) is not None:
            return response

        response = self.get_response(request)
        if not _cacheable(request, response):
            return response
        self._with_validators(response, etag, last_modified)
        cache.set(key, _plain(response))
        return response

    @staticmethod
    def _with_validators(response, etag, last_modified):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, no_cache=True)  # kept by browsers, revalidated each time
        patch_vary_headers(response, ["Accept"])
        return response

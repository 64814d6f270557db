"""Public pages cached per public data version, answered "304 Not Modified" on repeat.

A public page depends on the published data and on today's date (what is overdue), never
on who asks. So its validator is (public version, UTC date): the public counter (and the
time it moved) of
``audit.models.DataVersion`` moves with every change the public can see (a publication, a
superseded version, a product record), never with a curator's draft, so neither the ETag
nor Last-Modified tells anyone when drafts are saved. After a public change the worker that
made it renders afresh on its next request, every other worker within ``DATA_VERSION_TTL``
seconds (each keeps the version it read that long, so a cache hit makes no query:
``audit.versions``); older entries age out of the cache.

The cache key of a page is that validator with the scheme and host the request came by
(absolute links differ between them), the path, the canonical query (the parameters the
view reads, sorted: ``rmpsite.query_params``; ``?x=1`` is not a new page) and the Accept
header. A 304 is answered only for an address that exists: a page found in the cache, or
just rendered with 200.

A page rendered (a miss) for an anonymous client counts against that client's rate,
``settings.PUBLIC_RENDER_RATE`` (django-ratelimit): over it, 429 with ``Retry-After``.
Cache hits and 304s are never limited.

Not cached: the admin (its audit pages included), the health checks, anything but GET and
HEAD, any address no route matches, and any response that is not a plain 200 (errors,
streamed exports), sets a cookie or uses the CSRF token.
"""

import hashlib
import ipaddress
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django_ratelimit.core import is_ratelimited

from audit.models import DataVersion

from .query_params import RouteParameters, watched
from .views import too_many_requests

UNCACHED_PREFIXES = ("/admin/", "/healthz")
MAX_CACHED_BYTES = 2 * 1024 * 1024
RATE_GROUP = "public-render"

route_parameters = RouteParameters()


def validators(version=None):
    """(ETag, Last-Modified timestamp) of every public page now: at most one query."""
    version = version or DataVersion.recent()
    today = timezone.now().date()
    # The counter with the moment it moved: a database restored from a backup counts again
    # from the backup's number, but never at the same moments, so no ETag ever repeats.
    moved = version.public_changed_at
    moved_us = int(moved.timestamp() * 1_000_000) if moved else 0
    etag = quote_etag(f"{version.public_counter}.{moved_us:x}-{today:%Y%m%d}")
    start_of_day = datetime.combine(today, time.min, tzinfo=UTC)
    last_modified = max(filter(None, [version.public_changed_at, start_of_day]))
    return etag, int(last_modified.timestamp())


def _cache_key(request, etag, canonical_query):
    accept = request.headers.get("Accept", "")
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(repr((address, canonical_query, accept)).encode()).hexdigest()
    return f"public-page:{etag}:{digest}"


def _route(match):
    """The URL pattern a request resolved to: what its parameters are learnt for."""
    return (match.view_name, match.route)


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


def client_address(request):
    """The client's address: ``settings.CLIENT_IP_HEADER`` when the trusted proxy set it.

    The header's last address (what the proxy itself saw, in an X-Forwarded-For list) when
    it is a valid address; else REMOTE_ADDR. django-ratelimit calls this
    (``RATELIMIT_IP_META_KEY``) and groups IPv6 addresses by /64.
    """
    header = settings.CLIENT_IP_HEADER
    if header and (value := request.META.get(header)):
        candidate = value.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def rate_limited(request):
    """Whether one more page rendered for this anonymous client goes over its rate."""
    if request.user.is_authenticated:  # staff browsing the site while curating
        return False
    return is_ratelimited(
        request, group=RATE_GROUP, key="ip", rate=settings.PUBLIC_RENDER_RATE, increment=True
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(UNCACHED_PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:  # a 404 (or the slash redirect), without reading the database
            return self.get_response(request)

        version = DataVersion.recent()
        request.public_version = version  # for the footer of an error page (rmpsite.views)
        etag, last_modified = validators(version)
        route = _route(match)
        canonical = route_parameters.canonical(route, request.GET)
        cache = caches[settings.PUBLIC_PAGE_CACHE]
        if canonical is not None:
            cached = cache.get(_cache_key(request, etag, canonical))
            if cached is not None:
                return self._answer(request, cached, etag, last_modified)

        if rate_limited(request):
            return too_many_requests(request)
        query = request.GET
        response = self.get_response_watched(request)
        read = route_parameters.learn(route, query, request.GET)
        if not _cacheable(request, response):
            return response
        self._with_validators(response, etag, last_modified)
        cache.set(_cache_key(request, etag, read), _plain(response))
        return self._answer(request, response, etag, last_modified)

    def get_response_watched(self, request):
        watched(request)
        return self.get_response(request)

    def _answer(self, request, response, etag, last_modified):
        """``response`` (a 200), or 304 when the browser holds it already."""
        answer = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        if answer is not response:  # 304 Not Modified, or 412 for a failed If-Match
            self._with_validators(answer, etag, last_modified)
        return answer

    @staticmethod
    def _with_validators(response, etag, last_modified):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, no_cache=True)  # kept by browsers, revalidated each time
        patch_vary_headers(response, ["Accept"])
        return response

"""What the public validators and the page cache answer to: public data, canonical addresses.

- ETag and Last-Modified move with a publication, never with a curator's draft work.
- A 304 only for an address that exists; the cache key holds the scheme and host.
- Unknown query parameters make no new cache entry; the cache is bounded in bytes.
- Pages rendered for one anonymous address are rate-limited; cache hits never are.
"""

import logging

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from audit.models import DataVersion
from risks import workflow
from risks.models import ConcernCategory
from risks.tests.factories import SafetyConcernFactory, next_version, workflow_user
from rmpsite.bounded_cache import BoundedLocMemCache
from rmpsite.query_params import WatchedQueryDict

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    concern = SafetyConcernFactory(name="Hepatotoxicity", category=ConcernCategory.POTENTIAL)
    return concern.plan.product


def page_cache():
    return caches[settings.PUBLIC_PAGE_CACHE]


def entries():
    return len(page_cache())


def rename_every_concern(draft):
    for concern in draft.safety_concerns.all():
        concern.name = "Drug-induced liver injury"
        concern.save()


# Validators from public data


def test_draft_work_moves_neither_etag_nor_last_modified_nor_the_cache(client, product):
    url = product.get_absolute_url()
    first = client.get(url)
    before = DataVersion.current()
    author = workflow_user("draft-author", "risks.change_riskmanagementplan")

    draft = next_version(product.plans.get(), publish=False, edit=rename_every_concern)
    workflow.submit_for_review(draft, user=author, reason="Ready for review")
    workflow.return_to_draft(draft, user=author, reason="One more change")

    after = DataVersion.current()
    assert after.counter > before.counter  # the drafts were recorded ...
    assert after.public_counter == before.public_counter  # ... but nothing public changed
    held = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert held.status_code == 304
    again = client.get(url)
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert again.content == first.content
    assert "Drug-induced liver injury" not in again.content.decode()


def test_a_publication_moves_the_validators(client, product):
    url = product.get_absolute_url()
    first = client.get(url)

    next_version(product.plans.get(), edit=rename_every_concern)

    fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200
    assert fresh["ETag"] != first["ETag"]
    assert "Drug-induced liver injury" in fresh.content.decode()
    version = DataVersion.current()
    assert version.public_changed_at is not None
    footer = f"data version {version.public_changed_at:%-d %b %Y %H:%M} UTC"
    assert footer in fresh.content.decode()


def test_an_etag_never_repeats_after_a_restore_counts_again(client, product):
    """A restored backup brings back an older counter; the next publication moves it to a
    number browsers may already hold, at another moment: a new ETag all the same."""
    url = product.get_absolute_url()
    before = DataVersion.current()
    first = client.get(url)["ETag"]
    next_version(product.plans.get(), edit=rename_every_concern)
    published = client.get(url)["ETag"]
    DataVersion.objects.filter(pk=1).update(  # as restored from a backup taken before
        public_counter=before.public_counter, public_changed_at=before.public_changed_at
    )
    DataVersion.forget_recent()
    assert client.get(url)["ETag"] == first
    DataVersion.advance(public=True)  # a later publication: the same number as before
    assert DataVersion.current().public_counter == before.public_counter + 1
    assert client.get(url)["ETag"] not in (first, published)


def test_a_304_is_given_only_for_an_address_that_exists(client, product):
    etag = client.get(product.get_absolute_url())["ETag"]
    for url in [
        "/products/no-such-product/",  # a route, no such product
        "/api/v1/products/no-such-product/",
        "/no-such-page/",  # no route at all
    ]:
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 404, url
        assert not response.has_header("ETag"), url
    assert (
        client.get(product.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 304
    )


def test_an_uncached_page_the_browser_holds_is_rendered_then_answered_304(client, product):
    url = product.get_absolute_url()
    etag = client.get(url)["ETag"]
    page_cache().clear()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert entries() == 1


def test_cached_pages_carry_no_printed_time(client, product):
    page = client.get(product.get_absolute_url()).content.decode()
    assert "js/print.js" in page  # the browser writes the print time when it prints
    assert "Printed" not in page


# The cache key: scheme, host, canonical parameters


def test_each_host_and_scheme_has_its_own_entry(product):
    url = "/api/v1/products/"
    by_name = Client(HTTP_HOST="localhost").get(url, headers={"Accept": "application/json"})
    by_address = Client(HTTP_HOST="127.0.0.1").get(url, headers={"Accept": "application/json"})
    secure = Client(HTTP_HOST="127.0.0.1").get(
        url, headers={"Accept": "application/json"}, secure=True
    )
    assert entries() == 3
    assert "http://localhost/api/v1/products/" in by_name.content.decode()
    assert "localhost" not in by_address.content.decode()
    assert "http://127.0.0.1/api/v1/products/" in by_address.content.decode()
    assert "https://127.0.0.1/api/v1/products/" in secure.content.decode()


def test_an_unknown_parameter_makes_no_new_entry(client, product, django_assert_num_queries):
    client.get("/products/")
    assert entries() == 1
    assert client.get("/products/?x=1").status_code == 200  # renders once: x is new
    assert entries() == 1
    with django_assert_num_queries(1):  # the data version only: served from the cache
        again = client.get("/products/?x=2")
    assert again.status_code == 200
    client.get("/products/?utm_source=mail")
    with django_assert_num_queries(1):
        client.get("/products/?utm_source=newsletter&x=3")
    assert entries() == 1


def test_parameters_the_page_reads_are_never_served_from_a_page_without_them(client, product):
    everything = client.get("/risks/").content.decode()
    assert "Hepatotoxicity" in everything
    filtered = client.get("/risks/?q=nothing-matches-this").content.decode()
    assert "Hepatotoxicity" not in filtered
    client.get("/risks/?q=hepatotoxicity&x=1")
    assert entries() == 3  # /risks/, ?q=nothing-..., ?q=hepatotoxicity
    client.get("/risks/?x=3&q=hepatotoxicity")  # the same page, in another order
    assert entries() == 3


def test_the_watched_query_notes_what_a_view_reads():
    query = WatchedQueryDict("q=pml&x=1&page=2")
    assert query.read == set() and not query.read_all
    query.get("q"), query.getlist("category"), "page" in query
    assert query.read == {"q", "category", "page"}
    list(query.items())
    assert query.read_all


def test_the_cache_is_bounded_in_bytes():
    cache = BoundedLocMemCache(
        "bounded-test", {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 100, "MAX_BYTES": 10_000}}
    )
    cache.clear()
    for name in "abc":
        cache.set(name, b"x" * 4_000)
    assert cache.get("a") is None  # the least recently used went first
    assert cache.get("b") is not None and cache.get("c") is not None
    assert 8_000 < cache.stored_bytes <= 10_000

    cache.get("b")  # now used more recently than "c"
    cache.set("d", b"x" * 4_000)
    assert cache.get("c") is None and cache.get("b") is not None

    cache.set("huge", b"x" * 20_000)  # larger than the whole bound: not kept
    assert cache.get("huge") is None
    assert cache.stored_bytes <= 10_000
    cache.delete("b")
    cache.delete("d")
    assert cache.stored_bytes == 0


def test_the_page_cache_evicts_by_bytes(client, product, settings):
    # the size of the pages that end the run (no product matches): two fit, three do not
    page_bytes = len(client.get("/products/?q=zz").content)
    assert len(client.get("/products/").content) <= page_bytes * 2.5
    settings.CACHES = {
        **settings.CACHES,
        "public-pages": {
            **settings.CACHES["public-pages"],
            "LOCATION": "public-pages-small",
            "OPTIONS": {"MAX_ENTRIES": 1000, "MAX_BYTES": int(page_bytes * 2.5)},
        },
    }
    for query in ["", "?q=aa", "?q=bb", "?q=cc"]:
        assert client.get(f"/products/{query}").status_code == 200
    assert entries() == 2
    assert page_cache().stored_bytes <= page_bytes * 2.5


# Rendering rate per anonymous client


def test_renders_are_rate_limited_per_address_and_cache_hits_never(client, product, settings):
    settings.PUBLIC_RENDER_RATE = "3/m"
    for query in ["", "?x=1", "?q=aa"]:  # ?x=1 renders once, to learn that x is not read
        assert client.get(f"/products/{query}").status_code == 200

    refused = client.get("/products/?q=cc")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many pages were asked for from your address" in refused.content.decode()
    assert not refused.has_header("ETag")
    api = client.get("/api/v1/products/?q=cc", headers={"Accept": "application/json"})
    assert api.status_code == 429
    assert api.json()["detail"].startswith("Too many pages")

    for _ in range(5):  # cached pages still answer, as often as asked
        assert client.get("/products/?q=aa").status_code == 200
        assert client.get("/products/?q=aa&x=2").status_code == 200
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert other_address.get("/products/?q=cc").status_code == 200


def test_a_refusal_leaves_no_warning_in_the_log_but_a_bad_request_does(
    client, product, settings, caplog
):
    """Under abuse a warning per 429 would be thousands of lines a minute (the access log has
    each refusal); a bad request is still logged."""
    settings.PUBLIC_RENDER_RATE = "1/m"
    assert client.get("/products/").status_code == 200
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/products/?q=zz").status_code == 429
        assert Client(REMOTE_ADDR="192.0.2.8").get("/risks/?format=pdf").status_code == 400
    assert [record.status_code for record in caplog.records] == [400]


def test_staff_are_not_rate_limited(admin_client, product, settings):
    settings.PUBLIC_RENDER_RATE = "1/m"
    for query in ["", "?q=aa", "?q=bb"]:
        assert admin_client.get(f"/products/{query}").status_code == 200


def test_the_client_address_comes_from_the_configured_proxy_header(product, settings):
    settings.PUBLIC_RENDER_RATE = "1/m"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    behind_proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert behind_proxy.get("/products/", headers={"X-Real-IP": "198.51.100.1"}).status_code == 200
    assert behind_proxy.get("/risks/", headers={"X-Real-IP": "198.51.100.2"}).status_code == 200
    refused = behind_proxy.get("/studies/", headers={"X-Real-IP": "198.51.100.2"})
    assert refused.status_code == 429
    # A header that is not an address counts as the proxy's own address.
    assert behind_proxy.get("/studies/", headers={"X-Real-IP": "nonsense"}).status_code == 200
    assert behind_proxy.get("/", headers={"X-Real-IP": "nonsense"}).status_code == 429

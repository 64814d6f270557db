"""Public pages are cached per public data version and answered 304 on repeat; admin pages never.

rmpsite/tests/test_public_validators.py checks what moves the validators (publications and
product records, never drafts), the cache key (scheme, host, canonical parameters) and the
rate of rendered pages.
"""

import datetime
import time

import pytest
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from audit.context import recorded_change
from audit.models import DataVersion
from risks import workflow
from risks.models import ConcernCategory
from risks.tests.factories import PlanFactory, SafetyConcernFactory, next_version, workflow_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    concern = SafetyConcernFactory(name="Hepatotoxicity", category=ConcernCategory.POTENTIAL)
    return concern.plan.product


def test_a_repeated_page_is_served_from_the_cache_with_one_query(
    client, product, django_assert_num_queries
):
    url = product.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):  # the data version, read afresh inside a transaction
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert "Hepatotoxicity" in again.content.decode()
    assert again["ETag"] == first["ETag"]
    assert "no-cache" in again["Cache-Control"]


def test_a_browser_holding_the_page_gets_304_without_a_body(client, product):
    url = product.get_absolute_url()
    first = client.get(url)

    repeat = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == first["ETag"]

    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert by_date.status_code == 304


def test_a_public_change_shows_on_the_next_request(client, product):
    """A product record's own change (as a published product change writes it) is public at
    once."""
    url = product.get_absolute_url()
    first = client.get(url)
    version = DataVersion.current()
    with recorded_change("Corrected the trade name"):
        product.name = "Hepatoxal"
        product.save()

    assert DataVersion.current().public_counter == version.public_counter + 1
    fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200
    assert fresh["ETag"] != first["ETag"]
    assert "Hepatoxal" in fresh.content.decode()


def test_publishing_a_version_changes_every_public_page(client, product):
    plan = product.plans.get()
    urls = [product.get_absolute_url(), "/risks/?q=hepat", "/", "/search/?q=hepatotoxicity"]
    before = {url: client.get(url) for url in urls}

    next_version(plan, edit=reclassify_every_concern)
    for url in urls:
        after = client.get(url, headers={"If-None-Match": before[url]["ETag"]})
        assert after.status_code == 200, url
        assert after.content != before[url].content, url


def reclassify_every_concern(draft):
    for concern in draft.safety_concerns.all():
        concern.category = ConcernCategory.IDENTIFIED
        concern.save()


def test_pages_are_validated_again_on_a_new_day(client, product, monkeypatch):
    url = product.get_absolute_url()
    first = client.get(url)
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    monkeypatch.setattr("rmpsite.page_cache.timezone.now", lambda: tomorrow)

    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_errors_are_not_cached(client, product):
    client.get("/products/no-such-product/")
    response = client.get("/products/no-such-product/")
    assert response.status_code == 404
    assert not response.has_header("ETag")

    assert client.get("/risks/?category=nonsense").status_code == 400
    assert not client.get("/risks/?category=nonsense").has_header("ETag")


def test_a_draft_published_later_is_not_served_stale_as_not_found(client):
    draft = PlanFactory(draft=True)
    url = draft.product.get_absolute_url()
    assert client.get(url).status_code == 404
    author = workflow_user("author", "risks.change_riskmanagementplan")
    reviewer = workflow_user("reviewer-x", "risks.publish_riskmanagementplan")
    SafetyConcernFactory(plan=draft)
    workflow.submit_for_review(draft, user=author, reason="Ready")
    workflow.publish(draft, user=reviewer, reason="Checked")
    assert client.get(url).status_code == 200


def test_admin_pages_and_the_health_check_are_never_cached(admin_client, product):
    for url in [reverse("admin:index"), "/healthz"]:
        response = admin_client.get(url)
        assert response.status_code == 200
        assert not response.has_header("ETag"), url


def test_the_api_is_cached_per_accepted_format(client, product):
    url = f"/api/v1/products/{product.slug}/"
    as_json = client.get(url, headers={"Accept": "application/json"})
    as_page = client.get(url, headers={"Accept": "text/html"})
    assert as_json["Content-Type"].startswith("application/json")
    assert as_page["Content-Type"].startswith("text/html")
    assert "Accept" in as_json["Vary"]


class TestTheKeptDataVersion:
    """Between changes a cache hit makes no query; a change still shows (audit.versions)."""

    pytestmark = pytest.mark.django_db(transaction=True)

    def test_a_cache_hit_reads_nothing_from_the_database(
        self, client, product, django_assert_num_queries
    ):
        url = product.get_absolute_url()
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
            repeat = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.content == first.content
        assert repeat.status_code == 304

    def test_a_change_committed_by_this_process_shows_at_once(self, client, product):
        url = product.get_absolute_url()
        first = client.get(url)
        with recorded_change("Corrected the trade name"):
            product.name = "Hepatoxal"
            product.save()

        fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert fresh.status_code == 200
        assert "Hepatoxal" in fresh.content.decode()

    def test_a_change_committed_by_another_process_shows_after_the_ttl(
        self, client, product, settings, monkeypatch
    ):
        url = product.get_absolute_url()
        first = client.get(url)
        # Another worker's change: the row moves, but this process is not told.
        DataVersion.objects.filter(pk=1).update(
            counter=F("counter") + 1, public_counter=F("public_counter") + 1
        )

        assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
        later = time.monotonic() + settings.DATA_VERSION_TTL
        monkeypatch.setattr("audit.versions.time.monotonic", lambda: later)
        fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert fresh.status_code == 200
        assert fresh["ETag"] != first["ETag"]

    def test_a_version_read_inside_a_transaction_is_not_kept(
        self, client, product, django_assert_num_queries
    ):
        with transaction.atomic():
            assert DataVersion.recent().counter == DataVersion.current().counter
        with django_assert_num_queries(1):
            DataVersion.recent()
        with django_assert_num_queries(0):
            DataVersion.recent()

    def test_a_change_rolled_back_leaves_the_kept_version_unused(self, product):
        before = DataVersion.recent().counter
        with pytest.raises(RuntimeError), transaction.atomic():
            DataVersion.advance()
            assert DataVersion.recent().counter == before + 1  # read, not kept
            raise RuntimeError("the import failed")
        assert DataVersion.recent().counter == before

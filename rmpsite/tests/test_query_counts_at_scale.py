"""Every page the benchmark measures reads as many queries at ten times the data."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from browse.selectors.concern_export import chunk_size
from risks.models import SafetyConcern

pytestmark = pytest.mark.django_db

PAGES = {  # the pages of bench/ (docs/performance.md), with the synthetic data's values
    "products list, three filters": "/products/?status=authorised&region=EU&concern=potential",
    "product risk page": "/products/synthetic-00001/",
    "concerns by text and category": "/risks/?q=infections&category=identified",
    "overdue studies": "/studies/?overdue=true",
    "search": "/search/?q=infections",
    "API product detail": "/api/v1/products/synthetic-00001/",
    "home": "/",
}
EXPORT = "/risks/?format=csv"


def queries(client, url):
    """The queries of one request, rendered afresh (no cached page)."""
    caches["public-pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


def generate(products):
    call_command("generate_synthetic_data", products=products, seed=7, verbosity=0)


def test_page_queries_do_not_grow_with_ten_times_the_products(client):
    generate(4)
    small = {name: queries(client, url) for name, url in PAGES.items()}
    generate(36)
    large = {name: queries(client, url) for name, url in PAGES.items()}
    assert large == small


def test_the_export_reads_a_fixed_number_of_queries_per_chunk_of_concerns(client):
    generate(4)
    small = queries(client, EXPORT)
    generate(36)
    chunks = -(-SafetyConcern.objects.current().count() // chunk_size())
    # Each batch of groups is one query, and each chunk of its concerns three more; packing
    # groups into batches makes at most two batches per chunk of concerns.
    assert queries(client, EXPORT) <= small + 4 * (2 * chunks - 1)

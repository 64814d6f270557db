"""Only published data is public: every public URL, for a product with only unpublished
versions and for unpublished versions of a published product.

The routes are read from the URL configuration, so a new public URL fails the first test
until it is listed here with the ways to ask it about unpublished data.
"""

import json

import pytest
from django.urls import URLResolver, get_resolver

from audit.context import recorded_change
from products import review
from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks import workflow
from risks.models import PlanStatus
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "zebrafinch"  # appears only in unpublished data
NOWHERE = "quokkaquay"  # appears nowhere

PUBLIC_ROUTES = {
    "": ["/"],
    "feeds/publications/": ["/feeds/publications/"],
    "feeds/studies/overdue/": ["/feeds/studies/overdue/"],
    "risks/feed/": [
        "/risks/feed/?group=zebrafinch+syndrome",
        "/risks/feed/?group=zebrafinch+risk+2",
        "/risks/feed/?group=term:pml",
    ],
    "products/<slug:slug>/feed/": ["/products/secretumab/feed/", "/products/lemtrada/feed/"],
    "risks/": [
        f"/risks/?q={SECRET}",
        "/risks/?product=secretumab",
        "/risks/",
        "/risks/?format=csv",
        "/risks/?format=json",
        "/risks/?category=potential",
    ],
    "compare/": ["/compare/?products=secretumab,lemtrada", "/compare/?products=lemtrada,uplizna"],
    "studies/": [
        "/studies/",
        "/studies/?overdue=yes",
        "/studies/?format=csv",
        f"/studies/?q={SECRET}",
    ],
    "search/": [f"/search/?q={SECRET}", "/search/?q=Secretumab", "/search/?q=ZEBRA-1"],
    "products/": [
        "/products/",
        "/products/?format=csv",
        "/products/?format=json",
        "/products/?q=secretumab",
        "/products/?substance=secretin",
    ],
    "products/<slug:slug>/": ["/products/secretumab/", "/products/lemtrada/"],
    "products/<slug:slug>/print/": ["/products/secretumab/print/", "/products/lemtrada/print/"],
    "products/<slug:slug>/information/": [
        "/products/secretumab/information/",
        "/products/lemtrada/information/",
    ],
    "products/<slug:slug>/risks/<slug:concern>/": [
        "/products/secretumab/risks/zebrafinch-syndrome/",
        "/products/lemtrada/risks/zebrafinch-risk-2/",
        "/products/lemtrada/risks/zebrafinch-risk-3/",
        "/products/lemtrada/risks/progressive-multifocal-leukoencephalopathy/",
    ],
    "products/<slug:slug>/studies/<slug:study>/": [
        "/products/secretumab/studies/zebra-1/",
        "/products/lemtrada/studies/zebra-2/",
        "/products/lemtrada/studies/zebra-3/",
        "/products/lemtrada/studies/obs13434/",
    ],
    "products/<slug:slug>/changes/": [
        "/products/secretumab/changes/",
        "/products/lemtrada/changes/",
        "/products/lemtrada/changes/?from=1&to=2",
        "/products/lemtrada/changes/?from=1&to=3",
    ],
    "products/<slug:slug>/versions/<str:version>/": [
        "/products/secretumab/versions/1/",
        "/products/lemtrada/versions/2/",
        "/products/lemtrada/versions/3/",
        "/products/lemtrada/versions/1/",
    ],
    "healthz": ["/healthz"],
    "healthz/live": ["/healthz/live"],
    "healthz/ready": ["/healthz/ready"],
    "api/schema/": ["/api/schema/"],
    "api/v1/": ["/api/v1/"],
    "api/v1/<drf_format_suffix:format>": ["/api/v1/.json"],
    "api/v1/^products/$": ["/api/v1/products/", "/api/v1/products/?substance=secretin"],
    "api/v1/^products\\.(?P<format>[a-z0-9]+)/?$": ["/api/v1/products.json"],
    "api/v1/^products/(?P<slug>[^/.]+)/$": [
        "/api/v1/products/secretumab/",
        "/api/v1/products/lemtrada/",
    ],
    "api/v1/^products/(?P<slug>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        "/api/v1/products/secretumab.json"
    ],
    "api/v1/^studies/$": ["/api/v1/studies/", "/api/v1/studies/?product=secretumab"],
    "api/v1/^studies\\.(?P<format>[a-z0-9]+)/?$": ["/api/v1/studies.json"],
    "api/v1/^studies/(?P<pk>[^/.]+)/$": ["/api/v1/studies/{secret_study}/"],
    "api/v1/^studies/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        "/api/v1/studies/{secret_study}.json"
    ],
}
# Addresses that must not answer at all for unpublished data.
MUST_BE_404 = {
    "/products/secretumab/feed/",
    "/risks/feed/?group=zebrafinch+syndrome",
    "/risks/feed/?group=zebrafinch+risk+2",
    "/products/secretumab/",
    "/products/secretumab/print/",
    "/products/secretumab/information/",
    "/products/secretumab/changes/",
    "/products/secretumab/risks/zebrafinch-syndrome/",
    "/products/secretumab/studies/zebra-1/",
    "/products/lemtrada/risks/zebrafinch-risk-2/",
    "/products/lemtrada/risks/zebrafinch-risk-3/",
    "/products/lemtrada/studies/zebra-2/",
    "/products/lemtrada/studies/zebra-3/",
    "/products/secretumab/versions/1/",
    "/products/lemtrada/versions/2/",
    "/products/lemtrada/versions/3/",
    "/api/v1/products/secretumab/",
    "/api/v1/products/secretumab.json",
    "/api/v1/studies/{secret_study}/",
    "/api/v1/studies/{secret_study}.json",
}


def public_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return {route for route in walk(get_resolver().url_patterns) if not route.startswith("admin/")}


def test_every_public_route_is_checked():
    assert public_routes() == set(PUBLIC_ROUTES)


@pytest.fixture
def unpublished(seeded, curator, reviewer):
    """A product with only a draft, and Lemtrada with a draft and a version in review."""
    secret = PlanFactory(
        draft=True,
        version="1",
        product=ProductFactory(name="Secretumab", slug="secretumab", substances__name="secretin"),
    )
    ProductInformationSectionFactory(product=secret.product, text=f"{SECRET} section text")
    concern = SafetyConcernFactory(plan=secret, name=f"{SECRET.title()} syndrome")
    AdditionalMeasureFactory(plan=secret, name=f"{SECRET} card").safety_concerns.add(concern)
    study = StudyFactory(plan=secret, code="ZEBRA-1", title=f"{SECRET} registry")
    MilestoneFactory(study=study, due="Q1 2020")

    lemtrada = seeded["lemtrada"].plans.get()
    in_review = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    draft = workflow.start_new_version(lemtrada, user=curator, version="3", reason="x")
    for plan in (in_review, draft):
        with recorded_change("Unpublished edit", curator):
            SafetyConcernFactory(plan=plan, name=f"{SECRET.title()} risk {plan.version}")
            StudyFactory(plan=plan, code=f"ZEBRA-{plan.version}", title=f"{SECRET} study")
    workflow.submit_for_review(in_review, user=curator, reason="x")
    assert in_review.status == PlanStatus.IN_REVIEW

    # Product changes not yet published: a draft edit, information in review, a new product.
    review.propose_values(
        seeded["uplizna"], {"indication": f"{SECRET} indication"}, user=curator, reason="x"
    )
    section = {"document": "smpc", "section": "4.4", "title": "Warnings", "text": f"{SECRET}."}
    information = review.propose_sections(seeded["lemtrada"], [section], user=curator, reason="x")
    review.submit(information, user=curator, reason="x")
    review.propose_values(
        None, {"name": "Secretumab Novum", "slug": "secretumab-novum"}, user=curator, reason="x"
    )
    return {"secret_study": study.pk}


def content(response):
    return (b"".join(response) if response.streaming else response.content).decode()


def test_no_public_url_shows_unpublished_data(client, unpublished):
    for urls in PUBLIC_ROUTES.values():
        for template in urls:
            url = template.format(**unpublished)
            response = client.get(url)
            if template in MUST_BE_404:
                assert response.status_code == 404, url
            else:
                assert response.status_code in {200, 400}, (url, response.status_code)
            text = content(response)
            # a search page repeats its query: the word may appear as often as a word that
            # is nowhere in the database does
            echoed = content(client.get(url.replace(SECRET, NOWHERE))).lower().count(NOWHERE)
            assert text.lower().count(SECRET) == echoed, url
            assert "Secretumab" not in text or "q=Secretumab" in url, url
            assert "ZEBRA-" not in text.replace("q=ZEBRA-1", "").replace("ZEBRA-1”", "") or (
                "ZEBRA-1" in url
            ), url


def test_counts_do_not_include_unpublished_data(client, unpublished):
    home = client.get("/")
    assert home.context["stats"]["products"] == 5
    assert home.context["stats"]["concerns"] == 68
    assert home.context["stats"]["studies"] == 8
    assert json.loads(client.get("/api/v1/products/").content)["count"] == 5
    assert json.loads(client.get("/api/v1/studies/").content)["count"] == 8
    lemtrada = json.loads(client.get("/api/v1/products/lemtrada/").content)
    assert lemtrada["plan"]["version"] == "1"

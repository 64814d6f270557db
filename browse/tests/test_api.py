import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

PRODUCT_SUMMARY_FIELDS = {"slug", "name", "substances", "region", "authorisation_status"}


def get_json(client, url, status=200):
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_product_list_contract(client, seeded):
    data = get_json(client, "/api/v1/products/")
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 5
    by_slug = {item["slug"]: item for item in data["results"]}
    assert set(by_slug["lemtrada"]) >= PRODUCT_SUMMARY_FIELDS
    assert by_slug["lemtrada"]["substances"] == ["alemtuzumab"]
    assert (by_slug["clolar"]["region"], by_slug["ivozall"]["authorisation_status"]) == (
        "US",
        "withdrawn",
    )


@pytest.mark.parametrize(
    ("slug", "counts", "studies", "sections"),
    [
        ("lemtrada", {"identified": 17, "potential": 3, "missing": 3}, 4, 0),
        ("uplizna", {"identified": 2, "potential": 4, "missing": 3}, 4, 0),
        ("ivozall", {"identified": 10, "potential": 9, "missing": 5}, 0, 0),
        ("clolar", {"identified": 11, "potential": 0, "missing": 1}, 0, 0),
        ("besponsa", {"identified": 0, "potential": 0, "missing": 0}, 0, 38),
    ],
)
def test_product_detail_serves_the_seeded_counts(client, seeded, slug, counts, studies, sections):
    data = get_json(client, f"/api/v1/products/{slug}/")
    served = {category: 0 for category in counts}
    for concern in data["safety_concerns"]:
        served[concern["category"]] += 1
    assert served == counts
    assert len(data["studies"]) == studies
    assert len(data["product_information"]) == sections


def test_product_detail_contract(client, seeded):
    data = get_json(client, "/api/v1/products/lemtrada/")
    assert PRODUCT_SUMMARY_FIELDS | {"indication", "plan", "safety_concerns", "studies"} <= set(
        data
    )
    assert data["plan"]["version"] == "1" and data["plan"]["date"] is None
    iar = data["safety_concerns"][0]
    assert {"name", "category", "evidence", "risk_factors", "section_references"} <= set(iar)
    assert {"additional_measures", "studies"} <= set(iar)
    assert iar["name"] == "Infusion-associated reactions (IARs)"
    assert iar["category"] == "identified"
    assert {"document": "smpc", "section": "4.7"} in [
        {"document": r["document"], "section": r["section"]} for r in iar["section_references"]
    ]
    assert iar["studies"] == ["Drug Utilization Study", "Risk of mortality study"]
    stroke = data["safety_concerns"][1]
    assert stroke["additional_measures"] == [
        "Educational materials (HCP guide, HCP check-list, patient guide, patient alert card)"
    ]

    study = next(s for s in data["studies"] if s["code"] == "OBS13434")
    assert study["category"] == 3 and study["status"] == "ongoing"
    assert study["milestones"] == [
        {
            "description": "Final report",
            "due": "2031",
            "due_date": "2031-12-31",
            "precision": "year",
            "reported_on": None,
            "overdue": False,
        }
    ]
    assert "Stroke (including haemorrhagic stroke)" in study["safety_concerns"]


def test_section_references_carry_the_section_title_when_the_information_is_loaded(client):
    plan = PlanFactory()
    ProductInformationSectionFactory(product=plan.product, document="smpc", section="4.4")
    reference = SectionReferenceFactory(
        routine_measure__safety_concern__plan=plan, document="smpc", section="4.4"
    )
    SectionReferenceFactory(routine_measure=reference.routine_measure, document="pl", section="2")

    data = get_json(client, f"/api/v1/products/{plan.product.slug}/")

    assert data["safety_concerns"][0]["section_references"] == [
        {
            "document": "smpc",
            "section": "4.4",
            "label": "SmPC 4.4",
            "title": "Special warnings and precautions for use",
        },
        {"document": "pl", "section": "2", "label": "PL 2", "title": None},
    ]
    assert data["product_information"] == [
        {"document": "smpc", "section": "4.4", "title": "Special warnings and precautions for use"}
    ]


def test_drafts_never_appear(client):
    draft_only = PlanFactory(draft=True, product__slug="secret")
    SafetyConcernFactory(plan=draft_only, name="Draft-only risk")
    StudyFactory(plan=draft_only, code="DRAFT1")
    published = PlanFactory(product__slug="visible")
    SafetyConcernFactory(plan=published, name="Published risk")
    newer_draft = PlanFactory(product=published.product, draft=True, version="9.9")
    SafetyConcernFactory(plan=newer_draft, name="Unpublished change")
    StudyFactory(plan=newer_draft, code="DRAFT2")

    assert [p["slug"] for p in get_json(client, "/api/v1/products/")["results"]] == ["visible"]
    assert get_json(client, "/api/v1/products/secret/", status=404) == {
        "detail": "Not found: no published record matches this address."
    }
    detail = get_json(client, "/api/v1/products/visible/")
    assert detail["plan"]["version"] == published.version
    assert [c["name"] for c in detail["safety_concerns"]] == ["Published risk"]
    assert get_json(client, "/api/v1/studies/")["count"] == 0


def test_studies_filter_by_category_and_overdue(client, seeded, monkeypatch):
    data = get_json(client, "/api/v1/studies/?category=1")
    assert {s["name"] for s in data["results"]} == {
        "Drug Utilization Study",
        "Risk of mortality study",
    }
    # Lemtrada's two category 1 studies were due Q3 2024 with no report: overdue.
    overdue = get_json(client, "/api/v1/studies/?overdue=true")
    assert {(s["product"], s["name"]) for s in overdue["results"]} == {
        ("lemtrada", "Drug Utilization Study"),
        ("lemtrada", "Risk of mortality study"),
    }
    assert all(s["overdue"] for s in overdue["results"])
    not_overdue = get_json(client, "/api/v1/studies/?overdue=false")
    assert not_overdue["count"] == 6 and not any(s["overdue"] for s in not_overdue["results"])


def test_a_reported_milestone_is_not_overdue(client):
    study = StudyFactory(category=1)
    MilestoneFactory(study=study, due="Q3 2024", reported_on=datetime.date(2024, 9, 1))
    assert get_json(client, "/api/v1/studies/?overdue=true")["count"] == 0


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/products/?page=abc", 400, {"page": "Page must be a whole number."}),
        ("/api/v1/products/?page=0", 400, {"page": "Page must be 1 or more."}),
        (
            "/api/v1/products/?page=999999",
            404,
            {"detail": "There is no such page: the list has fewer pages."},
        ),
        (
            "/api/v1/products/?page_size=100000",
            400,
            {"page_size": "Page size must be between 1 and 200."},
        ),
        (
            "/api/v1/products/?region=XX",
            400,
            {"region": ["Select a valid choice. XX is not one of the available choices."]},
        ),
        (
            "/api/v1/studies/?category=7",
            400,
            {"category": ["Select a valid choice. 7 is not one of the available choices."]},
        ),
        (
            "/api/v1/studies/?overdue=maybe",
            400,
            {"overdue": ["Select a valid choice. maybe is not one of the available choices."]},
        ),
        (
            "/api/v1/products/%3Cscript%3E/",
            404,
            {"detail": "Not found: no published record matches this address."},
        ),
    ],
)
def test_bad_input_is_a_4xx_json_message(client, seeded, url, status, message):
    assert get_json(client, url, status=status) == message


def test_an_address_no_api_route_matches_is_the_api_404(client):
    """Not the site's HTML page: a client of the API reads the JSON of any other 404."""
    for url in ["/api/v1/no-such-list/", "/api/v1/products/lemtrada.x/", "/api/v2/"]:
        assert get_json(client, url, status=404) == {
            "detail": "Not found: no published record matches this address."
        }


def test_openapi_schema_describes_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/products/", "/api/v1/products/{slug}/", "/api/v1/studies/"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/v1/studies/"]["get"]["parameters"]}
    assert {"category", "overdue", "page"} <= parameters


def build_product(concerns=3, studies=2):
    plan = PlanFactory()
    ProductInformationSectionFactory(product=plan.product)
    measure = AdditionalMeasureFactory(plan=plan)
    for _ in range(concerns):
        reference = SectionReferenceFactory(routine_measure__safety_concern__plan=plan)
        measure.safety_concerns.add(reference.routine_measure.safety_concern)
    for _ in range(studies):
        study = StudyFactory(plan=plan)
        MilestoneFactory(study=study)
        study.safety_concerns.set(plan.safety_concerns.all())
    return plan.product


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        get_json(client, url)
    return len(queries)


def test_query_counts_do_not_grow_with_the_data(client, django_assert_num_queries):
    small = build_product(concerns=1, studies=1)
    large = build_product(concerns=12, studies=5)
    ProductFactory.create_batch(5)

    # Each count includes the data version read by the page cache.
    with django_assert_num_queries(13):
        get_json(client, f"/api/v1/products/{small.slug}/")
    assert count_queries(client, f"/api/v1/products/{large.slug}/") == 13
    with django_assert_num_queries(4):
        get_json(client, "/api/v1/products/")
    with django_assert_num_queries(5):
        get_json(client, "/api/v1/studies/")


def test_the_list_endpoints_take_the_parameters_of_the_html_lists(client, seeded):
    """/api/v1/products/ and /api/v1/studies/ use the FilterSets of /products/ and /studies/."""
    withdrawn = get_json(client, "/api/v1/products/?status=withdrawn&q=clofarabine")
    assert [item["slug"] for item in withdrawn["results"]] == ["ivozall"]
    with_study = get_json(client, "/api/v1/products/?study=1&region=EU")
    assert [item["slug"] for item in with_study["results"]] == ["lemtrada"]
    by_name = get_json(client, "/api/v1/studies/?product=Lemtrada&overdue=true&sort=due")
    assert [(s["product"], s["name"]) for s in by_name["results"]] == [
        ("lemtrada", "Drug Utilization Study"),
        ("lemtrada", "Risk of mortality study"),
    ]
    assert get_json(client, "/api/v1/studies/?due_after=2030-01-01")["count"] == 1
    assert get_json(client, "/api/v1/studies/?product=nowhere", status=400) == {
        "product": [
            "No published product is called ‘nowhere’ or has the address /products/nowhere/. "
            "Type a product's name as the products list shows it."
        ]
    }
    reversed_dates = "/api/v1/studies/?due_after=2025-01-01&due_before=2024-01-01"
    assert get_json(client, reversed_dates, status=400) == {
        "__all__": ["due_after must be on or before due_before."]
    }
    # A "%" typed into a product's name is shown as it is, not taken for a format.
    assert get_json(client, "/api/v1/studies/?product=100%25", status=400) == {
        "product": [
            "No published product is called ‘100%’ or has the address /products/100%/. "
            "Type a product's name as the products list shows it."
        ]
    }

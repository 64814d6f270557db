"""The compare page aligned by risk term, its entry points, its limits, and its print."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from audit.context import recorded_change
from risks import workflow
from risks.models import RiskTerm, SafetyConcern
from risks.tests.factories import PlanFactory, SafetyConcernFactory

pytestmark = pytest.mark.django_db

# The seven pairs of the issue: (Ivozall's concern, Clolar's concern), each the same risk.
SEVEN_PAIRS = [
    ("Bone marrow failure (myelosuppression)", "Myelosuppression"),
    (
        "Infection (septic shock, sepsis, bacteremia, pneumonia, herpes zoster, herpes simplex, "
        "Clostridium difficile colitis, oral candidiasis)",
        "Infections",
    ),
    ("Stevens Johnson syndrome and toxic epidermal necrolysis", "Skin reactions (SJS/TEN)"),
    ("Veno-occlusive liver disease", "Venous occlusive disease of the liver"),
    ("Hemorrhage, including cerebral, gastrointestinal and pulmonary hemorrhage", "Hemorrhage"),
    (
        "Enterocolitis, including neutropenic colitis, caecitis and C. difficile colitis",
        "Enterocolitis",
    ),
    ("Tumor lysis syndrome", "Hyperuricemia (tumor lysis) / tumor lysis syndrome"),
]


def names(row):
    return [[concern.name for concern in concerns] for _, concerns in row.cells]


def test_ivozall_and_clolar_align_the_seven_pairs_on_shared_rows(client, seeded):
    response = client.get("/compare/?products=ivozall,clolar")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    rows = [names(row) for row in comparison.rows]
    for ivozall, clolar in SEVEN_PAIRS:
        assert [[ivozall], [clolar]] in rows, ivozall
    page = response.content.decode()
    assert "<h1>Ivozall and Clolar: 25 safety concerns side by side</h1>" in page
    assert (
        "Listed by Ivozall only: <strong>13</strong> · by Clolar only: <strong>1</strong>"
        " · by both: <strong>11</strong>"
    ) in page
    myelo = re.search(
        r'<th scope="row"><a href="/risks/\?group=term:myelosuppression">Myelosuppression</a>'
        r"</th>(.*?)</tr>",
        page,
        re.S,
    ).group(1)
    assert (
        ">Bone marrow failure (myelosuppression)</a>" in myelo and ">Myelosuppression</a>" in myelo
    )


def test_the_header_measures_and_studies_of_each_product(client, seeded):
    page = client.get("/compare/?products=lemtrada,uplizna").content.decode()
    header = re.search(
        r'<section class="compare-header" aria-labelledby="product-lemtrada">(.*?)</section>',
        page,
        re.S,
    ).group(1)
    for expected in ["alemtuzumab", "European Union", "version 1, date not stated", "Indication"]:
        assert expected in header, expected
    measures = re.search(r'id="additional-measures"(.*?)</table>', page, re.S).group(1)
    assert (
        "Educational materials (HCP guide, HCP check-list, patient guide, patient alert card)"
        in measures
    )
    assert "Patient card" in measures
    studies = re.search(r'id="studies"(.*?)</table>', page, re.S).group(1)
    assert "OBS13434" in studies and "Next milestone:" in studies
    assert "Overdue by" in studies


def test_a_concern_without_a_confirmed_term_keeps_a_row_of_its_own(client, seeded):
    concern = SafetyConcern.objects.current().get(plan__product__slug="clolar", name="Hemorrhage")
    with recorded_change("Unlinked for the test"):
        concern.term = None
        concern.save()
    comparison = client.get("/compare/?products=ivozall,clolar").context["comparison"]
    own = [row for row in comparison.rows if names(row) == [[], ["Hemorrhage"]]]
    assert len(own) == 1 and own[0].term is None
    ivozall = [row for row in comparison.rows if row.key == "term:haemorrhage"]
    assert names(ivozall[0])[1] == []


def test_risks_and_facets_group_by_term(client, seeded):
    response = client.get("/risks/", {"group": "term:myelosuppression"})
    page = response.content.decode()
    assert "2 safety concerns in the group ‘Myelosuppression’" in page
    group = response.context["page"].object_list[0]
    assert sorted(c.name for c in group.concerns) == [
        "Bone marrow failure (myelosuppression)",
        "Myelosuppression",
    ]
    facets = {facet.param: facet for facet in response.context["facets"]}
    products = {value.label: value.count for value in facets["product"].values}
    assert products == {"Clolar": 1, "Ivozall": 1}
    # the whole list: one group per term, the products counted per term
    listing = client.get("/risks/", {"sort": "products"}).context["page"].object_list
    by_name = {group.name: group.product_count for group in listing}
    assert by_name["Myelosuppression"] == 2 and by_name["Haemorrhage"] == 2
    assert "Bone marrow failure (myelosuppression)" not in by_name


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "products=ivozall,clolar,lemtrada,uplizna,ivozall2",
            "Choose at most 4 products (you chose 5)",
        ),
        ("substance=nothingumab", "There is no active substance “nothingumab”"),
        (
            "substance=alemtuzumab",
            "Only 1 product of alemtuzumab has a published risk management plan",
        ),
        ("substance=clofarabine&products=ivozall", "not both"),
        (
            "products=ivozall,nowhere",
            "There is no published risk management plan for the product “nowhere”",
        ),
        ("products=" + "x" * 1001, "at most 1000 characters"),
    ],
)
def test_bad_comparisons_are_refused_with_a_message(client, seeded, query, message):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(f"/compare/?{query}&format=csv").status_code == 400


def test_all_products_of_a_substance(client, seeded):
    response = client.get("/compare/", {"substance": "Clofarabine"})
    assert response.status_code == 200
    assert [p.slug for p in response.context["comparison"].products] == ["clolar", "ivozall"]
    assert (
        "<h1>All products of clofarabine: Clolar and Ivozall: 25 safety concerns"
        in response.content.decode()
    )


def test_a_comparison_starts_from_a_product_page_and_the_products_list(client, seeded):
    page = client.get("/products/ivozall/").content.decode()
    form = re.search(r'<form class="compare-with no-print"(.*?)</form>', page, re.S).group(1)
    assert '<input type="hidden" name="products" value="ivozall">' in form
    options = re.findall(r'<option value="([a-z0-9-]+)">', form)
    assert options[0] == "clolar" and "ivozall" not in options and "lemtrada" in options
    assert (
        'href="/compare/?substance=clofarabine">Compare all 2 products of clofarabine</a>' in form
    )
    # the GET form's two parameters read as one list of products
    response = client.get("/compare/?products=ivozall&products=clolar")
    assert [p.slug for p in response.context["comparison"].products] == ["ivozall", "clolar"]
    listing = client.get("/products/").content.decode()
    assert '<form id="compare-selected"' in listing and "Compare selected</button>" in listing
    assert 'name="products" value="lemtrada" form="compare-selected"' in listing
    assert 'value="besponsa" form="compare-selected"' not in listing  # no plan to compare
    by_substance = client.get("/products/", {"substance": "clofarabine"}).content.decode()
    assert (
        'href="/compare/?substance=clofarabine">Compare all products of clofarabine</a>'
        in by_substance
    )


def test_drafts_never_show_on_the_compare_page(client, seeded, curator):
    plan = seeded["clolar"].plans.get()
    draft = workflow.start_new_version(plan, user=curator, version="2", reason="New label")
    with recorded_change("Draft edit", curator):
        concern = draft.safety_concerns.get(name="Hemorrhage")
        concern.name = "Draft-only bleeding"
        concern.term = RiskTerm.objects.get(slug="stroke")
        concern.save()
    draft_only = PlanFactory(draft=True, product__slug="draft-only", product__name="Draft only")
    SafetyConcernFactory(plan=draft_only, name="Secret risk")
    page = client.get("/compare/?products=ivozall,clolar").content.decode()
    assert "Draft-only bleeding" not in page and "version 2" not in page
    assert client.get("/compare/?products=ivozall,draft-only").status_code == 400
    assert "Draft-only" not in client.get("/risks/", {"group": "term:stroke"}).content.decode()


# In Chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_compare_prints_on_a4_landscape_with_the_running_header(page, live_server, seeded):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/products/")
    page.get_by_label("Select Ivozall to compare").check()
    page.get_by_label("Select Clolar to compare").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page).to_have_url(re.compile(r"/compare/\?products=clolar&products=ivozall$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Clolar and Ivozall: 25 safety concerns side by side"
    )
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    first = pdf.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Comparison: Clolar, Ivozall" in text  # the running header
    assert "Clolar v1 · Ivozall v1" in text
    assert f"Page 1 of {len(pdf.pages)}" in text
    assert re.search(r"Data version \d+ \w+ \d{4} \d\d:\d\d UTC · printed", text)
    for expected in [
        "Myelosuppression",
        "Bone marrow failure (myelosuppression)",
        "clofarabine",
        "Indication",
    ]:
        assert expected in text, expected
    for absent in ["Compare selected", "Compare other products", "Print this comparison"]:
        assert absent not in text, absent


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_compare_fits_a_phone_but_its_tables_scroll(page, live_server, seeded):
    page.set_viewport_size({"width": 390, "height": 844})
    for url in [
        "/compare/?products=lemtrada,uplizna,ivozall,clolar",
        "/products/ivozall/",
        "/products/",
    ]:
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(f"{live_server.url}/compare/?products=lemtrada,uplizna,ivozall,clolar")
    box = page.locator(".table-scroll").first
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")
    page.goto(f"{live_server.url}/products/ivozall/")
    page.get_by_label("Compare Ivozall with").select_option("clolar")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ivozall and Clolar: 25 safety concerns side by side"
    )


def test_search_names_the_risk_term_and_all_its_products(client, seeded):
    page = client.get("/search/", {"q": "bone marrow failure"}).content.decode()
    terms = re.search(r'<section class="search-terms"(.*?)</section>', page, re.S).group(1)
    assert '<a href="/risks/?group=term:myelosuppression">Myelosuppression</a>' in terms
    assert "2 products · also called Bone marrow failure" in terms
    # a term linked to no published concern is not shown
    with recorded_change("A term for drafts only"):
        RiskTerm.objects.create(slug="draft-only", preferred_name="Bone marrow failure, draft")
    page = client.get("/search/", {"q": "bone marrow failure"}).content.decode()
    assert "Bone marrow failure, draft" not in page
    excluded = client.get("/search/", {"q": "hepatotoxicity -marrow"}).content.decode()
    assert '<a href="/risks/?group=term:hepatotoxicity">Hepatotoxicity</a>' in excluded
    assert "term:myelosuppression" not in excluded


def test_a_concern_page_links_to_its_risk_term(client, seeded):
    page = client.get("/products/ivozall/risks/bone-marrow-failure-myelosuppression/")
    assert page.status_code == 200
    assert (
        '<dt>Risk term</dt><dd><a href="/risks/?group=term:myelosuppression">Myelosuppression</a>'
        in page.content.decode()
    )

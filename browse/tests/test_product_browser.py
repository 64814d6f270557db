"""Regulatory staff in real Chromium: facets, section links, printing, accessibility."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from products.tests.factories import ProductInformationSectionFactory
from risks.tests.factories import PlanFactory, SectionReferenceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_filter_products_by_clicking_facets(page, live_server, seeded):
    page.goto(f"{live_server.url}/products/")
    expect(page.get_by_role("heading", level=1)).to_have_text("5 products")
    page.get_by_role("link", name="European Union").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("4 products · EU")
    page.get_by_role("link", name="Category 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "1 product · EU · with a category 1 study"
    )
    expect(page).to_have_url(re.compile(r"region=EU"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Remove filter Region: European Union").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1 product · with a category 1 study")


def test_type_an_active_substance_beside_other_filters(page, live_server, seeded):
    page.goto(f"{live_server.url}/products/?region=EU")
    field = page.get_by_role("textbox", name="Active substance")
    expect(field).to_have_accessible_description(re.compile("^Its full name"))
    field.fill("CLOFARABINE")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1 product · EU · CLOFARABINE")
    expect(page.locator("table tbody tr")).to_have_count(1)
    facet = page.get_by_role("list", name="Active substance")
    facet.get_by_role("link", name="Remove filter Active substance: clofarabine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("4 products · EU")


def test_follow_a_risk_to_the_section_text_and_back(page, live_server):
    plan = PlanFactory(product__name="Examplix", product__slug="examplix")
    ProductInformationSectionFactory(
        product=plan.product, document="smpc", section="4.4", text="Monitor liver tests."
    )
    reference = SectionReferenceFactory(
        routine_measure__safety_concern__plan=plan,
        routine_measure__safety_concern__name="Hepatotoxicity",
        document="smpc",
        section="4.4",
    )
    concern = reference.routine_measure.safety_concern

    page.goto(f"{live_server.url}/products/examplix/")
    # the overview row leads to the concern's details, folded until then
    row = page.get_by_role("row", name=re.compile("^Hepatotoxicity"))
    row.get_by_role("link", name="Hepatotoxicity").click()
    expect(page.locator(f"#{concern.anchor}")).to_have_attribute("open", "")
    page.get_by_role("link", name="SmPC 4.4 Special warnings and precautions for use").click()
    expect(page).to_have_url(re.compile(r"/products/examplix/information/#smpc-4-4$"))
    section = page.locator("#smpc-4-4")
    expect(section).to_contain_text("Monitor liver tests.")
    section.get_by_role("link", name="Hepatotoxicity").click()
    expect(page).to_have_url(re.compile(rf"/products/examplix/#{concern.anchor}$"))
    expect(page.locator(f"#{concern.anchor}")).to_be_in_viewport()
    expect(page.locator(f"#{concern.anchor}")).to_have_attribute("open", "")


def test_print_lemtrada_as_a_clean_document(page, live_server, seeded):
    page.goto(f"{live_server.url}/products/lemtrada/")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    text = " ".join(text.split())
    assert 1 < len(pdf.pages) <= 4  # the summary: browse/tests/test_print_and_phones_browser.py
    for name in [
        "Infusion-associated reactions (IARs)",
        "Progressive multifocal leukoencephalopathy (PML)",
        "Use in racial categories other than white",
        "OBS13434",
    ]:
        assert name in text
    assert "Skip to main content" not in text
    assert "Print this page" not in text
    assert "Safety concerns Studies Compare" not in text
    assert "printed" in text and "Data version" in text and "Page 1 of" in text
    # the source's address is printed once, as the link's text (the PDF text may break it)
    compact = text.replace(" ", "")
    assert compact.count("https://www.ema.europa.eu/en/medicines/human/EPAR/lemtrada") == 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/products/",
        "/products/lemtrada/",
        "/products/lemtrada/print/?detail=full",
        "/products/lemtrada/risks/progressive-multifocal-leukoencephalopathy/",
        "/products/lemtrada/studies/risk-of-mortality-study/",
        "/products/clolar/",
        "/products/ivozall/",
        "/products/besponsa/information/",
        "/risks/?category=potential",
        "/compare/?products=ivozall,clolar",
        "/compare/?products=clolar,nowhere",  # the picker, with an error and suggestions
        "/studies/",
        "/search/?q=PML",
        "/products/no-such-product/",
    ],
)
def test_pages_have_no_serious_accessibility_violations(page, live_server, seeded, path):
    page.goto(f"{live_server.url}{path}")
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []

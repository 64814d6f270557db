"""In Chromium: from a concern of Lemtrada's published plan to the SmPC section it cites and
back to that very concern; a section whose text is not loaded leads to EMA's copy."""

import re

import pytest
from playwright.sync_api import expect

from imports.pi_parser import parse_product_information
from imports.tests import real_documents
from products.documents import Document
from products.models import Product, ProductInformationSection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PML = "Progressive multifocal leukoencephalopathy (PML)"


def load_smpc(product):
    """The SmPC of a realistic document, parsed, as the product's loaded sections."""
    parsed = parse_product_information("\n".join(real_documents.eu_document()))
    ProductInformationSection.objects.bulk_create(
        ProductInformationSection(
            product=product,
            document=section.document,
            section=section.section,
            title=section.title,
            text=section.text,
            position=position,
        )
        for position, section in enumerate(parsed)
        if section.document == Document.SMPC
    )


def test_from_a_concern_to_its_section_and_back_to_that_concern(page, live_server, seeded):
    lemtrada = Product.objects.get(slug="lemtrada")
    load_smpc(lemtrada)
    concern = lemtrada.plans.get().safety_concerns.get(name=PML)

    page.goto(f"{live_server.url}/products/lemtrada/")
    page.get_by_role("row", name=re.compile(r"^Progressive multifocal")).get_by_role(
        "link", name=PML
    ).click()
    details = page.locator(f"#{concern.anchor}")
    expect(details).to_have_attribute("open", "")
    # the loaded section: one click to its text
    details.get_by_role(
        "link", name="SmPC 4.4 Special warnings and precautions for use"
    ).first.click()
    expect(page).to_have_url(re.compile(r"/products/lemtrada/information/#smpc-4-4$"))
    section = page.locator("#smpc-4-4")
    expect(section).to_be_in_viewport()
    expect(section).to_contain_text("Cases of drug-induced liver injury")
    # every concern of the plan citing 4.4 is listed; PML's link goes back to PML itself
    cited_by = section.locator(".cited-by li")
    expect(cited_by.filter(has_text=PML)).to_contain_text("Labeled in section 4.4 of SmPC")
    assert cited_by.count() > 5
    cited_by.get_by_role("link", name=PML).click()
    expect(page).to_have_url(re.compile(rf"/products/lemtrada/#{concern.anchor}$"))
    expect(details).to_be_in_viewport()
    expect(details).to_have_attribute("open", "")
    # the leaflet is not loaded: its reference leaves for EMA's product information
    leaflet = details.get_by_role("link", name=re.compile(r"^PL 2 .* in the official product"))
    expect(leaflet.first).to_have_attribute("href", lemtrada.product_information_url)
    expect(leaflet.first).to_have_text(
        re.compile(r"\(ema\.europa\.eu, opens the PDF; see section 2\)$")
    )

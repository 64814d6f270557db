"""References and sections, both ways: a risk's reference opens the section (here, or in the
official product information when the text is not loaded here) and the section lists the
concerns and measures of the current published plan that cite it, each back to its anchor."""

import pytest
from django.utils.html import escape

from products.tests.factories import ProductInformationSectionFactory
from risks.models import PlanStatus
from risks.tests.factories import (
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
)

pytestmark = pytest.mark.django_db

EPAR_PI = (
    "https://www.ema.europa.eu/en/documents/product-information/"
    "examplumab-epar-product-information_en.pdf"
)


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def cite(plan, concern_name, text, *keys, position=0):
    concern = SafetyConcernFactory(plan=plan, name=concern_name, position=position)
    measure = RoutineMeasureFactory(safety_concern=concern, text=text)
    for index, (document, section) in enumerate(keys):
        SectionReferenceFactory(
            routine_measure=measure, document=document, section=section, position=index
        )
    return concern, measure


@pytest.fixture
def plan():
    return PlanFactory(
        product__slug="examplumab",
        product__name="Examplumab",
        product__product_information_url=EPAR_PI,
    )


def test_a_reference_whose_text_is_not_loaded_leads_to_the_official_product_information(
    client, plan
):
    ProductInformationSectionFactory(product=plan.product, document="smpc", section="4.4")
    cite(plan, "Hepatotoxicity", "SmPC sections 4.4 and 4.8.", ("smpc", "4.4"), ("smpc", "4.8"))

    page = html(client.get("/products/examplumab/"))

    assert '<a class="cite" href="/products/examplumab/information/#smpc-4-4">SmPC 4.4 ' in page
    assert (
        f'<a class="cite external" rel="external noopener" href="{EPAR_PI}">SmPC 4.8 '
        "Undesirable effects – in the official product information (ema.europa.eu, opens the "
        "PDF; see section 4.8)</a>"
    ) in page
    # the overview table links both, the external one labelled for screen readers too
    assert '<a href="/products/examplumab/information/#smpc-4-4" title=' in page
    assert (
        'aria-label="SmPC 4.8 – in the official product information (ema.europa.eu, opens the '
        'PDF; see section 4.8)">SmPC 4.8</a>'
    ) in page


def test_without_an_address_the_reference_says_so(client):
    plan = PlanFactory(product__slug="nowhere")
    cite(plan, "Hepatotoxicity", "SmPC section 4.4.", ("smpc", "4.4"))

    page = html(client.get("/products/nowhere/"))

    assert (
        'SmPC 4.4 Special warnings and precautions for use <span class="muted">(text not '
        "loaded here, and no address of the official product information is recorded)</span>"
    ) in page
    assert "no address of the official product information is recorded: the sections" in page


def test_the_product_page_points_to_the_official_product_information_when_none_is_loaded(
    client, plan
):
    page = html(client.get("/products/examplumab/"))

    assert (
        f'not loaded here: the sections cited link to <a class="external" rel="external '
        f'noopener" href="{EPAR_PI}">the official product information (ema.europa.eu, PDF)</a>'
    ) in page


def test_the_section_lists_each_citing_concern_and_measure_linking_back_to_its_anchor(client, plan):
    ProductInformationSectionFactory(product=plan.product, document="smpc", section="4.4")
    ProductInformationSectionFactory(
        product=plan.product, document="smpc", section="4.8", position=1
    )
    liver, _ = cite(
        plan, "Hepatotoxicity", "Labelled in SmPC section 4.4.", ("smpc", "4.4"), position=0
    )
    second = RoutineMeasureFactory(safety_concern=liver, text="Warning in SmPC 4.4 on alcohol.")
    SectionReferenceFactory(routine_measure=second, document="smpc", section="4.4")
    infections, _ = cite(
        plan, "Serious infections", "SmPC 4.4 and 4.8.", ("smpc", "4.4"), ("smpc", "4.8"),
        position=1,
    )  # fmt: skip

    page = html(client.get("/products/examplumab/information/"))
    section_4_4 = page[page.index('id="smpc-4-4"') : page.index('id="smpc-4-8"')]
    section_4_8 = page[page.index('id="smpc-4-8"') :]

    assert f"Cited in the current plan (version {plan.version}) by:" in section_4_4
    assert (
        f'<li><a href="/products/examplumab/#{liver.anchor}">Hepatotoxicity</a>: '
        f"<q>Labelled in SmPC section 4.4.</q>; <q>Warning in SmPC 4.4 on alcohol.</q></li>"
    ) in section_4_4
    assert f'<a href="/products/examplumab/#{infections.anchor}">Serious infections</a>' in (
        section_4_4
    )
    assert "Hepatotoxicity" not in section_4_8
    assert f'<a href="/products/examplumab/#{infections.anchor}">Serious infections</a>: ' in (
        section_4_8
    )
    # the anchors exist on the product page, on the concern's own details
    product_page = html(client.get("/products/examplumab/"))
    assert f'id="{liver.anchor}"' in product_page
    assert f'id="{infections.anchor}"' in product_page


def test_only_the_current_published_plan_cites(client, plan):
    ProductInformationSectionFactory(product=plan.product, document="smpc", section="4.4")
    cite(plan, "Published risk", "SmPC 4.4.", ("smpc", "4.4"))
    for status, version, name in [
        (PlanStatus.DRAFT, "2", "Draft risk"),
        (PlanStatus.IN_REVIEW, "3", "Risk in review"),
        (PlanStatus.SUPERSEDED, "0", "Superseded risk"),
    ]:
        other = PlanFactory(product=plan.product, status=status, version=version)
        cite(other, name, "SmPC 4.4.", ("smpc", "4.4"))

    page = html(client.get("/products/examplumab/information/"))

    assert "Published risk" in page
    for name in ("Draft risk", "Risk in review", "Superseded risk"):
        assert name not in page


def test_a_product_without_a_published_plan_lists_no_citations(client):
    section = ProductInformationSectionFactory(product__slug="solo", document="smpc", section="4.4")
    draft = PlanFactory(product=section.product, draft=True)
    cite(draft, "Draft risk", "SmPC 4.4.", ("smpc", "4.4"))

    response = client.get("/products/solo/information/")

    assert "Draft risk" not in response.content.decode()
    assert escape("Cited in the current plan") not in response.content.decode()


def test_the_api_gives_the_official_product_information_address(client, plan):
    response = client.get("/api/v1/products/examplumab/")

    assert response.status_code == 200
    assert response.json()["product_information_url"] == EPAR_PI


def test_the_information_page_of_a_product_without_loaded_text_leads_out(client, plan):
    page = html(client.get("/products/examplumab/information/"))

    assert (
        "The product information of Examplumab is not loaded here. Read it in "
        f'<a class="external" rel="external noopener" href="{EPAR_PI}">the official product '
        "information (ema.europa.eu, PDF)</a>."
    ) in page

"""Which product a product-information document names, and when that is not the target."""

import pytest

from imports.pi_names import mismatch, named_product
from imports.pi_parser import parse_product_information
from products.tests.factories import ProductFactory, SubstanceFactory

SMPC = """\
SUMMARY OF PRODUCT CHARACTERISTICS

1. NAME OF THE MEDICINAL PRODUCT

{name}

2. QUALITATIVE AND QUANTITATIVE COMPOSITION

Each vial contains 12 mg {substance} in 1.2 mL.

3. PHARMACEUTICAL FORM

Concentrate for solution for infusion.
"""
US_LABEL = """\
HIGHLIGHTS OF PRESCRIBING INFORMATION
These highlights do not include all the information needed to use LEMTRADA safely and
effectively. See full prescribing information for LEMTRADA.

LEMTRADA (alemtuzumab) injection, for intravenous use
Initial U.S. Approval: 2001
"""


def named(text):
    return named_product(parse_product_information(text), text)


@pytest.mark.parametrize(
    ("line", "brand"),
    [
        ("LEMTRADA 12 mg concentrate for solution for infusion", "LEMTRADA"),
        ("Besponsa® 1 mg powder for concentrate for solution for infusion", "Besponsa"),
        ("Evoltra 1 mg/mL concentrate for solution for infusion", "Evoltra"),
        ("Tysabri", "Tysabri"),
    ],
)
def test_the_smpc_names_its_product_in_section_1(line, brand):
    found = named(SMPC.format(name=line, substance="alemtuzumab"))
    assert (found.name, found.full_name, found.where) == (brand, line, "SmPC section 1")


def test_a_us_label_names_its_product_in_its_title():
    found = named(US_LABEL)
    assert (found.name, found.substance_text, found.where) == (
        "LEMTRADA",
        "alemtuzumab",
        "the label's title",
    )


@pytest.mark.django_db
def test_the_same_product_in_capitals_is_no_mismatch():
    product = ProductFactory(name="Lemtrada", substances=[SubstanceFactory(name="alemtuzumab")])
    assert (
        mismatch(named(SMPC.format(name="LEMTRADA 12 mg", substance="alemtuzumab")), product)
        is None
    )
    assert mismatch(named(US_LABEL), product) is None


@pytest.mark.django_db
def test_another_name_another_substance_or_no_name_is_a_mismatch():
    product = ProductFactory(name="Lemtrada", substances=[SubstanceFactory(name="alemtuzumab")])
    other = mismatch(named(SMPC.format(name="Lemtradix 12 mg", substance="alemtuzumab")), product)
    assert (
        other == "The document names the product “Lemtradix 12 mg” in SmPC section 1, not Lemtrada."
    )
    substance = mismatch(
        named(SMPC.format(name="LEMTRADA 12 mg", substance="natalizumab")), product
    )
    assert "does not mention alemtuzumab" in substance
    assert "does not name its product" in mismatch(named("Some text without headings."), product)

import pytest

from products.documents import Document, unloaded_references
from products.models import Product


def test_only_references_into_a_loaded_document_must_name_a_loaded_section():
    loaded = {("smpc", "4.4"), ("smpc", "4.8"), ("annex2", "D")}
    references = [
        (Document.SMPC, "4.4"),
        (Document.SMPC, "4.2"),
        (Document.PACKAGE_LEAFLET, "2"),  # not loaded at all: links out
        (Document.ANNEX_II, "B"),
    ]

    assert unloaded_references(references, loaded, product_name="Lemtrada") == [
        "“SmPC 4.2” is not among the loaded sections of Lemtrada’s summary of product "
        "characteristics: they are 4.4, 4.8.",
        "“Annex II B” is not among the loaded sections of Lemtrada’s Annex II: they are D.",
    ]


def test_nothing_loaded_means_nothing_to_check():
    assert unloaded_references([(Document.SMPC, "4.2")], set()) == []


@pytest.mark.parametrize(
    ("url", "site", "pdf"),
    [
        (
            "https://www.ema.europa.eu/en/documents/product-information/"
            "lemtrada-epar-product-information_en.pdf",
            "ema.europa.eu",
            True,
        ),
        (
            "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=abc",
            "dailymed.nlm.nih.gov",
            False,
        ),
        ("", "", False),
    ],
)
def test_the_official_product_information_address_names_its_site(url, site, pdf):
    product = Product(name="Lemtrada", product_information_url=url)
    assert product.product_information_site == site
    assert product.product_information_is_pdf is pdf

"""The seed products' official product-information addresses follow from their sources
(docs/product-information-addresses.md): EMA's naming from the EPAR page the source names."""

import pytest

from products.models import Product
from risks.seed import read_seed, seed_files

EPAR_PAGE = "https://www.ema.europa.eu/en/medicines/human/EPAR/"
PI_PDF = (
    "https://www.ema.europa.eu/en/documents/product-information/{}-epar-product-information_en.pdf"
)


def products():
    return {path.stem: read_seed(path)["product"] for path in seed_files()}


@pytest.mark.parametrize("slug", ["besponsa", "ivozall", "lemtrada", "uplizna"])
def test_each_eu_seed_product_has_the_epar_product_information_of_its_epar_page(slug):
    product = products()[slug]
    assert product["source_url"].startswith(EPAR_PAGE)
    epar_name = product["source_url"].removeprefix(EPAR_PAGE)
    assert product["product_information_url"] == PI_PDF.format(epar_name)
    assert epar_name == product["name"].casefold()


def test_the_us_seed_product_has_no_address_its_source_does_not_give():
    assert products()["clolar"]["product_information_url"] == ""


@pytest.mark.django_db
def test_the_loaded_seed_carries_the_addresses(seeded):
    addresses = dict(Product.objects.values_list("slug", "product_information_url"))
    assert addresses["lemtrada"] == PI_PDF.format("lemtrada")
    assert addresses["clolar"] == ""

"""The RMP import preview checks each measure's references against the product's loaded text."""

import pytest

from imports.services import preview_rmp_summary
from imports.tests.test_admin import LEMTRADA, source
from products.models import Product
from products.tests.factories import ProductInformationSectionFactory

pytestmark = pytest.mark.django_db


def concern_warnings(preview, name):
    return [message for subject, message in preview.warnings if subject == name]


def test_references_to_sections_the_loaded_smpc_lacks_are_warned_of(seeded):
    lemtrada = Product.objects.get(slug="lemtrada")
    for position, section in enumerate(["4.2", "4.4"]):
        ProductInformationSectionFactory(
            product=lemtrada, document="smpc", section=section, position=position
        )

    preview = preview_rmp_summary(source(LEMTRADA), LEMTRADA, product_slug="lemtrada")

    iars = concern_warnings(preview, "Safety concern “Infusion-associated reactions (IARs)”")
    assert (
        "Routine measure “Labeled in sections 4.2, 4.3, 4.4 and 4.8 of SmPC.”: “SmPC 4.3” is "
        "not among the loaded sections of Lemtrada’s summary of product characteristics: they "
        "are 4.2, 4.4."
    ) in iars
    assert any("“SmPC 4.8” is not among the loaded sections" in message for message in iars)
    # The leaflet is not loaded: its references lead out, with no warning.
    assert not any("“PL " in message for _, message in preview.warnings)


def test_without_loaded_text_the_preview_has_no_reference_warnings(seeded):
    preview = preview_rmp_summary(source(LEMTRADA), LEMTRADA, product_slug="lemtrada")

    assert not any("loaded sections" in message for _, message in preview.warnings)

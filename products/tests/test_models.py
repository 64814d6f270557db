import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.models import ProductInformationSection, Substance
from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks.models import public_products
from risks.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def test_malformed_section_number_is_refused_by_the_database():
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductInformationSection.objects.create(
            product=product, document="smpc", section="4.x", title="Bad"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductInformationSection.objects.create(
            product=product, document="annex2", section="4", title="Bad"
        )


def test_malformed_section_number_gets_a_readable_message_in_clean():
    section = ProductInformationSection(
        product=ProductFactory(), document="pl", section="Section 2", title="x"
    )
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert error.value.message_dict["section"] == [
        "“Section 2” is not a section of the Package leaflet: use a number such as 4 or 4.4."
    ]


def test_a_product_has_each_section_of_a_document_once():
    existing = ProductInformationSectionFactory(document="smpc", section="4.4")
    duplicate = ProductInformationSection(
        product=existing.product, document="smpc", section="4.4", title="Again"
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "This product already has this section of this document." in error.value.messages
    ProductInformationSectionFactory(product=existing.product, document="pl", section="4")


def test_substance_names_are_unique_regardless_of_case():
    Substance.objects.create(name="alemtuzumab")
    with pytest.raises(ValidationError) as error:
        Substance(name="Alemtuzumab").full_clean()
    assert error.value.messages == ["An active substance with this name already exists."]


def test_invalid_region_and_status_are_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(region="JP")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(authorisation_status="maybe")


def test_section_label_and_anchor():
    section = ProductInformationSectionFactory(document="smpc", section="4.4")
    assert section.label == "SmPC 4.4"
    assert section.anchor == "smpc-4-4"


def test_public_products_are_those_with_a_published_plan_or_no_plan():
    published = PlanFactory().product
    information_only = ProductFactory()
    drafts_only = PlanFactory(draft=True).product
    superseded_and_draft = PlanFactory(status="superseded", published_at=None).product
    PlanFactory(product=superseded_and_draft, draft=True)

    public = set(public_products())

    assert public == {published, information_only}
    assert drafts_only not in public

"""A reference must name a loaded section when the product's text of that document is loaded."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from curation.tests.test_admin import routine_measure_post
from products.tests.factories import ProductInformationSectionFactory
from risks.tests.factories import SectionReferenceFactory

pytestmark = pytest.mark.django_db


def draft_measure_citing_4_8():
    reference = SectionReferenceFactory(
        section="4.8",
        routine_measure__safety_concern__plan__draft=True,
        routine_measure__safety_concern__plan__product__name="Examplumab",
    )
    return reference.routine_measure


def load(product, *keys):
    for position, (document, section) in enumerate(keys):
        ProductInformationSectionFactory(
            product=product, document=document, section=section, position=position
        )


def test_a_reference_to_a_section_the_loaded_smpc_lacks_is_refused_naming_the_loaded_ones(
    curator_client,
):
    measure = draft_measure_citing_4_8()
    load(measure.safety_concern.plan.product, ("smpc", "4.2"), ("smpc", "4.8"), ("smpc", "4.10"))
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, "SmPC 4.2, 4.4; PL 2"))

    assert response.status_code == 400
    assert (
        escape(
            "“SmPC 4.4” is not among the loaded sections of Examplumab’s summary of product "
            "characteristics: they are 4.2, 4.8, 4.10."
        )
        in response.content.decode()
    )
    assert [r.label for r in measure.section_references.all()] == ["SmPC 4.8"]


def test_a_reference_to_a_document_that_is_not_loaded_is_accepted(curator_client):
    """PL 2 is not loaded at all: the reference links to the official product information."""
    measure = draft_measure_citing_4_8()
    load(measure.safety_concern.plan.product, ("smpc", "4.2"), ("smpc", "4.4"))
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, "SmPC 4.2, 4.4; PL 2"))

    assert response.status_code == 302
    assert [r.label for r in measure.section_references.all()] == ["SmPC 4.2", "SmPC 4.4", "PL 2"]


def test_without_loaded_text_any_section_of_the_template_is_accepted(curator_client):
    measure = draft_measure_citing_4_8()
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, "SmPC 4.2, 4.4; PL 2"))

    assert response.status_code == 302


def test_the_section_reference_page_refuses_an_unloaded_section_too(curator_client):
    measure = draft_measure_citing_4_8()
    reference = measure.section_references.get()
    load(measure.safety_concern.plan.product, ("pl", "2"), ("pl", "4"))
    plan = measure.safety_concern.plan
    url = reverse("admin:risks_sectionreference_change", args=[reference.pk])

    response = curator_client.post(
        url,
        {
            "change_reason": "Cite the leaflet",
            "change_token": str(plan.revision),
            "routine_measure": measure.pk,
            "document": "pl",
            "section": "3",
            "position": "0",
        },
    )

    assert response.status_code == 400
    assert response.context["adminform"].form.errors["section"] == [
        "“PL 3” is not among the loaded sections of Examplumab’s package leaflet: they are 2, 4."
    ]
    reference.refresh_from_db()
    assert reference.key == ("smpc", "4.8")

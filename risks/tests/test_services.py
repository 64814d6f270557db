import pytest
from django.core.exceptions import ValidationError

from products.documents import Document
from products.tests.factories import ProductFactory
from risks.models import PlanStatus, SectionReference
from risks.seed import SeedError, load_seed
from risks.services import create_plan, parse_reference_list, set_section_references
from risks.tests.factories import RoutineMeasureFactory, SectionReferenceFactory

SMPC, PL = Document.SMPC, Document.PACKAGE_LEAFLET


def test_reference_lists_continue_the_document_named_before():
    assert parse_reference_list("SmPC 4.2, 4.4 and 4.8; PL 2, PL 2") == [
        (SMPC, "4.2"),
        (SMPC, "4.4"),
        (SMPC, "4.8"),
        (PL, "2"),
    ]
    assert parse_reference_list("  ") == []


def test_reference_lists_report_the_first_bad_item():
    with pytest.raises(ValidationError) as error:
        parse_reference_list("SmPC 4.2, Leaflet 2")
    assert error.value.messages == ["Unknown document 'Leaflet': use SmPC, Annex II, PL or USPI."]


@pytest.mark.django_db
def test_set_section_references_replaces_them_in_order():
    measure = RoutineMeasureFactory()
    set_section_references(measure, [(SMPC, "4.4"), (PL, "2")])
    set_section_references(measure, [(PL, "4"), (SMPC, "4.3")])
    assert [ref.label for ref in measure.section_references.all()] == ["PL 4", "SmPC 4.3"]


def test_reference_lists_refuse_a_section_the_document_does_not_have():
    with pytest.raises(ValidationError) as error:
        parse_reference_list("SmPC 4.2, 4.99")
    assert error.value.messages == [
        "“SmPC 4.99” is not a section of the Summary of product characteristics: its "
        "sections are 1–12, 2.1, 2.2, 4.1–4.9, 5.1–5.3, 6.1–6.6."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "section", "valid"),
    [
        (SMPC, "4.99", "4.1–4.9"),
        (SMPC, "12.3", "1–12"),
        (PL, "9", "1–6"),
        (Document.ANNEX_II, "E", None),
        (Document.US_PRESCRIBING_INFORMATION, "12.3", None),
    ],
)
def test_a_section_reference_cleans_against_its_documents_structure(document, section, valid):
    reference = SectionReferenceFactory.build(
        routine_measure=RoutineMeasureFactory(), document=document, section=section
    )
    if valid is None:
        reference.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        reference.full_clean()
    [message] = error.value.message_dict["section"]
    assert f"is not a section of the {document.label}" in message
    assert valid in message


def _plan_data(*references):
    return {
        "version": "1.0",
        "safety_concerns": [
            {
                "name": "Hepatotoxicity",
                "category": "identified",
                "routine_measures": [
                    {"text": "SmPC sections 4.2 and 4.4; PL 2.", "references": list(references)}
                ],
            }
        ],
    }


@pytest.mark.django_db
def test_create_plan_stores_the_valid_references_and_reports_the_others_per_concern():
    created = create_plan(
        ProductFactory(),
        _plan_data("SmPC 4.2", "SmPC 4.99", "PL 9", "SmPC 4.4", "SmPC 4.2", "Leaflet 2"),
        status=PlanStatus.DRAFT,
    )

    stored = SectionReference.objects.filter(routine_measure__safety_concern__plan=created.plan)
    assert [(r.label, r.position) for r in stored] == [("SmPC 4.2", 0), ("SmPC 4.4", 1)]
    [concern] = created.concerns
    assert [c for c, _ in created.warnings] == [concern, concern, concern]
    messages = [message for _, message in created.warnings]
    assert messages[0].startswith(
        "Routine measure 1 “SmPC sections 4.2 and 4.4; PL 2.”: the reference “SmPC 4.99” "
        "was not stored: “SmPC 4.99” is not a section of the Summary of product characteristics"
    )
    assert "the reference “PL 9” was not stored" in messages[1]
    assert "its sections are 1–6" in messages[1]
    assert "the reference “Leaflet 2” was not stored: Unknown document" in messages[2]


@pytest.mark.django_db
def test_the_seed_loader_stops_at_a_reference_it_cannot_store_and_writes_nothing():
    data = {
        "product": {
            "slug": "examplumab",
            "name": "Examplumab",
            "region": "EU",
            "authorisation_status": "authorised",
            "substances": ["examplumab"],
        },
        "plan": _plan_data("SmPC 4.4", "SmPC 4.99"),
    }
    with pytest.raises(SeedError) as error:
        load_seed(data)
    assert "examplumab: Hepatotoxicity: Routine measure 1" in str(error.value)
    assert "the reference “SmPC 4.99” was not stored" in str(error.value)
    assert not SectionReference.objects.filter(
        routine_measure__safety_concern__plan__product__slug="examplumab"
    ).exists()

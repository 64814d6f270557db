import pytest
from django.core.exceptions import ValidationError

from products.documents import Document
from risks.services import parse_reference_list, set_section_references
from risks.tests.factories import RoutineMeasureFactory

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

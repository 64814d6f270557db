import pytest
from django.core.exceptions import ValidationError

from products.documents import Document, parse_reference, section_sort_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SmPC 4.4", (Document.SMPC, "4.4")),
        ("smpc   4.2", (Document.SMPC, "4.2")),
        ("PL 2", (Document.PACKAGE_LEAFLET, "2")),
        ("Annex II D", (Document.ANNEX_II, "D")),
        ("USPI 5.1", (Document.US_PRESCRIBING_INFORMATION, "5.1")),
        ("Package leaflet 4", (Document.PACKAGE_LEAFLET, "4")),
    ],
)
def test_parse_reference_reads_document_and_section(text, expected):
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4.4", "is not a section reference"),
        ("Label 4.4", "Unknown document"),
        ("SmPC 4.a", "“4.a” is not a section of the Summary of product characteristics"),
        ("SmPC 0.4", "is not a section"),
        ("Annex II 4", "use a letter A to E"),
        ("PL <script>", "is not a section of the Package leaflet"),
    ],
)
def test_parse_reference_rejects_malformed_references_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_reference(text)


def test_validate_section_message_names_the_document_and_the_expected_form():
    with pytest.raises(ValidationError) as error:
        Document.SMPC.validate_section("4,4")
    assert error.value.messages == [
        "“4,4” is not a section of the Summary of product characteristics: "
        "use a number such as 4 or 4.4."
    ]


def test_sections_sort_in_natural_order():
    sections = ["5", "4.10", "4.2", "10", "4.9", "4"]
    assert sorted(sections, key=section_sort_key) == ["4", "4.2", "4.9", "4.10", "5", "10"]

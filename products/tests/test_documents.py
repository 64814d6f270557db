import pytest
from django.core.exceptions import ValidationError

from products.documents import (
    STANDARD_TITLES,
    Document,
    has_section,
    parse_reference,
    section_sort_key,
)


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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SmPC 4.99",
            "“SmPC 4.99” is not a section of the Summary of product characteristics: its "
            "sections are 1–12, 2.1, 2.2, 4.1–4.9, 5.1–5.3, 6.1–6.6.",
        ),
        ("SmPC 12.3", "“SmPC 12.3” is not a section of the Summary of product characteristics"),
        ("SmPC 13", "“SmPC 13” is not a section"),
        ("SmPC 4.4.1", "“SmPC 4.4.1” is not a section"),
        ("PL 9", "“PL 9” is not a section of the Package leaflet: its sections are 1–6."),
        ("PL 2.1", "“PL 2.1” is not a section"),
        ("USPI 18", "its sections are 1–17 and their subsections"),
        ("USPI 18.1", "“USPI 18.1” is not a section of the US prescribing information"),
    ],
)
def test_a_reference_to_a_section_the_document_does_not_have_is_refused(text, message):
    with pytest.raises(ValueError) as error:
        parse_reference(text)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "SmPC 1",
        "SmPC 2.2",
        "SmPC 4.9",
        "SmPC 5.3",
        "SmPC 6.6",
        "SmPC 10",
        "SmPC 11",  # dosimetry, radiopharmaceuticals
        "Annex II E",
        "PL 6",
        "USPI 12.3",  # pharmacokinetics
        "USPI 5.14",  # the label numbers its own warnings
        "USPI 17",
    ],
)
def test_every_section_of_the_templates_is_accepted(text):
    document, section = parse_reference(text)
    document.validate_section(section)  # does not raise


def test_the_section_structure_is_the_template_numbering():
    smpc = list(STANDARD_TITLES[Document.SMPC])
    assert [n for n in smpc if n.startswith("4.")] == [f"4.{i}" for i in range(1, 10)]
    assert [n for n in smpc if n.startswith("6.")] == [f"6.{i}" for i in range(1, 7)]
    assert list(STANDARD_TITLES[Document.PACKAGE_LEAFLET]) == ["1", "2", "3", "4", "5", "6"]
    assert list(STANDARD_TITLES[Document.US_PRESCRIBING_INFORMATION]) == [
        str(i) for i in range(1, 18)
    ]
    assert not has_section(Document.SMPC, "3.1")
    assert has_section(Document.US_PRESCRIBING_INFORMATION, "3.1")

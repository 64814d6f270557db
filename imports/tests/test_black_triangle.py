"""The black-triangle preamble of an SmPC under additional monitoring, as real EU SmPCs print it.

The preamble ends "See section 4.8 for how to report adverse reactions."; wrapped at some
widths a line starts "4.8 for how to report adverse reactions." (or "section 4.8 for how…").
That line is text, not the heading of 4.8: it is not the template's title and it comes
before section 1. Every section after the preamble must be kept.
"""

import textwrap

import pytest

from imports.pi_parser import parse_product_information
from products.documents import Document

PREAMBLE = (
    "▼ This medicinal product is subject to additional monitoring. This will allow quick "
    "identification of new safety information. Healthcare professionals are asked to report "
    "any suspected adverse reactions. See section 4.8 for how to report adverse reactions."
)

# (number, capitals, title case); the text of each section names what it is.
SMPC = [
    ("1", "NAME OF THE MEDICINAL PRODUCT", "Name of the Medicinal Product"),
    ("2", "QUALITATIVE AND QUANTITATIVE COMPOSITION", "Qualitative and Quantitative Composition"),
    ("3", "PHARMACEUTICAL FORM", "Pharmaceutical Form"),
    ("4", "CLINICAL PARTICULARS", "Clinical Particulars"),
    ("4.1", "Therapeutic indications", "Therapeutic Indications"),
    ("4.2", "Posology and method of administration", "Posology and Method of Administration"),
    ("4.3", "Contraindications", "Contraindications"),
    ("4.4", "Special warnings and precautions for use", "Special Warnings and Precautions for Use"),
    (
        "4.5",
        "Interaction with other medicinal products and other forms of interaction",
        "Interaction with Other Medicinal Products and Other Forms of Interaction",
    ),
    ("4.6", "Fertility, pregnancy and lactation", "Fertility, Pregnancy and Lactation"),
    (
        "4.7",
        "Effects on ability to drive and use machines",
        "Effects on Ability to Drive and Use Machines",
    ),
    ("4.8", "Undesirable effects", "Undesirable Effects"),
    ("4.9", "Overdose", "Overdose"),
    ("5", "PHARMACOLOGICAL PROPERTIES", "Pharmacological Properties"),
    ("5.1", "Pharmacodynamic properties", "Pharmacodynamic Properties"),
    ("5.2", "Pharmacokinetic properties", "Pharmacokinetic Properties"),
    ("5.3", "Preclinical safety data", "Preclinical Safety Data"),
    ("6", "PHARMACEUTICAL PARTICULARS", "Pharmaceutical Particulars"),
    ("6.1", "List of excipients", "List of Excipients"),
    ("6.2", "Incompatibilities", "Incompatibilities"),
    ("6.3", "Shelf life", "Shelf Life"),
    ("6.4", "Special precautions for storage", "Special Precautions for Storage"),
    ("6.5", "Nature and contents of container", "Nature and Contents of Container"),
    (
        "6.6",
        "Special precautions for disposal and other handling",
        "Special Precautions for Disposal and Other Handling",
    ),
    ("7", "MARKETING AUTHORISATION HOLDER", "Marketing Authorisation Holder"),
    ("8", "MARKETING AUTHORISATION NUMBER(S)", "Marketing Authorisation Number(s)"),
    (
        "9",
        "DATE OF FIRST AUTHORISATION/RENEWAL OF THE AUTHORISATION",
        "Date of First Authorisation/Renewal of the Authorisation",
    ),
    ("10", "DATE OF REVISION OF THE TEXT", "Date of Revision of the Text"),
]
NUMBERS = [number for number, _, _ in SMPC]
BODY = {
    "4.8": "Summary of the safety profile\nThe most common adverse reactions were headache "
    "and nausea.\n\nReporting of suspected adverse reactions\nReporting suspected adverse "
    "reactions after authorisation of the medicinal product is important.",
    "6.3": "3 years.",
    "10": "Detailed information on this medicinal product is available on the website of the "
    "European Medicines Agency.",
}


def smpc(*, width, case, dot, preamble_first=True):
    """An SmPC text with the preamble wrapped at ``width`` before or after the heading of 1."""
    lines = ["ANNEX I", "", "SUMMARY OF PRODUCT CHARACTERISTICS", ""]
    preamble = textwrap.wrap(PREAMBLE, width)
    if preamble_first:
        lines += [*preamble, ""]
    for number, capitals, title_case in SMPC:
        title = capitals if case == "capitals" else title_case
        lines.append(f"{number}{'.' if dot else ''} {title}")
        lines.append("")
        if number == "1" and not preamble_first:
            lines += ["Examplumab 100 mg film-coated tablets", "", *preamble, ""]
            continue
        if number in {"4", "5", "6"}:
            continue
        lines += [BODY.get(number, f"Text of section {number} of the medicinal product."), ""]
    return "\n".join(lines)


def preamble_widths(starting):
    """The wrap widths at which a line of the wrapped preamble starts with ``starting``."""
    return [
        width
        for width in range(30, 121)
        if any(line.startswith(starting) for line in textwrap.wrap(PREAMBLE, width))
    ]


# Widths at which "4.8 for how to report…" starts a line, and at which "section 4.8 for…" does.
NUMBER_STARTS = preamble_widths("4.8 for how")
SECTION_STARTS = preamble_widths("section 4.8")


def test_the_test_documents_have_the_layouts_they_are_meant_to_have():
    assert len(NUMBER_STARTS) >= 3
    assert len(SECTION_STARTS) >= 3
    text = smpc(width=NUMBER_STARTS[0], case="capitals", dot=True)
    assert "\n4.8 for how to report adverse reactions." in text


def _assert_whole_smpc(parsed, *, smpcs=1):
    smpc_sections = [s for s in parsed.sections if s.document == Document.SMPC]
    assert [s.section for s in smpc_sections] == NUMBERS
    assert parsed.get(Document.SMPC, "4.8").title == "Undesirable effects"
    assert "Reporting of suspected adverse reactions" in parsed.get(Document.SMPC, "4.8").text
    assert parsed.get(Document.SMPC, "6.3").text == "3 years."
    assert parsed.get(Document.SMPC, "10").text.startswith("Detailed information")
    if smpcs == 1:
        assert not any("summaries of product characteristics" in w for w in parsed.warnings)
    assert not any("SmPC" in w and "not found" in w for w in parsed.warnings)


@pytest.mark.parametrize("width", NUMBER_STARTS + SECTION_STARTS)
@pytest.mark.parametrize("case", ["capitals", "title case"])
@pytest.mark.parametrize("dot", [True, False], ids=["dot", "no dot"])
def test_a_wrapped_preamble_before_section_1_keeps_every_section(width, case, dot):
    parsed = parse_product_information(smpc(width=width, case=case, dot=dot))

    _assert_whole_smpc(parsed)
    # The preamble comes before section 1: it belongs to no section.
    assert all("additional monitoring" not in s.text for s in parsed.sections)


@pytest.mark.parametrize("width", NUMBER_STARTS + SECTION_STARTS)
@pytest.mark.parametrize("case", ["capitals", "title case"])
def test_a_wrapped_preamble_inside_section_1_stays_its_text(width, case):
    """Some SmPCs print the preamble under the product's name, inside section 1."""
    parsed = parse_product_information(smpc(width=width, case=case, dot=True, preamble_first=False))

    _assert_whole_smpc(parsed)
    section_1 = parsed.get(Document.SMPC, "1").text
    assert "additional monitoring" in section_1
    assert "4.8 for how to report adverse reactions." in section_1


def test_the_unwrapped_preamble_on_one_line_changes_nothing():
    parsed = parse_product_information(smpc(width=10_000, case="capitals", dot=True))

    _assert_whole_smpc(parsed)


def test_a_later_smpc_for_another_strength_is_still_recognised_after_the_preamble():
    """The preamble fix does not hide a real second SmPC (one per strength)."""
    width = NUMBER_STARTS[0]
    first = smpc(width=width, case="capitals", dot=True)
    second = smpc(width=width, case="capitals", dot=True).replace("ANNEX I\n", "", 1)
    parsed = parse_product_information(first + "\n\n" + second)

    _assert_whole_smpc(parsed, smpcs=2)
    assert any("2 summaries of product characteristics" in w for w in parsed.warnings)

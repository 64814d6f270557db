"""The parser on product information as real PDFs give it (see real_documents.py).

A heading is the template's next number with a plausible title; everything else (a wrapped
cross-reference, a postcode, a table row, a labelling box, a table of contents) is text.
"""

import re

import pytest

from imports.extract import read_document
from imports.pi_drafts import draft_product_information, preview_product_information
from imports.pi_parser import parse_product_information
from imports.tests import real_documents as docs
from products.documents import Document
from products.models import ProductInformationSection
from products.tests.factories import ProductFactory

SMPC_SECTIONS = [
    "1", "2", "3", "4", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9",
    "5", "5.1", "5.2", "5.3", "6", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "7", "8", "9", "10",
]  # fmt: skip
EU_SECTIONS = (
    [("smpc", number) for number in SMPC_SECTIONS]
    + [("annex2", letter) for letter in "ABCD"]
    + [("pl", str(number)) for number in range(1, 7)]
)
HEADER = "Velmarix \u2013 EPAR product information"


def eu_text(**options):
    return "\n".join(docs.eu_document(**options))


def keys(parsed):
    return [(s.document, s.section) for s in parsed]


def assert_eu_content(parsed):
    """What each section must hold whatever the layout or the extraction."""
    assert keys(parsed) == EU_SECTIONS
    text = {(s.document, s.section): s.text for s in parsed}
    assert parsed.get(Document.SMPC, "4.4").title == "Special warnings and precautions for use"
    assert parsed.get(Document.SMPC, "6.6").title == "Special precautions for disposal"
    # Cross-references and numbers that start a line stay in their section's text.
    assert "4.4 and 5.2) should receive 100 mg" in text["smpc", "4.2"]
    assert "2 weeks after the start of treatment" in text["smpc", "4.2"]
    assert "4.2 and 4.8)." in text["smpc", "4.4"]
    assert "4.8 Undesirable effects for the frequency of infections" in text["smpc", "4.4"]
    assert "4.2 Posology and method of administration" in text["smpc", "5.2"]
    assert "3 months after the last dose." in text["smpc", "4.6"]
    assert "6.1." in text["smpc", "4.3"]
    assert text["smpc", "6.3"] == "3 years."
    # Hyphenation at a line end is repaired.
    assert "have been reported in patients" in " ".join(text["smpc", "4.4"].split())
    # The table of 4.8 stays in 4.8, with its footnote.
    assert "Nasopharyngitis" in text["smpc", "4.8"]
    assert "1 Includes herpes zoster" in text["smpc", "4.8"]
    assert "Reporting of suspected adverse reactions" in text["smpc", "4.8"]
    # Postcode lines are addresses, not headings.
    assert "2750 Ballerup" in text["smpc", "7"]
    assert "1010 Wien" in text["annex2", "A"]
    assert "2100 Copenhagen" in text["pl", "6"]
    assert text["smpc", "10"].startswith("Detailed information on this medicinal product")
    # Annex II: the contents page gives no section; the text follows the second heading.
    assert "Velmar Manufacturing GmbH" in text["annex2", "A"]
    assert "4.2)." in text["annex2", "B"]
    assert "patient card on liver injury" in text["annex2", "D"]
    # The labelling's numbered boxes are neither SmPC nor leaflet sections.
    assert not any("STATEMENT OF ACTIVE SUBSTANCE" in s.text for s in parsed)
    assert not any("sight and reach of children" in s.text.lower() for s in parsed if
                   s.document == "smpc")  # fmt: skip
    # The leaflet: its list of contents is not its sections; its text follows the headings.
    assert parsed.get(Document.PACKAGE_LEAFLET, "1").text.startswith("Velmarix contains")
    assert "4 Possible side effects)." in text["pl", "2"]
    assert "6)." in text["pl", "2"]
    assert "Very common (may affect more than 1 in 10 people)" in text["pl", "4"]
    assert "last revised in 05/2024" in text["pl", "6"]
    # The preambles belong to no SmPC section, and the watermark, page numbers and running
    # header are in no text at all.
    everything = "\n".join(s.text for s in parsed)
    assert "additional monitoring" not in "\n".join(s.text for s in parsed if s.document == "smpc")
    assert docs.WATERMARK.casefold() not in everything.casefold()
    assert HEADER not in everything
    assert not [line for line in everything.splitlines() if re.fullmatch(r"\d{1,2}", line)]


def assert_no_missing_section_warnings(parsed):
    assert not [w for w in parsed.warnings if "not found" in w], parsed.warnings


# Text as a Word export or copy-paste gives it --------------------------------------------


@pytest.mark.parametrize("capitals", [True, False], ids=["capitals", "title case"])
@pytest.mark.parametrize("dot", [True, False], ids=["dot", "no dot"])
@pytest.mark.parametrize("width", [40, 52, 64, 78, 95])
def test_eu_text_in_every_layout_gives_every_section(capitals, dot, width):
    parsed = parse_product_information(eu_text(capitals=capitals, dot=dot, width=width))

    assert_eu_content(parsed)
    assert_no_missing_section_warnings(parsed)


def test_a_missing_section_is_reported_and_its_text_stays_with_the_one_before():
    lines = docs.eu_document()
    lines.remove("4.7 Effects on ability to drive and use machines")
    parsed = parse_product_information("\n".join(lines))

    assert ("smpc", "4.7") not in keys(parsed)
    assert "no or negligible influence" in parsed.get(Document.SMPC, "4.6").text
    assert "SmPC 4.7 (Effects on ability to drive and use machines) was not found." in (
        parsed.warnings
    )


def test_a_missing_leaflet_section_is_reported():
    lines = docs.eu_document()
    del lines[len(lines) - 1 - lines[::-1].index("5. How to store Velmarix")]  # not the contents
    parsed = parse_product_information("\n".join(lines))

    assert [s.section for s in parsed if s.document == "pl"] == ["1", "2", "3", "4", "6"]
    assert any(w.startswith("PL 5 ") and "was not found" in w for w in parsed.warnings)


def test_a_heading_with_a_title_from_another_section_is_text():
    """ "4.5 Fertility, pregnancy and lactation" has the number of 4.5 but the title of 4.6."""
    lines = docs.eu_document()
    at = lines.index("4.5 Interaction with other medicinal products and other forms of interaction")
    lines[at] = "4.5 Fertility, pregnancy and lactation"
    parsed = parse_product_information("\n".join(lines))

    assert ("smpc", "4.5") not in keys(parsed)
    assert "4.5 Fertility, pregnancy and lactation" in parsed.get(Document.SMPC, "4.4").text
    assert any(w.startswith("SmPC 4.5 ") for w in parsed.warnings)


# PDFs made from Word, read by pypdf and by pdfplumber --------------------------------------

EXTRACTORS = {"pypdf": docs.pypdf_text, "pdfplumber": docs.pdfplumber_text}


@pytest.fixture(scope="module")
def eu_pdfs():
    return {
        (capitals, watermark): docs.render_pdf(
            docs.eu_document(capitals=capitals), header=HEADER, watermark=watermark
        )
        for capitals in (True, False)
        for watermark in (True, False)
    }


@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize("capitals", [True, False], ids=["capitals", "title case"])
@pytest.mark.parametrize("watermark", [True, False], ids=["withdrawn", "authorised"])
def test_eu_pdf_extracted_by_each_library_gives_every_section(
    eu_pdfs, extractor, capitals, watermark
):
    text = EXTRACTORS[extractor](eu_pdfs[capitals, watermark])
    if watermark and extractor == "pypdf":
        assert docs.WATERMARK in text  # the extraction does carry it
    assert HEADER in text

    parsed = parse_product_information(text)

    assert_eu_content(parsed)
    assert_no_missing_section_warnings(parsed)


def test_eu_pdf_through_the_import_extraction(eu_pdfs):
    source = read_document(eu_pdfs[True, True], "velmarix-epar-product-information_en.pdf")
    assert docs.WATERMARK in source.text  # kept apart: it tells that the product is withdrawn

    assert_eu_content(parse_product_information(source.text))


# The US label ----------------------------------------------------------------------------


def assert_us_content(parsed):
    assert keys(parsed) == [("uspi", number) for number in docs.US_SECTIONS]
    text = {s.section: s.text for s in parsed}
    assert parsed.get(Document.US_PRESCRIBING_INFORMATION, "5.1").title == "Hepatotoxicity"
    assert parsed.get(Document.US_PRESCRIBING_INFORMATION, "5").title == (
        "Warnings and precautions"
    )
    assert parsed.get(Document.US_PRESCRIBING_INFORMATION, "16").title == (
        "How supplied/storage and handling"
    )
    # The boxed warning is recognised and is not the text of section 1.
    assert parsed.boxed_warning is not None
    assert parsed.boxed_warning.title == "Warning: hepatotoxicity"
    assert "serious and fatal liver injury" in parsed.boxed_warning.text
    assert text["1"].startswith("VELMARIX is indicated")
    # Highlights and the contents are not sections.
    everything = "\n".join(s.text for s in parsed)
    assert "RECENT MAJOR CHANGES" not in everything
    assert "omitted from the full prescribing information" not in everything
    # Numbers that start a line stay text.
    assert "6 months." in text["5.1"]
    assert "(6.1)]." in text["5.2"]
    assert "(8.1)]." in text["5.3"]
    assert "2 weeks after the last dose." in text["8.2"]
    assert "Nasopharyngitis 22 18" in text["6.1"]
    assert "Inform patients" in text["17"]
    # Sections a label leaves out when they do not apply are named, not silently skipped.
    assert any("USPI 9" in w and "15" in w for w in parsed.warnings), parsed.warnings


def test_us_label_text():
    assert_us_content(parse_product_information("\n".join(docs.US_LABEL_LINES)))


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_us_label_pdf(extractor):
    content = docs.render_pdf(docs.US_LABEL_LINES, header="Reference ID: 5012345")
    assert_us_content(parse_product_information(EXTRACTORS[extractor](content)))


def test_a_us_label_missing_a_section_it_lists_is_reported():
    lines = list(docs.US_LABEL_LINES)
    full = lines.index("FULL PRESCRIBING INFORMATION")
    at = lines.index("7 DRUG INTERACTIONS", full)
    del lines[at]
    parsed = parse_product_information("\n".join(lines))

    assert ("uspi", "7") not in keys(parsed)
    assert any(w.startswith("USPI 7 ") and "not found" in w for w in parsed.warnings)


def test_a_us_label_without_its_banners_is_still_read():
    """Copied from DailyMed's page: no "HIGHLIGHTS" and no "FULL PRESCRIBING INFORMATION"."""
    lines = docs.US_LABEL_LINES
    body = lines[lines.index("FULL PRESCRIBING INFORMATION") + 1 :]
    parsed = parse_product_information("\n".join(body[body.index("1 INDICATIONS AND USAGE") :]))

    assert keys(parsed) == [("uspi", number) for number in docs.US_SECTIONS]


def test_numbers_counting_up_in_a_table_are_kept_and_page_numbers_are_not():
    lines = docs.eu_document()
    at = lines.index("1 Includes herpes zoster and herpes simplex.")
    lines[at:at] = ["Patients by week", "1", "2", "3", "4"]
    for page, where in enumerate(
        [lines.index("4.3 Contraindications"), lines.index("5.2 Pharmacokinetic properties")],
        start=7,
    ):
        lines.insert(where + page - 7, str(page))  # a page break before each heading
    parsed = parse_product_information("\n".join(lines))

    table = parsed.get(Document.SMPC, "4.8").text
    assert "Patients by week\n1\n2\n3\n4" in table
    assert not parsed.get(Document.SMPC, "4.2").text.endswith("\n7")
    assert "\n8" not in parsed.get(Document.SMPC, "5.1").text


@pytest.mark.django_db
def test_a_us_label_is_read_into_a_draft_of_a_us_product(curator):
    product = ProductFactory(name="Velmarix", slug="velmarix", region="US")
    content = docs.render_pdf(docs.US_LABEL_LINES, header="Reference ID: 5012345")

    preview = preview_product_information(content, "velmarix-label.pdf", product)
    change = draft_product_information(
        preview, user=curator, reason="Label of 10/2023", confirm_mismatch=bool(preview.mismatch)
    )

    assert [s["section"] for s in change.sections] == docs.US_SECTIONS
    assert {s["document"] for s in change.sections} == {"uspi"}
    assert next(s for s in change.sections if s["section"] == "5.1")["title"] == "Hepatotoxicity"
    assert not ProductInformationSection.objects.filter(product=product).exists()


def test_an_advanced_therapy_smpc_has_2_1_and_2_2_and_long_template_titles():
    lines = docs.eu_document()
    at = lines.index("2. QUALITATIVE AND QUANTITATIVE COMPOSITION")
    lines[at + 1 : at + 1] = [
        "",
        "2.1 General description",
        "Velmarix is a genetically modified autologous T cell immunotherapy.",
        "",
        "2.2 Qualitative and quantitative composition",
    ]
    at = lines.index("6.5 Nature and contents of container")
    lines[at] = "6.5 Nature and contents of container and special equipment for use,"
    lines.insert(at + 1, "administration or implantation")
    parsed = parse_product_information("\n".join(lines))

    numbers = [s.section for s in parsed if s.document == "smpc"]
    assert numbers[:3] == ["1", "2", "2.1"] and numbers[3] == "2.2"
    assert parsed.get(Document.SMPC, "2.1").text.startswith("Velmarix is a genetically")
    assert "100 mg velmarinib" in parsed.get(Document.SMPC, "2.2").text
    assert parsed.get(Document.SMPC, "6.5").text.startswith("PVC/Aluminium blisters")
    assert_no_missing_section_warnings(parsed)
    assert not any("has no text" in w for w in parsed.warnings)


def test_a_watermark_run_into_a_heading_or_a_line_of_text_is_taken_out():
    lines = docs.eu_document()
    at = lines.index("4.4 Special warnings and precautions for use")
    lines[at] = f"{docs.WATERMARK} {lines[at]}"
    at = lines.index("Hepatotoxicity")
    lines[at] = f"Hepatotoxicity {docs.WATERMARK}"
    parsed = parse_product_information("\n".join(lines))

    assert_eu_content(parsed)
    assert parsed.get(Document.SMPC, "4.4").text.startswith("Hepatotoxicity\n")

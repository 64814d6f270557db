"""Importing EU product information (SmPC, Annex II, package leaflet) as a product's sections."""

import hashlib
import io

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from imports.extract import ImportRejected
from imports.models import ImportKind, ImportLog
from imports.pi_parser import clean_text, parse_product_information, sentence_case
from imports.product_information import import_product_information
from imports.tests.pdf import image_only_pdf, text_to_pdf
from products.documents import Document
from products.models import ProductInformationSection
from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks.models import PlanStatus
from risks.services import create_plan

SEEDS = settings.BASE_DIR / "risks" / "seed_data" / "sources"
BESPONSA = SEEDS / "002_346ef21d2727f894.txt"
RMP_SUMMARY = SEEDS / "003_87823eff0a2665f8.txt"
CURATED = settings.BASE_DIR / "risks" / "seed_data" / "besponsa.yaml"

# A second product information text laid out differently from seed 002: wrapped lines as
# text pulled from a PDF, "4.1." and "SECTION 4.4" headings, titles in capitals and in Title
# Case, a heading wrapped onto two lines, a number with its title on the next line, no 4.7,
# a second SmPC for another strength, tables of contents, no "ANNEX I" line.
EXAMPLUMAB = """\
SUMMARY OF PRODUCT CHARACTERISTICS

1. NAME OF THE MEDICINAL PRODUCT

Examplumab 10 mg/mL concentrate for solution for infusion

2. QUALITATIVE AND QUANTITATIVE COMPOSITION

Each mL of concentrate contains 10 mg examplumab, a humanised monoclonal
antibody produced in Chinese hamster ovary cells.

3. PHARMACEUTICAL FORM

Concentrate for solution for infusion.

4. CLINICAL PARTICULARS

4.1. THERAPEUTIC INDICATIONS

Examplumab is indicated for the treatment of adult patients with
relapsing forms of multiple sclerosis.

4.2. Posology And Method Of Administration

Treatment should be initiated and supervised by a neurologist experienced
in the treatment of multiple sclerosis. The recommended dose is 10 mg/kg
every 4 weeks.

4.3. CONTRAINDICATIONS

- Hypersensitivity to the active substance.
- Progressive multifocal leukoencephalopathy (PML).

SECTION 4.4 SPECIAL WARNINGS AND PRECAUTIONS FOR USE

Progressive multifocal leukoencephalopathy has been reported in patients
treated with examplumab. Patients should be monitored for new or worsening
neurological symptoms.

4.5 INTERACTION WITH OTHER MEDICINAL PRODUCTS AND OTHER FORMS OF
INTERACTION

No interaction studies have been performed with examplumab in
patients.

4.6
FERTILITY, PREGNANCY AND LACTATION

Examplumab should not be used during pregnancy unless the clinical
condition of the woman requires treatment.

4.8 UNDESIRABLE EFFECTS

The most common adverse reactions were infusion-related reactions and
headache.

4.9 OVERDOSE

There is no experience of overdose in humans.

5. PHARMACOLOGICAL PROPERTIES

5.1 PHARMACODYNAMIC PROPERTIES

Examplumab binds to CD52 on lymphocytes.

5.2 PHARMACOKINETIC PROPERTIES

The terminal half-life is about 2 weeks.

5.3 PRECLINICAL SAFETY DATA

Non-clinical data reveal no special hazard for humans.

6. PHARMACEUTICAL PARTICULARS

6.1 LIST OF EXCIPIENTS

Sodium chloride
Polysorbate 80

6.2 INCOMPATIBILITIES

This medicinal product must not be mixed with other medicinal products.

6.3 SHELF LIFE

3 years.

6.4 SPECIAL PRECAUTIONS FOR STORAGE

Store in a refrigerator (2 °C - 8 °C).

6.5 NATURE AND CONTENTS OF CONTAINER

10 mL of concentrate in a vial (type I glass).

6.6 SPECIAL PRECAUTIONS FOR DISPOSAL AND OTHER HANDLING

Dilute before use.

7. MARKETING AUTHORISATION HOLDER

Example Pharma GmbH

8. MARKETING AUTHORISATION NUMBER(S)

EU/1/24/9999/001

9. DATE OF FIRST AUTHORISATION/RENEWAL OF THE AUTHORISATION

Date of first authorisation: 1 March 2024

10. DATE OF REVISION OF THE TEXT

03/2024

1. NAME OF THE MEDICINAL PRODUCT

Examplumab 20 mg/mL concentrate for solution for infusion

4.4 SPECIAL WARNINGS AND PRECAUTIONS FOR USE

Only in the SmPC of the 20 mg/mL strength.

ANNEX II

A. MANUFACTURER RESPONSIBLE FOR BATCH RELEASE
B. CONDITIONS OR RESTRICTIONS REGARDING SUPPLY AND USE
C. OTHER CONDITIONS AND REQUIREMENTS OF THE MARKETING AUTHORISATION
D. CONDITIONS OR RESTRICTIONS WITH REGARD TO THE SAFE AND EFFECTIVE USE OF THE MEDICINAL PRODUCT

A. MANUFACTURER RESPONSIBLE FOR BATCH RELEASE

Example Pharma GmbH, Berlin, Germany

B. CONDITIONS OR RESTRICTIONS REGARDING SUPPLY AND USE

Medicinal product subject to restricted medical prescription.

C. OTHER CONDITIONS AND REQUIREMENTS OF THE MARKETING AUTHORISATION

- Periodic safety update reports (PSURs)

D. CONDITIONS OR RESTRICTIONS WITH REGARD TO THE SAFE AND EFFECTIVE USE OF THE MEDICINAL PRODUCT

- Risk management plan (RMP)

ANNEX III

LABELLING AND PACKAGE LEAFLET

A. LABELLING

PARTICULARS TO APPEAR ON THE OUTER PACKAGING

1. NAME OF THE MEDICINAL PRODUCT

Examplumab carton text

4. PHARMACEUTICAL FORM AND CONTENTS

1 vial

B. PACKAGE LEAFLET

Package leaflet: Information for the patient

What is in this leaflet
1. What Examplumab is and what it is used for
2. What you need to know before you are given Examplumab
3. How Examplumab is given
4. Possible side effects
5. How to store Examplumab
6. Contents of the pack and other information

1. What Examplumab is and what it is used for

Examplumab is used to treat adults with relapsing multiple
sclerosis.

2. What you need to know before you are given Examplumab

Do not use Examplumab if you are allergic to examplumab.

3. How Examplumab is given

A nurse will give you Examplumab as a drip into a vein.

4. Possible side effects

Like all medicines, this medicine can cause side effects.
5 years after the last dose, side effects are rare.

5. How to store Examplumab

Keep this medicine out of the sight and reach of children.

6. Contents of the pack and other information

Each pack contains 1 vial.
"""
EXAMPLUMAB_SECTIONS = [
    ("smpc", "1", "Name of the medicinal product"),
    ("smpc", "2", "Qualitative and quantitative composition"),
    ("smpc", "3", "Pharmaceutical form"),
    ("smpc", "4", "Clinical particulars"),
    ("smpc", "4.1", "Therapeutic indications"),
    ("smpc", "4.2", "Posology and method of administration"),
    ("smpc", "4.3", "Contraindications"),
    ("smpc", "4.4", "Special warnings and precautions for use"),
    ("smpc", "4.5", "Interaction with other medicinal products and other forms of interaction"),
    ("smpc", "4.6", "Fertility, pregnancy and lactation"),
    ("smpc", "4.8", "Undesirable effects"),
    ("smpc", "4.9", "Overdose"),
    ("smpc", "5", "Pharmacological properties"),
    ("smpc", "5.1", "Pharmacodynamic properties"),
    ("smpc", "5.2", "Pharmacokinetic properties"),
    ("smpc", "5.3", "Preclinical safety data"),
    ("smpc", "6", "Pharmaceutical particulars"),
    ("smpc", "6.1", "List of excipients"),
    ("smpc", "6.2", "Incompatibilities"),
    ("smpc", "6.3", "Shelf life"),
    ("smpc", "6.4", "Special precautions for storage"),
    ("smpc", "6.5", "Nature and contents of container"),
    ("smpc", "6.6", "Special precautions for disposal and other handling"),
    ("smpc", "7", "Marketing authorisation holder"),
    ("smpc", "8", "Marketing authorisation number(s)"),
    ("smpc", "9", "Date of first authorisation/renewal of the authorisation"),
    ("smpc", "10", "Date of revision of the text"),
    ("annex2", "A", "Manufacturer responsible for batch release"),
    ("annex2", "B", "Conditions or restrictions regarding supply and use"),
    ("annex2", "C", "Other conditions and requirements of the marketing authorisation"),
    (
        "annex2",
        "D",
        "Conditions or restrictions with regard to the safe and effective use of the medicinal "
        "product",
    ),
    ("pl", "1", "What Examplumab is and what it is used for"),
    ("pl", "2", "What you need to know before you are given Examplumab"),
    ("pl", "3", "How Examplumab is given"),
    ("pl", "4", "Possible side effects"),
    ("pl", "5", "How to store Examplumab"),
    ("pl", "6", "Contents of the pack and other information"),
]

# Sentences that belong to one SmPC 4.x section of seed 002 and to no other.
BESPONSA_SENTENCES = {
    "4.1": "should have failed treatment with at least 1 tyrosine kinase inhibitor (TKI)",
    "4.2": "Dose modification of BESPONSA may be required based on individual safety and",
    "4.3": "Patients with serious ongoing hepatic disease (e.g., cirrhosis",
    "4.4": "In order to improve the traceability of biological medicinal products",
    "4.5": "No interaction studies have been performed (see section 5.2).",
    "4.6": "Women of childbearing potential should avoid becoming pregnant while receiving",
    "4.7": "BESPONSA has moderate influence on the ability to drive and use machines.",
    "4.8": "Tabulated list of adverse reactions",
    "4.9": "In the event of an overdose, the infusion should be temporarily interrupted",
}


def curated_sections():
    return yaml.safe_load(CURATED.read_text(encoding="utf-8"))["product_information"]


@pytest.fixture(scope="module")
def besponsa():
    if not BESPONSA.exists():
        pytest.skip(f"{BESPONSA} is not available")
    return parse_product_information(BESPONSA.read_text(encoding="utf-8"))


def texts(parsed):
    return {(section.document, section.section): section.text for section in parsed}


# Parsing seed 002 ------------------------------------------------------------------------


def test_seed_002_yields_the_curated_sections_in_order_with_their_titles(besponsa):
    curated = curated_sections()
    assert [(s.document, s.section, s.title) for s in besponsa] == [
        (item["document"], str(item["section"]), item["title"]) for item in curated
    ]
    assert len(besponsa) == 38
    assert besponsa.warnings == []


def test_seed_002_text_matches_the_curated_text(besponsa):
    parsed = texts(besponsa)
    for item in curated_sections():
        key = (item["document"], str(item["section"]))
        assert parsed[key] == (item.get("text") or "").strip(), key


def test_each_smpc_4_section_holds_its_own_sentences_and_not_its_neighbours(besponsa):
    parsed = texts(besponsa)
    numbers = list(BESPONSA_SENTENCES)
    for index, (number, sentence) in enumerate(BESPONSA_SENTENCES.items()):
        assert sentence in parsed[("smpc", number)], number
        for neighbour in numbers[max(index - 1, 0) : index] + numbers[index + 1 : index + 2]:
            assert sentence not in parsed[("smpc", neighbour)], (number, neighbour)


def test_parent_sections_have_their_title_and_no_text(besponsa):
    parents = {
        s.section: (s.title, s.text)
        for s in besponsa
        if s.document == Document.SMPC and s.section in {"4", "5", "6"}
    }
    assert parents == {
        "4": ("Clinical particulars", ""),
        "5": ("Pharmacological properties", ""),
        "6": ("Pharmaceutical particulars", ""),
    }


def test_the_5_1_heading_behind_a_bookmark_starts_its_section(besponsa):
    section = besponsa.get(Document.SMPC, "5.1")
    assert section.title == "Pharmacodynamic properties"
    assert section.text.startswith("Pharmacotherapeutic group: Antineoplastic")
    assert "Pharmacotherapeutic group" not in besponsa.get(Document.SMPC, "4.9").text
    assert besponsa.get(Document.SMPC, "5.2").text.startswith("In patients with relapsed")


def test_bookmark_artefacts_are_removed(besponsa):
    assert not [s.label for s in besponsa if "[bookmark" in s.title + s.text]
    assert "\nDue to the risk of VOD/SOS, for patients proceeding to HSCT" in (
        besponsa.get(Document.SMPC, "4.4").text
    )
    assert "Posology\n\nBESPONSA should be administered in 3" in (
        besponsa.get(Document.SMPC, "4.2").text
    )


def test_tables_of_contents_and_labelling_are_not_imported(besponsa):
    annex_a = besponsa.get(Document.ANNEX_II, "A").text
    assert annex_a.startswith("Name and address of the manufacturer of the biological active")
    assert besponsa.get(Document.PACKAGE_LEAFLET, "1").text.startswith("The active substance in")
    everything = "\n".join(s.text for s in besponsa)
    assert "PARTICULARS TO APPEAR ON THE OUTER PACKAGING" not in everything
    assert "Read all of this leaflet carefully" not in everything
    assert besponsa.get(Document.ANNEX_II, "D").text.endswith("milestone being reached.")
    assert besponsa.get(Document.SMPC, "10").text == (
        "Detailed information on this medicinal product is available on the website of the "
        "European Medicines Agency http://www.ema.europa.eu."
    )


def test_the_leaflet_keeps_its_information_for_healthcare_professionals(besponsa):
    pl6 = besponsa.get(Document.PACKAGE_LEAFLET, "6").text
    assert "The following information is intended for healthcare professionals only." in pl6
    assert pl6.endswith(
        "between reconstitution and dilution. Protect from light and do not freeze."
    )


def test_only_the_first_of_repeated_documents_is_used(besponsa):
    tripled = parse_product_information(BESPONSA.read_text(encoding="utf-8") * 3)
    assert [(s.label, s.title, s.text) for s in tripled] == [
        (s.label, s.title, s.text) for s in besponsa
    ]
    assert tripled.warnings == [
        "The document holds 3 summaries of product characteristics (one per strength or form?); "
        "only the first was imported.",
        "The document holds 3 copies of Annex II; only the first was imported.",
        "The document holds 3 package leaflets; only the first was imported.",
    ]


# A second layout -------------------------------------------------------------------------


def test_other_layout_headings_are_recognised():
    parsed = parse_product_information(EXAMPLUMAB)
    assert [(s.document, s.section, s.title) for s in parsed] == EXAMPLUMAB_SECTIONS


def test_other_layout_warns_about_the_missing_section_and_the_second_smpc():
    parsed = parse_product_information(EXAMPLUMAB)
    assert parsed.warnings == [
        "The document holds 2 summaries of product characteristics (one per strength or "
        "form?); only the first was imported.",
        "SmPC 4.7 (Effects on ability to drive and use machines) was not found.",
    ]
    assert "20 mg/mL" not in "\n".join(s.text for s in parsed)
    assert parsed.get(Document.SMPC, "4.4").text == (
        "Progressive multifocal leukoencephalopathy has been reported in patients treated with "
        "examplumab. Patients should be monitored for new or worsening neurological symptoms."
    )


def test_other_layout_wrapped_lines_are_joined_and_numbers_in_text_stay_text():
    parsed = texts(parse_product_information(EXAMPLUMAB))
    assert parsed[("smpc", "4.1")] == (
        "Examplumab is indicated for the treatment of adult patients with relapsing forms of "
        "multiple sclerosis."
    )
    assert parsed[("smpc", "4.3")] == (
        "- Hypersensitivity to the active substance.\n"
        "- Progressive multifocal leukoencephalopathy (PML)."
    )
    assert parsed[("smpc", "6.1")] == "Sodium chloride\nPolysorbate 80"
    assert parsed[("smpc", "6.3")] == "3 years."
    assert parsed[("pl", "4")] == (
        "Like all medicines, this medicine can cause side effects.\n"
        "5 years after the last dose, side effects are rare."
    )
    assert parsed[("annex2", "A")] == "Example Pharma GmbH, Berlin, Germany"
    assert "carton" not in parsed[("annex2", "D")]


SECOND_SMPC = """\
1. NAME OF THE MEDICINAL PRODUCT

Examplumab 20 mg/mL concentrate for solution for infusion

4.4 SPECIAL WARNINGS AND PRECAUTIONS FOR USE

Only in the SmPC of the 20 mg/mL strength.

"""


@pytest.mark.parametrize("cuts", [["ANNEX II\n"], ["ANNEX II\n", SECOND_SMPC]])
def test_annex_ii_is_found_without_its_annex_line(cuts):
    text = EXAMPLUMAB
    for cut in cuts:
        assert cut in text
        text = text.replace(cut, "", 1)
    parsed = parse_product_information(text)
    assert [(s.document, s.section) for s in parsed if s.document == "annex2"] == [
        ("annex2", letter) for letter in "ABCD"
    ]
    assert parsed.get(Document.ANNEX_II, "A").text == "Example Pharma GmbH, Berlin, Germany"
    assert parsed.get(Document.SMPC, "10").text == "03/2024"


def test_a_missing_annex_and_leaflet_are_reported():
    smpc_only = EXAMPLUMAB.split("1. NAME OF THE MEDICINAL PRODUCT\n\nExamplumab 20")[0]
    parsed = parse_product_information(smpc_only)
    assert {s.document for s in parsed} == {"smpc"}
    assert parsed.warnings[-2:] == [
        "No Annex II found: its sections were not imported.",
        "No package leaflet found: its sections were not imported.",
    ]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("SPECIAL WARNINGS AND PRECAUTIONS FOR USE", "Special warnings and precautions for use"),
        ("MARKETING AUTHORISATION NUMBER(S) ", "Marketing authorisation number(s)"),
        ("Fertility, Pregnancy And Lactation", "Fertility, pregnancy and lactation"),
        ("What BESPONSA is and what it is used for", "What BESPONSA is and what it is used for"),
        ("HOW TO STORE BESPONSA:", "How to store BESPONSA"),
        ("therapeutic indications", "Therapeutic indications"),
    ],
)
def test_titles_are_written_in_sentence_case(printed, expected):
    assert sentence_case(printed, keep_upper={"BESPONSA"}) == expected


def test_clean_text_joins_wrapped_lines_and_repairs_hyphenation():
    lines = ["Patients should be moni-", "tored closely for", "infections.", "", "", "· Fever"]
    assert clean_text(lines, wrapped=True) == (
        "Patients should be monitored closely for infections.\n\n- Fever"
    )
    assert clean_text(lines, wrapped=False) == (
        "Patients should be moni-\ntored closely for\ninfections.\n\n- Fever"
    )


# Importing -------------------------------------------------------------------------------


def import_file(product, content, name="besponsa.txt", **options):
    options.setdefault("reason", "Product information updated")
    return import_product_information(content, name, product_slug=product.slug, **options)


def stored(product):
    return list(
        ProductInformationSection.objects.filter(product=product).values_list(
            "document", "section", "title", "position"
        )
    )


@pytest.mark.django_db
def test_import_stores_the_sections_and_logs_it(curator):
    product = ProductFactory(name="Besponsa", slug="besponsa")
    content = BESPONSA.read_bytes()
    result = import_file(product, content, "002_346ef21d2727f894.txt", user=curator)

    rows = stored(product)
    assert len(rows) == 38
    assert [row[3] for row in rows] == list(range(38))
    assert rows[7] == ("smpc", "4.4", "Special warnings and precautions for use", 7)
    assert rows[-1] == ("pl", "6", "Contents of the pack and other information", 37)
    curated = {(i["document"], str(i["section"])): i["text"].strip() for i in curated_sections()}
    for section in product.information_sections.all():
        assert section.text == curated[section.key]
    log = ImportLog.objects.get()
    assert result.log == log
    assert (log.kind, log.file_name, log.user, log.product, log.plan) == (
        ImportKind.PRODUCT_INFORMATION,
        "002_346ef21d2727f894.txt",
        curator,
        product,
        None,
    )
    assert (log.sha256, log.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert log.summary == "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)"
    assert log.warnings == []


@pytest.mark.django_db
def test_import_replaces_the_sections_the_product_had():
    product = ProductFactory()
    ProductInformationSectionFactory(product=product, section="4.4", text="Old text.")
    ProductInformationSectionFactory(product=product, document="uspi", section="5", title="W&P")
    result = import_file(product, BESPONSA.read_bytes())
    assert result.replaced == 2
    assert len(stored(product)) == 38
    assert not product.information_sections.filter(document="uspi").exists()
    assert "Old text." not in product.information_sections.get(section="4.4", document="smpc").text


@pytest.mark.django_db
def test_routine_measures_citing_smpc_4_4_resolve_to_the_imported_section(client):
    product = ProductFactory(name="Besponsa", slug="besponsa")
    plan_data = {
        "version": "1",
        "safety_concerns": [
            {
                "name": "Hepatotoxicity, including VOD/SOS",
                "category": "identified",
                "routine_measures": [
                    {"text": "SmPC sections 4.2 and 4.4.", "references": ["SmPC 4.2", "SmPC 4.4"]}
                ],
            }
        ],
    }
    create_plan(product, plan_data, status=PlanStatus.PUBLISHED)
    before = client.get(product.get_absolute_url()).content.decode()
    assert "not loaded, and no address of the official product information is recorded" in before
    assert 'class="cite"' not in before  # a section named, with nothing to link to

    import_file(product, BESPONSA.read_bytes())

    lookup = ProductInformationSection.objects.filter(product=product).as_lookup()
    section = lookup[("smpc", "4.4")]
    assert section.title == "Special warnings and precautions for use"
    assert BESPONSA_SENTENCES["4.4"] in section.text
    page = client.get(product.get_absolute_url()).content.decode()
    assert "(text not loaded)" not in page
    assert (
        '<a class="cite" href="/products/besponsa/information/#smpc-4-4">'
        "SmPC 4.4 Special warnings and precautions for use</a>"
    ) in page
    information = client.get("/products/besponsa/information/").content.decode()
    assert 'id="smpc-4-4"' in information
    assert "In order to improve the traceability of biological medicinal products" in information


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(curator):
    product = ProductFactory()
    first = import_file(product, EXAMPLUMAB.encode(), "examplumab.txt", user=curator)
    ids = list(product.information_sections.values_list("pk", flat=True))

    again = import_file(product, EXAMPLUMAB.encode(), "copy of examplumab.txt")
    assert again.is_duplicate
    assert again.duplicate == first.log
    assert again.log is None
    assert list(product.information_sections.values_list("pk", flat=True)) == ids
    assert ImportLog.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_file_replaces_the_sections_and_is_logged_again():
    product = ProductFactory()
    import_file(product, BESPONSA.read_bytes())
    result = import_file(product, EXAMPLUMAB.encode(), "examplumab.txt")
    assert not result.is_duplicate
    assert [row[:3] for row in stored(product)] == [tuple(s) for s in EXAMPLUMAB_SECTIONS]
    assert ImportLog.objects.count() == 2
    assert result.log.summary == "37 sections: SmPC 1-10 (27), Annex II A-D (4), PL 1-6 (6)"
    assert len(result.log.warnings) == 2
    # Going back to the first file is a change too, not a repeat.
    assert not import_file(product, BESPONSA.read_bytes()).is_duplicate
    assert len(stored(product)) == 38


@pytest.mark.django_db
def test_a_pdf_is_imported_like_its_text():
    product = ProductFactory()
    result = import_file(product, text_to_pdf(EXAMPLUMAB), "examplumab.pdf")
    assert [row[:3] for row in stored(product)] == [tuple(s) for s in EXAMPLUMAB_SECTIONS]
    assert product.information_sections.get(document="smpc", section="4.4").text == (
        parse_product_information(EXAMPLUMAB).get(Document.SMPC, "4.4").text
    )
    assert result.log.file_name == "examplumab.pdf"


@pytest.mark.django_db
def test_the_same_file_for_another_product_is_imported():
    first, second = ProductFactory(), ProductFactory()
    import_file(first, EXAMPLUMAB.encode())
    assert not import_file(second, EXAMPLUMAB.encode()).is_duplicate
    assert len(stored(second)) == 37


@pytest.mark.django_db
def test_a_dry_run_writes_nothing():
    product = ProductFactory()
    ProductInformationSectionFactory(product=product)
    result = import_file(product, EXAMPLUMAB.encode(), dry_run=True)
    assert len(result.sections) == 37
    assert result.log is None
    assert stored(product) == [("smpc", "4.4", "Special warnings and precautions for use", 0)]
    assert not ImportLog.objects.exists()


BAD_FILES = [
    ("empty.txt", b"", "empty.txt is empty."),
    ("binary.txt", b"\x00\x01\x02" * 100, "binary.txt is a binary file"),
    ("scan.pdf", image_only_pdf(), "scan.pdf has no text layer"),
    ("notes.docx", b"PK\x03\x04", "notes.docx: only .txt and .pdf files can be imported."),
    (
        "letter.txt",
        b"Dear colleague,\n\n4.4 is the section to read.\n",
        "letter.txt does not look like product information: no headings of a summary of "
        "product characteristics",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_rejected_and_nothing_is_written(name, content, message):
    product = ProductFactory()
    ProductInformationSectionFactory(product=product)
    with pytest.raises(ImportRejected) as error:
        import_file(product, content, name)
    assert message in str(error.value)
    assert len(stored(product)) == 1
    assert not ImportLog.objects.exists()


@pytest.mark.django_db
def test_an_rmp_summary_is_not_product_information():
    product = ProductFactory()
    with pytest.raises(ImportRejected, match="does not look like product information"):
        import_file(product, RMP_SUMMARY.read_bytes(), RMP_SUMMARY.name)
    assert not product.information_sections.exists()


@pytest.mark.django_db
def test_an_unknown_product_is_rejected():
    with pytest.raises(ImportRejected, match=r"There is no product with the slug “nope”\."):
        import_product_information(EXAMPLUMAB.encode(), "x.txt", product_slug="nope")
    assert not ProductInformationSection.objects.exists()


# The command -----------------------------------------------------------------------------


def run(*args, **options):
    out = io.StringIO()
    if "--dry-run" not in args:
        args = (*args, "--reason", "Product information updated")
    call_command("import_product_information", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def examplumab_file(tmp_path):
    path = tmp_path / "examplumab.txt"
    path.write_text(EXAMPLUMAB, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_command_prints_a_summary_and_the_sections_in_verbosity_2(examplumab_file):
    product = ProductFactory(name="Examplumab", slug="examplumab")
    output = run(str(examplumab_file), "--product", "examplumab", verbosity=2)
    lines = output.splitlines()
    assert lines[:2] == [
        "SmPC 1 Name of the medicinal product (57 characters)",
        "SmPC 2 Qualitative and quantitative composition (122 characters)",
    ]
    assert "SmPC 4.4 Special warnings and precautions for use (170 characters)" in lines
    assert "Warning: SmPC 4.7 (Effects on ability to drive and use machines) was not found.\n" in (
        output
    )
    assert lines[-1] == (
        "Imported examplumab.txt into Examplumab (0 sections replaced): "
        "37 sections: SmPC 1-10 (27), Annex II A-D (4), PL 1-6 (6)."
    )
    assert len(stored(product)) == 37


@pytest.mark.django_db
def test_command_imports_seed_002():
    product = ProductFactory(name="Besponsa", slug="besponsa")
    output = run(str(BESPONSA), "--product", "besponsa", verbosity=2)
    assert "SmPC 4.4 Special warnings and precautions for use (7,564 characters)" in output
    assert output.splitlines()[-1] == (
        "Imported 002_346ef21d2727f894.txt into Besponsa (0 sections replaced): "
        "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)."
    )
    assert ImportLog.objects.get().user is None
    assert len(stored(product)) == 38


@pytest.mark.django_db
def test_command_prints_only_the_summary_and_warnings_by_default(examplumab_file):
    ProductFactory(name="Examplumab", slug="examplumab")
    output = run(str(examplumab_file), "--product", "examplumab")
    assert "characters)" not in output
    assert len(output.splitlines()) == 3  # two warnings and the summary


@pytest.mark.django_db
def test_command_says_when_the_file_was_imported_before(examplumab_file, curator):
    product = ProductFactory(name="Examplumab", slug="examplumab")
    import_product_information(
        examplumab_file.read_bytes(),
        "examplumab.txt",
        product_slug="examplumab",
        user=curator,
        reason="First import",
    )
    log = ImportLog.objects.get()
    output = run(str(examplumab_file), "--product", "examplumab")
    assert output == (
        f"examplumab.txt was already imported into Examplumab on "
        f"{timezone.localtime(log.created_at):%Y-%m-%d %H:%M} by curator; nothing changed.\n"
    )
    assert ImportLog.objects.count() == 1
    assert len(stored(product)) == 37


@pytest.mark.django_db
def test_command_dry_run_lists_the_sections_and_writes_nothing(examplumab_file):
    product = ProductFactory(name="Examplumab", slug="examplumab")
    output = run(str(examplumab_file), "--product", "examplumab", "--dry-run")
    assert "SmPC 4.4 Special warnings and precautions for use (170 characters)" in output
    assert output.splitlines()[-1] == (
        "Dry run: would replace 0 sections of Examplumab with 37 sections: SmPC 1-10 (27), "
        "Annex II A-D (4), PL 1-6 (6). Nothing was written."
    )
    assert stored(product) == []
    assert not ImportLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_command_rejects_bad_files(tmp_path, name, content, message):
    product = ProductFactory(slug="examplumab")
    ProductInformationSectionFactory(product=product)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(str(path), "--product", "examplumab")
    assert message in str(error.value)
    assert len(stored(product)) == 1
    assert not ImportLog.objects.exists()


@pytest.mark.django_db
def test_command_rejects_an_unknown_product_and_a_missing_file(examplumab_file, tmp_path):
    with pytest.raises(CommandError, match=r"There is no product with the slug “nope”\."):
        run(str(examplumab_file), "--product", "nope")
    ProductFactory(slug="examplumab")
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.txt: No such file"):
        run(str(tmp_path / "missing.txt"), "--product", "examplumab")
    assert not ProductInformationSection.objects.exists()
    assert not ImportLog.objects.exists()

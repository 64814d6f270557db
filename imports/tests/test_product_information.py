"""Importing EU product information (SmPC, Annex II, package leaflet) as a product's sections."""

import pytest
import yaml
from django.conf import settings

from imports.pi_parser import clean_text, parse_product_information, sentence_case
from products.documents import Document

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

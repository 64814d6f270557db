"""Product information as it comes out of real PDFs, for the parser's tests.

EU product information (Annex I SmPC, Annex II, Annex III labelling and package leaflet) and a
US label (Highlights, contents, Full Prescribing Information with a boxed warning), written
from the QRD template and 21 CFR 201.57 layouts as published, with what Word-made PDFs add:
page numbers, running headers, the "Medicinal product no longer authorised" watermark of a
withdrawn product, hyphenated words, tables, postcode lines, and cross-references that start a
line. ``render_pdf`` prints the pages as a PDF (reportlab) for pypdf and pdfplumber to read.
"""

import io
import textwrap

PREAMBLE = (
    "\u25bc This medicinal product is subject to additional monitoring. This will allow quick "
    "identification of new safety information. Healthcare professionals are asked to report "
    "any suspected adverse reactions. See section 4.8 for how to report adverse reactions."
)
PL_PREAMBLE = (
    "\u25bc This medicine is subject to additional monitoring. This will allow quick "
    "identification of new safety information. You can help by reporting any side effects you "
    "may get. See the end of section 4 for how to report side effects."
)
WATERMARK = "Medicinal product no longer authorised"


def smpc_lines(*, capitals=True, dot=True, width=78):
    """The SmPC of Velmarix, one list item per printed line."""

    def h(number, title):
        title = title.upper() if capitals else title
        return f"{number}{'.' if dot and '.' not in number else ''} {title}"

    def sub(number, title):
        return f"{number} {title}"

    wrap = lambda text: textwrap.wrap(text, width)  # noqa: E731
    return [
        "ANNEX I",
        "SUMMARY OF PRODUCT CHARACTERISTICS",
        "",
        *wrap(PREAMBLE),
        "",
        h("1", "Name of the medicinal product"),
        "",
        "Velmarix 100 mg film-coated tablets",
        "Velmarix 200 mg film-coated tablets",
        "",
        h("2", "Qualitative and quantitative composition"),
        "",
        "Velmarix 100 mg film-coated tablets",
        "Each film-coated tablet contains 100 mg velmarinib (as hydrochloride).",
        "Excipient with known effect",
        "Each film-coated tablet contains 42 mg lactose.",
        "For the full list of excipients, see section 6.1.",
        "",
        h("3", "Pharmaceutical form"),
        "",
        "Film-coated tablet (tablet).",
        "Yellow, oval tablet debossed with \u201cVX 100\u201d on one side.",
        "",
        h("4", "Clinical particulars"),
        "",
        sub("4.1", "Therapeutic indications"),
        "",
        *wrap(
            "Velmarix is indicated for the treatment of adult patients with relapsing forms of "
            "multiple sclerosis with active disease defined by clinical or imaging features."
        ),
        "",
        sub("4.2", "Posology and method of administration"),
        "",
        "Treatment should be initiated under the supervision of a physician experienced in",
        "the management of multiple sclerosis.",
        "Posology",
        "The recommended dose is 100 mg once daily. Patients with hepatic impairment (see",
        "sections",
        "4.4 and 5.2) should receive 100 mg every other day.",
        "2 weeks after the start of treatment, a full blood count should be performed.",
        "",
        sub("4.3", "Contraindications"),
        "",
        "Hypersensitivity to the active substance or to any of the excipients listed in section",
        "6.1.",
        "Active hepatitis B or C infection.",
        "",
        sub("4.4", "Special warnings and precautions for use"),
        "",
        "Hepatotoxicity",
        "Cases of drug-induced liver injury, including acute liver failure, have been repor-",
        "ted in patients treated with velmarinib. Liver transaminases and bilirubin should be",
        "monitored before initiation and monthly for the first 6 months (see sections",
        "4.2 and 4.8).",
        "Infections",
        "Serious infections, including progressive multifocal leukoencephalopathy, have",
        "occurred. See also section",
        "4.8 Undesirable effects for the frequency of infections reported in clinical studies.",
        "Lactose",
        "Patients with rare hereditary problems of galactose intolerance should not take this",
        "medicinal product.",
        "",
        sub("4.5", "Interaction with other medicinal products and other forms of interaction"),
        "",
        "Velmarinib is a substrate of CYP3A4. Strong CYP3A4 inhibitors increase its exposure",
        "(see section 5.2).",
        "",
        sub("4.6", "Fertility, pregnancy and lactation"),
        "",
        "Women of childbearing potential have to use effective contraception during",
        "treatment and for",
        "3 months after the last dose.",
        "",
        sub("4.7", "Effects on ability to drive and use machines"),
        "",
        "Velmarix has no or negligible influence on the ability to drive and use machines.",
        "",
        sub("4.8", "Undesirable effects"),
        "",
        "Summary of the safety profile",
        "The most common adverse reactions were nasopharyngitis (22%) and increased alanine",
        "aminotransferase (15%).",
        "Tabulated list of adverse reactions",
        "Table 1: Adverse reactions",
        "System organ class Very common Common Uncommon",
        "Infections and Nasopharyngitis Herpes zoster Progressive",
        "infestations multifocal",
        "leukoencephalopathy",
        "Hepatobiliary Alanine Hepatitis Acute liver",
        "disorders aminotransferase failure",
        "increased",
        "1 Includes herpes zoster and herpes simplex.",
        "Reporting of suspected adverse reactions",
        "Reporting suspected adverse reactions after authorisation of the medicinal product is",
        "important. It allows continued monitoring of the benefit/risk balance of the medicinal",
        "product. Healthcare professionals are asked to report any suspected adverse reactions",
        "via the national reporting system listed in Appendix V.",
        "",
        sub("4.9", "Overdose"),
        "",
        "There is no specific antidote. In case of overdose, patients should be monitored",
        "for signs of hepatotoxicity.",
        "",
        h("5", "Pharmacological properties"),
        "",
        sub("5.1", "Pharmacodynamic properties"),
        "",
        "Pharmacotherapeutic group: Immunosuppressants, ATC code: L04AA99",
        "Mechanism of action",
        "Velmarinib inhibits Bruton\u2019s tyrosine kinase.",
        "",
        sub("5.2", "Pharmacokinetic properties"),
        "",
        "Absorption",
        "Peak plasma concentrations are reached 2 hours after an oral dose.",
        "Hepatic impairment",
        "Exposure doubles in moderate hepatic impairment; the dose is given under",
        "4.2 Posology and method of administration",
        "and in the tables below.",
        "",
        sub("5.3", "Preclinical safety data"),
        "",
        "Non-clinical data reveal no special hazard for humans based on studies of genotoxicity.",
        "",
        h("6", "Pharmaceutical particulars"),
        "",
        sub("6.1", "List of excipients"),
        "",
        "Tablet core",
        "Lactose monohydrate",
        "Magnesium stearate",
        "",
        sub("6.2", "Incompatibilities"),
        "",
        "Not applicable.",
        "",
        sub("6.3", "Shelf life"),
        "",
        "3 years.",
        "",
        sub("6.4", "Special precautions for storage"),
        "",
        "This medicinal product does not require any special storage conditions.",
        "",
        sub("6.5", "Nature and contents of container"),
        "",
        "PVC/Aluminium blisters. Pack sizes of 28 or 84 film-coated tablets.",
        "",
        sub("6.6", "Special precautions for disposal"),
        "",
        "Any unused medicinal product or waste material should be disposed of in accordance",
        "with local requirements.",
        "",
        h("7", "Marketing authorisation holder"),
        "",
        "Velmar Pharma A/S",
        "Industriparken 12",
        "2750 Ballerup",
        "Denmark",
        "",
        h("8", "Marketing authorisation number(s)"),
        "",
        "EU/1/19/1234/001",
        "EU/1/19/1234/002",
        "",
        h("9", "Date of first authorisation/renewal of the authorisation"),
        "",
        "Date of first authorisation: 12 March 2019",
        "Date of latest renewal: 4 January 2024",
        "",
        h("10", "Date of revision of the text"),
        "",
        "Detailed information on this medicinal product is available on the website of the",
        "European Medicines Agency https://www.ema.europa.eu.",
    ]


ANNEX_II_LINES = [
    "ANNEX II",
    "",
    "A. MANUFACTURER(S) RESPONSIBLE FOR BATCH RELEASE",
    "",
    "B. CONDITIONS OR RESTRICTIONS REGARDING SUPPLY AND USE",
    "",
    "C. OTHER CONDITIONS AND REQUIREMENTS OF THE MARKETING",
    "AUTHORISATION",
    "",
    "D. CONDITIONS OR RESTRICTIONS WITH REGARD TO THE SAFE AND",
    "EFFECTIVE USE OF THE MEDICINAL PRODUCT",
    "\f",
    "A. MANUFACTURER(S) RESPONSIBLE FOR BATCH RELEASE",
    "",
    "Name and address of the manufacturer(s) responsible for batch release",
    "Velmar Manufacturing GmbH",
    "Hauptstrasse 5",
    "1010 Wien",
    "Austria",
    "",
    "B. CONDITIONS OR RESTRICTIONS REGARDING SUPPLY AND USE",
    "",
    "Medicinal product subject to restricted medical prescription (see Annex I: Summary of",
    "Product Characteristics, section",
    "4.2).",
    "",
    "C. OTHER CONDITIONS AND REQUIREMENTS OF THE MARKETING AUTHORISATION",
    "",
    "\u2022 Periodic safety update reports (PSURs)",
    "The requirements for submission of PSURs for this medicinal product are set out in the",
    "list of Union reference dates (EURD list).",
    "",
    "D. CONDITIONS OR RESTRICTIONS WITH REGARD TO THE SAFE AND EFFECTIVE USE OF THE",
    "MEDICINAL PRODUCT",
    "",
    "\u2022 Risk management plan (RMP)",
    "The MAH shall perform the required pharmacovigilance activities and interventions",
    "detailed in the agreed RMP.",
    "\u2022 Additional risk minimisation measures",
    "Prior to launch, the MAH shall agree a patient card on liver injury with each National",
    "Competent Authority.",
]


def leaflet_lines(*, width=78):
    wrap = lambda text: textwrap.wrap(text, width)  # noqa: E731
    return [
        "ANNEX III",
        "",
        "LABELLING AND PACKAGE LEAFLET",
        "\f",
        "A. LABELLING",
        "\f",
        "PARTICULARS TO APPEAR ON THE OUTER PACKAGING",
        "CARTON",
        "",
        "1. NAME OF THE MEDICINAL PRODUCT",
        "",
        "Velmarix 100 mg film-coated tablets",
        "velmarinib",
        "",
        "2. STATEMENT OF ACTIVE SUBSTANCE(S)",
        "",
        "Each film-coated tablet contains 100 mg velmarinib.",
        "",
        "3. LIST OF EXCIPIENTS",
        "",
        "Contains lactose. See leaflet for further information.",
        "",
        "4. PHARMACEUTICAL FORM AND CONTENTS",
        "",
        "28 film-coated tablets",
        "",
        "5. METHOD AND ROUTE(S) OF ADMINISTRATION",
        "",
        "Read the package leaflet before use.",
        "",
        "6. SPECIAL WARNING THAT THE MEDICINAL PRODUCT MUST BE STORED OUT OF THE",
        "SIGHT AND REACH OF CHILDREN",
        "",
        "Keep out of the sight and reach of children.",
        "\f",
        "B. PACKAGE LEAFLET",
        "\f",
        "Package leaflet: Information for the patient",
        "",
        "Velmarix 100 mg film-coated tablets",
        "velmarinib",
        "",
        *wrap(PL_PREAMBLE),
        "",
        "Read all of this leaflet carefully before you start taking this medicine because it",
        "contains important information for you.",
        "",
        "What is in this leaflet",
        "1. What Velmarix is and what it is used for",
        "2. What you need to know before you take Velmarix",
        "3. How to take Velmarix",
        "4. Possible side effects",
        "5. How to store Velmarix",
        "6. Contents of the pack and other information",
        "",
        "1. What Velmarix is and what it is used for",
        "",
        "Velmarix contains the active substance velmarinib. It is used to treat adults with",
        "relapsing multiple sclerosis.",
        "",
        "2. What you need to know before you take Velmarix",
        "",
        "Do not take Velmarix",
        "- if you are allergic to velmarinib or any of the other ingredients of this medicine",
        "(listed in section",
        "6).",
        "Warnings and precautions",
        "Talk to your doctor before taking Velmarix if you have liver problems. Your doctor",
        "will do blood tests before and during treatment (see section",
        "4 Possible side effects).",
        "",
        "3. How to take Velmarix",
        "",
        "The recommended dose is one 100 mg tablet once a day.",
        "",
        "4. Possible side effects",
        "",
        "Like all medicines, this medicine can cause side effects, although not everybody gets",
        "them.",
        "Very common (may affect more than 1 in 10 people):",
        "- cold-like symptoms",
        "Reporting of side effects",
        "If you get any side effects, talk to your doctor. You can also report side effects",
        "directly via the national reporting system listed in Appendix V.",
        "",
        "5. How to store Velmarix",
        "",
        "Keep this medicine out of the sight and reach of children.",
        "",
        "6. Contents of the pack and other information",
        "",
        "What Velmarix contains",
        "- The active substance is velmarinib.",
        "Marketing Authorisation Holder",
        "Velmar Pharma A/S",
        "Industriparken 12",
        "2750 Ballerup",
        "Denmark",
        "For any information about this medicine, please contact the local representative:",
        "Belgi\u00eb/Belgique/Belgien Lietuva",
        "Velmar Pharma NV UAB Velmar",
        "Tel/T\u00e9l: +32 2 123 45 67 Tel: +370 5 123 4567",
        "Danmark",
        "Velmar Pharma A/S",
        "2100 Copenhagen",
        "Tlf: +45 12 34 56 78",
        "This leaflet was last revised in 05/2024.",
    ]


def eu_document(*, capitals=True, dot=True, width=78):
    """The whole EU product information as pages of lines (a form feed starts a page)."""
    return [
        *smpc_lines(capitals=capitals, dot=dot, width=width),
        "\f",
        *ANNEX_II_LINES,
        "\f",
        *leaflet_lines(width=width),
    ]


US_LABEL_LINES = [
    "HIGHLIGHTS OF PRESCRIBING INFORMATION",
    "These highlights do not include all the information needed to use VELMARIX safely and",
    "effectively. See full prescribing information for VELMARIX.",
    "VELMARIX (velmarinib) tablets, for oral use",
    "Initial U.S. Approval: 2019",
    "WARNING: HEPATOTOXICITY",
    "See full prescribing information for complete boxed warning.",
    "\u2022 Velmarix can cause serious and fatal liver injury. Monitor liver tests before",
    "treatment and monthly. (5.1)",
    "----------------------------RECENT MAJOR CHANGES----------------------------",
    "Warnings and Precautions (5.3) 10/2023",
    "----------------------------INDICATIONS AND USAGE----------------------------",
    "VELMARIX is a kinase inhibitor indicated for relapsing multiple sclerosis. (1)",
    "-----------------------DOSAGE AND ADMINISTRATION-----------------------",
    "100 mg orally once daily. (2.1)",
    "---------------------WARNINGS AND PRECAUTIONS---------------------",
    "\u2022 Infections: monitor for signs of infection. (5.2)",
    "See 17 for PATIENT COUNSELING INFORMATION and Medication Guide.",
    "Revised: 10/2023",
    "\f",
    "FULL PRESCRIBING INFORMATION: CONTENTS*",
    "WARNING: HEPATOTOXICITY",
    "1 INDICATIONS AND USAGE",
    "2 DOSAGE AND ADMINISTRATION",
    "2.1 Recommended Dosage",
    "2.2 Dosage Modifications for Adverse Reactions",
    "3 DOSAGE FORMS AND STRENGTHS",
    "4 CONTRAINDICATIONS",
    "5 WARNINGS AND PRECAUTIONS",
    "5.1 Hepatotoxicity",
    "5.2 Infections",
    "5.3 Embryo-Fetal Toxicity",
    "6 ADVERSE REACTIONS",
    "6.1 Clinical Trials Experience",
    "7 DRUG INTERACTIONS",
    "8 USE IN SPECIFIC POPULATIONS",
    "8.1 Pregnancy",
    "8.2 Lactation",
    "10 OVERDOSAGE",
    "11 DESCRIPTION",
    "12 CLINICAL PHARMACOLOGY",
    "12.1 Mechanism of Action",
    "12.3 Pharmacokinetics",
    "13 NONCLINICAL TOXICOLOGY",
    "14 CLINICAL STUDIES",
    "16 HOW SUPPLIED/STORAGE AND HANDLING",
    "17 PATIENT COUNSELING INFORMATION",
    "* Sections or subsections omitted from the full prescribing information are not listed.",
    "\f",
    "FULL PRESCRIBING INFORMATION",
    "WARNING: HEPATOTOXICITY",
    "VELMARIX can cause serious and fatal liver injury. Monitor liver tests before treatment",
    "and monthly thereafter [see Warnings and Precautions (5.1)].",
    "1 INDICATIONS AND USAGE",
    "VELMARIX is indicated for the treatment of relapsing forms of multiple sclerosis in",
    "adults.",
    "2 DOSAGE AND ADMINISTRATION",
    "2.1 Recommended Dosage",
    "The recommended dosage of VELMARIX is 100 mg orally once daily.",
    "2.2 Dosage Modifications for Adverse Reactions",
    "Withhold VELMARIX for ALT greater than 5 times the upper limit of normal [see Warnings and",
    "Precautions (5.1)].",
    "3 DOSAGE FORMS AND STRENGTHS",
    "Tablets: 100 mg, yellow, oval, debossed with \u201cVX 100\u201d.",
    "4 CONTRAINDICATIONS",
    "None.",
    "5 WARNINGS AND PRECAUTIONS",
    "5.1 Hepatotoxicity",
    "Fatal liver failure occurred in 0.2% of patients. Obtain liver tests before starting",
    "VELMARIX and monthly for",
    "6 months.",
    "5.2 Infections",
    "Serious infections occurred in 4% of patients [see Adverse Reactions",
    "(6.1)].",
    "5.3 Embryo-Fetal Toxicity",
    "Based on animal data, VELMARIX can cause fetal harm [see Use in Specific Populations",
    "(8.1)].",
    "6 ADVERSE REACTIONS",
    "The following clinically significant adverse reactions are described elsewhere in the",
    "labeling:",
    "\u2022 Hepatotoxicity [see Warnings and Precautions (5.1)]",
    "6.1 Clinical Trials Experience",
    "Table 2: Adverse Reactions in \u22655% of Patients",
    "Adverse Reaction VELMARIX Placebo",
    "N=600 N=598",
    "Nasopharyngitis 22 18",
    "7 DRUG INTERACTIONS",
    "Strong CYP3A4 inhibitors: avoid coadministration.",
    "8 USE IN SPECIFIC POPULATIONS",
    "8.1 Pregnancy",
    "Risk Summary",
    "Advise pregnant women of the potential risk to a fetus.",
    "8.2 Lactation",
    "Advise women not to breastfeed during treatment and for",
    "2 weeks after the last dose.",
    "10 OVERDOSAGE",
    "There is no specific antidote.",
    "11 DESCRIPTION",
    "VELMARIX tablets contain velmarinib hydrochloride.",
    "12 CLINICAL PHARMACOLOGY",
    "12.1 Mechanism of Action",
    "Velmarinib inhibits Bruton\u2019s tyrosine kinase.",
    "12.3 Pharmacokinetics",
    "The half-life is 12 hours.",
    "13 NONCLINICAL TOXICOLOGY",
    "13.1 Carcinogenesis, Mutagenesis, Impairment of Fertility",
    "Velmarinib was not carcinogenic in rats.",
    "14 CLINICAL STUDIES",
    "Two randomized trials enrolled 1,200 patients.",
    "16 HOW SUPPLIED/STORAGE AND HANDLING",
    "Store at 20\u00b0C to 25\u00b0C (68\u00b0F to 77\u00b0F).",
    "17 PATIENT COUNSELING INFORMATION",
    "Advise the patient to read the FDA-approved patient labeling (Medication Guide).",
    "Hepatotoxicity",
    "Inform patients that VELMARIX can cause liver injury [see Warnings and Precautions (5.1)].",
    "Distributed by: Velmar Pharma Inc., Princeton, NJ 08540",
]

US_SECTIONS = [
    "1", "2", "2.1", "2.2", "3", "4", "5", "5.1", "5.2", "5.3", "6", "6.1", "7", "8", "8.1",
    "8.2", "10", "11", "12", "12.1", "12.3", "13", "13.1", "14", "16", "17",
]  # fmt: skip


def pages_of(lines):
    """Lines split into pages at form feeds, then at most 56 lines a page."""
    pages, page = [], []
    for line in lines:
        if line == "\f" or len(page) == 56:
            pages.append(page)
            page = []
            if line == "\f":
                continue
        page.append(line)
    pages.append(page)
    return [page for page in pages if page]


def render_pdf(lines, *, header="", watermark=False):
    """A Word-like PDF: the lines in Times 10pt on A4 pages, each page with a centred page
    number at the foot, an optional running header, and an optional diagonal watermark."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = _unicode_font(pdfmetrics, TTFont)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for number, page in enumerate(pages_of(lines), start=1):
        if watermark:
            pdf.saveState()
            pdf.setFont(font, 40)
            pdf.setFillGray(0.8)
            pdf.translate(width / 2, height / 2)
            pdf.rotate(45)
            pdf.drawCentredString(0, 0, WATERMARK)
            pdf.restoreState()
        if header:
            pdf.setFont(font, 8)
            pdf.drawString(72, height - 40, header)
        pdf.setFont(font, 10)
        y = height - 72
        for line in page:
            if line:
                pdf.drawString(72, y, line)
            y -= 12.5
        pdf.setFont(font, 10)
        pdf.drawCentredString(width / 2, 30, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _unicode_font(pdfmetrics, ttfont):
    """DejaVu Sans when the system has it (it prints ▼, ≥ and ’); else Times-Roman."""
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ):
        try:
            pdfmetrics.registerFont(ttfont("DejaVuSans", path))
        except Exception:
            continue
        return "DejaVuSans"
    return "Times-Roman"


def pypdf_text(content):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _level(obj):
    matrix = obj.get("matrix") or (1, 0, 0, 1)
    return obj.get("object_type") != "char" or (abs(matrix[1]) < 1e-3 and abs(matrix[2]) < 1e-3)


def pdfplumber_text(content):
    """pdfplumber's text of level characters: a diagonal watermark's letters would
    otherwise be merged into the lines they cross ("Speacial precautions"); the import's
    reading (pdf_layout) sets them apart the same way."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.filter(_level).extract_text() or "" for page in pdf.pages)

"""The documents of a product's information and how their sections are numbered.

A section reference such as "SmPC 4.4" or "PL 2" names a document and a section
number; the same rules validate a reference and a loaded section. ``STANDARD_TITLES``
is the one record of each document's structure (EMA's QRD templates, the US label's
21 CFR 201.57): a section outside it ("SmPC 4.99", "PL 9") is refused.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

NUMBERED_SECTION = r"^[1-9][0-9]?(\.[1-9][0-9]?){0,2}$"
LETTERED_SECTION = r"^[A-E]$"


class Document(models.TextChoices):
    SMPC = "smpc", "Summary of product characteristics"
    ANNEX_II = "annex2", "Annex II"
    PACKAGE_LEAFLET = "pl", "Package leaflet"
    US_PRESCRIBING_INFORMATION = "uspi", "US prescribing information"

    @property
    def abbreviation(self):
        return DOCUMENT_ABBREVIATIONS[self]

    @property
    def section_pattern(self):
        return LETTERED_SECTION if self is Document.ANNEX_II else NUMBERED_SECTION

    @property
    def section_hint(self):
        if self is Document.ANNEX_II:
            return "a letter A to E"
        return "a number such as 4 or 4.4"

    @classmethod
    def from_abbreviation(cls, text):
        key = " ".join(text.split()).casefold()
        for document, abbreviation in DOCUMENT_ABBREVIATIONS.items():
            if key in {abbreviation.casefold(), document.value, document.label.casefold()}:
                return document
        raise ValueError(f"Unknown document {text!r}: use SmPC, Annex II, PL or USPI.")

    def validate_section(self, section):
        """Raise ValidationError with a readable message unless the document has ``section``.

        The message names the valid sections, so the reader can correct the reference.
        """
        if not re.match(self.section_pattern, section or ""):
            raise ValidationError(
                f"“{section}” is not a section of the {self.label}: use {self.section_hint}.",
                code="invalid_section",
            )
        if not has_section(self, section):
            raise ValidationError(
                f"“{self.abbreviation} {section}” is not a section of the {self.label}: its "
                f"sections are {valid_sections_text(self)}.",
                code="unknown_section",
            )


DOCUMENT_ABBREVIATIONS = {
    Document.SMPC: "SmPC",
    Document.ANNEX_II: "Annex II",
    Document.PACKAGE_LEAFLET: "PL",
    Document.US_PRESCRIBING_INFORMATION: "USPI",
}


# The sections of each document and their titles: EMA's QRD templates (SmPC 2.1 and 2.2 in
# the template for advanced therapies, 11 and 12 for radiopharmaceuticals; Annex II E for
# conditional and exceptional marketing authorisations) and the US label (21 CFR 201.57).
# The titles are shown when a product's own information is not loaded.
STANDARD_TITLES = {
    Document.SMPC: {
        "1": "Name of the medicinal product",
        "2": "Qualitative and quantitative composition",
        "2.1": "General description",
        "2.2": "Qualitative and quantitative composition",
        "3": "Pharmaceutical form",
        "4": "Clinical particulars",
        "4.1": "Therapeutic indications",
        "4.2": "Posology and method of administration",
        "4.3": "Contraindications",
        "4.4": "Special warnings and precautions for use",
        "4.5": "Interaction with other medicinal products and other forms of interaction",
        "4.6": "Fertility, pregnancy and lactation",
        "4.7": "Effects on ability to drive and use machines",
        "4.8": "Undesirable effects",
        "4.9": "Overdose",
        "5": "Pharmacological properties",
        "5.1": "Pharmacodynamic properties",
        "5.2": "Pharmacokinetic properties",
        "5.3": "Preclinical safety data",
        "6": "Pharmaceutical particulars",
        "6.1": "List of excipients",
        "6.2": "Incompatibilities",
        "6.3": "Shelf life",
        "6.4": "Special precautions for storage",
        "6.5": "Nature and contents of container",
        "6.6": "Special precautions for disposal and other handling",
        "7": "Marketing authorisation holder",
        "8": "Marketing authorisation number(s)",
        "9": "Date of first authorisation/renewal of the authorisation",
        "10": "Date of revision of the text",
        "11": "Dosimetry",
        "12": "Instructions for preparation of radiopharmaceuticals",
    },
    Document.ANNEX_II: {
        "A": "Manufacturer(s) responsible for batch release",
        "B": "Conditions or restrictions regarding supply and use",
        "C": "Other conditions and requirements of the marketing authorisation",
        "D": "Conditions or restrictions with regard to the safe and effective use",
        "E": "Specific obligation to complete post-authorisation measures",
    },
    Document.PACKAGE_LEAFLET: {
        "1": "What the medicine is and what it is used for",
        "2": "What you need to know before you take the medicine",
        "3": "How to take the medicine",
        "4": "Possible side effects",
        "5": "How to store the medicine",
        "6": "Contents of the pack and other information",
    },
    Document.US_PRESCRIBING_INFORMATION: {
        "1": "Indications and usage",
        "2": "Dosage and administration",
        "3": "Dosage forms and strengths",
        "4": "Contraindications",
        "5": "Warnings and precautions",
        "6": "Adverse reactions",
        "7": "Drug interactions",
        "8": "Use in specific populations",
        "9": "Drug abuse and dependence",
        "10": "Overdosage",
        "11": "Description",
        "12": "Clinical pharmacology",
        "13": "Nonclinical toxicology",
        "14": "Clinical studies",
        "15": "References",
        "16": "How supplied/storage and handling",
        "17": "Patient counseling information",
    },
}
# Documents whose subsections each label numbers for itself (USPI 5.1, 5.2, … one per
# warning): any subsection of a known section is a section of the document.
OPEN_SUBSECTIONS = {Document.US_PRESCRIBING_INFORMATION}


def has_section(document, section):
    """Whether the document's structure has the (well-formed) section number."""
    titles = STANDARD_TITLES.get(document, {})
    if section in titles:
        return True
    return document in OPEN_SUBSECTIONS and section.split(".")[0] in titles


def valid_sections_text(document):
    """ "1–10, 2.1, 2.2, 4.1–4.9, …" : the sections of a document, for messages."""
    numbers = list(STANDARD_TITLES.get(document, {}))
    if document == Document.ANNEX_II:
        return f"{numbers[0]}–{numbers[-1]}"
    groups = {}
    for number in numbers:
        groups.setdefault(number.rpartition(".")[0], []).append(number)
    text = ", ".join(_span(numbers) for numbers in groups.values())
    if document in OPEN_SUBSECTIONS:
        text += " and their subsections (such as 5.1)"
    return text


def _span(numbers):
    """["4.1", "4.2", …, "4.9"] -> "4.1–4.9"; a single number as it is."""
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2:
        return f"{numbers[0]}, {numbers[1]}"
    return f"{numbers[0]}–{numbers[-1]}"


def standard_title(document, section):
    """The template title of a section ("Special warnings and precautions for use"), or ""."""
    return STANDARD_TITLES.get(document, {}).get(section, "")


def well_formed_section(document_field="document", section_field="section"):
    """The database rule behind Document.validate_section, for CheckConstraints."""
    lettered = Q(**{document_field: Document.ANNEX_II, f"{section_field}__regex": LETTERED_SECTION})
    numbered = ~Q(**{document_field: Document.ANNEX_II}) & Q(
        **{f"{section_field}__regex": NUMBERED_SECTION}
    )
    return lettered | numbered


def parse_reference(text):
    """Split "SmPC 4.4" into (Document.SMPC, "4.4"); raise ValueError if malformed."""
    text = " ".join(text.split())
    document_text, _, section = text.rpartition(" ")
    if not document_text:
        raise ValueError(f"“{text}” is not a section reference: write e.g. “SmPC 4.4” or “PL 2”.")
    document = Document.from_abbreviation(document_text)
    try:
        document.validate_section(section)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return document, section


def unloaded_references(references, loaded, *, product_name="the product"):
    """Messages for the references [(document, section)] that miss the loaded text.

    ``loaded``: the (document, section) keys of the product's loaded sections. A reference to
    a document that is loaded must name one of its loaded sections (the message names them);
    a reference to a document that is not loaded at all is fine: it links to the official
    product information instead.
    """
    by_document = {}
    for document, section in loaded:
        by_document.setdefault(document, []).append(section)
    messages = []
    for document, section in references:
        document = Document(document)
        sections = by_document.get(document)
        if sections and section not in sections:
            listed = ", ".join(sorted(sections, key=section_sort_key))
            name = "Annex II" if document == Document.ANNEX_II else document.label.lower()
            messages.append(
                f"“{document.abbreviation} {section}” is not among the loaded sections of "
                f"{product_name}’s {name}: they are {listed}."
            )
    return messages


def section_sort_key(section):
    """Natural order of section numbers: 4.2 < 4.10 < 5; letters after numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in section.split("."))

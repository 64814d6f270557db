"""The documents of a product's information and how their sections are numbered.

A section reference such as "SmPC 4.4" or "PL 2" names a document and a section
number; the same rules validate a reference and a loaded section.
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
        """Raise ValidationError with a readable message if ``section`` is malformed."""
        if not re.match(self.section_pattern, section or ""):
            raise ValidationError(
                f"“{section}” is not a section of the {self.label}: use {self.section_hint}.",
                code="invalid_section",
            )


DOCUMENT_ABBREVIATIONS = {
    Document.SMPC: "SmPC",
    Document.ANNEX_II: "Annex II",
    Document.PACKAGE_LEAFLET: "PL",
    Document.US_PRESCRIBING_INFORMATION: "USPI",
}


# Section titles of EMA's QRD template and the US label, shown when a product's own
# information is not loaded.
STANDARD_TITLES = {
    Document.SMPC: {
        "1": "Name of the medicinal product",
        "2": "Qualitative and quantitative composition",
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
    },
    Document.ANNEX_II: {
        "A": "Manufacturer(s) responsible for batch release",
        "B": "Conditions or restrictions regarding supply and use",
        "C": "Other conditions and requirements of the marketing authorisation",
        "D": "Conditions or restrictions with regard to the safe and effective use",
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
        "4": "Contraindications",
        "5": "Warnings and precautions",
        "6": "Adverse reactions",
        "8": "Use in specific populations",
    },
}


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


def section_sort_key(section):
    """Natural order of section numbers: 4.2 < 4.10 < 5; letters after numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in section.split("."))

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

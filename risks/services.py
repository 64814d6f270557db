"""Writes to risk management plans. Each public function is one unit of work."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from products.documents import parse_reference

from .models import SectionReference

_SEPARATORS = re.compile(r"\s*(?:[,;]|\band\b)\s*")


def parse_reference_list(text):
    """Parse "SmPC 4.2, 4.4; PL 2" into [(document, section), ...] in order, without repeats.

    A bare number continues the document named before it. Raises ValidationError
    with a readable message for the first malformed item.
    """
    references = []
    document = None
    for item in filter(None, _SEPARATORS.split(text.strip())):
        if document is not None and re.fullmatch(r"[0-9.]+|[A-E]", item):
            item = f"{document.abbreviation} {item}"
        try:
            document, section = parse_reference(item)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if (document, section) not in references:
            references.append((document, section))
    return references


@transaction.atomic
def set_section_references(routine_measure, references):
    """Make the measure cite exactly ``references`` [(document, section), ...], in that order."""
    routine_measure.section_references.all().delete()
    SectionReference.objects.bulk_create(
        SectionReference(
            routine_measure=routine_measure, document=document, section=section, position=position
        )
        for position, (document, section) in enumerate(references)
    )

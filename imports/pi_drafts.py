"""Product information read from a document into a draft change of its product.

``preview_product_information`` reads the document (PDF or text), splits it into sections
(``pi_parser.parse_product_information``), reads which product it names
(``pi_names``) and compares its sections with the product's published ones (``pi_diff``).
``draft_product_information`` then records the sections as the product's draft change
(``products.review``), with an ImportLog entry; a reviewer publishes it. Nothing here
writes the product or its published sections.

Never silently: a document that names another product (or another active substance), or
none, is refused unless the curator confirms it is for this product; a document with far
fewer sections than the published information (under ``FEW_SECTIONS`` of them) is refused
unless the curator confirms that too.
"""

from dataclasses import dataclass

from django.db import transaction

from common.text import counted
from products import review
from products.documents import Document, section_sort_key
from products.models import Product

from .claims import claimed
from .extract import ImportRejected, SourceDocument, read_document
from .models import ImportKind, ImportLog
from .pi_diff import InformationDiff, compare_sections
from .pi_names import NamedProduct, mismatch, named_product
from .pi_parser import parse_product_information
from .services import require_reason

FEW_SECTIONS = 0.6  # a document with fewer than this share of the published sections


@dataclass
class InformationPreview:
    """What loading a document into a product would propose, and what needs confirming."""

    source: SourceDocument
    product: Product
    sections: list  # ParsedSection, in document order
    warnings: list
    named: NamedProduct
    mismatch: str | None
    published_count: int
    diff: InformationDiff
    open_change: object = None  # the product's change in draft or review, if any

    @property
    def few_sections(self):
        """Far fewer sections than the published information: a partial document?"""
        return bool(self.published_count) and len(self.sections) < FEW_SECTIONS * (
            self.published_count
        )

    @property
    def few_sections_message(self):
        return (
            f"The document has {counted(len(self.sections), 'sections')}, far fewer than the "
            f"{self.published_count} published for {self.product.name}: loading it would "
            f"remove {counted(len(self.diff.removed), 'sections')}."
        )

    @property
    def in_draft_already(self):
        change = self.open_change
        return change is not None and change.source_sha256 == self.source.sha256

    def counts(self):
        counts = {}
        for section in self.sections:
            counts[section.document] = counts.get(section.document, 0) + 1
        return counts

    def summary(self):
        """ "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)" """
        parts = []
        for document, number in self.counts().items():
            numbers = [s.section for s in self.sections if s.document == document]
            top = sorted({n.split(".")[0] for n in numbers}, key=section_sort_key)
            span = top[0] if len(top) == 1 else f"{top[0]}-{top[-1]}"
            parts.append(f"{Document(document).abbreviation} {span} ({number})")
        return f"{counted(len(self.sections), 'sections')}: {', '.join(parts)}"


def preview_product_information(content, file_name, product) -> InformationPreview:
    """Read the document and compare it with ``product``; ImportRejected if unreadable."""
    if product is None:
        raise ImportRejected("Choose the product the product information is for.")
    source = read_document(content, file_name)
    parsed = parse_product_information(source.text)
    if not len(parsed):
        raise ImportRejected(
            f"{source.file_name} does not look like product information: no section headings "
            "of a summary of product characteristics (such as “4.4 Special warnings and "
            "precautions for use”), an Annex II, a package leaflet or a US label were found."
        )
    published = list(product.information_sections.all())
    named = named_product(parsed, source.text)
    return InformationPreview(
        source=source,
        product=product,
        sections=list(parsed.sections),
        warnings=list(parsed.warnings),
        named=named,
        mismatch=mismatch(named, product),
        published_count=len(published),
        diff=compare_sections(published, parsed.sections),
        open_change=review.open_change(product),
    )


def refusals(preview, *, confirm_mismatch=False, confirm_few_sections=False):
    """What stops the preview from becoming a draft, as messages (empty: it may)."""
    messages = []
    if preview.mismatch and not confirm_mismatch:
        messages.append(
            f"{preview.mismatch} Nothing was loaded. If the document is for "
            f"{preview.product.name} all the same, confirm it explicitly."
        )
    if preview.few_sections and not confirm_few_sections:
        messages.append(
            f"{preview.few_sections_message} Nothing was loaded. Confirm explicitly that the "
            "document replaces all of the published information."
        )
    if preview.diff.is_empty:
        messages.append(
            f"The document's sections are the same as the published information of "
            f"{preview.product.name}: there is nothing to review."
        )
    elif preview.in_draft_already:
        messages.append(
            f"{preview.source.file_name} is already the product information of "
            f"{preview.open_change}."
        )
    return messages


def draft_product_information(
    preview, *, user, reason, confirm_mismatch=False, confirm_few_sections=False
):
    """Record the previewed sections as the product's draft change; returns the change.

    Raises ImportRejected (nothing written) when a confirmation is missing, the reason is
    missing, or the product's change is in review, and ImportInProgress while the same file
    is being loaded by someone else (``claims``). Call it outside a transaction.
    """
    refused = refusals(
        preview, confirm_mismatch=confirm_mismatch, confirm_few_sections=confirm_few_sections
    )
    if refused:
        raise ImportRejected(" ".join(refused))
    require_reason(reason)
    sections = [
        {"document": s.document, "section": s.section, "title": s.title, "text": s.text}
        for s in preview.sections
    ]
    source = preview.source
    kind = ImportKind.PRODUCT_INFORMATION
    with claimed(kind, source.content, source.file_name, user), transaction.atomic():
        try:
            change = review.propose_sections(
                preview.product,
                sections,
                user=user,
                reason=reason,
                source=(source.file_name, source.sha256),
                named=preview.named.full_name if preview.mismatch else "",
            )
        except review.ReviewError as error:
            raise ImportRejected(str(error)) from None
        ImportLog.objects.create(
            reason=" ".join(reason.split()),
            kind=ImportKind.PRODUCT_INFORMATION,
            file_name=source.file_name,
            sha256=source.sha256,
            size=source.size,
            user=user if user is not None and user.is_authenticated else None,
            product=preview.product,
            plan=None,
            summary=f"{preview.summary()}; into {change}, for review",
            warnings=[
                *preview.warnings,
                *([f"Confirmed by the importer: {preview.mismatch}"] if preview.mismatch else []),
                *(
                    [f"Confirmed by the importer: {preview.few_sections_message}"]
                    if preview.few_sections
                    else []
                ),
            ],
        )
    return change

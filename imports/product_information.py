"""Import product information (EU SmPC, Annex II, package leaflet; a US label) as sections.

``parse_product_information`` (``pi_parser``) splits the text of a published product
information document into numbered sections; ``import_product_information`` stores them as
the product's ProductInformationSection rows, replacing the ones it had, and records an
ImportLog.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.context import bulk_create_audited, recorded_change
from common.text import counted
from products.documents import Document, section_sort_key
from products.models import Product, ProductInformationSection

from .claims import claimed
from .extract import ImportRejected, SourceDocument, read_document
from .models import ImportKind, ImportLog
from .pi_parser import US, parse_product_information
from .services import require_reason

# Import ---------------------------------------------------------------------


@dataclass
class ProductInformationImport:
    """What an import stored (or, for a dry run or a file imported before, would store)."""

    source: SourceDocument
    product: Product
    sections: list
    warnings: list
    replaced: int  # the product's sections before the import
    duplicate: ImportLog | None = None
    log: ImportLog | None = None

    @property
    def is_duplicate(self):
        return self.duplicate is not None

    def counts(self):
        """{document: number of sections}, in document order."""
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
        total = len(self.sections)
        return f"{counted(total, 'sections')}: {', '.join(parts)}"


def import_product_information(
    content, file_name, *, product_slug, user=None, reason="", dry_run=False
) -> ProductInformationImport:
    """Replace the product's information sections with those of the file.

    Raises ImportRejected (nothing written) for an unknown product or a file that is not
    readable product information. A file already imported for the product is a no-op, and
    one being imported right now raises ImportInProgress.
    """
    if dry_run:
        return _prepare(content, file_name, product_slug)
    with claimed(ImportKind.PRODUCT_INFORMATION, content, file_name, user):
        result = _prepare(content, file_name, product_slug)
        if result.is_duplicate:
            return result
        require_reason(reason)
        with recorded_change(reason, user):
            return _write(result, user, reason)


def _prepare(content, file_name, product_slug):
    """What the import would do, and the earlier import of the same file if any."""
    product = Product.objects.filter(slug=product_slug or "").first()
    if product is None:
        raise ImportRejected(f"There is no product with the slug “{product_slug}”.")
    source = read_document(content, file_name)
    parsed = parse_product_information(source.text)
    if not any(section.document in (Document.SMPC, US) for section in parsed):
        raise ImportRejected(
            f"{source.file_name} does not look like product information: no headings of a "
            "summary of product characteristics (such as “4.4 Special warnings and precautions "
            "for use”) or of a US label (such as “5 WARNINGS AND PRECAUTIONS”) were found."
        )
    latest = (
        ImportLog.objects.filter(kind=ImportKind.PRODUCT_INFORMATION, product=product)
        .select_related("user")
        .first()
    )
    result = ProductInformationImport(
        source=source,
        product=product,
        sections=parsed.sections,
        warnings=parsed.warnings,
        replaced=product.information_sections.count(),
        duplicate=latest if latest and latest.sha256 == source.sha256 else None,
    )
    return result


@transaction.atomic
def _write(result, user, reason):
    product = Product.objects.select_for_update().get(pk=result.product.pk)
    result.replaced = product.information_sections.count()
    product.information_sections.all().delete()
    bulk_create_audited(
        ProductInformationSection,
        (
            ProductInformationSection(
                product=product,
                document=section.document,
                section=section.section,
                title=section.title[:300],
                text=section.text,
                position=position,
            )
            for position, section in enumerate(result.sections)
        ),
    )
    Product.objects.filter(pk=product.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    result.log = ImportLog.objects.create(
        reason=" ".join(reason.split()),
        kind=ImportKind.PRODUCT_INFORMATION,
        file_name=result.source.file_name,
        sha256=result.source.sha256,
        size=result.source.size,
        user=user,
        product=product,
        plan=None,
        summary=result.summary(),
        warnings=list(result.warnings),
    )
    return result

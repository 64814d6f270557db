"""Imports of published documents. Each public function is one unit of work (one transaction)."""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from audit.context import bulk_create_audited, recorded_change
from common.text import counted
from products.documents import parse_reference, unloaded_references
from products.models import AuthorisationStatus, Product, Region, Substance
from risks.models import PlanStatus
from risks.services import PlanDataError, create_plan

from .claims import claimed
from .extract import ImportRejected, SourceDocument, read_document
from .models import ImportKind, ImportLog, ImportWarning
from .references import uncited_sections
from .rmp_summary import parse_rmp_summary

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = ["indication", "route", "pharmaceutical_form", "source_url"]
# The subject of the warnings an incomplete document leaves: they block submission until resolved.
INCOMPLETE = "Incomplete document"


@dataclass
class RmpPreview:
    """What importing a summary would create, before anything is written."""

    source: SourceDocument
    data: dict  # {"product": {...}, "plan": {...}} in the seed format, items with "warnings"
    product: Product | None  # the existing product the draft becomes a version of
    version: str
    duplicate: ImportLog | None = None
    plan_warnings: list = field(default_factory=list)  # [(subject, message)]
    # An earlier import of the same content (another file) into the same product.
    same_content: ImportLog | None = None

    @property
    def content_sha256(self):
        return content_fingerprint(self.data)

    @property
    def product_name(self):
        return self.product.name if self.product else self.data["product"]["name"]

    @property
    def warnings(self):
        """Every warning as (subject, message), plan-level first, then per item."""
        items = list(self.plan_warnings)
        plan = self.data["plan"]
        for concern in plan["safety_concerns"]:
            label = f"Safety concern “{concern['name']}”"
            items += [(label, message) for message in concern.get("warnings", [])]
        for measure in plan["additional_measures"]:
            label = f"Additional measure “{measure['name']}”"
            items += [(label, message) for message in measure.get("warnings", [])]
        for study in plan["studies"]:
            label = f"Study “{study.get('code') or study.get('short_name') or study['title']}”"
            items += [(label, message) for message in study.get("warnings", [])]
        return items

    def counts(self):
        plan = self.data["plan"]
        concerns = plan["safety_concerns"]
        return {
            "safety concerns": len(concerns),
            "routine measures": sum(len(item["routine_measures"]) for item in concerns),
            "section references": sum(
                len(measure["references"])
                for item in concerns
                for measure in item["routine_measures"]
            ),
            "additional measures": len(plan["additional_measures"]),
            "studies": len(plan["studies"]),
            "milestones": sum(len(study["milestones"]) for study in plan["studies"]),
        }

    def summary(self):
        counts = ", ".join(counted(number, what) for what, number in self.counts().items())
        target = (
            f"new version {self.version} of {self.product.name}"
            if self.product
            else f"new product {self.product_name}, version {self.version}"
        )
        return f"Draft plan: {target} ({counts})."


@dataclass
class RmpImportResult:
    preview: RmpPreview
    log: ImportLog | None = None  # None for a dry run or a file imported before
    plan: object = None

    @property
    def is_duplicate(self):
        return self.preview.duplicate is not None

    @property
    def nothing_new(self):
        """The file, or its content for the same product, was imported before."""
        return self.is_duplicate or self.preview.same_content is not None


@dataclass
class SummaryOutcome:
    """What became of one file of a batch: imported, nothing new, or refused and why."""

    file_name: str
    result: RmpImportResult | None = None
    refused: str = ""  # why the file was refused, when it was

    CATEGORIES = ("identified", "potential", "missing")

    @property
    def preview(self):
        return self.result.preview if self.result else None

    @property
    def status(self):
        """ "created", "nothing new", "dry run" or "refused"."""
        if self.result is None:
            return "refused"
        if self.result.nothing_new:
            return "nothing new"
        return "dry run" if self.result.log is None else "created"

    @property
    def earlier(self):
        """The earlier import that makes this one nothing new."""
        if self.result is None:
            return None
        return self.preview.duplicate or self.preview.same_content

    @property
    def version(self):
        """The version the file became, or the earlier version that already says the same."""
        if self.result is None:
            return None
        earlier = self.earlier
        return earlier.plan.version if earlier else self.preview.version

    @property
    def concerns_per_category(self):
        """(identified, potential, missing) numbers of safety concerns."""
        if self.result is None:
            return None
        concerns = self.preview.data["plan"]["safety_concerns"]
        return tuple(
            sum(1 for concern in concerns if concern["category"] == category)
            for category in self.CATEGORIES
        )

    @property
    def study_count(self):
        return len(self.preview.data["plan"]["studies"]) if self.result else None

    @property
    def warning_count(self):
        return len(self.preview.warnings) if self.result else None


def import_rmp_summaries(
    files: Iterable[tuple[str, Callable[[], bytes]]],
    *,
    user=None,
    reason="",
    dry_run=False,
    accept_incomplete=False,
) -> list[SummaryOutcome]:
    """Import several summaries, each on its own (``import_rmp_summary``: its own claim and
    transaction): a refused file is a refused row and never stops or undoes the others.

    ``files`` holds (file name, read) pairs; ``read()`` returns the file's bytes and is called
    only when its turn comes. Raises ImportRejected, before reading anything, when a write
    lacks its reason.
    """
    if not dry_run:
        require_reason(reason)
    outcomes = []
    for file_name, read in files:
        try:
            content = read()
            result = import_rmp_summary(
                content,
                file_name,
                user=user,
                reason=reason,
                dry_run=dry_run,
                accept_incomplete=accept_incomplete,
            )
        except ImportRejected as error:
            outcomes.append(SummaryOutcome(file_name, refused=str(error)))
        except OSError as error:
            outcomes.append(
                SummaryOutcome(file_name, refused=f"cannot read it ({error.strerror or error})")
            )
        except Exception:  # a fault of the importer: logged; the other files go on
            logger.exception("Importing %s failed", file_name)
            outcomes.append(
                SummaryOutcome(
                    file_name,
                    refused="the importer failed on this file (the error is logged); "
                    "nothing was written for it",
                )
            )
        else:
            outcomes.append(SummaryOutcome(file_name, result=result))
    return outcomes


def preview_rmp_summary(
    content, file_name, *, product_slug=None, accept_incomplete=False
) -> RmpPreview:
    """Parse a summary and decide where it goes; write nothing. Raises ImportRejected.

    A document that lacks a part the template requires is refused, naming what is missing,
    unless ``accept_incomplete``: then each gap is a warning that blocks submission."""
    source = read_document(content, file_name)
    parsed = parse_rmp_summary(source.text)
    if parsed.gaps and not accept_incomplete:
        raise ImportRejected(
            f"{source.file_name} is incomplete: {' '.join(parsed.gaps)} Import it only if you "
            "confirm an incomplete import; every gap then stays a warning that blocks "
            "submission until it is resolved."
        )
    data = {"product": parsed.product, "plan": parsed.plan}
    data["plan"]["source_document"] = source.file_name
    product = _target_product(parsed.product, product_slug)
    plan_warnings = [(INCOMPLETE, gap) for gap in parsed.gaps] + list(parsed.warnings)
    if product is not None:
        plan_warnings += _product_differences(product, parsed.product)
        _warn_of_references(product, data["plan"])
    elif parsed.product["name"].isupper():
        plan_warnings.append(
            (
                "Product",
                f"The name “{parsed.product['name']}” is written in capitals in the summary and "
                "is kept as written: correct it if the product is spelled otherwise.",
            )
        )
    duplicate = (
        ImportLog.objects.of_file(ImportKind.RMP_SUMMARY, source.sha256)
        .filter(plan__isnull=False)
        .select_related("plan__product")
        .first()
    )
    preview = RmpPreview(
        source=source,
        data=data,
        product=product,
        version=_next_version(product, parsed.plan.get("version")),
        duplicate=duplicate,
        plan_warnings=plan_warnings,
    )
    if product is not None and duplicate is None:
        preview.same_content = (
            ImportLog.objects.filter(
                kind=ImportKind.RMP_SUMMARY,
                product=product,
                plan__isnull=False,
                content_sha256=preview.content_sha256,
            )
            .select_related("plan__product")
            .first()
        )
    return preview


def import_rmp_summary(
    content,
    file_name,
    *,
    user=None,
    reason="",
    product_slug=None,
    dry_run=False,
    accept_incomplete=False,
) -> RmpImportResult:
    """Import a summary as a draft plan version; a file imported before is a no-op.

    ``reason`` (why the file is imported) goes into the audit trail of everything written.
    While the file is being imported, another import of it raises ImportInProgress.
    """

    def preview():
        return preview_rmp_summary(
            content, file_name, product_slug=product_slug, accept_incomplete=accept_incomplete
        )

    if dry_run:
        return RmpImportResult(preview())
    with claimed(ImportKind.RMP_SUMMARY, content, file_name, user):
        found = preview()
        if found.duplicate or found.same_content:
            return RmpImportResult(found)
        require_reason(reason)
        with recorded_change(reason, user):
            return _write(found, user, reason)


def content_fingerprint(data):
    """SHA-256 of what a summary says about the product (names, categories, texts, measures,
    studies and milestones), not of its file: a new PDF of the same content has the same."""
    plan = data["plan"]
    content = {
        "substances": sorted(data["product"].get("substances") or []),
        "concerns": [
            [
                " ".join(concern["name"].split()).casefold(),
                concern["category"],
                concern.get("evidence", ""),
                concern.get("risk_factors", ""),
                [
                    [measure["kind"], measure["text"], measure["references"]]
                    for measure in concern.get("routine_measures", [])
                ],
                sorted(concern.get("additional_measures", [])),
                sorted(concern.get("studies", [])),
            ]
            for concern in plan["safety_concerns"]
        ],
        "measures": sorted(
            [item["key"], item["kind"], item.get("description", "")]
            for item in plan["additional_measures"]
        ),
        "studies": sorted(
            [
                study["key"],
                study.get("code", ""),
                str(study.get("category")),
                sorted([stone["description"], str(stone["due"])] for stone in study["milestones"]),
            ]
            for study in plan["studies"]
        ),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def blocking_import_warnings(plan):
    """The unresolved warnings of an incomplete import of ``plan``: submission waits for them."""
    return ImportWarning.objects.filter(plan=plan, subject=INCOMPLETE, resolved=False)


def require_reason(reason):
    if not (reason or "").strip():
        raise ImportRejected("Say why you import this file: the reason goes into the audit trail.")


@transaction.atomic
def _write(preview, user, reason):
    product = preview.product or _create_product(preview.data["product"])
    plan_data = {**preview.data["plan"], "version": preview.version}
    try:
        created = create_plan(product, plan_data, status=PlanStatus.DRAFT, edited_by=user)
    except PlanDataError as error:
        raise ImportRejected(f"{preview.source.file_name}: {error}") from None
    log = ImportLog.objects.create(
        reason=" ".join(reason.split()),
        kind=ImportKind.RMP_SUMMARY,
        file_name=preview.source.file_name,
        sha256=preview.source.sha256,
        size=preview.source.size,
        user=user,
        product=product,
        plan=created.plan,
        summary=preview.summary(),
        warnings=[f"{subject}: {message}" for subject, message in preview.warnings],
        content_sha256=preview.content_sha256,
    )
    _attach_warnings(preview, created, log)
    return RmpImportResult(preview, log=log, plan=created.plan)


def _attach_warnings(preview, created, log):
    """One ImportWarning per message, linked to the draft item it is about."""
    plan = preview.data["plan"]
    items = [(subject, [message], {}) for subject, message in preview.plan_warnings]
    items += [
        (f"Safety concern “{concern.name}”", item.get("warnings", []), {"safety_concern": concern})
        for concern, item in zip(created.concerns, plan["safety_concerns"], strict=True)
    ]
    items += [
        (f"Safety concern “{concern.name}”", [message], {"safety_concern": concern})
        for concern, message in created.warnings
    ]
    items += [
        (f"Additional measure “{item['name']}”", item.get("warnings", []), {})
        for item in plan["additional_measures"]
    ]
    items += [
        (
            f"Study “{created.studies[item['key']].name}”",
            item.get("warnings", []),
            {"study": created.studies[item["key"]]},
        )
        for item in plan["studies"]
    ]
    rows = [
        ImportWarning(plan=created.plan, import_log=log, subject=subject, message=message, **link)
        for subject, messages, link in items
        for message in messages
    ]
    for position, row in enumerate(rows):
        row.position = position
    bulk_create_audited(ImportWarning, rows)


def _target_product(product_data, product_slug):
    if product_slug:
        product = Product.objects.filter(slug=product_slug).first()
        if product is None:
            raise ImportRejected(f"There is no product with the slug “{product_slug}”.")
        return product
    return Product.objects.filter(name__iexact=product_data["name"]).first()


def _warn_of_references(product, plan):
    """A warning on each concern whose routine measure cites a section that the product's
    loaded text lacks, or names in its text a section it does not cite."""
    loaded = product.information_sections.keys()
    for concern in plan["safety_concerns"]:
        for measure in concern["routine_measures"]:
            references = [parse_reference(label) for label in measure["references"]]
            problems = unloaded_references(references, loaded, product_name=product.name)
            uncited = uncited_sections(measure["text"], references)
            if uncited:
                names = ", ".join(f"{d.abbreviation} {section}" for d, section in uncited)
                cited = ", ".join(measure["references"]) or "nothing"
                problems.append(f"its text names {names} but it cites {cited}")
            text = measure["text"] if len(measure["text"]) <= 60 else measure["text"][:60] + "…"
            concern.setdefault("warnings", []).extend(
                f"Routine measure “{text}”: {problem}" for problem in problems
            )


def _product_differences(product, product_data):
    """Plan-level warnings where the summary disagrees with the recorded product."""
    warnings = []
    withdrawn = AuthorisationStatus.WITHDRAWN
    if product_data["authorisation_status"] == withdrawn != product.authorisation_status:
        warnings.append(
            (
                "Product",
                "The summary is marked “Medicinal product no longer authorised” but the "
                f"product is recorded as “{product.get_authorisation_status_display()}”; "
                "the product record was not changed.",
            )
        )
    if product_data["name"] and product.name.casefold() != product_data["name"].casefold():
        warnings.append(
            (
                "Product",
                f"The summary is for “{product_data['name']}” and was imported into "
                f"“{product.name}” as asked.",
            )
        )
    return warnings


def _next_version(product, stated):
    existing = set(product.plans.values_list("version", flat=True)) if product else set()
    if stated and stated not in existing:
        return stated
    numbers = [int(version) for version in existing if version.isdigit()]
    return str(max(numbers, default=0) + 1)


def _create_product(data):
    slug = base = slugify(data["name"])[:90] or "product"
    suffix = 2
    while Product.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    product = Product(
        name=data["name"],
        slug=slug,
        region=Region.EU,
        authorisation_status=data["authorisation_status"],
        **{name: data.get(name, "") for name in PRODUCT_FIELDS},
    )
    product.full_clean()
    product.save()
    for name in data["substances"]:
        substance = Substance.objects.filter(name__iexact=name).first()
        product.substances.add(substance or Substance.objects.create(name=name))
    return product

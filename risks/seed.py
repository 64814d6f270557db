"""Load the curated seed products from ``risks/seed_data/*.yaml`` (format: its README)."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from products.documents import parse_reference
from products.models import Company, Product, ProductInformationSection, Substance

from .models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    Study,
)
from .services import set_section_references

SEED_DIR = Path(__file__).resolve().parent / "seed_data"
PRODUCT_FIELDS = [
    "name",
    "region",
    "authorisation_status",
    "procedure_number",
    "authorisation_numbers",
    "indication",
    "route",
    "pharmaceutical_form",
    "source_url",
]


class SeedError(Exception):
    pass


@dataclass
class SeedResult:
    product: Product
    created: bool

    def __str__(self):
        if not self.created:
            return f"{self.product.name}: already loaded, unchanged"
        plan = self.product.plans.first()
        parts = [_count(self.product.information_sections, "product information section")]
        if plan:
            parts[:0] = [
                _count(plan.safety_concerns, "safety concern"),
                _count(plan.additional_measures, "additional measure"),
                _count(plan.studies, "study", "studies"),
            ]
        return f"{self.product.name}: loaded ({', '.join(parts)})"


def _count(related, singular, plural=None):
    number = related.count()
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def seed_files():
    return sorted(SEED_DIR.glob("*.yaml"))


def read_seed(path):
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read the seed file ({error}).") from None
    if not isinstance(data, dict) or "product" not in data:
        raise SeedError(f"{path}: a seed file starts with a 'product' mapping.")
    return data


@transaction.atomic
def load_seed(data, *, replace=False):
    """Create a seed product with its plan; leave an existing one untouched unless ``replace``."""
    slug = data["product"]["slug"]
    existing = Product.objects.filter(slug=slug).first()
    if existing and not replace:
        return SeedResult(existing, created=False)
    if existing:
        existing.delete()
    product = _create_product(data["product"])
    _create_sections(product, data.get("product_information") or [])
    if data.get("plan"):
        _create_plan(product, data["plan"])
    return SeedResult(product, created=True)


def _create_product(data):
    holder = None
    if data.get("marketing_authorisation_holder"):
        holder, _ = Company.objects.get_or_create(name=data["marketing_authorisation_holder"])
    product = Product(
        slug=data["slug"],
        marketing_authorisation_holder=holder,
        **{field: (data.get(field) or "").strip() for field in PRODUCT_FIELDS},
    )
    product.full_clean()
    product.save()
    for name in data["substances"]:
        substance = Substance.objects.filter(name__iexact=name).first()
        product.substances.add(substance or Substance.objects.create(name=name))
    return product


def _create_sections(product, sections):
    for position, item in enumerate(sections):
        section = ProductInformationSection(
            product=product,
            document=item["document"],
            section=str(item["section"]),
            title=item["title"],
            text=(item.get("text") or "").strip(),
            position=position,
        )
        section.full_clean()
        section.save()


def _text(item, key):
    return (item.get(key) or "").strip()


def _create_plan(product, data):
    plan = RiskManagementPlan.objects.create(
        product=product,
        version=str(data["version"]),
        date=data.get("date"),
        status=PlanStatus.PUBLISHED,
        published_at=timezone.now(),
        source_document=_text(data, "source_document"),
        source_url=_text(data, "source_url"),
        note=_text(data, "note"),
    )
    concerns = {}
    for position, item in enumerate(data.get("safety_concerns") or []):
        concern = SafetyConcern(
            plan=plan,
            category=item["category"],
            name=item["name"].strip(),
            position=position,
            evidence=_text(item, "evidence"),
            risk_factors=_text(item, "risk_factors"),
            footnotes=_text(item, "footnotes"),
            curator_note=_text(item, "curator_note"),
        )
        concern.full_clean()
        concern.save()
        concerns[concern.name] = (concern, item)
        for measure_position, measure in enumerate(item.get("routine_measures") or []):
            routine = RoutineMeasure.objects.create(
                safety_concern=concern,
                kind=measure.get("kind") or "labelling",
                text=measure["text"].strip(),
                position=measure_position,
            )
            references = []
            for text in measure.get("references") or []:
                try:
                    references.append(parse_reference(text))
                except ValueError as error:
                    raise SeedError(f"{product.slug}, {concern.name}: {error}") from None
            set_section_references(routine, references)

    measures = {}
    for item in data.get("additional_measures") or []:
        measures[item["key"]] = AdditionalMeasure.objects.create(
            plan=plan,
            kind=item["kind"],
            name=item["name"].strip(),
            description=_text(item, "description"),
        )
    studies = {}
    for position, item in enumerate(data.get("studies") or []):
        study = Study.objects.create(
            plan=plan,
            code=_text(item, "code"),
            short_name=_text(item, "short_name"),
            title=item["title"].strip(),
            category=int(item["category"]),
            design=item.get("design") or "other",
            purpose=_text(item, "purpose"),
            status=item.get("status") or "ongoing",
            position=position,
        )
        studies[item["key"]] = study
        for milestone_position, entry in enumerate(item.get("milestones") or []):
            milestone = Milestone(
                study=study, description=entry["description"], position=milestone_position
            )
            try:
                milestone.set_due(str(entry["due"]))
            except ValueError as error:
                raise SeedError(f"{product.slug}, {study}: {error}") from None
            milestone.save()

    for concern, item in concerns.values():
        for key in item.get("additional_measures") or []:
            _lookup(measures, key, product, "additional measure").safety_concerns.add(concern)
        for key in item.get("studies") or []:
            _lookup(studies, key, product, "study").safety_concerns.add(concern)
    return plan


def _lookup(items, key, product, kind):
    try:
        return items[key]
    except KeyError:
        raise SeedError(f"{product.slug}: no {kind} with key {key!r}.") from None

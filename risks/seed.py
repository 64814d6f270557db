"""Load the curated seed products from ``risks/seed_data/*.yaml`` (format: its README)."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from audit.context import recorded_change
from common.text import counted
from products.models import Company, Product, ProductInformationSection, Substance

from .models import PlanStatus, RiskTerm
from .services import PlanDataError, create_plan

SEED_DIR = Path(__file__).resolve().parent / "seed_data"
TERMS_FILE = SEED_DIR / "terms" / "risk-terms.yaml"
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
    "product_information_url",
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
        parts = [counted(self.product.information_sections.count(), "product information sections")]
        if plan:
            parts[:0] = [
                counted(plan.safety_concerns.count(), "safety concerns"),
                counted(plan.additional_measures.count(), "additional measures"),
                counted(plan.studies.count(), "studies"),
            ]
        return f"{self.product.name}: loaded ({', '.join(parts)})"


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


SEED_REASON = "Loaded the curated seed data ({slug}.yaml)."


@transaction.atomic
def load_seed(data, *, replace=False):
    """Create a seed product with its plan; leave an existing one untouched unless ``replace``."""
    slug = data["product"]["slug"]
    existing = Product.objects.filter(slug=slug).first()
    if existing and not replace:
        return SeedResult(existing, created=False)
    with recorded_change(SEED_REASON.format(slug=slug)):
        if existing:
            existing.delete()
        product = _create_product(data["product"])
        _create_sections(product, data.get("product_information") or [])
        if data.get("plan"):
            load_terms()
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
    substances = [
        Substance.objects.filter(name__iexact=name).first() or Substance.objects.create(name=name)
        for name in data["substances"]
    ]
    # One call for all the links: one historical record of the product, not one per link.
    product.substances.add(*substances)
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
    """The published plan; curated data that cannot be stored whole stops the load."""
    try:
        created = create_plan(product, data, status=PlanStatus.PUBLISHED)
    except PlanDataError as error:
        raise SeedError(f"{product.slug}: {error}") from None
    if created.warnings:
        problems = "; ".join(f"{concern.name}: {message}" for concern, message in created.warnings)
        raise SeedError(f"{product.slug}: {problems}")
    return created.plan


def load_terms(path=TERMS_FILE):
    """Create the curated risk terms of ``path`` that are not in the database (by slug).

    Runs inside the caller's ``recorded_change``; a term already there is left as curators
    keep it. Returns the number of terms created.
    """
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["terms"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError) as error:
        raise SeedError(f"{path}: cannot read the risk terms ({error}).") from None
    existing = set(RiskTerm.objects.values_list("slug", flat=True))
    created = 0
    for entry in entries:
        if entry["slug"] in existing:
            continue
        term = RiskTerm(
            slug=entry["slug"],
            preferred_name=entry["preferred_name"].strip(),
            synonyms="\n".join(entry.get("synonyms") or []),
            code=(entry.get("code") or "").strip(),
            note=(entry.get("note") or "").strip(),
        )
        term.full_clean()
        term.save()
        existing.add(term.slug)
        created += 1
    return created

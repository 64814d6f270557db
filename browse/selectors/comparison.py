"""Reads for the compare page (/compare/): 2 to 4 public products side by side.

Only current published plans are read. Each product comes with a header (substances,
region, status, plan version and date, indication); its safety concerns are aligned on rows
by their confirmed risk term (``SafetyConcern.term``), else by their name's grouping key, so
a concern without a confirmed term still has a row of its own; its additional measures are
aligned by kind and its studies by category, each with its status and next milestone.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from products.models import Product, Substance
from risks.models import (
    AdditionalMeasure,
    AdditionalMeasureKind,
    ConcernCategory,
    Milestone,
    RiskManagementPlan,
    Study,
    StudyCategory,
    term_group_key,
)
from risks.normalise import display_name

from .concerns import CATEGORY_ORDER, current_concerns, products_with_current_plan

CHOICES_LIMIT = 60  # products a product page's "compare with" list offers


@dataclass
class ComparisonRow:
    """One risk across the compared products: each product's concerns (maybe none).

    ``term`` is the confirmed risk term that aligns the row, or None for concerns aligned by
    their name alone.
    """

    key: str
    name: str
    cells: list  # [(product, [concerns])] in column order
    category: str  # where the row is shown: the most established category any product gives
    term: object = None

    @property
    def listed_by(self):
        return [product for product, concerns in self.cells if concerns]

    @property
    def categories_differ(self):
        given = {concern.category for _, concerns in self.cells for concern in concerns}
        return len(given) > 1


@dataclass
class PartRow:
    """An additional-measure kind or a study category across the products."""

    label: str
    cells: list  # [(product, [measures or studies])]


@dataclass
class Comparison:
    products: list
    rows: list
    measure_rows: list
    study_rows: list

    @property
    def sections(self):
        """[(category, rows)] in category order; categories without rows are left out."""
        return [
            (category, rows)
            for category in ConcernCategory
            if (rows := [row for row in self.rows if row.category == category])
        ]

    @property
    def summary(self):
        """[(label, count)]: rows listed by each product only, by all, and by some."""
        total = len(self.products)
        counts = Counter(len(row.listed_by) for row in self.rows)
        parts = [
            (
                f"Listed by {product.name} only" if index == 0 else f"by {product.name} only",
                sum(1 for row in self.rows if row.listed_by == [product]),
            )
            for index, product in enumerate(self.products)
        ]
        parts.append(("by both" if total == 2 else f"by all {total}", counts[total]))
        if total > 2:
            parts.append(("by some but not all", sum(counts[n] for n in range(2, total))))
        return parts

    @property
    def mixed_rows(self):
        return [row for row in self.rows if row.categories_differ]

    @property
    def unconfirmed(self):
        """How many rows align concerns by name only (no confirmed risk term)."""
        return sum(1 for row in self.rows if row.term is None)


def _compared_products(slugs):
    plans = RiskManagementPlan.objects.current().prefetch_related(
        Prefetch(
            "additional_measures",
            queryset=AdditionalMeasure.objects.order_by("name", "id"),
        ),
        Prefetch(
            "studies",
            queryset=Study.objects.order_by("position", "id").prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.all())
            ),
        ),
    )
    products = {
        product.slug: product
        for product in Product.objects.filter(slug__in=slugs).prefetch_related(
            "substances", Prefetch("plans", queryset=plans, to_attr="current_plans")
        )
    }
    ordered = [products[slug] for slug in slugs if slug in products]
    for product in ordered:
        product.current_plan = product.current_plans[0] if product.current_plans else None
        for study in product.current_plan.studies.all() if product.current_plan else []:
            study.next_milestone = next(
                (m for m in study.milestones.all() if m.reported_on is None), None
            )
    return ordered


def _part_rows(products, parts_of, choices):
    rows = []
    for value, label in choices:
        cells = [
            (product, [part for part in parts_of(product) if part.kind_value == value])
            for product in products
        ]
        if any(items for _, items in cells):
            rows.append(PartRow(label, cells))
    return rows


def _measures(product):
    plan = product.current_plan
    measures = list(plan.additional_measures.all()) if plan else []
    for measure in measures:
        measure.kind_value = measure.kind
    return measures


def _studies(product):
    plan = product.current_plan
    studies = list(plan.studies.all()) if plan else []
    for study in studies:
        study.kind_value = study.category
    return studies


def comparison(slugs):
    """The products named by ``slugs`` (public, with a current plan) side by side.

    Concerns: one row per risk term (or, without a confirmed term, per name's grouping key)
    across the products, placed under the most established category any of them gives it
    (identified, then potential, then missing), so a concern one product classifies as
    identified and another as potential stays on one row. Rows listed by more products come
    first, then by name.
    """
    ordered = _compared_products(slugs)
    concerns = list(current_concerns().filter(plan__product__in=ordered))
    by_key = {}
    for concern in sorted(concerns, key=lambda c: (CATEGORY_ORDER[c.category], c.position)):
        key = term_group_key(concern.term.slug) if concern.term_id else concern.group_key
        by_key.setdefault(key, []).append(concern)
    rows = []
    for key, members in by_key.items():
        cells = [
            (product, [c for c in members if c.plan.product_id == product.pk])
            for product in ordered
        ]
        category = min((c.category for c in members), key=CATEGORY_ORDER.__getitem__)
        term = members[0].term if members[0].term_id else None
        name = term.preferred_name if term else display_name(c.name for c in members)
        rows.append(ComparisonRow(key, name, cells, category, term))
    rows.sort(key=lambda row: (-len(row.listed_by), row.name.casefold(), row.key))
    return Comparison(
        ordered,
        rows,
        _part_rows(ordered, _measures, AdditionalMeasureKind.choices),
        _part_rows(ordered, _studies, StudyCategory.choices),
    )


def products_of_substance(name):
    """Products with a current published plan whose active substances include ``name``
    (any case), by name; the substance's own spelling, or None when no such substance is
    known."""
    substance = Substance.objects.filter(name__iexact=name.strip()).first()
    if substance is None:
        return None, []
    comparable = products_with_current_plan()
    namesakes = comparable.filter(
        Q(name__iexact=OuterRef("name")) | Q(slug__iexact=OuterRef("name"))
    ).exclude(pk=OuterRef("pk"))
    products = comparable.filter(substances=substance).annotate(name_is_shared=Exists(namesakes))
    return substance, list(products)


def comparable_count_of_substance(name):
    """How many products with a current published plan have the active substance ``name``
    (any case): one query."""
    return products_with_current_plan().filter(substances__name__iexact=name.strip()).count()


def comparison_choices(product, limit=CHOICES_LIMIT):
    """Products to compare ``product`` with: those sharing an active substance first, then
    the others, by name; each with ``same_substance``. At most ``limit``.

    Two queries, each reading at most ``limit + 1`` products along the products' name index
    (ranking every product by "shares a substance" read them all): the cost does not grow
    with the number of products, nor does the number of queries."""
    comparable = products_with_current_plan().exclude(pk=product.pk).only("slug", "name")
    substances = [substance.pk for substance in product.substances.all()]
    same = list(comparable.filter(substances__in=substances).distinct()[: limit + 1])
    others = list(comparable.exclude(substances__in=substances)[: limit + 1])
    for choice in same:
        choice.same_substance = True
    for choice in others:
        choice.same_substance = False
    chosen = same + others
    return chosen[:limit], len(chosen) > limit


def substances_to_compare(substances):
    """[(substance, n)] of ``substances`` that 2 or more products with a current published
    plan share (n of them, one query): each links to the comparison of all of them."""
    names = [substance.name for substance in substances]
    if not names:
        return []
    counts = Counter(
        dict(
            products_with_current_plan()
            .filter(substances__name__in=names)
            .values_list("substances__name")
            .annotate(n=Count("pk"))
            .order_by()  # counted by the database, not listed by name to be counted here
        )
    )
    return [
        (substance, counts[substance.name])
        for substance in substances
        if counts[substance.name] > 1
    ]

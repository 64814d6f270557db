"""Reads for the safety concerns across products (/risks/) and the compare page (/compare/).

Only concerns of current published plans leave here. Groups are made in Python with
``risks.normalise.concern_key``: the key is not a database expression, so the matching
concerns are loaded once (a few light columns) and grouped, counted and paginated in memory.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from products.facets import build_facet
from products.models import Product, Region

from ..models import (
    ConcernCategory,
    RiskManagementPlan,
    SafetyConcern,
)
from ..normalise import concern_key, display_name

CATEGORY_ORDER = {category.value: index for index, category in enumerate(ConcernCategory)}


def products_with_current_plan():
    """(slug, name) of every public product with a published plan, by name."""
    plans = RiskManagementPlan.objects.current().filter(product=OuterRef("pk"))
    return list(
        Product.objects.public()
        .filter(Exists(plans))
        .order_by("name", "slug")
        .values_list("slug", "name")
    )


def current_concerns():
    """Current concerns with their product, loading only what grouping and listing need."""
    return (
        SafetyConcern.objects.current()
        .select_related("plan__product")
        .only(
            "id",
            "name",
            "category",
            "position",
            "plan__id",
            "plan__product__id",
            "plan__product__name",
            "plan__product__slug",
            "plan__product__region",
            "plan__product__authorisation_status",
        )
    )


def _product_of(concern):
    """(name, slug) of the concern's product."""
    product = concern.plan.product
    return product.name, product.slug


@dataclass
class ConcernGroup:
    """Concerns of any number of products that share a grouping key."""

    key: str
    name: str
    concerns: list
    product_count: int


def group_concerns(concerns, sort="", *, product_of=_product_of, key=concern_key):
    """Groups of ``concerns`` by key: by name, or with ``sort="products"`` most products first.

    In a group, concerns are ordered by product, category and id. ``concerns`` are objects
    with ``pk``, ``name`` and ``category``; ``product_of(concern)`` gives (name, slug) of its
    product, and ``key(name)`` the grouping key (the export passes a cached one).
    """

    def entry_order(concern):
        name, slug = product_of(concern)
        return (name.casefold(), slug, CATEGORY_ORDER[concern.category], concern.pk)

    by_key = {}
    for concern in concerns:
        by_key.setdefault(key(concern.name), []).append(concern)
    groups = [
        ConcernGroup(
            key=group_key,
            name=display_name(concern.name for concern in members),
            concerns=sorted(members, key=entry_order),
            product_count=len({product_of(concern)[1] for concern in members}),
        )
        for group_key, members in by_key.items()
    ]
    groups.sort(key=lambda group: (group.name.casefold(), group.key))
    if sort == "products":
        groups.sort(key=lambda group: -group.product_count)
    return groups


def concern_facets(concerns, query, product_choices):
    """Category, region and product facets counting the matching concerns (no query)."""
    categories = Counter(concern.category for concern in concerns)
    regions = Counter(concern.plan.product.region for concern in concerns)
    products = Counter(concern.plan.product.slug for concern in concerns)
    return [
        build_facet(query, "category", "Category", categories, ConcernCategory.choices),
        build_facet(query, "region", "Region", regions, Region.choices),
        build_facet(query, "product", "Product", products, product_choices),
    ]


def _unique(values):
    return list(dict.fromkeys(values))


# The compare page


@dataclass
class ComparisonRow:
    """One grouping key across the compared products: each product's concerns (maybe none)."""

    key: str
    name: str
    cells: list  # [(product, [concerns])] in column order
    category: str  # where the row is shown: the most established category any product gives

    @property
    def listed_by(self):
        return [product for product, concerns in self.cells if concerns]

    @property
    def categories_differ(self):
        given = {concern.category for _, concerns in self.cells for concern in concerns}
        return len(given) > 1


@dataclass
class Comparison:
    products: list
    rows: list

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


def comparison(slugs):
    """The aligned concerns of the products named by ``slugs`` (public, with a current plan).

    One row per grouping key across the products, placed under the most established
    category any of them gives it (identified, then potential, then missing), so a concern
    one product classifies as identified and another as potential stays on one row. Rows
    listed by more products come first, then by name.
    """
    products = {product.slug: product for product in Product.objects.filter(slug__in=slugs)}
    ordered = [products[slug] for slug in slugs if slug in products]
    concerns = list(current_concerns().filter(plan__product__in=ordered))
    by_key = {}
    for concern in sorted(concerns, key=lambda c: (CATEGORY_ORDER[c.category], c.position)):
        by_key.setdefault(concern_key(concern.name), []).append(concern)
    rows = []
    for key, members in by_key.items():
        cells = [
            (product, [c for c in members if c.plan.product.pk == product.pk])
            for product in ordered
        ]
        category = min((c.category for c in members), key=CATEGORY_ORDER.__getitem__)
        rows.append(ComparisonRow(key, display_name(c.name for c in members), cells, category))
    rows.sort(key=lambda row: (-len(row.listed_by), row.name.casefold(), row.key))
    return Comparison(ordered, rows)

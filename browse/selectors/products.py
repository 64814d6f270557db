"""Read queries for the public product pages.

The products list, its facets and its exports read the read model built at publication
(``risks.published.PublishedProduct``: one row per public product with its region, status,
current version, counts, and a flag per concern category, additional-measure kind and study
category), so that a filter or a facet count is a column, not a subquery per product.
Without a text or substance filter, the list's count and facets are sums over the products
counted per combination of those columns (``PublishedProductCount``, a few hundred rows),
and its substance facet looks for the most frequent substances from the most frequent in
all (``PublishedSubstance``) until no other can rank: the cost of the page does not grow
with the number of products.
"""

import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, F, Prefetch, Q, Value, When, Window
from django.http import Http404
from django.shortcuts import get_object_or_404

from browse.selectors import current_plan_prefetches, link_parts, public_products
from common.facets import build_facet
from products.models import (
    AuthorisationStatus,
    Product,
    ProductInformationSection,
    Region,
    Substance,
)
from risks import models as risk_models
from risks.models import (
    AdditionalMeasureKind,
    ConcernCategory,
    PlanStatus,
    RiskManagementPlan,
    SectionReference,
    StudyCategory,
)
from risks.published import (
    CONCERN_FLAGS,
    MEASURE_FLAGS,
    STUDY_FLAGS,
    PublishedProduct,
    PublishedProductCount,
    PublishedSubstance,
)


def has_concern(category):
    """Products whose current plan lists a concern of ``category`` (read-model flag)."""
    return Q(**{f"published__{CONCERN_FLAGS[category]}": True})


def has_additional_measure(kind):
    return Q(**{f"published__{MEASURE_FLAGS[kind]}": True})


def has_study(category):
    return Q(**{f"published__{STUDY_FLAGS[int(category)]}": True})


BOOLEAN_FACETS = [
    ("concern", "Safety concern category", ConcernCategory.choices, CONCERN_FLAGS),
    ("measure", "Additional measure", AdditionalMeasureKind.choices, MEASURE_FLAGS),
    ("study", "Study category", StudyCategory.choices, STUDY_FLAGS),
]
# The active substance facet shows this many substances, the most frequent first.
SUBSTANCE_FACET_LIMIT = 12
# Filters the counts per combination answer (``PublishedProductCount``); a text or substance
# filter makes the facets count the matching products themselves.
COUNTED_FILTERS = {"region", "status", "concern", "measure", "study", "sort"}
# The substance facet first counts these most frequent substances (``top_substances``).
SUBSTANCE_CANDIDATES = 500
# Beyond this many substances among the matching products, the facet says "more than".
SUBSTANCE_TOTAL_LIMIT = 1000


def counted(data):
    """Whether the list's filters (cleaned) are all answered by the counts per combination."""
    return not any(value for name, value in data.items() if name not in COUNTED_FILTERS)


def combination_filters(data):
    """The filters ``data`` (cleaned) as conditions on the read model's filter fields."""
    conditions = {}
    if data.get("region"):
        conditions["region"] = data["region"]
    if data.get("status"):
        conditions["authorisation_status"] = data["status"]
    if data.get("concern"):
        conditions[CONCERN_FLAGS[data["concern"]]] = True
    if data.get("measure"):
        conditions[MEASURE_FLAGS[data["measure"]]] = True
    if data.get("study") not in (None, ""):
        conditions[STUDY_FLAGS[int(data["study"])]] = True
    return conditions


def product_list():
    """Public products with what the list shows: substances, and the read model's row
    (``product.published``: current version, concern and study counts)."""
    return (
        Product.objects.filter(published__isnull=False)
        .select_related("published")
        .prefetch_related("substances")
    )


def substance_counts(product_ids, selected="", limit=SUBSTANCE_FACET_LIMIT):
    """The ``limit`` substances found in most of the products ``product_ids``, in one query.

    Returns ([(name, product count, is selected)], number of substances in all), most
    frequent first, then by name. The substance named ``selected`` (compared as the filter
    compares it, ignoring case) comes too, wherever it ranks. Its cost grows with the
    number of products: the list uses it for a few thousand at most.
    """
    rows = (
        Substance.objects.filter(products__in=product_ids)
        .values("name")
        .annotate(n=Count("products", distinct=True), total=Window(Count("*")))
        .order_by("-n", "name")
    )
    if selected:
        is_selected = Case(When(name__iexact=selected, then=Value(True)), default=Value(False))
        rows = rows.annotate(is_selected=is_selected).order_by("-is_selected", "-n", "name")
    rows = sorted(rows[: limit + 1], key=lambda row: (-row["n"], row["name"]))
    total = rows[0]["total"] if rows else 0
    return [(row["name"], row["n"], row.get("is_selected", False)) for row in rows], total


def top_substances(conditions, limit=SUBSTANCE_FACET_LIMIT):
    """What ``substance_counts`` returns for the products matching ``conditions`` (filter
    fields of the read model), looked for among the most frequent substances first.

    The ``SUBSTANCE_CANDIDATES`` substances in most products in all (``PublishedSubstance``)
    are counted among the matching products in one query. A substance in ``n`` products in
    all is in at most ``n`` matching ones: when the ``limit``-th count found is higher than
    the last candidate's ``n``, no other substance can rank, and the number of substances in
    all is counted up to ``SUBSTANCE_TOTAL_LIMIT`` (a floor above it). Otherwise (few
    matching products, so small counts) the matching products' substances are counted
    directly, which is then cheap. Three queries either way; returns (rows, total, whether
    total is a floor).
    """
    ranked = list(
        PublishedSubstance.objects.order_by("-products", "name").values_list(
            "substance", "name", "products"
        )[:SUBSTANCE_CANDIDATES]
    )
    names = {pk: name for pk, name, _ in ranked}
    matching = PublishedProduct.objects.filter(**conditions)
    counts = candidate_counts(list(names), conditions)
    found = sorted(((names[pk], n) for pk, n in counts), key=lambda row: (-row[1], row[0]))
    bound = ranked[-1][2] if len(ranked) == SUBSTANCE_CANDIDATES else 0
    if len(found) < limit or found[limit - 1][1] <= bound:
        rows, total = substance_counts(matching.values("product"), limit=limit)
        return rows, total, False
    links = Product.substances.through.objects
    if connection.vendor == "postgresql":
        # a semi-join with the matching products: PostgreSQL hashes them once (it looked
        # each link's product up twice, through the products table: 10 ms instead of 7)
        links = links.filter(product__in=matching.values("product"))
    else:  # SQLite looks each link's product up, which it does fastest (2 ms instead of 6)
        links = links.filter(
            product__published__isnull=False,
            **{f"product__published__{name}": value for name, value in conditions.items()},
        )
    total = links.values("substance").distinct().order_by()[: SUBSTANCE_TOTAL_LIMIT + 1].count()
    rows = [(name, n, False) for name, n in found[:limit]]
    return rows, min(total, SUBSTANCE_TOTAL_LIMIT), total > SUBSTANCE_TOTAL_LIMIT


def candidate_counts(substance_ids, conditions):
    """[(substance id, matching products)] for the substances ``substance_ids``, among the
    public products matching ``conditions``: one query reading their links first.

    Written in SQL for its join order: ``CROSS JOIN`` makes SQLite read the few links of the
    candidates and look each product up (with statistics of a small database it would read
    every product matching the filters and probe it for each candidate: 35 ms instead of
    0.4); PostgreSQL plans it as the inner join it is.
    """
    if not substance_ids:
        return []
    ops = connection.ops
    links = Product.substances.through._meta
    published = PublishedProduct._meta
    where = [f"l.{ops.quote_name('substance_id')} IN ({', '.join(['%s'] * len(substance_ids))})"]
    params = list(substance_ids)
    for name, value in conditions.items():
        where.append(f"p.{ops.quote_name(published.get_field(name).column)} = %s")
        params.append(value)
    sql = (
        f"SELECT l.substance_id, COUNT(*) FROM {ops.quote_name(links.db_table)} l "
        f"CROSS JOIN {ops.quote_name(published.db_table)} p "
        f"WHERE p.product_id = l.product_id AND {' AND '.join(where)} GROUP BY l.substance_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def facet_values():
    """[(facet key, read-model field, value)]: each count the list's facets show, as the
    field and value that count ("region:EU", "region", "EU"; "concern:missing",
    "concern_missing", True)."""
    values = [(f"region:{value}", "region", value) for value in Region.values]
    values += [
        (f"status:{value}", "authorisation_status", value) for value in AuthorisationStatus.values
    ]
    for param, _, choices, flags in BOOLEAN_FACETS:
        values += [(f"{param}:{value}", flags[value], True) for value, _ in choices]
    return values


def combination_counts(conditions):
    """{facet key: count} and the number of products matching ``conditions`` ("total"),
    summed over the counts per combination: one query over a few hundred rows.

    Its SQL is written once per set of filter fields (``_combination_sql``): built by the
    ORM, twenty conditional sums cost more to compile than to run."""
    sql, keys, params = _combination_sql(tuple(sorted(conditions)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(conditions[name] for name in sorted(conditions))])
        row = cursor.fetchone()
    return {key: value or 0 for key, value in zip(keys, row, strict=True)}


@functools.cache
def _combination_sql(names):
    """(SQL, the keys of its columns, the parameters of its sums) for filters on ``names``."""
    table = PublishedProductCount._meta
    ops = connection.ops

    def column(name):
        return ops.quote_name(table.get_field(name).column)

    sums, keys, params = ["SUM(products)"], ["total"], []
    for key, name, value in facet_values():
        sums.append(f"SUM(CASE WHEN {column(name)} = %s THEN products ELSE 0 END)")
        keys.append(key)
        params.append(value)
    where = " AND ".join(f"{column(name)} = %s" for name in names) or "1 = 1"
    sql = f"SELECT {', '.join(sums)} FROM {ops.quote_name(table.db_table)} WHERE {where}"
    return sql, keys, params


def matching_counts(filtered):
    """What ``combination_counts`` returns, counting the products ``filtered`` themselves."""
    base = PublishedProduct.objects.filter(product__in=filtered.order_by().values("pk"))
    aggregates = {"total": Count("pk")}
    aggregates.update(
        {key: Count("pk", filter=Q(**{name: value})) for key, name, value in facet_values()}
    )
    return base.aggregate(**aggregates)


@dataclass
class ProductListFacets:
    """The products list's facets and the number of products it lists."""

    facets: list
    count: int


def product_facets(filtered, query, data):
    """Facets over the filtered products: a fixed number of queries whatever the data size.

    ``query``: the list's ``common.querystring.Query``; ``data``: its filters (cleaned).
    Every facet but the active substance one lists a fixed set of values; that one shows
    the most frequent substances and says how many more there are. Without a text or
    substance filter every count is a sum over the counts per combination, and the
    substances are looked for from the most frequent down (``top_substances``).
    """
    selected_substance = query.get("substance", "")
    ids = filtered.order_by().values("pk")
    substance_floor = False
    if counted(data):
        conditions = combination_filters(data)
        counts = combination_counts(conditions)
        substances, substance_total, substance_floor = top_substances(
            conditions, limit=SUBSTANCE_FACET_LIMIT
        )
    else:
        counts = matching_counts(filtered)
        substances, substance_total = substance_counts(ids, selected_substance)

    def grouped(param, values):
        return {value: counts[f"{param}:{value}"] for value in values}

    # The selected substance keeps the value of the address, so that its link removes it.
    substance_values = [
        (selected_substance if selected else name, name, n) for name, n, selected in substances
    ]
    substance_facet = build_facet(
        query,
        "substance",
        "Active substance",
        {value: n for value, _, n in substance_values},
        [(value, name) for value, name, _ in substance_values],
        limit=SUBSTANCE_FACET_LIMIT,
        total=substance_total,
        selected_label=selected_substance,
    )
    substance_facet.more_at_least = substance_floor
    facets = [
        build_facet(query, "region", "Region", grouped("region", Region.values), Region.choices),
        build_facet(
            query,
            "status",
            "Authorisation status",
            grouped("status", AuthorisationStatus.values),
            AuthorisationStatus.choices,
        ),
        substance_facet,
    ]
    for param, title, choices, _ in BOOLEAN_FACETS:
        per_value = {value: counts[f"{param}:{value}"] for value, _ in choices}
        labels = [(value, label.split(":")[0]) for value, label in choices]
        facets.append(build_facet(query, param, title, per_value, labels))
    return ProductListFacets(facets, counts["total"])


def public_products_called(text, limit=5):
    """At most ``limit`` public products whose slug or name is ``text``, ignoring case.

    A product whose slug matches comes first, then the others by name: what a reader typing
    a product's name or the last part of its address means.
    """
    slug_first = Case(When(slug__iexact=text, then=Value(0)), default=Value(1))
    products = risk_models.public_products().filter(Q(slug__iexact=text) | Q(name__iexact=text))
    return list(products.order_by(slug_first, "name", "slug")[:limit])


def number_anchors(concerns):
    """Give each concern of one plan (in page order) a fragment identifier of its own: two
    names that normalise alike share a slug, so the second gets a suffix ("-2")."""
    seen = {}
    for concern in concerns:
        base = concern.anchor
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            concern.anchor_suffix = f"-{seen[base]}"
    return concerns


@dataclass
class Citation:
    """A safety concern of the current plan and its routine measures that cite a section."""

    concern: object
    measures: list = field(default_factory=list)


def citing_concerns(plan):
    """{(document, section): [Citation]} for a published plan, in the order of the page.

    Each concern carries the anchor it has on the product page (``number_anchors``), so a
    link goes back to that concern and not to the top of the page.
    """
    if plan is None or plan.status != PlanStatus.PUBLISHED:
        return {}
    concerns = {c.pk: c for c in number_anchors(list(plan.safety_concerns.all()))}
    references = (
        SectionReference.objects.filter(routine_measure__safety_concern__plan=plan)
        .select_related("routine_measure")
        .order_by(
            "routine_measure__safety_concern__position",
            "routine_measure__safety_concern_id",
            "routine_measure__position",
            "routine_measure_id",
            "position",
        )
    )
    citing = {}
    for reference in references:
        measure = reference.routine_measure
        concern = concerns[measure.safety_concern_id]
        citations = citing.setdefault(reference.key, [])
        if not citations or citations[-1].concern is not concern:
            citations.append(Citation(concern))
        if measure not in citations[-1].measures:
            citations[-1].measures.append(measure)
    return citing


def public_versions():
    """Published and superseded plan versions: the current one first, then the most recent."""
    return RiskManagementPlan.objects.public().order_by(
        Case(When(status=PlanStatus.PUBLISHED, then=Value(0)), default=Value(1)),
        F("published_at").desc(nulls_last=True),
        "-id",
    )


def product_versions(slug):
    """A public product with its public plan versions as ``product.versions``, newest first.

    Raises Http404 for unknown slugs and for products with only unpublished plans; drafts
    and versions in review are never loaded.
    """
    return get_object_or_404(
        public_products().prefetch_related(
            Prefetch("plans", queryset=public_versions(), to_attr="versions")
        ),
        slug=slug,
    )


def product_version(slug, version):
    """A public product with its public plan version ``version`` loaded like the current one.

    ``product.plan`` is the version, with everything the product page shows;
    ``product.versions`` lists the public versions, newest first. Raises Http404 for unknown
    slugs, products with only unpublished plans, and versions that are not public.
    """
    if "\x00" in version:  # no label has one, and PostgreSQL refuses to compare one
        raise Http404("No public version with this label.")
    product = get_object_or_404(
        public_products()
        .select_related("marketing_authorisation_holder")
        .prefetch_related(
            Prefetch("plans", queryset=public_versions(), to_attr="versions"),
            Prefetch(
                "plans",
                queryset=RiskManagementPlan.objects.public()
                .filter(version=version)
                .prefetch_related(*current_plan_prefetches()),
                to_attr="chosen_plans",
            ),
            Prefetch(
                "information_sections",
                queryset=ProductInformationSection.objects.defer("text", "search_vector"),
            ),
        ),
        slug=slug,
    )
    if not product.chosen_plans:
        raise Http404("No public version with this label.")
    product.plan = product.chosen_plans[0]
    link_parts([product.plan])
    return product

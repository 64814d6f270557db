"""Read queries for the public studies page. Only studies of current published plans.

A study's next due date comes from the read model built at publication
(``risks.published.PublishedStudy``): the earliest normalised due date of its unreported
milestones. A study is overdue when that date is before today, an indexed comparison.

When the filters are those the read model's rows carry (category, status, design, product,
overdue), the page's order, its count and its facets read ``PublishedStudy`` alone along its
indexes (``published_rows``), and only the page's fifty studies are loaded; a text or date
filter reads the studies themselves.
"""

import datetime
from collections import Counter

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Subquery, Value, Window

from common.facets import build_facet
from risks.models import Milestone, SafetyConcern, Study, StudyCategory, StudyDesign, StudyStatus
from risks.published import (
    PublishedProduct,
    PublishedStudy,
    PublishedStudyCount,
    count_overdue_on,
)

_NEXT_DUE = F("next_due").asc(nulls_last=True)

# ?sort= value -> ordering; "due" (the default) puts studies with no dated milestone last.
SORT_ORDERS = {
    "due": (_NEXT_DUE, "plan__product__name", "position", "id"),
    "product": ("plan__product__name", "position", "id"),
    "category": ("category", _NEXT_DUE, "plan__product__name", "position", "id"),
}
DEFAULT_SORT = "due"
OVERDUE_CHOICES = [("true", "Overdue"), ("false", "Not overdue")]
# The product facet shows this many products, those with most studies first.
PRODUCT_FACET_LIMIT = 12


def study_list():
    """Studies of the current published plans, ready for the list, CSV and JSON.

    Each study carries ``next_due``, its earliest unreported normalised due date (None when
    it has no dated milestone outstanding), its product, its milestones and the safety
    concerns it addresses (with their products, for their links).
    """
    return (
        Study.objects.filter(published__isnull=False)
        .select_related("plan__product")
        .annotate(next_due=F("published__next_due"))
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.all()),
            Prefetch(
                "safety_concerns",
                queryset=SafetyConcern.objects.select_related("plan__product")
                .only(
                    "id",
                    "name",
                    "group_key",
                    "plan__id",
                    "plan__product__id",
                    "plan__product__slug",
                )
                .order_by("position", "id"),
            ),
        )
        .order_by(*SORT_ORDERS[DEFAULT_SORT])
    )


# The filters the read model's rows answer; any other (text, due dates) reads the studies.
PUBLISHED_FILTERS = {"category", "status", "design", "product", "overdue", "sort"}
# Those the counts built at publication answer too (risks.published.PublishedStudyCount):
# with no other, the list's count and fixed facets are sums over a few dozen rows.
COUNTED_FILTERS = PUBLISHED_FILTERS - {"product"}
KINDS = ("category", "status", "design")  # the study's own fields among the filters
# SORT_ORDERS over the read model's rows.
PUBLISHED_ORDERS = {
    "due": (_NEXT_DUE, "product_name", "position", "study_id"),
    "product": ("product_name", "position", "study_id"),
    "category": ("category", _NEXT_DUE, "product_name", "position", "study_id"),
}


def _only(data, names):
    """Whether every filter of ``data`` (cleaned) that is set is one of ``names``."""
    return all(data.get(name) in (None, "") for name in data if name not in names)


def _of_kinds(rows, data):
    """``rows`` narrowed to the category, status and design ``data`` filters on."""
    for name in KINDS:
        if data.get(name) not in (None, ""):
            rows = rows.filter(**{name: data[name]})
    return rows


def published_rows(data, today):
    """The read model's rows of the studies ``data`` (cleaned filters) selects, or None when
    a filter needs the studies themselves (a text or a due date)."""
    if not _only(data, PUBLISHED_FILTERS):
        return None
    rows = _of_kinds(PublishedStudy.objects.all(), data)
    if data.get("product"):
        rows = rows.filter(product=data["product"])
    if data.get("overdue") == "true":
        rows = rows.filter(next_due__lt=today)
    elif data.get("overdue") == "false":
        rows = rows.filter(Q(next_due__gte=today) | Q(next_due__isnull=True))
    return rows


def counted_facets(data, today):
    """What ``study_facet_counts`` returns for the studies ``data`` (cleaned filters) selects,
    summed from the counts table (made those of ``today`` first), or None when a filter is
    not one it answers."""
    if not _only(data, COUNTED_FILTERS):
        return None
    count_overdue_on(today)
    rows = _of_kinds(PublishedStudyCount.objects.all(), data)
    if data.get("overdue") in ("true", "false"):
        rows = rows.filter(overdue=data["overdue"] == "true")
    counts = {"total": 0, "category": Counter(), "status": Counter(), "design": Counter()}
    overdue = Counter()
    for category, status, design, is_overdue, n in rows.values_list(
        "category", "status", "design", "overdue", "studies"
    ):
        counts["total"] += n
        counts["category"][category] += n
        counts["status"][status] += n
        counts["design"][design] += n
        overdue["true" if is_overdue else "false"] += n
    counts["overdue"] = {"true": overdue["true"], "false": overdue["false"]}
    return counts


def counted_products(data, limit=PRODUCT_FACET_LIMIT):
    """What ``study_product_counts`` returns, read along an index of the products' counts,
    when the only filter is "overdue" (the count of ``count_overdue_on``'s day) or none;
    else None."""
    if not _only(data, {"overdue", "sort"}):
        return None
    field = {"true": "overdue_studies", None: "study_count", "": "study_count"}.get(
        data.get("overdue")
    )
    if field is None:  # not overdue: no count of its own
        return None
    counted = PublishedProduct.objects.filter(**{f"{field}__gt": 0})
    # how many in all: a subquery run once (a window over every row would read them all)
    total = counted.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*"))
    rows = list(
        counted.order_by(f"-{field}", "name", "slug")
        .values_list("slug", "name", field)
        .annotate(total=Subquery(total.values("n")))[:limit]
    )
    return [(slug, name, n) for slug, name, n, _ in rows], rows[0][3] if rows else 0


def published_order(sort, overdue=None):
    """The order of ``sort`` over the read model's rows. Overdue studies all have a next due
    date, so their order needs no NULLS LAST, and SQLite reads it along an index."""
    order = PUBLISHED_ORDERS[sort or DEFAULT_SORT]
    if overdue == "true":
        order = tuple("next_due" if field is _NEXT_DUE else field for field in order)
    return order


def studies_of_rows(rows, sort):
    """The studies of ``rows`` (a slice of the read model's rows: one page), loaded as
    ``study_list`` loads them and in the order of ``sort``.

    The page's ids are read first (at most a page of them): as a subquery with its LIMIT and
    OFFSET, PostgreSQL may run the slice again for every study it reads, which took more than
    the public statement timeout on a test database with 501 studies."""
    ids = list(rows.values_list("study_id", flat=True))
    return list(sort_studies(study_list().filter(pk__in=ids), sort or DEFAULT_SORT))


def most_milestones(studies: QuerySet) -> int:
    """The largest number of milestones a study of ``studies`` has (0 if none), one query."""
    counts = (
        Milestone.objects.filter(study__in=studies.order_by().values("pk"))
        .values("study")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return counts.aggregate(most=Max("count"))["most"] or 0


def sort_studies(queryset: QuerySet, sort: str) -> QuerySet:
    return queryset.order_by(*SORT_ORDERS[sort])


def overdue_on(today: datetime.date) -> Q:
    """Studies with a milestone due before ``today`` and not reported (the read model's)."""
    return Q(published__next_due__lt=today)


def study_facet_counts(queryset: QuerySet, today: datetime.date) -> dict:
    """Counts of ``queryset`` (studies, or the read model's rows) by category, status, design
    and overdue, in one query.

    Returns {"total": n, "category": {1: n, ...}, "status": {...}, "design": {...},
    "overdue": {"true": n, "false": n}}.
    """
    groups = {
        "category": StudyCategory.values,
        "status": StudyStatus.values,
        "design": StudyDesign.values,
    }
    aggregates = {"total": Count("pk")}
    for field, values in groups.items():
        for index, value in enumerate(values):
            aggregates[f"{field}_{index}"] = Count("pk", filter=Q(**{field: value}))
    overdue = Q(next_due__lt=today) if queryset.model is PublishedStudy else overdue_on(today)
    aggregates["overdue"] = Count("pk", filter=overdue)
    result = queryset.order_by().aggregate(**aggregates)

    counts = {"total": result["total"]}
    for field, values in groups.items():
        counts[field] = {value: result[f"{field}_{index}"] for index, value in enumerate(values)}
    counts["overdue"] = {"true": result["overdue"], "false": result["total"] - result["overdue"]}
    return counts


def study_product_counts(queryset: QuerySet, limit: int = PRODUCT_FACET_LIMIT) -> tuple:
    """The ``limit`` products with most studies in ``queryset``, in one bounded query.

    Returns ([(slug, name, study count)], number of products in all), most studies first,
    then by name: the page lists a few products, whatever the data size.
    """
    slug, name = (
        ("product_slug", "product_name")
        if queryset.model is PublishedStudy
        else ("plan__product__slug", "plan__product__name")
    )
    rows = list(
        queryset.order_by()
        .prefetch_related(None)
        .values(slug, name)
        .annotate(n=Count("pk"), total=Window(Count("*")))
        .order_by("-n", name, slug)[:limit]
    )
    counts = [(row[slug], row[name], row["n"]) for row in rows]
    return counts, rows[0]["total"] if rows else 0


def study_facets(studies, query, today, selected_product=None, *, counts=None, data=None):
    """Category, status, design, overdue and product facets of ``studies`` (or of the read
    model's rows, ``published_rows``), in two queries.

    ``counts``: the fixed facets' counts when known already (``counted_facets``); ``data``:
    the filters (cleaned), with which the product facet may read the products' counts
    (``counted_products``) instead of the studies.

    ``query``: the list's ``common.querystring.Query``. The product facet shows the products
    with most studies and says how many more there are; ``selected_product``, the product
    filtered on, stays shown even without a matching study, so that its filter can be
    removed there.
    """
    # the products' counts are those of today's counts (counted_facets made them so)
    top = counted_products(data) if counts is not None and data is not None else None
    if counts is None:
        counts = study_facet_counts(studies, today)
    products, product_total = top or study_product_counts(studies)
    fixed = [
        ("category", "Category", [(v.value, v.short_label) for v in StudyCategory]),
        ("status", "Status", StudyStatus.choices),
        ("design", "Design", StudyDesign.choices),
        ("overdue", "Overdue", OVERDUE_CHOICES),
    ]
    facets = [
        build_facet(query, param, title, counts[param], labels) for param, title, labels in fixed
    ]
    facets.append(
        build_facet(
            query,
            "product",
            "Product",
            {slug: count for slug, _, count in products},
            [(slug, name) for slug, name, _ in products],
            limit=PRODUCT_FACET_LIMIT,
            total=product_total,
            selected_label=selected_product and selected_product.name,
        )
    )
    return facets

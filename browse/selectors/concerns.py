"""Reads for the safety concerns across products (/risks/) and the compare page (/compare/).

Only concerns of current published plans leave here. The list reads the read model built at
publication (``risks.published.PublishedConcern``: one flat row per current concern with its
product's name, slug and region), so filters, groups, counts and facets need no join.
Concerns group by their curated risk term when a curator confirmed one (``term:<slug>``), else
by their stored ``group_key`` (``risks.normalise.concern_key`` of the name),
so the database groups, counts and orders them: a page reads one summary row per group (not
per concern), then the few concerns it shows, by primary key.
"""

import itertools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import Lower, RowNumber

from common.facets import build_facet
from products.models import Product, Region
from risks.models import (
    ConcernCategory,
    SafetyConcern,
)
from risks.normalise import display_name_of_counts
from risks.published import (
    CONCERN_COUNTS,
    PublishedConcern,
    PublishedConcernCount,
    PublishedProduct,
)

CATEGORY_ORDER = {category.value: index for index, category in enumerate(ConcernCategory)}

# Concerns shown under each group of a list page; the rest are a link away.
PREVIEW = 10
# A text filter's page groups and counts at most this many matching concerns, and reads one
# more, which says there are more: a common word ("reactions" is in 14,000 concerns at 15,000
# products) would otherwise make the page read every match, a cost growing with the database.
# The downloads still hold every match.
TEXT_MATCH_LIMIT = 1000
PRODUCT_FACET_SIZE = 15


def products_with_current_plan():
    """Public products with a published plan, by name (a queryset, not yet read): those whose
    row in the read model has a current plan, one join along the products' name index."""
    return Product.objects.filter(published__plan__isnull=False).order_by("name", "slug")


def comparable_products_called(texts):
    """Public products with a current plan whose slug or name is one of ``texts`` (any case).

    What ``browse.selectors.products.public_products_called`` does for one text, for the few texts
    of the compare page in one query, among the products it can compare. A product whose
    slug matches comes first, then the others by name; at most 5 per name. Each product
    carries ``name_is_shared``: another comparable product has the same name (or has it as
    its slug), so that only its own slug names it.
    """
    texts = list(texts)
    if not texts:
        return []
    by_slug = Q()
    by_name = Q()
    for text in texts:
        by_slug |= Q(slug__iexact=text)
        by_name |= Q(name__iexact=text)
    comparable = products_with_current_plan()
    namesakes = comparable.filter(
        Q(name__iexact=OuterRef("name")) | Q(slug__iexact=OuterRef("name"))
    ).exclude(pk=OuterRef("pk"))
    slug_first = Case(When(by_slug, then=Value(0)), default=Value(1))
    # at most 5 namesakes per name, slug matches first: no name crowds out another text
    rank = Window(RowNumber(), partition_by=Lower("name"), order_by=[slug_first.asc(), "slug"])
    products = (
        comparable.filter(by_slug | by_name)
        .annotate(name_is_shared=Exists(namesakes), rank=rank)
        .filter(rank__lte=5)
        .order_by(slug_first, "name", "slug")
    )
    return list(products)


def most_concerned_products(limit):
    """The ``limit`` products whose current plan lists most safety concerns, then by name.

    Dicts of ``slug``, ``name`` and ``concern_count``: suggestions for the compare page, in
    one query (one row per product, whatever the number of concerns).
    """
    slug, name = "plan__product__slug", "plan__product__name"
    rows = (
        SafetyConcern.objects.current()
        .values(slug, name)
        .annotate(concern_count=Count("pk"))
        .order_by("-concern_count", name, slug)
    )
    return [
        {"slug": row[slug], "name": row[name], "concern_count": row["concern_count"]}
        for row in rows[:limit]
    ]


def current_concerns():
    """Current concerns with their product and term, loading only what listing needs."""
    return (
        SafetyConcern.objects.current()
        .select_related("plan__product", "term")
        .only(
            "id",
            "name",
            "group_key",
            "term__id",
            "term__slug",
            "term__preferred_name",
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


def published_concerns():
    """The read model's rows of the current concerns (a queryset, not yet read)."""
    return PublishedConcern.objects.all()


# Concerns in a group: by product name, product, category, then id (read-model rows).
ENTRY_ORDER = ["product_sort", "product_slug", "category_rank", "concern_id"]


@dataclass
class ConcernGroup:
    """Concerns of any number of products that share a grouping key.

    ``concerns`` holds those shown (all, or the first ``PREVIEW``); ``concern_count`` and
    ``product_count`` count every matching one.
    """

    key: str
    name: str
    concern_count: int
    product_count: int
    concerns: list = field(default_factory=list)
    url: str = ""  # the list of this group's concerns alone (the view sets it)

    @property
    def more(self):
        """How many matching concerns of the group are not shown."""
        return self.concern_count - len(self.concerns)


@dataclass
class ConcernSummary:
    """The matching concerns in groups (page order, without their concerns), and counts."""

    groups: list
    categories: Counter
    regions: Counter
    products: Counter | None = None  # {(slug, name): concerns}, when counted from the rows
    # {group key: the ids of its first PREVIEW concerns in page order}, when read from the rows
    previews: dict | None = None
    # When more concerns match than the summary read (``summarise_concerns``'s ``limit``):
    # the limit. Groups, counts and facets are then those of the first ``limit`` found.
    more_than: int | None = None

    @property
    def concern_count(self):
        return sum(self.categories.values())


# Filters the counts table answers (risks.published.PublishedConcernCount); any other (text,
# substance, product) makes the summary count the matching read-model rows.
COUNTED_FILTERS = {"category", "region", "group", "sort"}


def counted(data):
    """Whether the filters in ``data`` (cleaned) are all answered by the counts table."""
    return not any(data.get(name) for name in data if name not in COUNTED_FILTERS)


def concern_summary(concerns, data, *, complete=False):
    """The summary of the list filtered by ``data`` (cleaned): from the counts table when it
    answers those filters (one query over a table the size of the vocabulary), else from the
    matching rows ``concerns``; with a text filter (and no group chosen), from the first
    ``TEXT_MATCH_LIMIT`` of them, unless ``complete`` (the downloads: every match)."""
    sort = data.get("sort") or ""
    if counted(data):
        return summarise_counts(data.get("category"), data.get("region"), data.get("group"), sort)
    if data.get("q") and not data.get("group") and not complete:
        return summarise_concerns(concerns, sort, limit=TEXT_MATCH_LIMIT)
    return summarise_concerns(concerns, sort)


def summarise_counts(category=None, region=None, group=None, sort=""):
    """What ``summarise_concerns`` returns, read from the counts built at publication."""
    rows = PublishedConcernCount.objects.all()
    if category:
        rows = rows.filter(category=category)
    if region:
        rows = rows.filter(region=region)
    if group:
        rows = rows.filter(group_key=group)
    names = defaultdict(Counter)
    categories, regions = Counter(), Counter()
    totals = defaultdict(lambda: [0, 0])
    product_field = "products_in_category" if category else "products"
    for key, group_name, name, row_category, row_region, concerns, products in rows.values_list(
        "group_key", "group_name", "name", "category", "region", "concerns", product_field
    ):
        names[key][group_name or name] += concerns
        categories[row_category] += concerns
        regions[row_region] += concerns
        totals[key][0] += concerns
        totals[key][1] += products
    return _summary(names, totals.items(), categories, regions, sort)


def summarise_concerns(concerns, sort="", *, limit=None):
    """Every group of ``concerns`` (read-model rows), counted, in page order: one query.

    Groups by name (A–Z), or with ``sort="products"`` the groups listed by most products
    first. The query reads the matching rows once (a text filter asks its index once) with
    what the summary counts and what orders a group's concerns: the summary also counts the
    concerns per product (``products``, the product facet) and keeps each group's first
    ``PREVIEW`` concerns in page order (``previews``, what ``fill_groups`` shows), so the
    page reads the matching rows once, not once for the counts and again for the previews.

    With ``limit``, the first ``limit`` rows found (in the order the database finds them:
    along the text index for a text filter, which then stops reading) and one more: when
    there is one more, the summary is of the first ``limit`` and says so (``more_than``).
    """
    rows = concerns.order_by().values_list(
        "group_key",
        "product_sort",
        "product_slug",
        "category_rank",
        "concern_id",  # the group and its order (ENTRY_ORDER)
        "group_name",
        "name",
        "category",
        "region",
        "product_name",
    )
    rows = list(rows if limit is None else rows[: limit + 1])
    more_than = None
    if limit is not None and len(rows) > limit:
        del rows[limit:]
        more_than = limit
    # Counters over generators: the counting loops run in C (7,000 matching rows at 15,000
    # products), and one sort orders every group's concerns.
    names = defaultdict(Counter)
    for (key, display), n in Counter((row[0], row[5] or row[6]) for row in rows).items():
        names[key][display] = n
    concern_counts = Counter(row[0] for row in rows)
    product_counts = Counter(key for key, _ in {(row[0], row[2]) for row in rows})
    summary = _summary(
        names,
        [(key, (n, product_counts[key])) for key, n in concern_counts.items()],
        Counter(row[7] for row in rows),
        Counter(row[8] for row in rows),
        sort,
    )
    summary.products = Counter((row[2], row[9]) for row in rows)
    summary.more_than = more_than
    rows.sort(key=operator.itemgetter(0, 1, 2, 3, 4))
    summary.previews = {
        key: [row[4] for row in itertools.islice(group, PREVIEW)]
        for key, group in itertools.groupby(rows, key=operator.itemgetter(0))
    }
    return summary


def _summary(names, totals, categories, regions, sort):
    groups = [
        ConcernGroup(
            key=key,
            name=display_name_of_counts(names[key]),
            concern_count=concern_count,
            product_count=product_count,
        )
        for key, (concern_count, product_count) in totals
        if concern_count
    ]
    groups.sort(key=lambda group: (group.name.casefold(), group.key))
    if sort == "products":
        groups.sort(key=lambda group: -group.product_count)
    return ConcernSummary(groups, categories, regions)


def fill_groups(groups, concerns, *, limit=PREVIEW, text_filtered=False, previews=None):
    """Puts in each of ``groups`` its first ``limit`` concerns of ``concerns`` (read-model
    rows): their ids from ``previews`` (the summary's, when it read the rows) or in one query
    (each group's read along the group order index, so that a group of any size costs
    ``limit`` rows; with ``text_filtered``, the rows the text index names, read once and
    ranked per group), the concerns by primary key in another."""
    by_key = {group.key: group for group in groups}
    if not by_key:
        return groups
    if previews is not None:
        shown = [(key, pk) for key in by_key for pk in previews.get(key, [])[:limit]]
    elif text_filtered:
        shown = first_of_each_group_ranked(concerns, list(by_key), limit)
    else:
        shown = first_of_each_group(concerns, list(by_key), limit)
    loaded = concerns_by_id([pk for _, pk in shown])
    for key, pk in shown:
        by_key[key].concerns.append(loaded[pk])
    return groups


def first_of_each_group(concerns, keys, limit):
    """[(group key, concern id)]: the first ``limit`` rows of each group, in page order.

    One statement: a UNION ALL of one LIMITed select per group (each wrapped, which SQLite
    needs for a LIMIT in a compound select).
    """
    selects, params = [], []
    for key in keys:
        sql, key_params = (
            concerns.filter(group_key=key)
            .order_by(*ENTRY_ORDER)
            .values_list("group_key", "concern_id")[:limit]
            .query.sql_with_params()
        )
        selects.append(f"SELECT * FROM ({sql}) AS group_{len(selects)}")
        params.extend(key_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        rows = cursor.fetchall()
    rank = {key: index for index, key in enumerate(keys)}
    return sorted(rows, key=lambda row: rank[row[0]])  # stable: each group keeps its order


def first_of_each_group_ranked(concerns, keys, limit):
    """What ``first_of_each_group`` returns, in one select ranking the rows of the groups.

    For a text filter: its condition (a text index lookup) is then evaluated once, not once
    per group as in the union of ``first_of_each_group``."""
    rank = Window(
        RowNumber(), partition_by=[F("group_key")], order_by=[F(name).asc() for name in ENTRY_ORDER]
    )
    rows = (
        concerns.filter(group_key__in=keys)
        .order_by()
        .annotate(rank=rank)
        .filter(rank__lte=limit)
        .values_list("group_key", "concern_id", "rank")
    )
    order = {key: index for index, key in enumerate(keys)}
    return [(key, pk) for key, pk, _ in sorted(rows, key=lambda row: (order[row[0]], row[2]))]


def concerns_by_id(ids):
    """{id: concern} of current concerns, with what the list shows of them (one query)."""
    return current_concerns().in_bulk(ids) if ids else {}


def page_of_concerns(rows):
    """The concerns of ``rows`` (read-model rows, one page of them), in the same order."""
    ids = [row.concern_id for row in rows]
    loaded = concerns_by_id(ids)
    return [loaded[pk] for pk in ids]


def concern_facets(summary, concerns, query, data):
    """Category, region and product facets counting the matching concerns (one query).

    ``query``: the list's ``common.querystring.Query``; ``data``: the filters (cleaned). The
    product facet shows the ``PRODUCT_FACET_SIZE`` products with most matching concerns and
    says how many more there are (counted in the same query), from the products' counts per
    category when the filters allow, else from the matching rows; the product filtered on
    stays shown even when no concern matches, so that its filter can be removed there.
    """
    selected_product = data.get("product")
    if counted(data) and not data.get("group"):
        category = data.get("category")
        products = PublishedProduct.objects.annotate(
            n=F(CONCERN_COUNTS[category]) if category else F("concern_count")
        ).filter(n__gt=0)
        if data.get("region"):
            products = products.filter(region=data["region"])
        top_products = list(
            products.values_list("slug", "name", "n")
            .annotate(products=Window(Count("*")))
            .order_by("-n", "name", "slug")[:PRODUCT_FACET_SIZE]
        )
    elif summary.products is not None:
        ranked = sorted(
            summary.products.items(), key=lambda item: (-item[1], item[0][1], item[0][0])
        )
        total = len(ranked)
        top_products = [(slug, name, n, total) for (slug, name), n in ranked[:PRODUCT_FACET_SIZE]]
    else:
        top_products = list(
            concerns.order_by()
            .values_list("product_slug", "product_name")
            .annotate(n=Count("pk"), products=Window(Count("*")))
            .order_by("-n", "product_name", "product_slug")[:PRODUCT_FACET_SIZE]
        )
    return [
        build_facet(query, "category", "Category", summary.categories, ConcernCategory.choices),
        build_facet(query, "region", "Region", summary.regions, Region.choices),
        build_facet(
            query,
            "product",
            "Product",
            {slug: n for slug, _, n, _ in top_products},
            [(slug, name) for slug, name, _, _ in top_products],
            limit=PRODUCT_FACET_SIZE,
            total=top_products[0][3] if top_products else 0,
            selected_label=selected_product and selected_product.name,
        ),
    ]


def _unique(values):
    return list(dict.fromkeys(values))

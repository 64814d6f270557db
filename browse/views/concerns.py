"""Safety concerns across products (/risks/) and products side by side (/compare/)."""

from django.core.exceptions import BadRequest
from django.shortcuts import render

from common.exports import (
    Column,
    absolute_urls,
    csv_response,
    export,
    requested_format,
    xlsx_response,
)
from common.listing import form_error_message, list_links, paginate, valid_filterset
from common.querystring import Query
from common.text import counted
from risks.models import ConcernCategory

from ..filters.concerns import ProductComparisonForm, SafetyConcernFilter
from ..selectors import comparison as comparison_selectors
from ..selectors import concerns as selectors
from ..selectors.concern_export import export_rows
from .downloads import export_about
from .following import risk_feed

GROUPS_PER_PAGE = 20
CONCERNS_PER_PAGE = 100  # when one group is shown
SUGGESTIONS = 12  # products the compare page's picker offers (the products list has all)
FILTER_PARAMS = ["q", "substance", "category", "region", "product", "sort"]
FACET_PARAMS = ["category", "region", "product"]
HIDDEN_PARAMS = ["category", "region", "group"]  # kept by the form, which shows no field

CATEGORY_LABELS = dict(ConcernCategory.choices)


def _field(name):
    return lambda row: getattr(row, name)


def _category_label(row):
    return CATEGORY_LABELS.get(row.category, row.category)


CSV_ONLY = ("csv",)
# JSON keys (unchanged for programs) and CSV titles, in the CSV's order.
CONCERN_COLUMNS = [
    Column("group", _field("group"), "Risk (grouped name)"),
    Column("name", _field("name"), "Safety concern"),
    Column("category", _field("category"), "Category", text=_category_label),
    Column("product", _field("product"), "Product"),
    Column("region", _field("region"), "Region"),
    Column("plan_version", _field("plan_version"), "Plan version", formats=CSV_ONLY),
    Column(
        "authorisation_status",
        _field("authorisation_status"),
        "Authorisation status",
        formats=CSV_ONLY,
    ),
    Column("evidence", _field("evidence"), "Evidence", formats=CSV_ONLY),
    Column("risk_factors", _field("risk_factors"), "Risk factors", formats=CSV_ONLY),
    Column("routine_measures", _field("routine_measures"), "Routine measures", formats=CSV_ONLY),
    Column("section_references", _field("section_references"), "SmPC/PL sections cited"),
    Column("additional_measures", _field("additional_measures"), "Additional measures"),
    Column("studies", _field("studies"), "Studies"),
    Column("url", _field("url"), "Address"),
    Column("product_slug", _field("product_slug"), "Product identifier"),
]


def describe_concerns(concern_count, groups, form, more_than=None):
    """ "5 safety concerns in 3 groups · important identified risk · matching ‘infection’";
    with ``more_than`` (the summary read only that many), "More than 1,000 safety concerns · …"
    (how many groups all of them make is not known)."""
    data = form.cleaned_data
    concerns = counted(concern_count, "safety concerns", ",")
    parts = [f"{concerns} in {counted(len(groups), 'groups', ',')}"]
    if more_than:
        parts[0] = f"More than {more_than:,} safety concerns"
    elif data.get("group") and groups:
        parts[0] = f"{concerns} in the group ‘{groups[0].name}’"
    if data.get("category"):
        parts.append(ConcernCategory(data["category"]).label.lower())
    if data.get("region"):
        parts.append(data["region"])
    if data.get("product"):
        parts.append(data["product"].name)
    if data.get("substance"):
        parts.append(data["substance"])
    if data.get("q"):
        parts.append(f"matching ‘{data['q']}’")
    return " · ".join(parts)


def concern_list(request):
    filterset = valid_filterset(
        SafetyConcernFilter(request.GET, queryset=selectors.published_concerns())
    )
    data = filterset.form.cleaned_data
    fmt = requested_format(request)
    # the page may group the first matches of a common word; a download holds every match
    summary = selectors.concern_summary(filterset.qs, data, complete=fmt != "html")
    groups = summary.groups
    heading = describe_concerns(summary.concern_count, groups, filterset.form, summary.more_than)
    if fmt in ("csv", "xlsx"):  # streamed, without loading a concern object
        rows = export_rows(filterset.qs, data.get("sort"), groups=groups, detail=True)
        columns = absolute_urls(request, CONCERN_COLUMNS)
        if fmt == "csv":
            return csv_response(rows, columns, "safety-concerns")
        about = export_about(request, heading)
        return xlsx_response(rows, columns, "safety-concerns", sheet="Safety concerns", about=about)
    rows = export_rows(filterset.qs, data.get("sort"), groups=groups)
    if response := export(
        request,
        rows,
        absolute_urls(request, CONCERN_COLUMNS),
        "safety-concerns",
        description=heading,
        groups=len(groups),
    ):
        return response
    query = Query.of_form(filterset.form)  # a product typed by name is linked by its slug
    feed = None
    if data.get("group") and groups:  # one group: its concerns, page by page
        feed = risk_feed(request, data["group"], groups[0].name)
        page = paginate(request, filterset.qs.order_by(*selectors.ENTRY_ORDER), CONCERNS_PER_PAGE)
        groups[0].concerns = selectors.page_of_concerns(page.object_list)
        page.object_list = groups
    else:
        page = paginate(request, groups, GROUPS_PER_PAGE)
        selectors.fill_groups(
            page.object_list,
            filterset.qs,
            text_filtered=bool(data.get("q")),
            previews=summary.previews,
        )
        for group in page.object_list:
            group.url = query.url(group=group.key)
    return render(
        request,
        "browse/concern_list.html",
        {
            "filterset": filterset,
            "page": page,
            "heading": heading,
            "facets": selectors.concern_facets(summary, filterset.qs, query, data),
            "kept_filters": query.items(*HIDDEN_PARAMS),
            "all_groups_url": query.without("group"),
            "one_group": bool(data.get("group")),
            "more_than": f"{summary.more_than:,}" if summary.more_than else "",
            "risk_feed": feed,
            "feeds": [feed] if feed else [],
            **list_links(query, filterset.form, FILTER_PARAMS, page),
        },
    )


def join_names(names):
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def comparison_columns(products):
    columns = [
        Column("category", lambda row: row.category, "Category", text=_category_label),
        Column("group", lambda row: row.name, "Safety concern"),
        Column(
            "listed_by",
            lambda row: [product.slug for product in row.listed_by],
            "Listed by",
            text=lambda row: [product.name for product in row.listed_by],
        ),
    ]
    for index, product in enumerate(products):

        def cell(row, index=index):
            return row.cells[index][1]

        columns += [
            Column(product.slug, lambda row, cell=cell: [c.name for c in cell(row)], product.name),
            Column(
                f"{product.slug}_category",
                lambda row, cell=cell: [c.category for c in cell(row)],
                f"{product.name}: category",
                text=lambda row, cell=cell: [CATEGORY_LABELS[c.category] for c in cell(row)],
            ),
            Column(
                f"{product.slug}_url",
                lambda row, cell=cell: [c.get_absolute_url() for c in cell(row)],
                f"{product.name}: address",
            ),
        ]
    columns.append(
        Column(
            "term",
            lambda row: row.term.slug if row.term else None,
            "Risk term",
            text=lambda row: row.term.preferred_name if row.term else "not linked to a term",
        )
    )
    return columns


def compare(request):
    fmt = requested_format(request)
    form = ProductComparisonForm(request.GET)
    if fmt != "html" and not form.ready:
        if not form.is_valid():
            raise BadRequest(form_error_message(form))
        raise BadRequest(
            "Name 2 to 4 products to compare, e.g. ?products=ivozall,clolar, or an active "
            "substance, e.g. ?substance=clofarabine."
        )
    if not form.ready:
        chosen = form.cleaned_data["products"] if form.is_valid() else []
        return render(
            request,
            "browse/compare.html",
            {
                "form": form,
                "heading": "Compare 2 to 4 products",
                "chosen": chosen,
                "suggestions": compare_suggestions(chosen),
            },
            status=200 if form.is_valid() else 400,
        )
    products = form.cleaned_data["products"]
    substance = form.cleaned_data.get("substance") or None
    result = comparison_selectors.comparison([product.slug for product in products])
    names = join_names(product.name for product in result.products)
    heading = f"{names}: {counted(len(result.rows), 'safety concerns')} side by side"
    if substance:
        heading = f"All products of {substance.name}: {heading}"
    if response := export(
        request,
        result.rows,
        absolute_urls(request, comparison_columns(result.products)),
        "comparison",
        about=lambda: export_about(request, heading),
        description=heading,
        products=[product.slug for product in result.products],
    ):
        return response
    return render(
        request,
        "browse/compare.html",
        {
            "form": ProductComparisonForm.showing(products),
            "heading": heading,
            "comparison": result,
            "substance": substance,
            "slugs": ",".join(product.slug for product in result.products),
        },
    )


def compare_suggestions(chosen):
    """Products to add to ``chosen`` on the picker: those with most safety concerns."""
    slugs = {product.slug for product in chosen}
    rows = selectors.most_concerned_products(SUGGESTIONS + len(slugs))
    return [row for row in rows if row["slug"] not in slugs][:SUGGESTIONS]

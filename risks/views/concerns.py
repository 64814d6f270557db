"""Safety concerns across products (/risks/) and products side by side (/compare/)."""

from django.core.exceptions import BadRequest
from django.shortcuts import render

from products.facets import active_filters
from rmpsite.exports import Column, csv_response, export, requested_format
from rmpsite.listing import form_error_message, paginate, query_without, valid_filterset

from ..filters.concerns import ProductComparisonForm, SafetyConcernFilter
from ..models import ConcernCategory
from ..selectors import concerns as selectors
from ..selectors.concern_export import export_rows

GROUPS_PER_PAGE = 20
FILTER_PARAMS = ["q", "substance", "category", "region", "product", "sort"]
FACET_PARAMS = ["category", "region", "product"]

CONCERN_COLUMNS = [
    Column(name, lambda row, name=name: getattr(row, name))
    for name in [
        "group",
        "product",
        "product_slug",
        "region",
        "category",
        "name",
        "url",
        "section_references",
        "additional_measures",
        "studies",
    ]
]


def plural(count, singular, many=None):
    return f"{count} {singular if count == 1 else many or singular + 's'}"


def describe_concerns(concern_count, group_count, form, product_names):
    """ "5 safety concerns in 3 groups · important identified risk · matching ‘infection’"."""
    data = form.cleaned_data
    parts = [
        f"{plural(concern_count, 'safety concern')} in {plural(group_count, 'group')}",
    ]
    if data.get("category"):
        parts.append(ConcernCategory(data["category"]).label.lower())
    if data.get("region"):
        parts.append(data["region"])
    if data.get("product"):
        parts.append(product_names[data["product"]])
    if data.get("substance"):
        parts.append(data["substance"])
    if data.get("q"):
        parts.append(f"matching ‘{data['q']}’")
    return " · ".join(parts)


def concern_list(request):
    products = selectors.products_with_current_plan()
    filterset = valid_filterset(
        SafetyConcernFilter(request.GET, queryset=selectors.current_concerns(), products=products)
    )
    data = filterset.form.cleaned_data
    if requested_format(request) == "csv":  # streamed, without loading a concern object
        rows = export_rows(filterset.qs, data.get("sort"))
        return csv_response(rows, CONCERN_COLUMNS, "safety-concerns")
    concerns = list(filterset.qs)
    groups = selectors.group_concerns(concerns, data.get("sort"))
    heading = describe_concerns(len(concerns), len(groups), filterset.form, dict(products))
    rows = export_rows(filterset.qs, data.get("sort"))
    if response := export(
        request, rows, CONCERN_COLUMNS, "safety-concerns", description=heading, groups=len(groups)
    ):
        return response
    page = paginate(request, groups, GROUPS_PER_PAGE)
    return render(
        request,
        "risks/concern_list.html",
        {
            "filterset": filterset,
            "page": page,
            "heading": heading,
            "facets": selectors.concern_facets(concerns, request.GET, products),
            "active_filters": active_filters(request.GET, filterset.form, FILTER_PARAMS),
            "kept_filters": [(name, data[name]) for name in FACET_PARAMS if data.get(name)],
            "query": query_without(request.GET, "format"),
            "query_without_page": query_without(request.GET, "page", "format"),
        },
    )


def join_names(names):
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def comparison_columns(products):
    columns = [
        Column("category", lambda row: row.category),
        Column("group", lambda row: row.name),
        Column("listed_by", lambda row: [product.slug for product in row.listed_by]),
    ]
    for index, product in enumerate(products):

        def cell(row, index=index):
            return row.cells[index][1]

        columns += [
            Column(product.slug, lambda row, cell=cell: [c.name for c in cell(row)]),
            Column(
                f"{product.slug}_category", lambda row, cell=cell: [c.category for c in cell(row)]
            ),
            Column(
                f"{product.slug}_url",
                lambda row, cell=cell: [c.get_absolute_url() for c in cell(row)],
            ),
        ]
    return columns


def compare(request):
    fmt = requested_format(request)
    products = selectors.products_with_current_plan()
    form = ProductComparisonForm(request.GET, products=products)
    if fmt != "html" and not form.ready:
        if not form.is_valid():
            raise BadRequest(form_error_message(form))
        raise BadRequest("Name 2 to 4 products to compare, e.g. ?products=ivozall,clolar.")
    if not form.ready:
        return render(
            request,
            "risks/compare.html",
            {"form": form, "heading": "Compare the safety concerns of 2 to 4 products"},
            status=200 if form.is_valid() else 400,
        )
    result = selectors.comparison(form.cleaned_data["products"])
    names = join_names(product.name for product in result.products)
    heading = f"{names}: {plural(len(result.rows), 'safety concern')} side by side"
    if response := export(
        request,
        result.rows,
        comparison_columns(result.products),
        "comparison",
        description=heading,
        products=[product.slug for product in result.products],
    ):
        return response
    return render(
        request,
        "risks/compare.html",
        {"form": form, "heading": heading, "comparison": result},
    )

from django.shortcuts import render

from risks import selectors as risk_selectors
from risks.models import ConcernCategory
from rmpsite.exports import Column, export
from rmpsite.listing import paginate, query_without, valid_filterset

from . import selectors
from .documents import Document, standard_title
from .facets import active_filters
from .filters import ProductFilter

PRODUCT_COLUMNS = [
    Column("slug", lambda p: p.slug),
    Column("name", lambda p: p.name),
    Column("substances", lambda p: [s.name for s in p.substances.all()]),
    Column("region", lambda p: p.region),
    Column("authorisation_status", lambda p: p.get_authorisation_status_display()),
    Column("plan_version", lambda p: p.current_plans[0].version if p.current_plans else None),
    Column("safety_concerns", lambda p: p.current_plans[0].concern_count if p.current_plans else 0),
    Column("studies", lambda p: p.current_plans[0].study_count if p.current_plans else 0),
    Column("url", lambda p: p.get_absolute_url()),
]
FILTER_PARAMS = ["q", "region", "status", "substance", "concern", "measure", "study"]


def describe_products(count, form):
    data = form.cleaned_data
    parts = [f"{count} product{'' if count == 1 else 's'}"]
    if data.get("region"):
        parts.append(data["region"])
    if data.get("status"):
        parts.append(dict(form.fields["status"].choices)[data["status"]].lower())
    if data.get("substance"):
        parts.append(data["substance"])
    if data.get("concern"):
        parts.append(f"with an {ConcernCategory(data['concern']).label.lower()}")
    if data.get("measure"):
        parts.append(f"with {dict(form.fields['measure'].choices)[data['measure']].lower()}")
    if data.get("study"):
        parts.append(f"with a category {data['study']} study")
    if data.get("q"):
        parts.append(f"matching ‘{data['q']}’")
    return " · ".join(parts)


def product_list(request):
    filterset = valid_filterset(ProductFilter(request.GET, queryset=selectors.product_list()))
    products = filterset.qs
    if response := export(request, products, PRODUCT_COLUMNS, "products"):
        return response
    page = paginate(request, products, 25)
    return render(
        request,
        "products/product_list.html",
        {
            "filterset": filterset,
            "page": page,
            "heading": describe_products(page.paginator.count, filterset.form),
            "facets": selectors.product_facets(products, request.GET),
            "active_filters": active_filters(request.GET, filterset.form, FILTER_PARAMS),
            "query": request.GET.urlencode(),
            "query_without_page": query_without(request.GET, "page", "format"),
        },
    )


def resolve_references(product, plan, sections):
    """Attach to each routine measure its references with title and link (or 'not loaded')."""
    information_url = product.get_absolute_url() + "information/"
    for concern in plan.safety_concerns.all():
        for measure in concern.routine_measures.all():
            measure.resolved_references = []
            for reference in measure.section_references.all():
                section = sections.get(reference.key)
                measure.resolved_references.append(
                    {
                        "label": reference.label,
                        "title": section.title
                        if section
                        else standard_title(reference.document, reference.section),
                        "url": f"{information_url}#{section.anchor}" if section else None,
                    }
                )


def product_detail(request, slug):
    product = risk_selectors.product_detail(slug)
    plan = product.current_plan
    sections = product.information_sections.all().as_lookup()
    groups = []
    if plan:
        resolve_references(product, plan, sections)
        concerns = plan.safety_concerns.all()
        groups = [
            (category, [c for c in concerns if c.category == category])
            for category in ConcernCategory
        ]
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "plan": plan,
            "groups": groups,
            "information_loaded": bool(sections),
            "documents": sorted({Document(s.document).label for s in sections.values()}),
        },
    )


def product_information(request, slug):
    product = risk_selectors.product_information(slug)
    citing = selectors.citing_concerns(product.current_plan)
    documents = []
    for section in product.information_sections.all():
        if not documents or documents[-1][0] != section.document:
            documents.append((section.document, Document(section.document).label, []))
        section.citing_concerns = citing.get(section.key, [])
        documents[-1][2].append(section)
    return render(
        request,
        "products/product_information.html",
        {"product": product, "plan": product.current_plan, "documents": documents},
    )

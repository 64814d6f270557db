"""The public studies page: every study of the current published plans, filtered and faceted."""

from django.shortcuts import render
from django.utils import timezone

from common.addresses import AddressPattern
from common.exports import Column, absolute_urls, export, requested_format
from common.listing import list_links, page_of, valid_filterset
from common.querystring import Query
from common.text import counted

from ..filters.studies import SORT_CHOICES, PageForm, StudyFilterSet
from ..selectors import studies as selectors
from ..selectors.studies import DEFAULT_SORT
from ..timeline import build_timeline, tracks_for_studies
from .downloads import export_about
from .following import milestones_feed

PER_PAGE = 50


def study_list(request):
    today = timezone.localdate()
    filterset = StudyFilterSet(request.GET, queryset=selectors.study_list(), today=today)
    page_form = PageForm(request.GET)
    valid_filterset(filterset, page_form)
    studies = filterset.qs
    query = Query.of_form(filterset.form)

    # The CSV has a pair of columns per milestone, as many as the study with most has.
    fmt = requested_format(request)
    milestones = selectors.most_milestones(studies) if fmt in ("csv", "xlsx") else 0
    response = export(
        request,
        studies.iterator(chunk_size=500),
        absolute_urls(request, export_columns(today, milestones)),
        "studies",
        about=lambda: export_about(
            request, heading(studies.count(), filterset.described_filters())
        ),
        filters=query.params,
        today=today,
    )
    if response is not None:
        return response

    data = filterset.form.cleaned_data
    number = page_form.cleaned_data["page"] or 1
    published = selectors.published_rows(data, today)
    counts = None
    if published is not None:  # the order, count and facets from the read model alone
        counts = selectors.counted_facets(data, today)  # None: a product is filtered on
        order = selectors.published_order(data.get("sort"), data.get("overdue"))
        count = counts["total"] if counts is not None else None
        page = page_of(published.order_by(*order), PER_PAGE, number, count=count)
        page.object_list = rows = selectors.studies_of_rows(page.object_list, data.get("sort"))
    else:
        page = page_of(studies, PER_PAGE, number)
        rows = list(page.object_list)
    link_rows(rows)
    selected_product = data.get("product")
    return render(
        request,
        "browse/study_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "heading": heading(page.paginator.count, filterset.described_filters()),
            "facets": selectors.study_facets(
                studies if published is None else published,
                query,
                today,
                selected_product,
                counts=counts,
                data=data,
            ),
            "sort_links": [
                (label, query.url(sort=None if value == DEFAULT_SORT else value), value)
                for value, label in SORT_CHOICES
            ],
            "current_sort": filterset.current_sort,
            "page": page,
            "studies": rows,
            "timeline": build_timeline(tracks_for_studies(rows), today),
            "today": today,
            "milestones_feed": (feed := milestones_feed(request)),
            "feeds": [feed],
            **list_links(query, filterset.form, StudyFilterSet.FILTER_PARAMS, page),
        },
    )


def heading(count, described_filters):
    return " · ".join([counted(count, "studies", ","), *described_filters])


def link_rows(studies):
    """Give each study of the page its product's, its own and its concerns' addresses
    (``product_url``, ``page_url``, each concern's ``page_url``), each pattern reversed once."""
    product_url = AddressPattern("browse:product", "slug")
    study_url = AddressPattern("browse:study", "slug", "study")
    concern_url = AddressPattern("browse:concern", "slug", "concern")
    for study in studies:
        slug = study.plan.product.slug
        study.product_url = product_url(slug=slug)
        study.page_url = study_url(slug=slug, study=study.slug)
        for concern in study.safety_concerns.all():
            concern.page_url = concern_url(slug=slug, concern=concern.slug)


def _milestone_text(milestone):
    text = f"{milestone.description}: {milestone.due}"
    return f"{text} ({milestone.due_date.isoformat()})" if milestone.due_date else text


def _milestone(position, part):
    """The CSV cell of the study's ``position``-th milestone (from 0): its wording or date."""

    def cell(study):
        milestones = study.milestones.all()
        if position >= len(milestones):
            return None
        milestone = milestones[position]
        if part == "date":
            return milestone.due_date
        return f"{milestone.description}: {milestone.due}"

    return cell


def milestone_columns(count):
    """For the CSV: "Milestone 1" (the plan's words, "Final report: Q2 2027") and "Milestone 1
    due" (its ISO date, empty for an event such as "6 months after approval"), and so on for
    ``count`` milestones, in the order of the study's page (by due date)."""
    columns = []
    for position in range(count):
        number = position + 1
        columns += [
            Column(
                f"milestone_{number}",
                _milestone(position, "text"),
                f"Milestone {number}",
                formats=("csv",),
            ),
            Column(
                f"milestone_{number}_due",
                _milestone(position, "date"),
                f"Milestone {number} due",
                formats=("csv",),
            ),
        ]
    return columns


def export_columns(today, milestones=0):
    """The JSON keys (as they were) and CSV titles; ``milestones``: the CSV's milestone pairs."""

    def overdue(study):
        return "yes" if any(m.is_overdue(today) for m in study.milestones.all()) else "no"

    return [
        Column("product", lambda s: s.plan.product.name, "Product"),
        Column("study", lambda s: s.name, "Study"),
        Column("code", lambda s: s.code, "Code"),
        Column("title", lambda s: s.title, "Title"),
        Column(
            "category",
            lambda s: s.category,
            "Category",
            text=lambda s: s.get_category_display(),
        ),
        Column("design", lambda s: s.get_design_display(), "Design"),
        Column("status", lambda s: s.get_status_display(), "Status"),
        Column("plan_version", lambda s: s.plan.version, "Plan version", formats=("csv",)),
        Column(
            "authorisation_status",
            lambda s: s.plan.product.get_authorisation_status_display(),
            "Authorisation status",
            formats=("csv",),
        ),
        Column(
            "safety_concerns",
            lambda s: [c.name for c in s.safety_concerns.all()],
            "Safety concerns",
        ),
        Column(
            "milestones",
            lambda s: [_milestone_text(m) for m in s.milestones.all()],
            formats=("json",),
        ),
        *milestone_columns(milestones),
        Column("overdue", overdue, "Overdue"),
        Column("url", lambda s: s.get_absolute_url(), "Address"),
    ]

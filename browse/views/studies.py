"""The public studies page: every study of the current published plans, filtered and faceted."""

from django.shortcuts import render
from django.utils import timezone

from common.exports import Column, absolute_urls, export
from common.listing import list_links, page_of, valid_filterset
from common.querystring import Query
from common.text import counted

from ..filters.studies import SORT_CHOICES, PageForm, StudyFilterSet
from ..selectors import studies as selectors
from ..selectors.studies import DEFAULT_SORT
from ..timeline import build_timeline, tracks_for_studies

PER_PAGE = 50


def study_list(request):
    today = timezone.localdate()
    filterset = StudyFilterSet(request.GET, queryset=selectors.study_list(), today=today)
    page_form = PageForm(request.GET)
    valid_filterset(filterset, page_form)
    studies = filterset.qs
    query = Query.of_form(filterset.form)

    response = export(
        request,
        studies.iterator(chunk_size=500),
        absolute_urls(request, export_columns(today)),
        "studies",
        filters=query.params,
        today=today,
    )
    if response is not None:
        return response

    page = page_of(studies, PER_PAGE, page_form.cleaned_data["page"] or 1)
    rows = list(page.object_list)
    selected_product = filterset.form.cleaned_data.get("product")
    return render(
        request,
        "browse/study_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "heading": heading(page.paginator.count, filterset.described_filters()),
            "facets": selectors.study_facets(studies, query, today, selected_product),
            "sort_links": [
                (label, query.url(sort=None if value == DEFAULT_SORT else value), value)
                for value, label in SORT_CHOICES
            ],
            "current_sort": filterset.current_sort,
            "page": page,
            "studies": rows,
            "timeline": build_timeline(tracks_for_studies(rows), today),
            "today": today,
            **list_links(query, filterset.form, StudyFilterSet.FILTER_PARAMS, page),
        },
    )


def heading(count, described_filters):
    return " · ".join([counted(count, "studies"), *described_filters])


def _milestone_text(milestone):
    text = f"{milestone.description}: {milestone.due}"
    return f"{text} ({milestone.due_date.isoformat()})" if milestone.due_date else text


def export_columns(today):
    def overdue(study):
        return "yes" if any(m.is_overdue(today) for m in study.milestones.all()) else "no"

    return [
        Column("product", lambda s: s.plan.product.name),
        Column("study", lambda s: s.name),
        Column("code", lambda s: s.code),
        Column("title", lambda s: s.title),
        Column("category", lambda s: s.category),
        Column("design", lambda s: s.get_design_display()),
        Column("status", lambda s: s.get_status_display()),
        Column("safety_concerns", lambda s: [c.name for c in s.safety_concerns.all()]),
        Column("milestones", lambda s: [_milestone_text(m) for m in s.milestones.all()]),
        Column("overdue", overdue),
        Column("url", lambda s: s.get_absolute_url()),
    ]

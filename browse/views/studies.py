"""The public studies page: every study of the current published plans, filtered and faceted."""

from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils import timezone

from common.exports import Column, export
from common.listing import page_of
from risks.models import StudyCategory, StudyDesign, StudyStatus

from ..filters.studies import OVERDUE_CHOICES, SORT_CHOICES, StudyFilterSet
from ..selectors import studies as selectors
from ..selectors.studies import DEFAULT_SORT
from ..timeline import build_timeline, tracks_for_studies

PER_PAGE = 50


def study_list(request):
    today = timezone.localdate()
    filterset = StudyFilterSet(request.GET, queryset=selectors.study_list(), today=today)
    if not filterset.is_valid():
        raise BadRequest(filterset.error_message())
    studies = filterset.qs
    active = filterset.active_filters()

    response = export(
        request,
        studies.iterator(chunk_size=500),
        export_columns(today),
        "studies",
        filters=filterset.params(),
        today=today,
    )
    if response is not None:
        return response

    counts = selectors.study_facet_counts(studies, today)
    counts["product"] = selectors.study_product_counts(studies)
    page = page_of(studies, PER_PAGE, filterset.page_number)
    paginator = page.paginator
    rows = list(page.object_list)

    return render(
        request,
        "browse/study_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "heading": heading(paginator.count, active),
            "active_filters": [(item, filterset.query(**{item.param: None})) for item in active],
            "facets": facets(filterset, counts),
            "sort_links": [
                (label, filterset.query(sort=None if value == DEFAULT_SORT else value), value)
                for value, label in SORT_CHOICES
            ],
            "current_sort": filterset.current_sort,
            "csv_query": filterset.query(format="csv"),
            "json_query": filterset.query(format="json"),
            "page": page,
            "page_links": page_links(filterset, page),
            "previous_url": page.has_previous() and filterset.query(page=page.number - 1),
            "next_url": page.has_next() and filterset.query(page=page.number + 1),
            "studies": rows,
            "timeline": build_timeline(tracks_for_studies(rows), today),
            "today": today,
        },
    )


def heading(count, active):
    noun = "study" if count == 1 else "studies"
    return " · ".join([f"{count} {noun}", *(item.words for item in active)])


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    selected: bool
    url: str  # adds the value, or removes it when selected


@dataclass(frozen=True)
class Facet:
    param: str
    title: str
    values: list
    more: int = 0  # values with a count that are not shown


def facets(filterset, counts):
    """Datasette-style facets: each value present with its count and an add/remove link."""
    current = filterset.params()
    groups = [
        ("category", "Category", [(str(v), StudyCategory(v).short_label) for v in StudyCategory]),
        ("status", "Status", [(v.value, v.label) for v in StudyStatus]),
        ("design", "Design", [(v.value, v.label) for v in StudyDesign]),
        ("overdue", "Overdue", OVERDUE_CHOICES),
    ]
    result = []
    for param, title, choices in groups:
        by_value = {str(value): n for value, n in counts[param].items()}
        values = []
        for value, label in choices:
            selected = current.get(param) == value
            if not by_value[value] and not selected:
                continue
            url = filterset.query(**{param: None if selected else value})
            values.append(FacetValue(label, by_value[value], selected, url))
        result.append(Facet(param, title, values))
    result.append(product_facet(filterset, *counts["product"]))
    return result


def product_facet(filterset, counts, total):
    """The products with most studies (``counts``: [(slug, name, n)]) and the selected one."""
    selected = filterset.form.cleaned_data.get("product")
    if selected and selected.slug not in {slug for slug, _, _ in counts}:
        counts = [*counts, (selected.slug, selected.name, 0)]
    values = []
    for slug, name, count in counts:
        is_selected = selected is not None and slug == selected.slug
        url = filterset.query(product=None if is_selected else slug)
        values.append(FacetValue(name, count, is_selected, url))
    shown = sum(1 for value in values if value.count)
    return Facet("product", "Product", values, more=max(total - shown, 0))


def page_links(filterset, page):
    """Links to the first and last pages and to those near this one: (number, url).

    The current page has no url; "…" stands for the pages left out, so that the page shows a
    few links whatever the number of studies.
    """
    paginator = page.paginator
    links = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        linked = number not in (page.number, paginator.ELLIPSIS)
        links.append((number, filterset.query(page=number) if linked else None))
    return links


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
    ]

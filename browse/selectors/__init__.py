"""Read queries for the public views and the API. Only published data leaves here."""

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404

from products.models import ProductInformationSection
from risks import models as risk_models
from risks.models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)


def public_products():
    return risk_models.public_products().prefetch_related("substances")


def current_plan_prefetches(prefix=""):
    """Prefetches that load a plan version with everything the product page shows; then
    ``link_parts`` links its concerns, measures and studies to each other.

    The plan's own parts stay on its managers (``plan.safety_concerns.all()``, ...); the
    parts of each concern and study are plain lists: ``concern.routine_list`` (each measure
    with its ``reference_list``) and ``study.milestone_list`` here, ``concern.additional_list``,
    ``concern.study_list`` and ``study.concern_list`` from ``link_parts``. A list attribute
    costs nothing per item, where a prefetch into a manager builds a filtered queryset for
    every concern, measure and study (two thirds of the product page's loading time).

    Each prefetch orders by the parts' own positions: the models' default orderings start
    with their parent (``routine_measure`` → concern → plan → product name, ...), which would
    join every table up to the product for rows that share one parent anyway.
    """
    by_position = ("position", "id")
    return [
        Prefetch(
            f"{prefix}safety_concerns",
            queryset=SafetyConcern.objects.defer("search_vector")
            .order_by(*by_position)
            .select_related("term")
            .prefetch_related(
                Prefetch(
                    "routine_measures",
                    queryset=RoutineMeasure.objects.defer("search_vector")
                    .order_by(*by_position)
                    .prefetch_related(
                        Prefetch(
                            "section_references",
                            queryset=SectionReference.objects.order_by(*by_position),
                            to_attr="reference_list",
                        )
                    ),
                    to_attr="routine_list",
                ),
            ),
        ),
        Prefetch(
            f"{prefix}additional_measures",
            queryset=AdditionalMeasure.objects.defer("search_vector").order_by("name"),
        ),
        Prefetch(
            f"{prefix}studies",
            queryset=Study.objects.defer("search_vector")
            .order_by(*by_position)
            .prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.all(), to_attr="milestone_list"),
            ),
        ),
    ]


def link_parts(plans):
    """Give each concern of ``plans`` (loaded with ``current_plan_prefetches``) its
    ``additional_list`` (by name) and ``study_list``, and each study its ``concern_list``
    (both by position): the plans' own parts, linked by two queries of the links alone, where
    prefetching each side of the links would read every linked part again."""
    concerns, measures, studies = {}, {}, {}
    for plan in plans:
        if plan is None:
            continue
        concerns.update((concern.pk, concern) for concern in plan.safety_concerns.all())
        measures.update((measure.pk, measure) for measure in plan.additional_measures.all())
        studies.update((study.pk, study) for study in plan.studies.all())
    for concern in concerns.values():
        concern.additional_list, concern.study_list = [], []
    for study in studies.values():
        study.concern_list = []
    if not concerns:
        return
    if measures:
        links = AdditionalMeasure.safety_concerns.through.objects.filter(
            additionalmeasure__in=list(measures)
        )
        for measure, concern in links.values_list("additionalmeasure", "safetyconcern"):
            if concern in concerns:
                concerns[concern].additional_list.append(measures[measure])
    if studies:
        links = Study.safety_concerns.through.objects.filter(study__in=list(studies))
        for study, concern in links.values_list("study", "safetyconcern"):
            if concern in concerns:
                concerns[concern].study_list.append(studies[study])
                studies[study].concern_list.append(concerns[concern])
    # each list in the order its parts were prefetched: measures by name, the rest by position
    measure_rank, study_rank, concern_rank = (
        {pk: rank for rank, pk in enumerate(parts)} for parts in (measures, studies, concerns)
    )
    for concern in concerns.values():
        concern.additional_list.sort(key=lambda measure: measure_rank[measure.pk])
        concern.study_list.sort(key=lambda study: study_rank[study.pk])
    for study in studies.values():
        study.concern_list.sort(key=lambda concern: concern_rank[concern.pk])


def product_detail(slug):
    """A public product with its current published plan (or None) fully loaded.

    Raises Http404 for unknown slugs and for products with only unpublished plans.
    """
    product = get_object_or_404(
        public_products()
        .select_related("marketing_authorisation_holder")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=RiskManagementPlan.objects.current().prefetch_related(
                    *current_plan_prefetches()
                ),
                to_attr="current_plans",
            ),
            Prefetch(
                "information_sections",
                queryset=ProductInformationSection.objects.defer("text", "search_vector"),
            ),
        ),
        slug=slug,
    )
    product.current_plan = product.current_plans[0] if product.current_plans else None
    link_parts([product.current_plan])
    return product


def product_information(slug):
    """A public product with its information sections (with text) and its current plan."""
    product = get_object_or_404(
        public_products().prefetch_related(
            Prefetch(
                "plans", queryset=RiskManagementPlan.objects.current(), to_attr="current_plans"
            ),
            "information_sections",
        ),
        slug=slug,
    )
    product.current_plan = product.current_plans[0] if product.current_plans else None
    return product


def last_publication():
    """When the published data last changed: the latest publication of a current plan."""
    return RiskManagementPlan.objects.current().aggregate(latest=Max("published_at"))["latest"]


def database_summary():
    """What the public database holds, counted over current published plans only."""
    return {
        "products": public_products().count(),
        "concerns": SafetyConcern.objects.current().count(),
        "studies": Study.objects.current().count(),
        "last_update": last_publication(),
    }


def overdue_milestones(limit=None):
    milestones = (
        Milestone.objects.overdue()
        .filter(study__plan__status=PlanStatus.PUBLISHED)
        .select_related("study__plan__product")
        .order_by("due_date", "study__plan__product__name")
    )
    return milestones[:limit] if limit else milestones

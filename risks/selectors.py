"""Read queries for the public views and the API. Only published data leaves here."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from products.models import Product, ProductInformationSection

from .models import (
    Milestone,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)


def public_products():
    return Product.objects.public().prefetch_related("substances")


def current_plan_prefetches(prefix=""):
    """Prefetches that load a plan version with everything the product page shows."""
    return [
        Prefetch(
            f"{prefix}safety_concerns",
            queryset=SafetyConcern.objects.prefetch_related(
                Prefetch(
                    "routine_measures",
                    queryset=RoutineMeasure.objects.prefetch_related(
                        Prefetch("section_references", queryset=SectionReference.objects.all())
                    ),
                ),
                "additional_measures",
                Prefetch(
                    "studies", queryset=Study.objects.only("id", "code", "short_name", "title")
                ),
            ),
        ),
        f"{prefix}additional_measures",
        Prefetch(
            f"{prefix}studies",
            queryset=Study.objects.prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.all()),
                Prefetch("safety_concerns", queryset=SafetyConcern.objects.only("id", "name")),
            ),
        ),
    ]


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
                queryset=ProductInformationSection.objects.defer("text"),
            ),
        ),
        slug=slug,
    )
    product.current_plan = product.current_plans[0] if product.current_plans else None
    return product


def current_studies():
    """Studies of every product's current published plan, with their milestones."""
    return (
        Study.objects.current()
        .select_related("plan__product")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.all()),
            Prefetch("safety_concerns", queryset=SafetyConcern.objects.only("id", "name")),
        )
    )

"""The pages of one safety concern or one study of a product, across its public plan versions.

A concern is known by its slug (``risks.models.concern_slug``: its normalised name), a study
by its code (``risks.models.study_slug``), so their addresses stay the same when a new version
of the plan is published. Items are followed from version to version by their lineage too, so
a concern renamed in a later version keeps its history.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from products.models import ProductInformationSection

from . import current_plan_prefetches, link_parts, public_products
from .products import public_versions

CONCERN_TEXTS = ["evidence", "risk_factors", "footnotes"]


def product_with_versions(slug):
    """A public product with every public plan version fully loaded, oldest first.

    ``product.versions`` lists them oldest first; ``product.current_plan`` is the published
    one (None if the product has no plan). Drafts and versions in review are never loaded.
    Raises Http404 for unknown slugs and for products with only unpublished plans.
    """
    product = get_object_or_404(
        public_products()
        .select_related("marketing_authorisation_holder")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=public_versions().prefetch_related(*current_plan_prefetches()),
                to_attr="newest_first",
            ),
            Prefetch(
                "information_sections",
                queryset=ProductInformationSection.objects.defer("text", "search_vector"),
            ),
        ),
        slug=slug,
    )
    product.versions = list(reversed(product.newest_first))
    product.current_plan = next((p for p in product.versions if p.is_published), None)
    link_parts(product.versions)
    return product


@dataclass
class VersionEntry:
    """An item (concern or study) in one public version, and what changed since the last one."""

    plan: object
    item: object | None
    changes: list[str] = field(default_factory=list)


def _matching(items, slug, lineages):
    return next((i for i in items if i.slug == slug), None) or next(
        (i for i in items if i.lineage in lineages), None
    )


def _history(product, slug, items_of, describe):
    lineages = {
        item.lineage for plan in product.versions for item in items_of(plan) if item.slug == slug
    }
    if not lineages:
        raise Http404("No such item in any published version of this product's plan.")
    entries, previous = [], None
    for plan in product.versions:
        item = _matching(items_of(plan), slug, lineages)
        entries.append(VersionEntry(plan, item, describe(previous, item)))
        previous = item
    return entries


def _names(items):
    return sorted(item.name for item in items)


def _routine_texts(concern):
    return [(m.text, [r.label for r in m.reference_list]) for m in concern.routine_list]


def describe_concern_change(old, new):
    if old is None and new is None:
        return []
    if old is None:
        return [f"Added as {new.get_category_display().lower()}"]
    if new is None:
        return ["Removed from the plan"]
    changes = []
    if old.name != new.name:
        changes.append(f"Renamed from “{old.name}”")
    if old.category != new.category:
        changes.append(
            f"Reclassified from {old.get_category_display().lower()} to "
            f"{new.get_category_display().lower()}"
        )
    revised = [
        new._meta.get_field(name).verbose_name
        for name in CONCERN_TEXTS
        if getattr(old, name) != getattr(new, name)
    ]
    if _routine_texts(old) != _routine_texts(new):
        revised.append("routine risk minimisation measures")
    if revised:
        changes.append("Revised: " + ", ".join(revised))
    if _names(old.additional_list) != _names(new.additional_list):
        changes.append("Additional risk minimisation measures changed")
    if _names(old.study_list) != _names(new.study_list):
        changes.append("Studies changed")
    return changes or ["Unchanged"]


def _milestones(study):
    return [(m.description, m.due, m.reported_on) for m in study.milestone_list]


def describe_study_change(old, new):
    if old is None and new is None:
        return []
    if old is None:
        return ["Added to the plan"]
    if new is None:
        return ["Removed from the plan"]
    changes = []
    if old.status != new.status:
        changes.append(
            f"Status changed from {old.get_status_display().lower()} to "
            f"{new.get_status_display().lower()}"
        )
    if old.category != new.category:
        changes.append(f"Category changed from {old.category} to {new.category}")
    if _milestones(old) != _milestones(new):
        changes.append("Milestones changed")
    if (old.title, old.purpose, old.design) != (new.title, new.purpose, new.design):
        changes.append("Description revised")
    if _names(old.concern_list) != _names(new.concern_list):
        changes.append("Safety concerns changed")
    return changes or ["Unchanged"]


def concern_history(product, slug):
    """[VersionEntry] of the concern known by ``slug``, oldest version first; Http404 if none."""
    return _history(product, slug, lambda plan: plan.safety_concerns.all(), describe_concern_change)


def study_history(product, slug):
    """[VersionEntry] of the study known by ``slug``, oldest version first; Http404 if none."""
    return _history(product, slug, lambda plan: plan.studies.all(), describe_study_change)

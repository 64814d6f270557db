"""Publications: each public plan version with what changed from the version before it.

What the home page's "Recently published" list and the Atom feeds show. A publication's
summary is the public changes page's "In short" line (``risks.changes.PlanComparison
.summary``) against the product's previous public version, written at publication
(``risks.publications``); a product's first version says how much it lists. Only published
and superseded versions are read: a draft or a version in review never appears, nor counts
as a "previous" version.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from common.text import counted
from risks.models import ConcernCategory, Milestone, PlanStatus, RiskManagementPlan
from risks.publications import summarise
from risks.published import PublishedConcern

from .concerns import summarise_concerns

SOON = timedelta(days=30)  # a milestone due within this is "newly due"


@dataclass
class Publication:
    plan: RiskManagementPlan  # with ``product`` loaded
    previous: RiskManagementPlan | None  # the product's public version published before it
    summary: list[str] = field(default_factory=list)  # phrases, as on the changes page

    @property
    def product(self):
        return self.plan.product

    @property
    def summary_text(self):
        return "; ".join(self.summary) + "."


def _public_versions():
    return RiskManagementPlan.objects.public().filter(published_at__isnull=False)


def publications(*, limit, product=None, group=None):
    """The ``limit`` latest publications, newest first; of ``product`` only, or of the
    products that list a current safety concern of the group ``group`` (the /risks/ page's
    group key). One query: the summaries were written at publication
    (``risks.publications``)."""
    plans = _public_versions().select_related("product", "publication__previous")
    if product is not None:
        plans = plans.filter(product=product)
    if group is not None:
        in_group = PublishedConcern.objects.filter(group_key=group, product=OuterRef("product"))
        plans = plans.filter(Exists(in_group))
    earlier = _public_versions().filter(
        product=OuterRef("product"), published_at__lt=OuterRef("published_at")
    )
    plans = plans.annotate(
        concern_count=Count("safety_concerns", distinct=True),
        study_count=Count("studies", distinct=True),
        follows=Exists(earlier),
    ).order_by("-published_at", "-id")[:limit]
    found = []
    for plan in plans:
        stored = getattr(plan, "publication", None)
        if stored is not None:
            found.append(Publication(plan, stored.previous, stored.summary))
        elif not plan.follows:
            first = (
                f"First version published here: {counted(plan.concern_count, 'safety concerns')}"
                f" and {counted(plan.study_count, 'studies')}"
            )
            found.append(Publication(plan, None, [first]))
        else:  # not summarised yet (before ``rebuild_published`` after an upgrade)
            previous = (
                _public_versions()
                .filter(product=plan.product_id, published_at__lt=plan.published_at)
                .order_by("-published_at", "-id")
                .first()
            )
            found.append(Publication(plan, previous, summarise(previous, plan)))
    return found


def group_name(group):
    """The name the /risks/ page shows for the group ``group``; None if no current concern
    is in it."""
    groups = summarise_concerns(PublishedConcern.objects.filter(group_key=group), "").groups
    return groups[0].name if groups else None


def group_listings(group):
    """{product id: "Lemtrada now lists Malignancies as an important potential risk."}: how
    each product's current plan lists the concerns of the group ``group``."""
    rows = (
        PublishedConcern.objects.filter(group_key=group)
        .order_by("product_id", "category_rank", "name")
        .values_list("product_id", "product_name", "name", "category")
    )
    listed = {}
    for product_id, product_name, name, category in rows:
        label = ConcernCategory(category).label.lower()
        listed.setdefault(product_id, [product_name, []])[1].append(
            f"{name} as {label}" if category == ConcernCategory.MISSING else f"{name} as an {label}"
        )
    return {
        product_id: f"{product_name} now lists {'; '.join(items)}."
        for product_id, (product_name, items) in listed.items()
    }


def due_milestones(*, today=None, limit=50):
    """Unreported milestones of current published studies that are overdue or due within
    SOON, latest due first: each with ``state`` ("overdue" or "due soon") and ``since``
    (the moment it became so, or the publication that brought it if later)."""
    today = today or timezone.localdate()
    milestones = list(
        Milestone.objects.unreported()
        .filter(study__plan__status=PlanStatus.PUBLISHED, due_date__isnull=False)
        .filter(due_date__lt=today + SOON)
        .select_related("study__plan__product")
        .order_by("-due_date", "study__plan__product__name", "pk")[:limit]
    )
    for milestone in milestones:
        overdue = milestone.due_date < today
        milestone.state = "overdue" if overdue else "due soon"
        start = milestone.due_date + timedelta(days=1) if overdue else milestone.due_date - SOON
        moment = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
        published = milestone.study.plan.published_at
        milestone.since = max(moment, published) if published else moment
    return milestones

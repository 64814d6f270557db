"""How an RMP summary about to be imported differs from its product's published version.

The preview page shows it before the curator confirms. The draft the import would create is
written inside a transaction that is always rolled back, compared with the published version
by ``risks.changes.compare`` (the comparison of the public changes page and of the reviewer's
workflow pages), and only the comparison, held in memory, survives: nothing of the trial is
kept, its history rows and data version move included (while it runs it holds the locks an
import holds: on SQLite the write lock, for the second or so a large plan takes). When the
trial draft cannot be written (data the plan refuses), the page falls back to counts: the
published version's and the summary's numbers of safety concerns, measures, studies and
milestones.
"""

import copy
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from audit.context import recorded_change
from risks.changes import PlanComparison, compare
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
from risks.services import PlanDataError, create_plan

TRIAL_REASON = "Preview of an import, compared with the published version and rolled back"

# What each count of ``RmpPreview.counts`` counts in a stored version.
COUNTED = {
    "safety concerns": (SafetyConcern, "plan"),
    "routine measures": (RoutineMeasure, "safety_concern__plan"),
    "section references": (SectionReference, "routine_measure__safety_concern__plan"),
    "additional measures": (AdditionalMeasure, "plan"),
    "studies": (Study, "plan"),
    "milestones": (Milestone, "study__plan"),
}


@dataclass(frozen=True)
class Count:
    what: str
    published: int
    imported: int

    @property
    def difference(self):
        return self.imported - self.published


@dataclass
class Differences:
    """The summary against ``published``; ``comparison`` None when only counts could be had."""

    published: RiskManagementPlan
    comparison: PlanComparison | None
    counts: list[Count]


class _RolledBack(Exception):
    """Ends the trial transaction: everything it wrote is undone."""


def differences_from_published(preview, user):
    """How importing ``preview`` would differ from its product's published version, or None
    when the product is new or has no published version (everything is then new)."""
    product = preview.product
    published = product.plans.published().first() if product is not None else None
    if published is None:
        return None
    counts = [
        Count(what, _stored_count(published, what), number)
        for what, number in preview.counts().items()
    ]
    try:
        comparison = _trial_comparison(preview, published, user)
    except (PlanDataError, ValidationError, DatabaseError):
        comparison = None
    return Differences(published=published, comparison=comparison, counts=counts)


def _stored_count(plan, what):
    model, path = COUNTED[what]
    return model.objects.filter(**{path: plan}).count()


def _trial_comparison(preview, published, user):
    """Write the draft, compare it with ``published``, roll everything back."""
    found = {}
    try:
        with transaction.atomic(), recorded_change(TRIAL_REASON, user):
            data = {**copy.deepcopy(preview.data["plan"]), "version": preview.version}
            created = create_plan(published.product, data, status=PlanStatus.DRAFT)
            found["comparison"] = compare(published, created.plan)
            raise _RolledBack
    except _RolledBack:
        pass
    return found["comparison"]

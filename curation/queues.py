"""The curator's work on the admin home: versions waiting for their review, and their drafts.

"Waiting for your review" lists the versions in review the user may publish: a reviewer who
neither submitted nor changed them (four eyes, ``risks.workflow.four_eyes_refusal``). "Your
drafts" lists the open versions (draft or in review) the user started, changed or submitted
(``risks.history.editors``), with their status. Both link to the version's page and to the
workflow step the user may take next. Reviewed changes of products (``products.review``:
product edits and product-information uploads) are listed the same way, after the plans.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from products import review
from products.models import ChangeStatus, ProductChange
from risks import history, workflow
from risks.models import PlanStatus, RiskManagementPlan


@dataclass
class Step:
    label: str
    url: str


@dataclass
class QueuedPlan:
    plan: RiskManagementPlan
    url: str  # the version's admin page
    trail_url: str
    steps: list[Step] = field(default_factory=list)
    note: str = ""  # why the user may not publish it, for their own versions in review


@dataclass
class QueuedChange:
    change: ProductChange
    url: str  # the change's admin page
    steps: list[Step] = field(default_factory=list)
    note: str = ""


@dataclass
class Queues:
    may_view: bool  # the user may see plan versions at all
    may_publish: bool
    waiting: list[QueuedPlan]
    drafts: list[QueuedPlan]
    waiting_changes: list[QueuedChange] = field(default_factory=list)
    change_drafts: list[QueuedChange] = field(default_factory=list)

    @property
    def waiting_count(self):
        return len(self.waiting) + len(self.waiting_changes)

    @property
    def drafts_count(self):
        return len(self.drafts) + len(self.change_drafts)


def _step(name, plan):
    return reverse(f"admin:risks_riskmanagementplan_{name}", args=[plan.pk])


def _queued(plan, steps=(), note=""):
    return QueuedPlan(
        plan=plan,
        url=reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]),
        trail_url=reverse("curation:plan_trail", args=[plan.pk]),
        steps=list(steps),
        note=note,
    )


def review_queues(user):
    """The user's queues; the open versions are few, and each costs a fixed number of queries."""
    if not user.has_perm("risks.view_riskmanagementplan"):
        return Queues(may_view=False, may_publish=False, waiting=[], drafts=[])
    may_publish = user.has_perm(workflow.PUBLISH_PERMISSION)
    open_plans = (
        RiskManagementPlan.objects.open()
        .select_related("product", "submitted_by", "last_edited_by")
        .order_by("submitted_at", "product__name", "version", "id")
    )
    waiting, drafts = [], []
    for plan in open_plans:
        in_review = plan.status == PlanStatus.IN_REVIEW
        refusal = workflow.four_eyes_refusal(user, plan) if in_review and may_publish else None
        if in_review and may_publish and refusal is None:
            steps = [Step("Review and publish", _step("publish", plan))]
            if workflow.can_return_to_draft(user, plan):
                steps.append(Step("Send back to draft", _step("return", plan)))
            waiting.append(_queued(plan, steps))
            continue
        mine = plan.submitted_by_id == user.pk or history.last_edit_by(plan, user) is not None
        if not mine:
            continue
        steps = []
        if workflow.can_submit(user, plan):
            steps.append(Step("Review and submit", _step("submit", plan)))
        elif in_review and workflow.can_return_to_draft(user, plan):
            steps.append(Step("Send back to draft", _step("return", plan)))
        note = "Another reviewer publishes it (four eyes)." if in_review else ""
        drafts.append(_queued(plan, steps, note))
    drafts.sort(key=lambda item: (item.plan.status != PlanStatus.DRAFT, item.plan.product.name))
    waiting_changes, change_drafts = product_change_queues(user)
    return Queues(
        may_view=True,
        may_publish=may_publish,
        waiting=waiting,
        drafts=drafts,
        waiting_changes=waiting_changes,
        change_drafts=change_drafts,
    )


def _change_step(name, change):
    return reverse(f"admin:products_productchange_{name}", args=[change.pk])


def product_change_queues(user):
    """(waiting for the user's review, the user's own) open changes of products."""
    if not user.has_perm("products.view_productchange"):
        return [], []
    may_publish = user.has_perm(review.PUBLISH_PERMISSION)
    waiting, mine = [], []
    changes = (
        ProductChange.objects.open()
        .select_related("product", "created_by", "submitted_by", "last_edited_by")
        .order_by("submitted_at", "product__name", "id")
    )
    for change in changes:
        url = reverse("admin:products_productchange_change", args=[change.pk])
        in_review = change.status == ChangeStatus.IN_REVIEW
        reviewing = in_review and may_publish
        refusal = review.four_eyes_refusal(user, change) if reviewing else None
        if reviewing and refusal is None:
            steps = [Step("Review and publish", _change_step("publish", change))]
            steps.append(Step("Send back to draft", _change_step("return", change)))
            waiting.append(QueuedChange(change, url, steps))
            continue
        # A refusal says the user submitted or changed it: theirs, without reading its
        # history again.
        theirs = (
            refusal is not None
            or user.pk in {change.created_by_id, change.submitted_by_id}
            or user.pk in review.editors(change)
        )
        if not theirs:
            continue
        steps = []
        if review.can_submit(user, change):
            steps.append(Step("Review and submit", _change_step("submit", change)))
        elif in_review and review.can_return_to_draft(user, change):
            steps.append(Step("Send back to draft", _change_step("return", change)))
        note = "Another reviewer publishes it (four eyes)." if in_review else ""
        mine.append(QueuedChange(change, url, steps, note))
    return waiting, mine

"""The life of a plan version: draft → in review → published → superseded.

Each public function is one unit of work: it checks who may do it, writes, and records
the change with its user and reason in the audit trail. Refusals raise WorkflowError
with a message for the person who asked.

A step acts on the revision its person saw. Every recorded change of a version or of
a part of it moves the version's ``revision`` (``record_edit`` for edits, each step for
itself), and submit, send back and publish take the ``revision`` the person saw (by
default, that of the ``plan`` object passed in): if the version has moved on since, the
step is refused with ``StaleRevision`` and nothing changes. Nobody publishes, submits or
sends back a revision they never saw.

Four eyes: a version is published only by a reviewer who changed nothing in it, in any
part, at any time since it was created (``risks.history``), and who did not submit it.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateformat import format as format_date

from audit.context import bulk_create_audited, current_change, recorded_change
from common.text import counted

from . import history, published
from .models import (
    AdditionalMeasure,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)

CHANGE_PERMISSION = "risks.change_riskmanagementplan"
PUBLISH_PERMISSION = "risks.publish_riskmanagementplan"


class WorkflowError(Exception):
    """A transition that is not allowed; str() says why, for the user."""


class StaleRevision(WorkflowError):
    """The version changed since the person asking saw it; nothing was done."""

    def __init__(self, plan, seen):
        self.plan = plan
        self.seen = seen
        super().__init__(
            f"Version {plan.version} of {plan.product} has changed since you opened this page "
            f"(you saw revision {seen}; it is now at revision {plan.revision}). Nothing was "
            "done. Reload the page to see the version as it is now."
        )


def can_edit(user, plan):
    return plan.is_draft and user.has_perm(CHANGE_PERMISSION)


def can_start_new_version(user, plan):
    return plan.is_published and user.has_perm("risks.add_riskmanagementplan")


def can_submit(user, plan):
    return plan.is_draft and user.has_perm(CHANGE_PERMISSION)


def can_return_to_draft(user, plan):
    return plan.status == PlanStatus.IN_REVIEW and (
        user.has_perm(PUBLISH_PERMISSION) or user.has_perm(CHANGE_PERMISSION)
    )


def can_publish(user, plan):
    """The user may publish versions in review, four eyes aside (see ``four_eyes_refusal``)."""
    return plan.status == PlanStatus.IN_REVIEW and user.has_perm(PUBLISH_PERMISSION)


def four_eyes_refusal(user, plan):
    """Why ``user`` may not publish ``plan`` (they wrote or submitted it), or None."""
    if plan.submitted_by_id is not None and plan.submitted_by_id == user.pk:
        return (
            f"You submitted version {plan.version} for review, so another reviewer must "
            "publish it (four eyes)."
        )
    edited = history.last_edit_by(plan, user)
    if edited is not None:
        when = format_date(timezone.localtime(edited), "j F Y, H:i")
        return (
            f"You changed version {plan.version} or a part of it (last on {when}), so "
            "another reviewer must publish it (four eyes)."
        )
    return None


def suggested_version(plan):
    """The label after ``plan``'s that the product does not use yet: 7 → 8, 7.1 → 7.2."""
    head, _, last = plan.version.rpartition(".")
    taken = set(plan.product.plans.values_list("version", flat=True))
    if not last.isdigit():
        head, last = plan.version, "1"
    number = int(last)
    while True:
        number += 1
        label = f"{head}.{number}" if head else str(number)
        if label not in taken:
            return label


@transaction.atomic
def record_edit(plan, user):
    """Note that ``user`` changed the version or a part of it: the next revision.

    Runs inside the ``recorded_change`` of the edit, whose user and reason the version's
    historical row then carries (the revision, the last editor and the time change only
    through recorded saves). The row is locked first, so concurrent edits count one by one;
    ``plan`` itself then holds the new revision, as the editor now knows it.
    """
    current_change()  # refuses before writing when the edit carries no reason
    locked = RiskManagementPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:  # the edit deleted the version itself: its deletion is the record
        return None
    locked.revision += 1
    locked.last_edited_by = user if user and user.is_authenticated else None
    fields = ["revision", "last_edited_by", "updated_at"]
    locked.save(update_fields=fields)
    for name in fields:
        setattr(plan, name, getattr(locked, name))
    return locked


@transaction.atomic
def start_new_version(plan, *, user, version, reason):
    """A draft that copies the published ``plan`` whole: concerns, measures, studies."""
    _require(user, "risks.add_riskmanagementplan", "start new plan versions")
    if not plan.is_published:
        raise WorkflowError(
            f"A new version can only start from the published version; version "
            f"{plan.version} is {plan.get_status_display().lower()}."
        )
    version = (version or "").strip()
    if not version:
        raise WorkflowError("Give the new version a label, e.g. the plan's version number.")
    if plan.product.plans.filter(version=version).exists():
        raise WorkflowError(f"{plan.product} already has a plan version “{version}”.")
    with recorded_change(reason, user):
        draft = RiskManagementPlan.objects.create(
            product=plan.product,
            version=version,
            status=PlanStatus.DRAFT,
            source_document=plan.source_document,
            source_url=plan.source_url,
            note=plan.note,
            copied_from=plan,
            last_edited_by=user,
        )
        _copy_parts(plan, draft)
    return draft


def _copy_parts(plan, draft):
    concerns = {}
    # Ordered by the parts' own positions: the models' default orderings start with the
    # parent and would join every table up to the product.
    by_position = ("position", "id")
    parts = plan.safety_concerns.order_by(*by_position).prefetch_related(
        Prefetch(
            "routine_measures",
            queryset=RoutineMeasure.objects.order_by(*by_position).prefetch_related(
                Prefetch(
                    "section_references", queryset=SectionReference.objects.order_by(*by_position)
                )
            ),
        )
    )
    for concern in parts:
        old_pk = concern.pk
        concern.pk = None
        concern.plan = draft
        concern.save()
        concerns[old_pk] = concern
        references = []
        for measure in concern.routine_measures.all():
            old_references = list(measure.section_references.all())
            measure.pk = None
            measure.safety_concern = concern
            measure.save()
            references += [
                SectionReference(
                    routine_measure=measure,
                    document=reference.document,
                    section=reference.section,
                    position=reference.position,
                )
                for reference in old_references
            ]
        bulk_create_audited(SectionReference, references)

    for model in (AdditionalMeasure, Study):
        own_order = [key for key in model._meta.ordering if key != "plan"]  # one plan here
        items = (
            model.objects.filter(plan=plan)
            .order_by(*own_order)
            .prefetch_related(
                Prefetch("safety_concerns", queryset=SafetyConcern.objects.order_by(*by_position))
            )
        )
        if model is Study:
            items = items.prefetch_related("milestones")
        for item in items:
            linked = [concerns[concern.pk] for concern in item.safety_concerns.all()]
            milestones = list(item.milestones.all()) if model is Study else []
            item.pk = None
            item.plan = draft
            item.save()
            if linked:
                item.safety_concerns.add(*linked)
            for milestone in milestones:
                milestone.pk = None
                milestone.study = item
                milestone.save()


@transaction.atomic
def submit_for_review(plan, *, user, reason, revision=None):
    plan = _locked(plan, revision)
    _require(user, CHANGE_PERMISSION, "submit plan versions for review")
    if not plan.is_draft:
        raise WorkflowError(
            f"Only a draft can be submitted for review; version {plan.version} is "
            f"{plan.get_status_display().lower()}."
        )
    unresolved = plan.import_warnings.filter(resolved=False).count()
    if unresolved:
        raise WorkflowError(
            f"Check and tick off the {counted(unresolved, 'unresolved import warnings')} "
            "before submitting this version for review."
        )
    if not plan.safety_concerns.exists():
        raise WorkflowError("This version has no safety concerns; a plan lists at least one.")
    with recorded_change(reason, user):
        plan.status = PlanStatus.IN_REVIEW
        plan.submitted_at = timezone.now()
        plan.submitted_by = user
        _save_step(plan)
    return plan


@transaction.atomic
def return_to_draft(plan, *, user, reason, revision=None):
    """Send a version in review back for changes (a reviewer) or withdraw it (a curator)."""
    plan = _locked(plan, revision)
    if not (user.has_perm(PUBLISH_PERMISSION) or user.has_perm(CHANGE_PERMISSION)):
        raise WorkflowError("You do not have permission to send plan versions back to draft.")
    if plan.status != PlanStatus.IN_REVIEW:
        raise WorkflowError(
            f"Only a version in review can go back to draft; version {plan.version} is "
            f"{plan.get_status_display().lower()}."
        )
    with recorded_change(reason, user):
        plan.status = PlanStatus.DRAFT
        plan.submitted_at = None
        plan.submitted_by = None
        _save_step(plan)
    return plan


@transaction.atomic
def publish(plan, *, user, reason, revision=None):
    """Make the version in review the product's current one; the previous one is superseded."""
    plan = _locked(plan, revision)
    _require(user, PUBLISH_PERMISSION, "publish plan versions (it takes a reviewer)")
    if plan.status != PlanStatus.IN_REVIEW:
        raise WorkflowError(
            f"Only a version in review can be published; version {plan.version} is "
            f"{plan.get_status_display().lower()}."
        )
    refusal = four_eyes_refusal(user, plan)
    if refusal:
        raise WorkflowError(refusal)
    current = (
        RiskManagementPlan.objects.select_for_update()
        .filter(product=plan.product_id, status=PlanStatus.PUBLISHED)
        .first()
    )
    if plan.copied_from_id and current and current.pk != plan.copied_from_id:
        raise WorkflowError(
            f"This version was started from version {plan.copied_from.version}, but version "
            f"{current.version} has been published since. Start a new version from "
            f"version {current.version} so that its changes are not lost."
        )
    now = timezone.now()
    with recorded_change(reason, user):
        if current:
            current.status = PlanStatus.SUPERSEDED
            current.superseded_at = now
            _save_step(current)
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = now
        plan.published_by = user
        _save_step(plan)
        published.rebuild_for_product(plan.product_id)  # the public lists' read model
    return plan


def _locked(plan, revision=None):
    """``plan`` reloaded under a row lock, so that its status is the one to act on.

    ``revision`` is the one the person saw (by default that of ``plan`` as loaded); a
    version that has moved on since is refused, before anything is written.
    """
    seen = plan.revision if revision is None else revision
    plan.refresh_from_db(from_queryset=RiskManagementPlan.objects.select_for_update())
    if plan.revision != seen:
        raise StaleRevision(plan, seen)
    return plan


def _save_step(plan):
    """Save a workflow step: a recorded change, so the revision moves on."""
    plan.revision += 1
    plan.save()


def _require(user, permission, action):
    if not user.has_perm(permission):
        raise WorkflowError(f"You do not have permission to {action}.")

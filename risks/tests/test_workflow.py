"""The plan lifecycle services: who may do what, and what each transition writes."""

import pytest

from audit.context import recorded_change
from imports.models import ImportWarning
from risks import workflow
from risks.models import (
    AdditionalMeasure,
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)
from risks.workflow import WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def lemtrada(seeded):
    return seeded["lemtrada"].plans.get()


def snapshot(plan):
    """Everything a version holds, without ids, in document order."""
    concerns = [
        (
            c.position,
            c.category,
            c.name,
            c.evidence,
            c.risk_factors,
            c.footnotes,
            c.curator_note,
            str(c.lineage),
            [
                (m.position, m.kind, m.text, [r.label for r in m.section_references.all()])
                for m in c.routine_measures.all()
            ],
            sorted(a.name for a in c.additional_measures.all()),
            sorted(s.name for s in c.studies.all()),
        )
        for c in plan.safety_concerns.all()
    ]
    measures = [
        (m.kind, m.name, m.description, str(m.lineage)) for m in plan.additional_measures.all()
    ]
    studies = [
        (
            s.position,
            s.code,
            s.short_name,
            s.title,
            s.category,
            s.design,
            s.purpose,
            s.status,
            str(s.lineage),
            [
                (m.description, m.due, m.due_date, m.precision, m.reported_on)
                for m in s.milestones.all()
            ],
        )
        for s in plan.studies.all()
    ]
    return concerns, measures, studies


def row_counts():
    return {
        "concerns": SafetyConcern.objects.count(),
        "routine measures": RoutineMeasure.objects.count(),
        "references": SectionReference.objects.count(),
        "additional measures": AdditionalMeasure.objects.count(),
        "studies": Study.objects.count(),
        "milestones": Milestone.objects.count(),
    }


def test_a_new_version_is_a_deep_copy_of_the_published_one(lemtrada, curator):
    before = row_counts()
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")

    assert (draft.status, draft.version, draft.copied_from, draft.last_edited_by) == (
        PlanStatus.DRAFT,
        "2",
        lemtrada,
        curator,
    )
    assert draft.published_at is None
    assert snapshot(draft) == snapshot(lemtrada)
    assert draft.safety_concerns.count() == 23
    assert Milestone.objects.filter(study__plan=draft).count() == 4
    added = {name: row_counts()[name] - count for name, count in before.items()}
    assert added == {
        "concerns": 23,
        "routine measures": 130,
        "references": 207,
        "additional measures": 1,
        "studies": 4,
        "milestones": 4,
    }
    # nothing of the draft points into the published version, and the original is untouched
    assert not SafetyConcern.objects.filter(plan=draft, additional_measures__plan=lemtrada)
    assert not SafetyConcern.objects.filter(plan=draft, studies__plan=lemtrada)
    lemtrada.refresh_from_db()
    assert lemtrada.status == PlanStatus.PUBLISHED


def test_the_copy_is_recorded_with_its_user_and_reason(lemtrada, curator):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="EMA update")
    records = [
        *draft.history.all(),
        *SafetyConcern.history.filter(plan_id=draft.pk),
        *SectionReference.history.filter(routine_measure__safety_concern__plan=draft),
        *Study.history.filter(plan_id=draft.pk),
    ]
    assert len(records) > 200
    assert {(r.history_user, r.history_change_reason) for r in records} == {(curator, "EMA update")}


@pytest.mark.parametrize("label", ["1", " ", ""])
def test_a_new_version_needs_a_new_label(lemtrada, curator, label):
    with pytest.raises(WorkflowError):
        workflow.start_new_version(lemtrada, user=curator, version=label, reason="x")
    assert lemtrada.product.plans.count() == 1


def test_only_the_published_version_can_be_copied(lemtrada, curator):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    with pytest.raises(WorkflowError, match="only start from the published version"):
        workflow.start_new_version(draft, user=curator, version="3", reason="x")


def test_a_reason_is_required_for_every_transition(lemtrada, curator, reviewer):
    with pytest.raises(Exception, match="reason"):
        workflow.start_new_version(lemtrada, user=curator, version="2", reason=" ")
    assert lemtrada.product.plans.count() == 1


def test_suggested_version_labels(lemtrada, curator):
    assert workflow.suggested_version(lemtrada) == "2"
    workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    assert workflow.suggested_version(lemtrada) == "3"
    lemtrada.version = "7.1"
    assert workflow.suggested_version(lemtrada) == "7.2"
    lemtrada.version = "v1a"
    assert workflow.suggested_version(lemtrada) == "v1a.2"


def reclassify(draft, user, name="Autoimmune hepatitis (AIH)"):
    with recorded_change("PRAC confirmed the risk", user):
        concern = draft.safety_concerns.get(name=name)
        concern.category = ConcernCategory.IDENTIFIED
        concern.save()
        workflow.record_edit(draft, user)
    return concern


def test_the_full_lifecycle(lemtrada, curator, reviewer):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    reclassify(draft, curator)
    draft.refresh_from_db()
    assert (draft.revision, draft.last_edited_by) == (1, curator)

    submitted = workflow.submit_for_review(draft, user=curator, reason="Ready")
    assert (submitted.status, submitted.submitted_by) == (PlanStatus.IN_REVIEW, curator)
    assert submitted.submitted_at is not None

    published = workflow.publish(submitted, user=reviewer, reason="Checked against the PDF")
    lemtrada.refresh_from_db()
    assert (published.status, published.published_by) == (PlanStatus.PUBLISHED, reviewer)
    assert (lemtrada.status, lemtrada.superseded_at) == (
        PlanStatus.SUPERSEDED,
        published.published_at,
    )
    assert list(RiskManagementPlan.objects.current().filter(product=lemtrada.product)) == [
        published
    ]
    statuses = [
        (r.status, r.history_user, r.history_change_reason)
        for r in published.history.order_by("history_date", "history_id")
    ]
    assert statuses == [
        (PlanStatus.DRAFT, curator, "New RMP"),
        (PlanStatus.DRAFT, curator, "PRAC confirmed the risk"),  # the edit's new revision
        (PlanStatus.IN_REVIEW, curator, "Ready"),
        (PlanStatus.PUBLISHED, reviewer, "Checked against the PDF"),
    ]
    assert lemtrada.history.latest().history_change_reason == "Checked against the PDF"


def test_a_curator_cannot_publish(lemtrada, curator):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    workflow.submit_for_review(draft, user=curator, reason="x")
    with pytest.raises(WorkflowError, match="permission to publish"):
        workflow.publish(draft, user=curator, reason="x")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_REVIEW


def test_four_eyes_the_last_editor_cannot_publish(lemtrada, curator, reviewer, admin_user):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    reclassify(draft, admin_user)
    workflow.submit_for_review(draft, user=curator, reason="x")
    with pytest.raises(WorkflowError, match="four eyes"):
        workflow.publish(draft, user=admin_user, reason="x")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_REVIEW
    workflow.publish(draft, user=reviewer, reason="Checked")
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == (PlanStatus.PUBLISHED, reviewer)


@pytest.mark.parametrize(
    "transition", [workflow.submit_for_review, workflow.return_to_draft, workflow.publish]
)
def test_transitions_refuse_the_wrong_status(lemtrada, admin_user, transition):
    with pytest.raises(WorkflowError, match="version 1 is published"):
        transition(lemtrada, user=admin_user, reason="x")


def test_without_permissions_nothing_is_allowed(lemtrada, django_user_model, curator):
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    with pytest.raises(WorkflowError, match="permission"):
        workflow.start_new_version(lemtrada, user=nobody, version="2", reason="x")
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    with pytest.raises(WorkflowError, match="permission"):
        workflow.submit_for_review(draft, user=nobody, reason="x")
    workflow.submit_for_review(draft, user=curator, reason="x")
    for transition in (workflow.return_to_draft, workflow.publish):
        with pytest.raises(WorkflowError, match="permission"):
            transition(draft, user=nobody, reason="x")
    assert [
        workflow.can_edit(nobody, draft),
        workflow.can_submit(nobody, draft),
        workflow.can_publish(nobody, draft),
        workflow.can_return_to_draft(nobody, draft),
        workflow.can_start_new_version(nobody, lemtrada),
    ] == [False] * 5


def test_a_curator_can_withdraw_a_submission_and_a_reviewer_can_send_it_back(
    lemtrada, curator, reviewer
):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    for user in (curator, reviewer):
        workflow.submit_for_review(draft, user=curator, reason="x")
        back = workflow.return_to_draft(draft, user=user, reason="Needs another look")
        assert (back.status, back.submitted_at, back.submitted_by) == (
            PlanStatus.DRAFT,
            None,
            None,
        )


def test_unresolved_import_warnings_block_submission(lemtrada, curator):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    warning = ImportWarning.objects.create(plan=draft, subject="Concern", message="Check it")
    with pytest.raises(WorkflowError, match="1 unresolved import warning"):
        workflow.submit_for_review(draft, user=curator, reason="x")
    warning.resolved = True
    warning.save()
    assert workflow.submit_for_review(draft, user=curator, reason="x").status == "in_review"


def test_an_empty_version_cannot_be_submitted(curator):
    from risks.tests.factories import PlanFactory

    draft = PlanFactory(draft=True)
    with pytest.raises(WorkflowError, match="no safety concerns"):
        workflow.submit_for_review(draft, user=curator, reason="x")


def test_a_version_started_from_a_superseded_one_cannot_be_published(lemtrada, curator, reviewer):
    """Publishing it would silently undo the version published in between."""
    second = workflow.start_new_version(lemtrada, user=curator, version="2", reason="x")
    stale = workflow.start_new_version(lemtrada, user=curator, version="3", reason="x")
    workflow.submit_for_review(second, user=curator, reason="x")
    workflow.publish(second, user=reviewer, reason="x")
    workflow.submit_for_review(stale, user=curator, reason="x")
    with pytest.raises(WorkflowError, match="version 2 has been published since"):
        workflow.publish(stale, user=reviewer, reason="x")
    stale.refresh_from_db()
    assert stale.status == PlanStatus.IN_REVIEW
    assert RiskManagementPlan.objects.current().get(product=lemtrada.product) == second


def test_an_imported_draft_can_be_published_over_the_current_version(lemtrada, reviewer):
    from risks.tests.factories import PlanFactory, SafetyConcernFactory

    imported = PlanFactory(product=lemtrada.product, version="9", draft=True)
    SafetyConcernFactory(plan=imported)
    workflow.submit_for_review(imported, user=reviewer_as_curator(reviewer), reason="x")
    workflow.publish(imported, user=reviewer, reason="x")
    lemtrada.refresh_from_db()
    assert lemtrada.status == PlanStatus.SUPERSEDED


def reviewer_as_curator(reviewer):
    """A second account of the same kind, so the reviewer stays a different person."""
    from django.contrib.auth.models import User

    from conftest import curators_group

    user = User.objects.create_user("second-curator", is_staff=True)
    user.groups.add(curators_group())
    return user


# Four eyes over the whole history of a version


@pytest.fixture
def both(django_user_model):
    """A user in both groups: curator and reviewer."""
    from conftest import curators_group, reviewers_group

    user = django_user_model.objects.create_user("both", is_staff=True)
    user.groups.add(curators_group(), reviewers_group())
    return user


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_four_eyes_covers_every_edit_not_only_the_last(lemtrada, both, curator, reviewer):
    """The attack: write a concern, have someone else add a dot, then publish your own text."""
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    with recorded_change("Rewrote the evidence", both):
        concern = draft.safety_concerns.get(name="Autoimmune hepatitis (AIH)")
        concern.evidence = "Text written by the user in both groups"
        concern.save()
        workflow.record_edit(draft, both)
    workflow.submit_for_review(draft, user=both, reason="Ready")
    workflow.return_to_draft(draft, user=reviewer, reason="Look again")
    with recorded_change("Punctuation", curator):
        concern.evidence += "."
        concern.save()
        workflow.record_edit(draft, curator)
    workflow.submit_for_review(draft, user=curator, reason="Ready again")
    draft.refresh_from_db()
    assert (draft.last_edited_by, draft.submitted_by) == (curator, curator)

    with pytest.raises(WorkflowError, match=r"You changed version 2 .*\(four eyes\)"):
        workflow.publish(draft, user=fresh(both), reason="Approved")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_REVIEW
    assert workflow.four_eyes_refusal(both, draft).startswith("You changed version 2")
    # the reviewer who sent it back changed nothing in it and may publish
    assert workflow.four_eyes_refusal(reviewer, draft) is None
    workflow.publish(draft, user=reviewer, reason="Checked against the PDF")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED


def test_who_created_or_copied_the_draft_cannot_publish_it(lemtrada, both, curator):
    draft = workflow.start_new_version(lemtrada, user=both, version="2", reason="New RMP")
    workflow.submit_for_review(draft, user=curator, reason="Ready")
    with pytest.raises(WorkflowError, match="You changed version 2"):
        workflow.publish(draft, user=fresh(both), reason="Approved")
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == PlanStatus.IN_REVIEW


def test_the_submitter_cannot_publish(lemtrada, both, curator):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    workflow.submit_for_review(draft, user=both, reason="Ready")
    with pytest.raises(WorkflowError, match="You submitted version 2 for review"):
        workflow.publish(draft, user=fresh(both), reason="Approved")
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == PlanStatus.IN_REVIEW


EDITS = {
    "concern deleted": lambda draft: draft.safety_concerns.first().delete(),
    "routine measure": lambda draft: _touch(
        RoutineMeasure.objects.filter(safety_concern__plan=draft).first(), "text"
    ),
    "section reference": lambda draft: (
        SectionReference.objects.filter(routine_measure__safety_concern__plan=draft)
        .first()
        .delete()
    ),
    "additional measure": lambda draft: _touch(draft.additional_measures.first(), "description"),
    "study's concerns": lambda draft: draft.studies.first().safety_concerns.clear(),
    "milestone": lambda draft: _touch(
        Milestone.objects.filter(study__plan=draft).first(), "description"
    ),
    "version note": lambda draft: _touch(draft, "note"),
    "import warning": lambda draft: ImportWarning.objects.create(
        plan=draft, subject="Plan", message="No date.", resolved=True
    ),
}


def _touch(obj, field):
    setattr(obj, field, getattr(obj, field) + " (checked)")
    obj.save()


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_to_any_part_bars_its_editor_from_publishing(
    lemtrada, both, curator, reviewer, edit
):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    with recorded_change("A small change", both):
        EDITS[edit](draft)
    workflow.submit_for_review(draft, user=curator, reason="Ready")
    assert workflow.four_eyes_refusal(both, draft).startswith("You changed version 2")
    assert workflow.four_eyes_refusal(reviewer, draft) is None
    with pytest.raises(WorkflowError, match="four eyes"):
        workflow.publish(draft, user=fresh(both), reason="Approved")


def test_editors_reads_a_fixed_number_of_queries(
    lemtrada, curator, both, django_assert_num_queries
):
    from risks import history

    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    with recorded_change("Milestone", both):
        _touch(Milestone.objects.filter(study__plan=draft).first(), "description")
    levels = len(history.part_levels())
    assert {level.model for level in history.part_levels()} == {
        SafetyConcern,
        RoutineMeasure,
        SectionReference,
        AdditionalMeasure,
        Study,
        Milestone,
        ImportWarning,
    }
    with django_assert_num_queries(1 + levels):
        assert set(history.editors(draft)) == {curator.pk, both.pk}


# The revision a step acts on


def test_record_edit_is_recorded_with_its_user_and_reason(lemtrada, curator, monkeypatch):
    from contextvars import ContextVar

    from audit import context

    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    with monkeypatch.context() as patch:  # no recorded change at all
        patch.setattr(context, "_current", ContextVar("no_change", default=None))
        with pytest.raises(context.MissingChangeReason):
            workflow.record_edit(draft, curator)
    assert RiskManagementPlan.objects.get(pk=draft.pk).revision == 0
    with recorded_change("Reworded a concern", curator):
        workflow.record_edit(draft, curator)
    row = draft.history.order_by("-history_id").first()
    assert (row.revision, row.last_edited_by_id, row.history_user, row.history_change_reason) == (
        1,
        curator.pk,
        curator,
        "Reworded a concern",
    )
    assert draft.revision == 1


STEPS = {
    "submit": (PlanStatus.DRAFT, workflow.submit_for_review),
    "return": (PlanStatus.IN_REVIEW, workflow.return_to_draft),
    "publish": (PlanStatus.IN_REVIEW, workflow.publish),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_on_a_revision_nobody_saw_is_refused(lemtrada, curator, reviewer, step):
    status, perform = STEPS[step]
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    if status == PlanStatus.IN_REVIEW:
        workflow.submit_for_review(draft, user=curator, reason="Ready")
    seen = draft.revision
    stale = RiskManagementPlan.objects.get(pk=draft.pk)
    reclassify_while(draft, status, curator, reviewer)
    history_rows = draft.history.count()
    user = reviewer if step != "submit" else curator

    with pytest.raises(workflow.StaleRevision, match=f"you saw revision {seen}"):
        perform(draft, user=user, reason="x", revision=seen)
    with pytest.raises(workflow.StaleRevision):
        perform(stale, user=user, reason="x")  # the object as it was loaded

    draft.refresh_from_db()
    assert (draft.status, draft.history.count()) == (status, history_rows)
    perform(draft, user=user, reason="x", revision=draft.revision)
    draft.refresh_from_db()
    assert draft.status != status


def reclassify_while(draft, status, curator, reviewer):
    """Change the version and bring it back to ``status``, as a colleague meanwhile."""
    if status == PlanStatus.IN_REVIEW:
        workflow.return_to_draft(draft, user=reviewer, reason="Look again")
    reclassify(draft, curator)
    if status == PlanStatus.IN_REVIEW:
        workflow.submit_for_review(draft, user=curator, reason="Ready again")


def test_every_step_moves_the_revision(lemtrada, curator, reviewer):
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    revisions = [draft.revision]
    workflow.submit_for_review(draft, user=curator, reason="Ready")
    revisions.append(draft.revision)
    workflow.return_to_draft(draft, user=reviewer, reason="Look again")
    revisions.append(draft.revision)
    workflow.submit_for_review(draft, user=curator, reason="Ready")
    revisions.append(draft.revision)
    workflow.publish(draft, user=reviewer, reason="Checked")
    revisions.append(RiskManagementPlan.objects.get(pk=draft.pk).revision)
    assert revisions == [0, 1, 2, 3, 4]
    lemtrada.refresh_from_db()
    assert lemtrada.revision == 1  # superseded: a recorded change of its own

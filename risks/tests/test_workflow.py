"""The plan lifecycle services: who may do what, and what each transition writes."""

import pytest
from django.contrib.auth.models import Permission

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
    both = curator
    both.user_permissions.add(Permission.objects.get(codename="publish_riskmanagementplan"))
    draft = workflow.start_new_version(lemtrada, user=both, version="2", reason="x")
    workflow.submit_for_review(draft, user=both, reason="x")
    with pytest.raises(WorkflowError, match="four eyes"):
        workflow.publish(draft, user=type(both).objects.get(pk=both.pk), reason="x")

    workflow.return_to_draft(draft, user=reviewer, reason="Typo in concern 3")
    reclassify(draft, admin_user)
    workflow.submit_for_review(draft, user=admin_user, reason="x")
    with pytest.raises(WorkflowError, match="four eyes"):
        workflow.publish(draft, user=admin_user, reason="x")
    # the curator no longer made the last change, so with the permission they may publish
    workflow.publish(draft, user=type(both).objects.get(pk=both.pk), reason="Checked")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED


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

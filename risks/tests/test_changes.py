import datetime

import pytest

from risks.changes import Shift, compare, word_diff
from risks.models import (
    AdditionalMeasure,
    AdditionalMeasureKind,
    ConcernCategory,
    PlanStatus,
    RoutineMeasure,
    RoutineMeasureKind,
    SafetyConcern,
    SectionReference,
    Study,
    StudyStatus,
)

from .factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
    next_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    """A small published plan: two concerns, a routine measure, a patient card, a study."""
    plan = PlanFactory(version="1")
    reactions = SafetyConcernFactory(
        plan=plan,
        name="Infusion reactions",
        category=ConcernCategory.POTENTIAL,
        evidence="Seen in clinical trials.",
        risk_factors="Fast infusion.",
    )
    hepatitis = SafetyConcernFactory(plan=plan, name="Autoimmune hepatitis (AIH)")
    measure = RoutineMeasureFactory(
        safety_concern=reactions, text="Labelled in SmPC section 4.4 and PL section 2."
    )
    SectionReferenceFactory(routine_measure=measure, document="smpc", section="4.4")
    SectionReferenceFactory(routine_measure=measure, document="pl", section="2")
    card = AdditionalMeasureFactory(plan=plan, name="Patient alert card")
    card.safety_concerns.set([reactions])
    study = StudyFactory(plan=plan, code="OBS13434", status=StudyStatus.ONGOING)
    study.safety_concerns.set([reactions, hepatitis])
    MilestoneFactory(study=study, description="Final report", due="Q3 2024")
    MilestoneFactory(study=study, description="Interim report", due="2022")
    return plan


def concern(plan, name):
    return plan.safety_concerns.get(name=name)


def test_a_copy_without_edits_has_no_changes(plan):
    second = next_version(plan)
    comparison = compare(plan, second)
    assert comparison.is_empty
    assert comparison.summary == []
    assert comparison.concern_changes == comparison.study_changes == []
    assert (plan.version, second.version, second.status) == ("1", "2", PlanStatus.PUBLISHED)


def test_rename_and_reclassification_follow_the_lineage(plan):
    def edit(draft):
        reactions = concern(draft, "Infusion reactions")
        reactions.name = "Infusion-associated reactions"
        reactions.category = ConcernCategory.IDENTIFIED
        reactions.position = 99  # moved to the end: not a change
        reactions.save()

    comparison = compare(plan, next_version(plan, edit=edit))
    assert comparison.concerns_added == comparison.concerns_removed == []
    (change,) = comparison.concern_changes
    assert change.matched_by == "lineage"
    assert change.name == Shift("Infusion reactions", "Infusion-associated reactions")
    assert change.category == Shift("important potential risk", "important identified risk")
    assert comparison.renamed == comparison.reclassified == [change]
    assert not change.has_measure_changes and change.text_changes == []
    # still linked to the same measure and study: a renamed concern is not "unlinked"
    assert comparison.additional_measure_changes == comparison.study_changes == []
    assert comparison.summary == ["1 safety concern reclassified, 1 renamed"]


def test_versions_without_lineage_match_concerns_by_normalised_name():
    """An imported version has fresh lineages: spelling variants are the same concern."""
    old = PlanFactory(version="1", status=PlanStatus.SUPERSEDED)
    new = PlanFactory(product=old.product, version="2")
    SafetyConcernFactory(plan=old, name="Tumour lysis syndrome (TLS)")
    SafetyConcernFactory(plan=old, name="Hepatotoxicity", category=ConcernCategory.POTENTIAL)
    SafetyConcernFactory(plan=new, name="Tumor lysis syndrome")
    SafetyConcernFactory(plan=new, name="Liver injury", category=ConcernCategory.MISSING)

    comparison = compare(old, new)
    (change,) = comparison.concern_changes
    assert change.matched_by == "name"
    assert change.name == Shift("Tumour lysis syndrome (TLS)", "Tumor lysis syndrome")
    assert [c.name for c in comparison.concerns_removed] == ["Hepatotoxicity"]
    assert [c.name for c in comparison.concerns_added] == ["Liver injury"]
    assert comparison.counts["safety concerns"] == {
        "added": 1,
        "removed": 1,
        "reclassified": 0,
        "renamed": 1,
        "with revised text": 0,
    }


def test_lineage_wins_over_a_name_another_concern_takes(plan):
    """Renaming A to B's old name while B is renamed: each follows its own lineage."""

    def edit(draft):
        hepatitis = concern(draft, "Autoimmune hepatitis (AIH)")
        hepatitis.name = "Hepatitis, autoimmune"
        hepatitis.save()
        reactions = concern(draft, "Infusion reactions")
        reactions.name = "Autoimmune hepatitis"
        reactions.save()

    comparison = compare(plan, next_version(plan, edit=edit))
    assert {(c.name.old, c.name.new) for c in comparison.renamed} == {
        ("Autoimmune hepatitis (AIH)", "Hepatitis, autoimmune"),
        ("Infusion reactions", "Autoimmune hepatitis"),
    }
    assert comparison.concerns_added == comparison.concerns_removed == []


def test_added_and_removed_concerns_say_their_category(plan):
    def edit(draft):
        concern(draft, "Autoimmune hepatitis (AIH)").delete()
        SafetyConcern.objects.create(
            plan=draft, name="Use in pregnancy", category=ConcernCategory.MISSING, position=5
        )

    comparison = compare(plan, next_version(plan, edit=edit))
    assert [(c.name, c.category) for c in comparison.concerns_added] == [
        ("Use in pregnancy", ConcernCategory.MISSING)
    ]
    assert [c.name for c in comparison.concerns_removed] == ["Autoimmune hepatitis (AIH)"]
    # the study no longer lists the removed concern: its removal says so, no "unlinked" line
    assert comparison.study_changes == []
    assert comparison.summary == ["1 safety concern added, 1 removed"]


def test_revised_texts_keep_old_and_new_and_ignore_spacing(plan):
    def edit(draft):
        reactions = concern(draft, "Infusion reactions")
        reactions.evidence = "Seen in clinical trials and in post-marketing reports."
        reactions.risk_factors = "Fast\n   infusion. "  # spacing only
        reactions.footnotes = "Temporally associated with the infusion."
        reactions.save()

    comparison = compare(plan, next_version(plan, edit=edit))
    (change,) = comparison.revised
    assert [str(text) for text in change.text_changes] == ["evidence revised", "footnote added"]
    evidence, footnote = change.text_changes
    assert evidence.label == "Evidence for linking the risk to the medicine"
    assert (evidence.old, evidence.new) == (
        "Seen in clinical trials.",
        "Seen in clinical trials and in post-marketing reports.",
    )
    assert evidence.diff == (
        [("Seen in clinical ", False), ("trials.", True)],
        [("Seen in clinical ", False), ("trials and in post-marketing reports.", True)],
    )
    assert (footnote.old, footnote.action) == ("", "added")
    assert comparison.summary == ["1 safety concern with revised text"]


def test_word_diff_marks_changed_words_not_spacing():
    old, new = word_diff(
        "Labeled in sections 4.2\nand 4.4 of SmPC.", "Labelled in sections 4.2 and 4.4 of the SmPC."
    )
    assert old == [("Labeled", True), (" in sections 4.2\nand 4.4 of SmPC.", False)]
    assert new == [
        ("Labelled", True),
        (" in sections 4.2 and 4.4 of ", False),
        ("the", True),
        (" SmPC.", False),
    ]
    assert word_diff("", "New text.") == ([], [("New text.", True)])


def test_routine_measures_added_removed_revised_and_recited(plan):
    reactions = concern(plan, "Infusion reactions")
    RoutineMeasureFactory(
        safety_concern=reactions,
        kind=RoutineMeasureKind.LEGAL_STATUS,
        text="Restricted medical prescription.",
    )
    RoutineMeasureFactory(
        safety_concern=reactions,
        kind=RoutineMeasureKind.CLINICAL_SETTING,
        text="Hospital use only.",
    )
    RoutineMeasureFactory(safety_concern=reactions, text="Instructions in PL section 4.")

    def edit(draft):
        measures = RoutineMeasure.objects.filter(safety_concern__plan=draft)
        labelled = measures.get(text__startswith="Labelled")
        labelled.section_references.get(document="pl").delete()
        SectionReference.objects.create(routine_measure=labelled, document="smpc", section="4.8")
        legal = measures.get(kind=RoutineMeasureKind.LEGAL_STATUS)
        legal.text = "restricted medical prescription"  # case and full stop: the same measure
        legal.save()
        setting = measures.get(kind=RoutineMeasureKind.CLINICAL_SETTING)
        setting.text = "Hospital use only, with resuscitation facilities at hand."  # similar
        setting.save()
        instructions = measures.get(text="Instructions in PL section 4.")
        instructions.kind = RoutineMeasureKind.OTHER  # another kind: removed and added
        instructions.save()
        RoutineMeasure.objects.create(
            safety_concern=instructions.safety_concern,
            text="Pack size limited to one vial.",
            kind=RoutineMeasureKind.PACK_SIZE,
            position=9,
        )

    comparison = compare(plan, next_version(plan, edit=edit))
    (change,) = comparison.routine_measure_changes
    assert change.new.name == "Infusion reactions"
    assert [(m.kind, m.text) for m in change.measures_added] == [
        (RoutineMeasureKind.OTHER, "Instructions in PL section 4."),
        (RoutineMeasureKind.PACK_SIZE, "Pack size limited to one vial."),
    ]
    assert [(m.kind, m.text) for m in change.measures_removed] == [
        (RoutineMeasureKind.LABELLING, "Instructions in PL section 4.")
    ]
    (revised,) = change.measures_revised
    assert (revised.old.text, revised.new.text) == (
        "Hospital use only.",
        "Hospital use only, with resuscitation facilities at hand.",
    )
    assert [str(text) for text in revised.text_changes] == ["text revised"]
    (recited,) = change.references_changed
    assert (recited.cites_added, recited.cites_removed) == (["SmPC 4.8"], ["PL 2"])
    assert comparison.counts["routine measures"] == {
        "added": 2,
        "removed": 1,
        "revised": 1,
        "citing other sections": 1,
    }
    assert comparison.revised == []  # the concern's own texts did not change


def test_unrelated_wording_of_the_same_kind_reads_as_removed_and_added(plan):
    def edit(draft):
        measure = RoutineMeasure.objects.get(safety_concern__plan=draft)
        measure.text = "Premedication with corticosteroids is described in SmPC section 4.2."
        measure.save()

    (change,) = compare(plan, next_version(plan, edit=edit)).routine_measure_changes
    assert change.measure_changes == []
    assert [m.text for m in change.measures_removed] == [
        "Labelled in SmPC section 4.4 and PL section 2."
    ]
    assert [m.text for m in change.measures_added] == [
        "Premedication with corticosteroids is described in SmPC section 4.2."
    ]


def test_additional_measures_added_removed_and_relinked(plan):
    def edit(draft):
        hepatitis = concern(draft, "Autoimmune hepatitis (AIH)")
        card = draft.additional_measures.get(name="Patient alert card")
        card.name = "Patient card"
        card.save()
        card.safety_concerns.set([hepatitis])
        guide = AdditionalMeasure.objects.create(
            plan=draft,
            kind=AdditionalMeasureKind.EDUCATIONAL_MATERIAL,
            name="HCP guide",
            description="Explains the infusion schedule.",
        )
        guide.safety_concerns.set([concern(draft, "Infusion reactions")])

    second = next_version(plan, edit=edit)
    comparison = compare(plan, second)
    assert [
        (m.name, [c.name for c in m.addressed_concerns])
        for m in comparison.additional_measures_added
    ] == [("HCP guide", ["Infusion reactions"])]
    assert comparison.additional_measures_removed == []
    (change,) = comparison.additional_measure_changes
    assert change.matched_by == "lineage"
    assert change.name == Shift("Patient alert card", "Patient card")
    assert [c.name for c in change.links.linked] == ["Autoimmune hepatitis (AIH)"]
    assert [c.name for c in change.links.unlinked] == ["Infusion reactions"]
    assert change.links.linked[0].plan_id == second.pk  # a concern of the new version
    assert change.links.unlinked[0].plan_id == plan.pk  # a concern of the old version
    assert comparison.summary == ["1 additional measure added, 1 changed"]


def test_additional_measures_without_lineage_match_by_name():
    old = PlanFactory(version="1", status=PlanStatus.SUPERSEDED)
    new = PlanFactory(product=old.product, version="2")
    AdditionalMeasureFactory(plan=old, name="Patient Alert Card", description="Carry it.")
    AdditionalMeasureFactory(plan=old, name="Controlled distribution")
    AdditionalMeasureFactory(plan=new, name="patient alert card", description="Carry it always.")
    comparison = compare(old, new)
    (change,) = comparison.additional_measure_changes
    assert change.matched_by == "name"
    assert change.name == Shift("Patient Alert Card", "patient alert card")
    assert str(change.description) == "description revised"
    assert [m.name for m in comparison.additional_measures_removed] == ["Controlled distribution"]


def test_studies_completed_terminated_recategorised_and_relinked(plan):
    other = StudyFactory(plan=plan, code="EFC13429", status=StudyStatus.ONGOING, category=3)
    StudyFactory(plan=plan, code="DUS-1", title="A drug utilisation study")

    def edit(draft):
        draft.studies.filter(code="OBS13434").update(status=StudyStatus.COMPLETED)
        efc = draft.studies.get(code="EFC13429")
        efc.status = StudyStatus.TERMINATED
        efc.category = 1
        efc.save()
        efc.safety_concerns.set([concern(draft, "Infusion reactions")])
        draft.studies.get(code="DUS-1").delete()
        Study.objects.create(plan=draft, code="REG-7", title="A pregnancy registry", category=3)

    comparison = compare(plan, next_version(plan, edit=edit))
    assert [change.new.code for change in comparison.studies_completed] == ["OBS13434"]
    assert comparison.studies_completed[0].status == Shift("ongoing", "completed")
    (terminated,) = comparison.study_status_changes
    assert (terminated.old.pk, terminated.status) == (other.pk, Shift("ongoing", "terminated"))
    assert comparison.study_category_changes == [terminated]
    assert terminated.category == Shift("category 3", "category 1")
    assert [c.name for c in terminated.links.linked] == ["Infusion reactions"]
    assert [study.code for study in comparison.studies_added] == ["REG-7"]
    assert [study.code for study in comparison.studies_removed] == ["DUS-1"]
    assert comparison.counts["studies"] == {
        "added": 1,
        "removed": 1,
        "completed": 1,
        "with another status": 1,
        "recategorised": 1,
        "otherwise changed": 1,
    }


def test_milestones_moved_added_removed_and_reported(plan):
    def edit(draft):
        study = draft.studies.get()
        final = study.milestones.get(description="Final report")
        final.set_due("Q2 2025")
        final.save()
        interim = study.milestones.get(description="Interim report")
        interim.reported_on = datetime.date(2022, 11, 30)
        interim.save()
        MilestoneFactory(study=study, description="Protocol submission", due="2021")

    comparison = compare(plan, next_version(plan, edit=edit))
    added, reported, moved = comparison.milestone_changes  # in order of due date
    assert (moved.description, moved.due, moved.direction) == (
        "Final report",
        Shift("Q3 2024", "Q2 2025"),
        "later",
    )
    assert moved.moved and not moved.reported
    assert reported.reported and reported.report == Shift(None, datetime.date(2022, 11, 30))
    assert added.added and added.new.due == "2021"
    assert comparison.summary == ["1 milestone moved, 1 added, 1 reported"]

    backwards = compare(next_version_of(plan), plan)
    assert [m.description for m in backwards.milestone_changes if m.removed] == [
        "Protocol submission"
    ]
    assert [m.direction for m in backwards.milestone_changes if m.moved] == ["earlier"]


def next_version_of(plan):
    """The version published after ``plan``."""
    return plan.product.plans.get(status=PlanStatus.PUBLISHED)


def test_studies_without_lineage_match_by_code_then_short_name_then_title():
    old = PlanFactory(version="1", status=PlanStatus.SUPERSEDED)
    new = PlanFactory(product=old.product, version="2")
    StudyFactory(plan=old, code="obs13434", title="Old title", status=StudyStatus.ONGOING)
    StudyFactory(plan=old, code="", short_name="Mortality study", title="Risk of mortality")
    StudyFactory(plan=old, code="", short_name="", title="A registry of pregnancies")
    StudyFactory(plan=new, code="OBS13434", title="New title", status=StudyStatus.COMPLETED)
    StudyFactory(plan=new, code="", short_name="mortality study", title="Mortality risk")
    StudyFactory(plan=new, code="", short_name="", title="A registry of pregnancies")
    comparison = compare(old, new)
    assert [(c.matched_by, c.new.name) for c in comparison.study_changes] == [
        ("code", "OBS13434"),
        ("short name", "mortality study"),
    ]
    coded, named = comparison.study_changes
    assert coded.completed and [str(t) for t in coded.text_changes] == ["title revised"]
    assert named.name == Shift("Mortality study", "mortality study")
    assert comparison.studies_added == comparison.studies_removed == []


def test_reversed_order_reads_the_changes_backwards(plan):
    def edit(draft):
        reactions = concern(draft, "Infusion reactions")
        reactions.category = ConcernCategory.IDENTIFIED
        reactions.save()
        concern(draft, "Autoimmune hepatitis (AIH)").delete()
        draft.studies.update(status=StudyStatus.COMPLETED)

    second = next_version(plan, edit=edit)
    forwards, backwards = compare(plan, second), compare(second, plan)
    assert [c.name for c in forwards.concerns_removed] == ["Autoimmune hepatitis (AIH)"]
    assert [c.name for c in backwards.concerns_added] == ["Autoimmune hepatitis (AIH)"]
    assert backwards.reclassified[0].category == Shift(
        "important identified risk", "important potential risk"
    )
    assert backwards.studies_completed == []
    assert backwards.study_status_changes[0].status == Shift("completed", "ongoing")
    assert (backwards.old_plan.version, backwards.new_plan.version) == ("2", "1")


def test_versions_of_different_products_are_refused(plan):
    with pytest.raises(ValueError, match="Only versions of one product can be compared"):
        compare(plan, PlanFactory())


def build_plan(size):
    plan = PlanFactory(version="1")
    for _ in range(size):
        reference = SectionReferenceFactory(routine_measure__safety_concern__plan=plan)
        concern = reference.routine_measure.safety_concern
        AdditionalMeasureFactory(plan=plan).safety_concerns.add(concern)
        study = StudyFactory(plan=plan)
        study.safety_concerns.add(concern)
        MilestoneFactory(study=study)
    return plan


@pytest.mark.parametrize("size", [1, 20])
def test_comparing_takes_a_fixed_number_of_queries(django_assert_num_queries, size):
    plan = build_plan(size)

    def edit(draft):
        for study in draft.studies.all():
            study.status = StudyStatus.COMPLETED
            study.save()

    second = next_version(plan, edit=edit)
    # both plans; concerns; routine measures; references; additional measures and their
    # concerns; studies, their milestones and their concerns
    with django_assert_num_queries(9):
        comparison = compare(plan, second)
        assert len(comparison.studies_completed) == size
        assert comparison.summary == [f"{size} {'study' if size == 1 else 'studies'} completed"]

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import Milestone, RiskManagementPlan, SafetyConcern, SectionReference, Study
from risks.partial_dates import DatePrecision
from risks.tests.factories import (
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db


def test_concern_names_are_unique_per_plan_ignoring_case():
    concern = SafetyConcernFactory(name="Serious infections")
    duplicate = SafetyConcern(plan=concern.plan, category="potential", name="serious INFECTIONS")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.messages == ["This plan already has a safety concern with this name."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    SafetyConcernFactory(name="Serious infections")  # another plan may use the name


def test_concern_category_must_be_one_of_the_three():
    concern = SafetyConcernFactory.build(plan=PlanFactory(), category="suspected")
    with pytest.raises(ValidationError) as error:
        concern.full_clean()
    assert "category" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        concern.save()


def test_missing_information_has_no_evidence_for_linking():
    concern = SafetyConcernFactory.build(
        plan=PlanFactory(), category="missing", evidence="Clinical trials."
    )
    with pytest.raises(ValidationError) as error:
        concern.full_clean()
    assert error.value.message_dict["evidence"] == [
        "Missing information has no evidence for linking: leave it empty."
    ]


def test_section_references_must_be_well_formed():
    measure = RoutineMeasureFactory()
    bad = SectionReference(routine_measure=measure, document="smpc", section="four")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert error.value.message_dict["section"] == [
        "“four” is not a section of the Summary of product characteristics: "
        "use a number such as 4 or 4.4."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()
    SectionReference.objects.create(routine_measure=measure, document="annex2", section="D")


def test_only_one_version_of_a_plan_is_published():
    plan = PlanFactory()
    second = PlanFactory.build(product=plan.product, version="2.0", status="published")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "Only one version of a product's plan can be published." in error.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    PlanFactory(product=plan.product, version="3.0", draft=True)
    assert list(RiskManagementPlan.objects.current()) == [plan]


def test_version_labels_are_unique_per_product():
    plan = PlanFactory(version="5.0")
    with pytest.raises(ValidationError) as error:
        RiskManagementPlan(product=plan.product, version="5.0").full_clean()
    assert "This product already has a plan with this version label." in error.value.messages


def test_study_codes_are_unique_per_plan_but_may_be_empty():
    study = StudyFactory(code="OBS13434")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyFactory(plan=study.plan, code="OBS13434")
    StudyFactory(plan=study.plan, code="")
    StudyFactory(plan=study.plan, code="")


def test_study_category_is_1_2_or_3():
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyFactory(category=4)


def test_milestone_clean_normalises_the_due_date_and_explains_bad_input():
    milestone = Milestone(study=StudyFactory(), description="Final report", due=" Q3  2024 ")
    milestone.full_clean()
    assert (milestone.due, milestone.due_date, milestone.precision) == (
        "Q3 2024",
        datetime.date(2024, 9, 30),
        DatePrecision.QUARTER,
    )
    milestone.due = "31/02/2024"
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert error.value.message_dict["due"] == ["“31/02/2024” is not a real date."]


def test_milestone_date_and_precision_must_agree_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(
            study=StudyFactory(), description="x", due="2031", precision="year", due_date=None
        )


def test_milestones_sort_by_normalised_date_with_event_dates_last():
    study = StudyFactory()
    for due in ["2031", "within 6 months of LPLV", "Q3 2024", "March 2024", "H2 2024"]:
        MilestoneFactory(study=study, due=due)
    assert [m.due for m in Milestone.objects.all()] == [
        "March 2024",
        "Q3 2024",
        "H2 2024",
        "2031",
        "within 6 months of LPLV",
    ]


def test_overdue_means_due_before_today_and_not_reported():
    today = datetime.date(2026, 11, 21)
    late = MilestoneFactory(due="Q3 2024")
    MilestoneFactory(due="Q3 2024", reported_on=datetime.date(2024, 9, 1))
    MilestoneFactory(due="2031")
    MilestoneFactory(due="within 6 months of LPLV")
    due_today = MilestoneFactory(due="2026-11-21")

    assert list(Milestone.objects.overdue(today)) == [late]
    assert late.is_overdue(today) and not due_today.is_overdue(today)
    assert list(Study.objects.overdue(today)) == [late.study]

"""A product's first version read as a comparison: everything in it added."""

import pytest

from risks.changes import first_version
from risks.models import ConcernCategory
from risks.tests.factories import (
    AdditionalMeasureFactory,
    PlanFactory,
    SafetyConcernFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db


def test_everything_in_a_first_version_is_added(django_assert_num_queries):
    plan = PlanFactory(draft=True, version="1")
    nausea = SafetyConcernFactory(plan=plan, name="Nausea", position=2)
    rash = SafetyConcernFactory(
        plan=plan, name="Rash", category=ConcernCategory.POTENTIAL, position=1
    )
    measure = AdditionalMeasureFactory(plan=plan, name="Patient card")
    measure.safety_concerns.add(nausea, rash)
    StudyFactory(plan=plan)

    with django_assert_num_queries(8):
        comparison = first_version(plan)

    assert comparison.old_plan is None
    assert comparison.new_plan == plan
    assert [concern.name for concern in comparison.concerns_added] == ["Rash", "Nausea"]
    assert [item.name for item in comparison.additional_measures_added] == ["Patient card"]
    added = comparison.additional_measures_added[0]
    assert [concern.name for concern in added.addressed_concerns] == ["Rash", "Nausea"]
    assert len(comparison.studies_added) == 1
    assert comparison.summary == [
        "2 safety concerns added",
        "1 additional measure added",
        "1 study added",
    ]
    assert not comparison.is_empty

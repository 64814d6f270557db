"""The data version moves once per recorded change, and again whenever a reader could tell.

audit.context moves it for the first historical row of a ``recorded_change`` block and
skips later rows of the same block while that move is pending in the same transaction and
nobody has read the version since. rmpsite/tests/test_page_cache.py checks what readers see
(pages change after every change); these check the counting itself.
"""

import pytest
from django.db import transaction

from audit.context import recorded_change
from audit.models import DataVersion
from products.models import Substance
from risks import workflow
from risks.models import PlanStatus
from risks.tests.factories import PlanFactory, SafetyConcernFactory, workflow_user

pytestmark = pytest.mark.django_db


def counter():
    return DataVersion.current().counter


def add_substances(*names):
    for name in names:
        Substance.objects.create(name=name)


def test_a_change_of_many_rows_moves_the_version_once():
    before = counter()
    with recorded_change("Three substances"):
        add_substances("alemtuzumab", "clofarabine", "inotuzumab ozogamicin")
    assert Substance.history.count() == 3
    assert counter() == before + 1


def test_every_change_moves_the_version():
    before = counter()
    with recorded_change("One substance"):
        add_substances("alemtuzumab")
    with recorded_change("Another substance"):
        add_substances("clofarabine")
    assert counter() == before + 2


def test_a_read_between_two_rows_of_a_change_moves_it_again():
    """A page cached under the first number must not be served after the second row."""
    with recorded_change("Two substances, read in between"):
        add_substances("alemtuzumab")
        seen = counter()
        add_substances("clofarabine")
    assert counter() == seen + 1


def test_a_move_rolled_back_with_its_savepoint_is_made_again():
    before = counter()
    with recorded_change("Two attempts"):
        with pytest.raises(RuntimeError), transaction.atomic():
            add_substances("alemtuzumab")
            raise RuntimeError("the first attempt failed")
        add_substances("clofarabine")
    assert list(Substance.objects.values_list("name", flat=True)) == ["clofarabine"]
    assert counter() == before + 1


@pytest.mark.django_db(transaction=True)
def test_each_transaction_of_a_change_moves_the_version():
    """Without a transaction around it, each row is committed on its own, and moves it."""
    before = counter()
    with recorded_change("Two substances, two transactions"):
        add_substances("alemtuzumab", "clofarabine")
    assert counter() == before + 2
    with recorded_change("Two substances, one transaction"), transaction.atomic():
        add_substances("inotuzumab ozogamicin", "ivosidenib")
    assert counter() == before + 3


# The public counter: moved by rows the public can see, never by drafts


def public_counter():
    return DataVersion.current().public_counter


def test_a_draft_moves_the_counter_but_not_the_public_counter():
    plan = PlanFactory(draft=True)
    before, public_before = counter(), public_counter()
    with recorded_change("Draft work"):
        plan.note = "Checked against the EPAR"
        plan.save()
        SafetyConcernFactory(plan=plan)
    assert counter() == before + 1
    assert public_counter() == public_before
    assert plan.status == PlanStatus.DRAFT


def test_a_public_row_moves_both_counters_once_per_change():
    before, public_before = counter(), public_counter()
    with recorded_change("Three substances"):
        add_substances("alemtuzumab", "clofarabine", "inotuzumab ozogamicin")
    assert (counter(), public_counter()) == (before + 1, public_before + 1)


def test_a_change_that_turns_public_halfway_moves_the_public_counter():
    """Draft rows first (no public move), then a public one: the pending move is not enough."""
    plan = PlanFactory(draft=True)
    public_before = public_counter()
    with recorded_change("A draft edit, then a substance"):
        plan.note = "Draft note"
        plan.save()
        add_substances("alemtuzumab")
    assert public_counter() == public_before + 1


def test_publishing_moves_the_public_counter():
    plan = PlanFactory(draft=True)
    SafetyConcernFactory(plan=plan)
    author = workflow_user("author", "risks.change_riskmanagementplan")
    reviewer = workflow_user("reviewer", "risks.publish_riskmanagementplan")
    public_before = public_counter()
    workflow.submit_for_review(plan, user=author, reason="Ready")
    assert public_counter() == public_before
    workflow.publish(plan, user=reviewer, reason="Checked")
    assert public_counter() == public_before + 1
    assert DataVersion.current().public_changed_at >= plan.published_at

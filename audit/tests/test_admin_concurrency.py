"""Two people edit the same thing: the second save is refused and nothing of it is written."""

import pytest
from django.test import Client
from django.utils.html import escape

from audit.admin import TOKEN_MISSING
from audit.tests.test_admin_reason import change_url, delete_url, form_data, history_rows
from conftest import curators_group
from products import review
from products.models import ProductChange
from products.tests.factories import ProductFactory, SubstanceFactory
from risks import workflow
from risks.models import ConcernCategory, PlanStatus, RiskManagementPlan, SafetyConcern
from risks.tests.factories import (
    RoutineMeasureFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

NOT_SAVED = "Your changes were not saved. Open the page again to see their version"


@pytest.fixture
def other_curator(django_user_model):
    user = django_user_model.objects.create_user(
        "second-curator", password="a-long-test-password", is_staff=True
    )
    user.groups.add(curators_group())
    return user


@pytest.fixture
def other_client(other_curator):
    client = Client()
    client.force_login(other_curator)
    return client


@pytest.fixture
def concern():
    measure = RoutineMeasureFactory(
        safety_concern__plan__draft=True,
        safety_concern__category=ConcernCategory.POTENTIAL,
        safety_concern__name="Malignancies",
        text="SmPC section 4.4.",
    )
    return measure.safety_concern


def save(client, data, url, **changes):
    return client.post(url, {**data, **changes})


def test_the_second_save_of_a_concern_is_refused_and_names_the_first(
    curator_client, other_client, concern
):
    url = change_url(concern)
    mine = form_data(curator_client.get(url))
    theirs = form_data(other_client.get(url))
    assert mine["change_token"] == theirs["change_token"] == str(concern.plan.revision)

    response = save(
        curator_client,
        mine,
        url,
        category=ConcernCategory.IDENTIFIED,
        change_reason="Reclassified as in RMP 8.1",
    )
    assert response.status_code == 302
    before = history_rows()

    response = save(
        other_client,
        theirs,
        url,
        evidence="Postmarketing reports only.",
        change_reason="Evidence reworded",
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert (
        escape(
            f"Someone else changed this risk management plan version ({concern.plan}) while you "
            "were editing: curator, "
        )
        in page
    )
    assert escape("reason “Reclassified as in RMP 8.1”. " + NOT_SAVED) in page
    assert page.index("errornote") < page.index("Someone else changed")
    concern.refresh_from_db()
    assert (concern.category, concern.evidence) == (
        ConcernCategory.IDENTIFIED,
        "Clinical trial data.",
    )
    assert history_rows() == before


def test_a_conflicting_inline_only_change_is_not_saved(curator_client, other_client, concern):
    url = change_url(concern)
    mine = form_data(curator_client.get(url))
    theirs = form_data(other_client.get(url))
    response = save(curator_client, mine, url, name="Malignancy", change_reason="Singular")
    assert response.status_code == 302
    plan = RiskManagementPlan.objects.get(pk=concern.plan_id)
    before = (history_rows(), plan.revision)

    response = save(
        other_client,
        theirs,
        url,
        **{"routine_measures-0-text": "SmPC sections 4.4 and 4.8."},
        change_reason="Section 4.8 added",
    )

    assert response.status_code == 409
    assert "Someone else changed this risk management plan version" in response.content.decode()
    assert concern.routine_measures.get().text == "SmPC section 4.4."
    plan.refresh_from_db()
    assert (history_rows(), plan.revision) == before


def test_a_change_elsewhere_in_the_version_conflicts_too(curator_client, other_client, concern):
    """Parts are edited on several pages; the whole version is one unit of change."""
    study = StudyFactory(plan=concern.plan)
    theirs = form_data(other_client.get(change_url(concern)))
    mine = form_data(curator_client.get(change_url(study)))
    response = save(
        curator_client, mine, change_url(study), purpose="Long term", change_reason="Purpose"
    )
    assert response.status_code == 302

    response = save(
        other_client, theirs, change_url(concern), name="Malignancy", change_reason="Singular"
    )

    assert response.status_code == 409
    assert escape("reason “Purpose”") in response.content.decode()
    assert SafetyConcern.objects.get(pk=concern.pk).name == "Malignancies"


def test_a_fresh_page_saves_after_a_conflict(curator_client, other_client, other_curator, concern):
    url = change_url(concern)
    theirs = form_data(other_client.get(url))
    save(curator_client, form_data(curator_client.get(url)), url, change_reason="First")
    assert save(other_client, theirs, url, name="Cancer", change_reason="x").status_code == 409

    response = save(
        other_client, form_data(other_client.get(url)), url, name="Cancer", change_reason="Again"
    )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.name == "Cancer"
    plan = RiskManagementPlan.objects.get(pk=concern.plan_id)
    assert (plan.revision, plan.last_edited_by) == (2, other_curator)


def test_saving_twice_from_one_page_is_a_conflict_with_yourself(curator_client, concern):
    url = change_url(concern)
    data = form_data(curator_client.get(url))
    assert save(curator_client, data, url, name="Cancer", change_reason="One").status_code == 302

    response = save(curator_client, data, url, name="Neoplasms", change_reason="Two")

    assert response.status_code == 409
    assert (
        escape(
            f"You changed this risk management plan version ({concern.plan}) in another window or "
            "tab while editing here: "
        )
        in response.content.decode()
    )
    assert SafetyConcern.objects.get(pk=concern.pk).name == "Cancer"


def test_a_form_without_its_token_is_refused(curator_client, concern):
    url = change_url(concern)
    data = form_data(curator_client.get(url))
    del data["change_token"]

    response = save(curator_client, data, url, name="Cancer", change_reason="No token")

    assert response.status_code == 409
    assert escape(TOKEN_MISSING) in response.content.decode()
    assert SafetyConcern.objects.get(pk=concern.pk).name == "Malignancies"


def test_the_second_save_of_a_product_is_refused(curator_client, other_client):
    """A product's saves go into its draft change; the second from a stale page is refused."""
    product = ProductFactory(name="Lemtrada", route="Intravenous use")
    url = change_url(product)
    mine = form_data(curator_client.get(url))
    theirs = form_data(other_client.get(url))
    response = save(curator_client, mine, url, route="IV", change_reason="Abbreviated")
    assert response.status_code == 302
    change = ProductChange.objects.get(product=product)
    revision = change.revision

    response = save(other_client, theirs, url, indication="MS.", change_reason="Shorter")

    assert response.status_code == 409
    assert (
        escape("Someone else changed this product (Lemtrada) while you were editing: curator, ")
        in response.content.decode()
    )
    change.refresh_from_db()
    assert (change.values, change.revision) == ({"route": "IV"}, revision)
    product.refresh_from_db()
    assert (product.route, product.indication) == (
        "Intravenous use",
        "Treatment of adults with a disease.",
    )


def test_product_information_loaded_meanwhile_conflicts_with_the_product_page(
    curator, other_client
):
    product = ProductFactory(name="Lemtrada")
    theirs = form_data(other_client.get(change_url(product)))
    section = {"document": "smpc", "section": "4.4", "title": "Warnings", "text": "Monitor."}
    review.propose_sections(product, [section], user=curator, reason="Text added")

    response = save(
        other_client, theirs, change_url(product), route="IV", change_reason="Abbreviated"
    )

    assert response.status_code == 409
    assert escape("reason “Text added”") in response.content.decode()
    change = ProductChange.objects.get(product=product)
    assert (change.values, change.sections) == ({}, [section])


def test_the_second_save_of_a_substance_is_refused(curator_client, other_client):
    substance = SubstanceFactory(name="alemtuzumab")
    url = change_url(substance)
    mine = form_data(curator_client.get(url))
    theirs = form_data(other_client.get(url))
    save(curator_client, mine, url, name="Alemtuzumab", change_reason="Capital")

    response = save(other_client, theirs, url, name="alemtuzumabum", change_reason="Latin")

    assert response.status_code == 409
    assert escape("this active substance (Alemtuzumab)") in response.content.decode()
    substance.refresh_from_db()
    assert substance.name == "Alemtuzumab"


def test_a_stale_delete_page_deletes_nothing(curator_client, other_client, concern):
    page = other_client.get(delete_url(concern))
    token = page.context["audit_form"]["change_token"].value()
    save(
        curator_client,
        form_data(curator_client.get(change_url(concern))),
        change_url(concern),
        change_reason="Reworded",
        name="Malignancy",
    )

    response = other_client.post(
        delete_url(concern), {"post": "yes", "change_token": token, "change_reason": "Duplicate"}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was deleted." in page
    assert escape("reason “Reworded”") in page
    assert SafetyConcern.objects.filter(pk=concern.pk).exists()


def test_a_version_submitted_meanwhile_cannot_be_changed(curator_client, other_curator, concern):
    url = change_url(concern)
    data = form_data(curator_client.get(url))
    workflow.submit_for_review(concern.plan, user=other_curator, reason="Ready for review")

    response = save(curator_client, data, url, name="Cancer", change_reason="Late")

    assert response.status_code == 403
    assert SafetyConcern.objects.get(pk=concern.pk).name == "Malignancies"


def test_the_guard_refuses_a_version_that_left_draft_while_the_row_was_locked(concern, curator):
    """The race after the page's permission check: the locked row says in review."""
    from curation.admin import plan_guard

    RiskManagementPlan.objects.filter(pk=concern.plan_id).update(status=PlanStatus.IN_REVIEW)
    message = plan_guard("plan").check(
        owner_pk=concern.plan_id, posted_token="0", adding=False, user=curator
    )
    version = concern.plan.version
    assert message == (
        f"Version {version} is in review: send it back to draft to change it. "
        "Your changes were not saved."
    )

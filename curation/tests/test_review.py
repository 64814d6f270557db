"""What the reviewer sees: the change against the published version on the workflow pages,
the review queue and drafts on the admin home; and where saving a part of a plan leads."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.context import recorded_change
from audit.tests.test_admin_reason import change_url, form_data
from curation.tests.test_admin_workflow import as_user, client_for, people  # noqa: F401
from risks import workflow
from risks.models import ConcernCategory, SafetyConcern
from risks.tests.factories import PlanFactory, RoutineMeasureFactory, SafetyConcernFactory

pytestmark = pytest.mark.django_db

REASON = "The EMA published RMP version 2"


def step_url(name, plan):
    return reverse(f"admin:risks_riskmanagementplan_{name}", args=[plan.pk])


def text_of(response):
    """The page's text with tags and runs of spaces taken out."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def published():
    plan = PlanFactory(product__name="Lemtrada", product__slug="lemtrada", version="1")
    SafetyConcernFactory(plan=plan, name="Malignancies", category=ConcernCategory.POTENTIAL)
    concern = SafetyConcernFactory(plan=plan, name="Infections", evidence="Seen in trials.")
    RoutineMeasureFactory(safety_concern=concern, text="SmPC section 4.4.")
    return plan


@pytest.fixture
def submitted(published, people):  # noqa: F811
    curator = people["curator"]
    draft = workflow.start_new_version(published, user=curator, version="2", reason=REASON)
    with recorded_change("Reclassified as in the summary", curator):
        malignancies = draft.safety_concerns.get(name="Malignancies")
        malignancies.category = ConcernCategory.IDENTIFIED
        malignancies.save()
        infections = draft.safety_concerns.get(name="Infections")
        infections.evidence = "Seen in trials and after marketing."
        infections.save()
        SafetyConcernFactory(plan=draft, name="Hepatitis")
    draft.refresh_from_db()
    return workflow.submit_for_review(draft, user=curator, reason="Ready", revision=draft.revision)


def test_the_publish_page_shows_every_change_against_the_published_version(
    as_user,  # noqa: F811
    submitted,
):
    response = as_user("reviewer").get(step_url("publish", submitted))
    assert response.status_code == 200
    text = text_of(response)
    assert "What this version changes on the public site" in text
    assert "Compared with version 1" in text
    assert "In short: 1 safety concern added, 1 reclassified, 1 with revised text." in text
    assert "Added: Hepatitis (important identified risk)" in text
    assert (
        "Reclassified: Malignancies from important potential risk to important identified risk"
        in text
    )
    assert "Revised: Infections : evidence revised" in text
    assert "Version 1 Seen in trials. Version 2 Seen in trials and after marketing." in text
    page = response.content.decode()
    # The changed text, old and new, marked and unfolded.
    assert '<details class="diff" open>' in page
    assert "<del>trials.</del>" in page
    assert "<ins>trials and after marketing.</ins>" in page
    assert page.index('id="what-changes"') < page.index('name="reason"')


def test_the_submit_page_shows_the_same_summary(as_user, published, people):  # noqa: F811
    draft = workflow.start_new_version(
        published, user=people["curator"], version="2", reason=REASON
    )
    with recorded_change("Removed", people["curator"]):
        draft.safety_concerns.get(name="Malignancies").delete()
    text = text_of(as_user("curator").get(step_url("submit", draft)))
    assert "Compared with version 1" in text
    assert "In short: 1 safety concern removed." in text
    assert "Removed: Malignancies (important potential risk)" in text


def test_a_first_version_lists_everything_as_new(as_user, people):  # noqa: F811
    plan = PlanFactory(draft=True, product__name="Newdrug", version="1")
    SafetyConcernFactory(plan=plan, name="Nausea", category=ConcernCategory.IDENTIFIED)
    SafetyConcernFactory(plan=plan, name="Pregnancy", category=ConcernCategory.MISSING)
    text = text_of(as_user("curator").get(step_url("submit", plan)))
    assert "Nothing of Newdrug is published yet: version 1 is its first version" in text
    assert "In short: 2 safety concerns added." in text
    assert "Added: Nausea (important identified risk)" in text
    assert "Added: Pregnancy (missing information)" in text


def test_a_missing_reason_is_named_at_the_top_of_a_step_page(as_user, submitted):  # noqa: F811
    response = as_user("reviewer").post(
        step_url("publish", submitted), {"reason": " ", "revision": submitted.revision}
    )
    assert response.status_code == 400
    page = response.content.decode()
    top = page.index("Give a reason for this change: nothing was done.")
    assert top < page.index('name="reason"')
    assert "Please correct the error below." not in page


# The admin home


def test_the_reviewer_sees_what_waits_for_them_and_the_curator_their_drafts(
    as_user,  # noqa: F811
    submitted,
    people,  # noqa: F811
):
    other = PlanFactory(draft=True, product__name="Untouched", version="3")
    text = text_of(as_user("reviewer").get(reverse("admin:index")))
    assert "Waiting for your review (1)" in text
    assert "Lemtrada version 2" in text
    page = as_user("reviewer").get(reverse("admin:index")).content.decode()
    assert escape(step_url("publish", submitted)) in page
    assert "You have no plan version or product change in draft or in review." in text

    curator = as_user("curator").get(reverse("admin:index"))
    text = text_of(curator)
    assert "Waiting for your review" not in text  # curators do not publish
    assert "Your drafts (1)" in text
    assert "Lemtrada version 2 In review Another reviewer publishes it (four eyes)." in text
    assert "Untouched" not in text
    assert other.product.name not in text


def test_a_reviewer_who_changed_a_version_finds_it_in_their_drafts_not_their_queue(
    as_user,  # noqa: F811
    submitted,
    people,  # noqa: F811
):
    workflow.return_to_draft(submitted, user=people["both"], reason="Fix", revision=None)
    submitted.refresh_from_db()
    with recorded_change("Fixed", people["both"]):
        SafetyConcernFactory(plan=submitted, name="Fatigue")
    submitted.refresh_from_db()
    workflow.submit_for_review(submitted, user=people["curator"], reason="Again")
    text = text_of(as_user("both").get(reverse("admin:index")))
    assert "No version in review is waiting for you." in text
    assert "Your drafts (1)" in text
    assert "Lemtrada version 2 In review" in text


def test_a_drafts_next_step_is_linked(as_user, published, people):  # noqa: F811
    draft = workflow.start_new_version(
        published, user=people["curator"], version="2", reason=REASON
    )
    page = as_user("curator").get(reverse("admin:index")).content.decode()
    assert f'href="{step_url("submit", draft)}"' in page
    assert "Review and submit" in page


# Saving a part returns to its plan


def test_saving_a_concern_returns_to_its_plan_version(curator_client):
    concern = SafetyConcernFactory(plan__draft=True)
    url = change_url(concern)
    data = form_data(curator_client.get(url))
    data.update(name="Renamed", change_reason="Typo", _save="Save")
    response = curator_client.post(url, data)
    assert response.status_code == 302
    plan_url = reverse("admin:risks_riskmanagementplan_change", args=[concern.plan_id])
    assert response["Location"] == f"{plan_url}#safety_concerns-group"
    assert SafetyConcern.objects.get(pk=concern.pk).name == "Renamed"

    data = form_data(curator_client.get(url))
    data.update(change_reason="Again", _continue="Save and continue editing")
    response = curator_client.post(url, data)
    assert response["Location"] == url


def test_a_concern_added_on_its_own_page_returns_to_its_plan(curator_client):
    plan = PlanFactory(draft=True)
    url = reverse("admin:risks_safetyconcern_add")
    response = curator_client.post(
        url,
        {
            "plan": plan.pk,
            "category": ConcernCategory.IDENTIFIED,
            "name": "Nausea",
            "position": 0,
            "change_reason": "Added from the summary",
            "routine_measures-TOTAL_FORMS": 0,
            "routine_measures-INITIAL_FORMS": 0,
            "import_warnings-TOTAL_FORMS": 0,
            "import_warnings-INITIAL_FORMS": 0,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan_url = reverse("admin:risks_riskmanagementplan_change", args=[plan.pk])
    assert response["Location"] == f"{plan_url}#safety_concerns-group"


def test_a_missing_reason_is_flagged_at_the_top_of_a_change_form(curator_client):
    concern = SafetyConcernFactory(plan__draft=True)
    url = change_url(concern)
    data = form_data(curator_client.get(url))
    data["name"] = "Renamed"
    page = curator_client.post(url, data).content.decode()
    top = page.index('class="errornote reason-missing"')
    assert "Give a reason for this change: nothing was saved." in page
    assert top < page.index('name="name"') < page.index('name="change_reason"')


def test_staff_who_may_not_see_plans_see_no_queues(as_user):  # noqa: F811
    page = as_user("clerk").get(reverse("admin:index")).content.decode()
    assert 'id="your-drafts"' not in page
    assert 'id="waiting-for-review"' not in page


def test_the_admin_home_reads_a_fixed_number_of_queries_per_open_version(
    as_user,  # noqa: F811
    submitted,
    django_assert_num_queries,
):
    client = as_user("reviewer")
    client.get(reverse("admin:index"))  # sessions and permissions cached alike
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200
    for index in range(5):
        SafetyConcernFactory(plan=submitted, name=f"Risk {index}")
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200


# Session, user and permissions; the open versions; for the one in review, four eyes (its
# history and one query per level of parts); the open changes of products; the admin's app
# list and recent actions.
HOME_QUERIES = 17

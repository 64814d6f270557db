"""The plan page's workflow in the admin: who sees which step, who may take it, what it does."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from audit.context import recorded_change
from audit.tests.test_admin_reason import change_url, form_data
from conftest import curators_group, reviewers_group
from imports.models import ImportWarning
from risks import workflow
from risks.models import (
    ConcernCategory,
    PlanStatus,
    RiskManagementPlan,
    SafetyConcern,
)
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

REASON = "The EMA published RMP version 2"
PASSWORD = "a-long-test-password"


# People


@pytest.fixture
def people(django_user_model, curator, reviewer, admin_user):
    both = django_user_model.objects.create_user("both", password=PASSWORD, is_staff=True)
    both.groups.add(curators_group(), reviewers_group())
    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    return {
        "curator": curator,
        "reviewer": reviewer,
        "superuser": admin_user,
        "both": both,
        "clerk": clerk,
    }


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user(people):
    return lambda name: client_for(people.get(name))


# Versions of Lemtrada's plan


@pytest.fixture
def published():
    plan = PlanFactory(product__name="Lemtrada", product__slug="lemtrada", version="1")
    SafetyConcernFactory(plan=plan, name="Malignancies", category=ConcernCategory.POTENTIAL)
    return plan


@pytest.fixture
def draft(published, curator):
    return workflow.start_new_version(published, user=curator, version="2", reason="New summary")


@pytest.fixture
def in_review(draft, curator):
    return workflow.submit_for_review(draft, user=curator, reason="Ready for review")


@pytest.fixture
def superseded(in_review, reviewer, published):
    workflow.publish(in_review, user=reviewer, reason="Approved")
    published.refresh_from_db()
    return published


def step_url(name, plan):
    return reverse(f"admin:risks_riskmanagementplan_{name}", args=[plan.pk])


def revision_of(plan):
    """The revision a page opened now would show."""
    return RiskManagementPlan.objects.get(pk=plan.pk).revision


def workflow_buttons(response):
    return re.findall(r'class="workflow-(\w+)"', response.content.decode())


STEPS = ["new_version", "submit", "return", "publish"]
FOUR_EYES = (
    r"You changed version 2 or a part of it \(last on \d+ \w+ \d{4}, \d\d:\d\d\), so another "
    r"reviewer must publish it \(four eyes\)\."
)
FOUR_EYES_BANNER = f'<p class="curation-banner four-eyes" role="note">{FOUR_EYES}</p>'


# Who may open what


def test_the_step_urls():
    plan = RiskManagementPlan(pk=7)
    assert [step_url(name, plan) for name in STEPS] == [
        "/admin/risks/riskmanagementplan/7/new-version/",
        "/admin/risks/riskmanagementplan/7/submit/",
        "/admin/risks/riskmanagementplan/7/return/",
        "/admin/risks/riskmanagementplan/7/publish/",
    ]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("target", ["change", *STEPS])
def test_anonymous_visitors_are_sent_to_login(client, in_review, target, method):
    url = step_url(target, in_review)
    data = {"reason": REASON, "version": "3"} if method == "post" else {}
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    in_review.refresh_from_db()
    assert in_review.status == PlanStatus.IN_REVIEW


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("target", ["change", *STEPS])
def test_staff_without_permissions_are_forbidden(as_user, published, in_review, target, method):
    plan = published if target == "new_version" else in_review
    response = getattr(as_user("clerk"), method)(
        step_url(target, plan), {"reason": REASON, "version": "3"}
    )
    assert response.status_code == 403
    assert RiskManagementPlan.objects.count() == 2


@pytest.mark.parametrize("who", ["curator", "reviewer", "superuser", "both"])
def test_everyone_on_the_team_can_read_every_version(as_user, superseded, who):
    client = as_user(who)
    for plan in RiskManagementPlan.objects.all():
        response = client.get(change_url(plan))
        assert response.status_code == 200
        assert f"Lemtrada RMP version {plan.version}" in response.content.decode()


# The buttons each person sees


BUTTONS = {
    # who: (published, draft, in review) buttons; the draft was last edited by the curator
    "curator": (["new_version"], ["submit"], ["return"]),
    "reviewer": ([], [], ["return", "publish"]),
    "superuser": (["new_version"], ["submit"], ["return", "publish"]),
    "both": (["new_version"], ["submit"], ["return", "publish"]),
}


@pytest.mark.parametrize("who", list(BUTTONS))
def test_each_person_sees_the_steps_they_may_take(as_user, published, draft, who):
    client = as_user(who)
    on_published, on_draft, on_review = BUTTONS[who]
    assert workflow_buttons(client.get(change_url(published))) == on_published
    assert workflow_buttons(client.get(change_url(draft))) == on_draft
    workflow.submit_for_review(draft, user=draft.last_edited_by, reason="Ready")
    assert workflow_buttons(client.get(change_url(draft))) == on_review


@pytest.mark.parametrize("who", list(BUTTONS))
def test_a_superseded_version_offers_no_step(as_user, superseded, who):
    assert workflow_buttons(as_user(who).get(change_url(superseded))) == []


def test_the_plan_page_links_to_the_audit_trail_and_to_public_versions(
    as_user, superseded, curator
):
    client = as_user("curator")
    current = RiskManagementPlan.objects.get(version="2")
    for plan in [superseded, current]:
        page = client.get(change_url(plan)).content.decode()
        assert f'href="/admin/audit/plans/{plan.pk}/">Audit trail</a>' in page
        assert f'href="/products/lemtrada/versions/{plan.version}/" class="viewsitelink"' in page
    draft = workflow.start_new_version(current, user=curator, version="3", reason="Next version")
    page = client.get(change_url(draft)).content.decode()
    assert f'href="/admin/audit/plans/{draft.pk}/">Audit trail</a>' in page
    assert "/products/lemtrada/versions/" not in page

    # Concerns link to the public page of their version; those of a draft to none.
    old, new, drafted = (plan.safety_concerns.get() for plan in [superseded, current, draft])
    page = client.get(change_url(old)).content.decode()
    assert f'href="/products/lemtrada/versions/1/#{old.anchor}"' in page
    page = client.get(change_url(new)).content.decode()
    assert f'href="{new.get_absolute_url()}"' in page  # the concern's own page
    assert "View on site" not in client.get(change_url(drafted)).content.decode()


# Only drafts can be changed


def test_a_curator_edits_a_draft_and_becomes_its_last_editor(as_user, draft, people):
    client = as_user("superuser")
    data = form_data(client.get(change_url(draft)))
    assert 'name="_save"' in client.get(change_url(draft)).content.decode()
    response = client.post(change_url(draft), {**data, "note": "Checked.", "change_reason": "x"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.note, draft.last_edited_by, draft.revision) == (
        "Checked.",
        people["superuser"],
        1,
    )


def test_a_reviewer_cannot_edit_a_draft(as_user, draft):
    client = as_user("reviewer")
    page = client.get(change_url(draft)).content.decode()
    assert 'name="_save"' not in page
    data = form_data(as_user("curator").get(change_url(draft)))
    response = client.post(change_url(draft), {**data, "note": "Mine.", "change_reason": "x"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.note == ""


@pytest.mark.parametrize(
    ("status", "banner"),
    [
        ("published", "Version 1 is published: start a new version to change it."),
        ("in_review", "Version 2 is in review: send it back to draft to change it."),
        (
            "superseded",
            "Version 1 is superseded by a later version: it stays as it was published.",
        ),
    ],
)
@pytest.mark.parametrize("who", ["curator", "superuser", "both"])
def test_versions_that_are_not_drafts_are_read_only_for_everyone(
    request, as_user, who, status, banner
):
    plan = request.getfixturevalue(status)
    client = as_user(who)
    response = client.get(change_url(plan))
    page = response.content.decode()
    assert f'<p class="curation-banner" role="status">{banner}</p>' in page
    assert 'name="_save"' not in page
    assert 'name="change_reason"' not in page
    assert "deletelink" not in page
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
    data = {"version": "1b", "note": "Changed.", "change_reason": REASON}
    assert client.post(change_url(plan), data).status_code == 403
    delete = reverse("admin:risks_riskmanagementplan_delete", args=[plan.pk])
    assert client.post(delete, {"post": "yes", "change_reason": REASON}).status_code == 403
    plan.refresh_from_db()
    assert (plan.version, plan.note, plan.status) == (plan.version, "", status)


PARTS = {
    "safetyconcern": lambda plan: SafetyConcernFactory(plan=plan),
    "routinemeasure": lambda plan: RoutineMeasureFactory(safety_concern__plan=plan),
    "sectionreference": lambda plan: SectionReferenceFactory(
        routine_measure__safety_concern__plan=plan
    ),
    "additionalmeasure": lambda plan: AdditionalMeasureFactory(plan=plan),
    "study": lambda plan: StudyFactory(plan=plan),
    "milestone": lambda plan: MilestoneFactory(study__plan=plan),
}


@pytest.mark.parametrize("part", list(PARTS))
def test_parts_of_a_draft_are_editable(as_user, draft, part):
    obj = PARTS[part](draft)
    page = as_user("curator").get(change_url(obj)).content.decode()
    assert 'name="_save"' in page
    assert 'name="change_reason"' in page


@pytest.mark.parametrize("status", ["published", "in_review"])
@pytest.mark.parametrize("part", list(PARTS))
def test_parts_of_other_versions_are_read_only(request, as_user, part, status):
    plan = request.getfixturevalue(status)
    obj = PARTS[part](plan)
    client = as_user("superuser")
    response = client.get(change_url(obj))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert "deletelink" not in page
    name = obj._meta.verbose_name
    note = f"This {name} is part of {plan}. Version {plan.version} is "
    assert escape(note) in page
    for inline in response.context["inline_admin_formsets"]:
        assert not (inline.has_add_permission or inline.has_change_permission)
    data = {"change_reason": REASON, "change_token": str(plan.revision), "position": 9}
    assert client.post(change_url(obj), data).status_code == 403
    delete = reverse(f"admin:risks_{part}_delete", args=[obj.pk])
    assert client.post(delete, {"post": "yes", "change_reason": REASON}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_import_warnings_of_a_version_in_review_cannot_be_ticked_off(as_user, in_review):
    ImportWarning.objects.create(plan=in_review, subject="Plan", message="No date.")
    response = as_user("curator").get(change_url(in_review))
    warnings = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert not warnings["import_warnings"].has_change_permission


def test_a_new_part_can_only_go_into_a_draft(as_user, published, draft):
    client = as_user("curator")
    add = reverse("admin:risks_safetyconcern_add")
    form = client.get(add).context["adminform"].form
    assert list(form.fields["plan"].queryset) == [draft]
    data = {
        "plan": published.pk,
        "category": ConcernCategory.MISSING,
        "name": "Use in pregnancy",
        "position": 1,
        "routine_measures-TOTAL_FORMS": 0,
        "routine_measures-INITIAL_FORMS": 0,
        "change_reason": REASON,
    }

    response = client.post(add, data)

    assert response.status_code == 400
    assert (
        "Choose a draft plan version: versions in review, published and superseded versions "
        "cannot be changed."
    ) in response.content.decode()
    assert not SafetyConcern.objects.filter(name="Use in pregnancy").exists()

    response = client.post(add, {**data, "plan": draft.pk})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.revision, draft.last_edited_by.username) == (1, "curator")


def test_the_version_choices_of_a_new_part_list_drafts_only(as_user, published, draft):
    response = as_user("curator").get(
        reverse("admin:autocomplete"),
        {"app_label": "risks", "model_name": "safetyconcern", "field_name": "plan", "term": ""},
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(draft.pk)]
    concern = published.safety_concerns.get()
    response = as_user("curator").get(
        reverse("admin:autocomplete"),
        {
            "app_label": "risks",
            "model_name": "routinemeasure",
            "field_name": "safety_concern",
            "term": "Malig",
        },
    )
    ids = [int(item["id"]) for item in response.json()["results"]]
    assert ids == [draft.safety_concerns.get().pk]
    assert concern.pk not in ids


def test_the_status_is_never_edited_in_a_form(as_user, draft, published):
    client = as_user("superuser")
    data = form_data(client.get(change_url(draft)))
    response = client.post(
        change_url(draft), {**data, "status": PlanStatus.PUBLISHED, "change_reason": REASON}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT

    add = reverse("admin:risks_riskmanagementplan_add")
    form = client.get(add).context["adminform"].form
    assert form.fields["status"].disabled
    response = client.post(
        add,
        {
            "product": published.product_id,
            "version": "9",
            "status": PlanStatus.PUBLISHED,
            "change_reason": REASON,
            **{f"{prefix}-TOTAL_FORMS": 0 for prefix in ["safety_concerns", "studies"]},
            **{f"{prefix}-INITIAL_FORMS": 0 for prefix in ["safety_concerns", "studies"]},
            "additional_measures-TOTAL_FORMS": 0,
            "additional_measures-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    added = RiskManagementPlan.objects.get(version="9")
    assert (added.status, added.last_edited_by.username) == (PlanStatus.DRAFT, "admin")


# Start a new version


def test_a_curator_starts_a_new_version(as_user, published, people):
    client = as_user("curator")
    response = client.get(step_url("new_version", published))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Start a new version of Lemtrada from version 1</h1>" in page
    assert "copies version 1 of Lemtrada into a draft that curators can change: 1 safety " in page
    assert "Version 1 stays the current version on the public site" in page
    assert response.context["form"]["version"].value() == "2"
    assert '<a href="/admin/risks/riskmanagementplan/">Risk management plan versions</a>' in page

    response = client.post(step_url("new_version", published), {"version": " 2 ", "reason": REASON})

    new = RiskManagementPlan.objects.get(version="2")
    assert response.status_code == 302
    assert response["Location"] == change_url(new)
    assert (new.status, new.copied_from, new.last_edited_by) == (
        PlanStatus.DRAFT,
        published,
        people["curator"],
    )
    assert new.history.get().history_change_reason == REASON
    page = client.get(response["Location"]).content.decode()
    assert "Version 2 of Lemtrada is a new draft, copied from version 1." in page


def test_a_new_version_needs_a_reason_and_a_free_label(as_user, published):
    client = as_user("curator")
    response = client.post(step_url("new_version", published), {"version": "2", "reason": " "})
    assert response.status_code == 400
    assert "Give a reason for this change: it is recorded in the audit trail." in (
        response.content.decode()
    )

    response = client.post(step_url("new_version", published), {"version": "1", "reason": "x"})
    assert response.status_code == 400
    assert escape("Lemtrada already has a plan version “1”.") in response.content.decode()
    assert RiskManagementPlan.objects.count() == 1


def test_a_new_version_starts_only_from_the_published_one(as_user, draft):
    client = as_user("curator")
    response = client.get(step_url("new_version", draft))
    assert response.status_code == 400
    page = response.content.decode()
    assert "A new version can only start from the published version; version 2 is draft." in page
    assert 'name="reason"' not in page
    response = client.post(step_url("new_version", draft), {"version": "3", "reason": "x"})
    assert response.status_code == 400
    assert RiskManagementPlan.objects.count() == 2


def test_the_new_version_page_points_to_an_open_version(as_user, published, draft):
    page = as_user("superuser").get(step_url("new_version", published)).content.decode()
    assert "Lemtrada already has version 2 (draft): you may want to continue that one." in page
    assert 'value="3"' in page


@pytest.mark.parametrize("who", ["reviewer", "clerk"])
def test_people_who_may_not_add_versions_cannot_start_one(as_user, published, who):
    response = as_user(who).post(step_url("new_version", published), {"version": "2"})
    assert response.status_code == 403
    assert RiskManagementPlan.objects.count() == 1


# Submit for review


def test_a_curator_submits_a_draft_for_review(as_user, draft, people):
    client = as_user("curator")
    page = client.get(step_url("submit", draft)).content.decode()
    assert "Submitting version 2 of Lemtrada for review makes it read-only." in page

    response = client.post(
        step_url("submit", draft), {"reason": "Ready", "revision": revision_of(draft)}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (PlanStatus.IN_REVIEW, people["curator"])
    page = client.get(change_url(draft)).content.decode()
    assert "Version 2 of Lemtrada is submitted for review." in page


def test_submitting_needs_a_reason_and_resolved_import_warnings(as_user, draft):
    client = as_user("curator")
    response = client.post(
        step_url("submit", draft), {"reason": "", "revision": revision_of(draft)}
    )
    assert response.status_code == 400

    ImportWarning.objects.create(plan=draft, subject="Plan", message="No date.")
    page = client.get(step_url("submit", draft)).content.decode()
    assert "This version still has 1 unresolved import warning: tick them off" in page
    response = client.post(
        step_url("submit", draft), {"reason": "Ready", "revision": revision_of(draft)}
    )
    assert response.status_code == 400
    assert "Check and tick off the 1 unresolved import warning before submitting" in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_a_reviewer_cannot_submit(as_user, draft):
    assert (
        as_user("reviewer")
        .post(step_url("submit", draft), {"reason": "x", "revision": revision_of(draft)})
        .status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_a_version_in_review_cannot_be_submitted_again(as_user, in_review):
    response = as_user("curator").post(
        step_url("submit", in_review), {"reason": "x", "revision": revision_of(in_review)}
    )
    assert response.status_code == 400
    assert "Only a draft can be submitted for review; version 2 is in review." in (
        response.content.decode()
    )


# Send back to draft


@pytest.mark.parametrize("who", ["reviewer", "curator", "both", "superuser"])
def test_a_version_in_review_goes_back_to_draft(as_user, in_review, who):
    client = as_user(who)
    page = client.get(step_url("return", in_review)).content.decode()
    assert "Sending version 2 of Lemtrada back to draft makes it editable again." in page

    response = client.post(
        step_url("return", in_review),
        {"reason": "Section 4.4 missing", "revision": revision_of(in_review)},
    )

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.submitted_by) == (PlanStatus.DRAFT, None)
    assert (
        "Version 2 of Lemtrada is back in draft."
        in client.get(change_url(in_review)).content.decode()
    )


def test_only_a_version_in_review_goes_back_to_draft(as_user, published):
    response = as_user("reviewer").post(
        step_url("return", published), {"reason": "x", "revision": revision_of(published)}
    )
    assert response.status_code == 400
    published.refresh_from_db()
    assert published.status == PlanStatus.PUBLISHED


# Publish


def test_a_reviewer_publishes_and_the_previous_version_is_superseded(
    as_user, in_review, published, people
):
    client = as_user("reviewer")
    response = client.get(step_url("publish", in_review))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Publish version 2 of Lemtrada</h1>" in page
    assert (
        "Publishing version 2 makes it the current version of Lemtrada on the public site; "
        "version 1 will be marked superseded and stays viewable."
    ) in page
    assert "Submitted for review by curator on " in page

    response = client.post(
        step_url("publish", in_review), {"reason": "Approved", "revision": revision_of(in_review)}
    )

    assert response.status_code == 302
    in_review.refresh_from_db()
    published.refresh_from_db()
    assert (in_review.status, in_review.published_by) == (PlanStatus.PUBLISHED, people["reviewer"])
    assert published.status == PlanStatus.SUPERSEDED
    page = client.get(change_url(in_review)).content.decode()
    assert "Version 2 of Lemtrada is published." in page
    assert "Version 2 is published: start a new version to change it." in page
    published_by = r'field-published_by">.*?<div class="readonly">(<a [^>]+>)?reviewer<'
    assert re.search(published_by, page, re.S)


def test_publishing_needs_a_reason(as_user, in_review):
    response = as_user("reviewer").post(
        step_url("publish", in_review), {"reason": "", "revision": revision_of(in_review)}
    )
    assert response.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == PlanStatus.IN_REVIEW


def test_a_curator_cannot_publish(as_user, in_review):
    client = as_user("curator")
    assert client.get(step_url("publish", in_review)).status_code == 403
    assert (
        client.post(
            step_url("publish", in_review), {"reason": "x", "revision": revision_of(in_review)}
        ).status_code
        == 403
    )
    in_review.refresh_from_db()
    assert in_review.status == PlanStatus.IN_REVIEW


def test_a_draft_cannot_be_published(as_user, draft):
    response = as_user("reviewer").post(
        step_url("publish", draft), {"reason": "x", "revision": revision_of(draft)}
    )
    assert response.status_code == 400
    assert "Only a version in review can be published; version 2 is draft." in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


@pytest.mark.parametrize("who", ["superuser", "both"])
def test_the_last_editor_cannot_publish_even_with_every_permission(as_user, people, draft, who):
    client = as_user(who)
    data = form_data(client.get(change_url(draft)))
    response = client.post(change_url(draft), {**data, "note": "Mine.", "change_reason": "Note"})
    assert response.status_code == 302
    draft.refresh_from_db()
    workflow.submit_for_review(draft, user=people["curator"], reason="Ready")

    page = client.get(change_url(draft)).content.decode()
    assert "publish" not in workflow_buttons(client.get(change_url(draft)))
    assert re.search(FOUR_EYES_BANNER, page)
    response = client.get(step_url("publish", draft))
    assert response.status_code == 403
    assert re.search(FOUR_EYES, response.content.decode())
    assert 'name="reason"' not in response.content.decode()
    response = client.post(
        step_url("publish", draft), {"reason": "Approved", "revision": revision_of(draft)}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_REVIEW

    other = as_user("reviewer")
    assert not re.search(FOUR_EYES, other.get(change_url(draft)).content.decode())
    assert (
        other.post(
            step_url("publish", draft), {"reason": "Approved", "revision": revision_of(draft)}
        ).status_code
        == 302
    )


def test_a_reviewer_granted_nothing_else_sees_no_four_eyes_note_for_others(as_user, in_review):
    page = as_user("reviewer").get(change_url(in_review)).content.decode()
    assert not re.search(FOUR_EYES, page)
    assert "workflow-publish" in page


# The list of versions


def test_the_list_shows_status_and_last_editor_and_filters_by_status(
    as_user, in_review, django_user_model
):
    other = PlanFactory(product__name="Uplizna", version="1")
    client = as_user("reviewer")
    response = client.get(reverse("admin:risks_riskmanagementplan_changelist"))
    page = response.content.decode()
    assert '<td class="field-status">In review</td>' in page
    assert '<td class="field-last_edited_by nowrap">curator</td>' in page
    response = client.get(
        reverse("admin:risks_riskmanagementplan_changelist"), {"status__exact": "in_review"}
    )
    assert list(response.context["cl"].result_list) == [in_review]
    assert other not in response.context["cl"].result_list


def test_a_user_with_only_the_publish_permission_can_publish(as_user, in_review, people):
    clerk = people["clerk"]
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_riskmanagementplan"),
        Permission.objects.get(codename="publish_riskmanagementplan"),
    )
    response = client_for(clerk).post(
        step_url("publish", in_review), {"reason": "Approved", "revision": revision_of(in_review)}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.published_by == clerk


@pytest.mark.parametrize("object_id", ["999", "abc", "1%00"])
def test_a_step_on_a_bad_version_id_is_not_an_error(as_user, object_id):
    response = as_user("reviewer").get(f"/admin/risks/riskmanagementplan/{object_id}/publish/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_label_too_long_for_a_version_is_a_form_error(as_user, published):
    response = as_user("curator").post(
        step_url("new_version", published), {"version": "9" * 31, "reason": REASON}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 30 characters (it has 31)." in (response.content.decode())
    assert RiskManagementPlan.objects.count() == 1


def test_a_label_the_public_url_cannot_carry_only_loses_the_view_on_site_link(
    as_user, curator, reviewer
):
    plan = PlanFactory(product__slug="lemtrada", version="2/2024")
    concern = SafetyConcernFactory(plan=plan)
    newer = workflow.start_new_version(plan, user=curator, version="3", reason="Next")
    workflow.submit_for_review(newer, user=curator, reason="Ready")
    workflow.publish(newer, user=reviewer, reason="Approved")
    client = as_user("curator")
    response = client.get(change_url(plan))
    page = response.content.decode()
    assert "Version 2/2024 is superseded" in page
    assert "/products/lemtrada/versions/" not in page
    assert f'href="/admin/audit/plans/{plan.pk}/">Audit trail</a>' in page
    response = client.get(change_url(concern))
    assert response.status_code == 200
    assert "View on site" not in response.content.decode()


# A step acts on the revision its page showed


def opened(client, name, plan):
    """The step's confirmation page as opened now: its hidden revision."""
    response = client.get(step_url(name, plan))
    assert response.status_code == 200
    return re.search(r'name="revision" value="(\d+)"', response.content.decode()).group(1)


def rename_concern(client, plan, name, reason):
    concern = plan.safety_concerns.get()
    data = form_data(client.get(change_url(concern)))
    response = client.post(change_url(concern), {**data, "name": name, "change_reason": reason})
    assert response.status_code == 302


def test_a_reviewer_cannot_publish_a_revision_they_never_saw(as_user, in_review, published):
    """The attack: the publish page open at revision N, meanwhile sent back, renamed and
    resubmitted; the old form must not publish the new revision."""
    reviewer, curator = as_user("reviewer"), as_user("curator")
    seen = opened(reviewer, "publish", in_review)
    assert int(seen) == revision_of(in_review)

    assert (
        curator.post(
            step_url("return", in_review),
            {"reason": "Rename", "revision": opened(curator, "return", in_review)},
        ).status_code
        == 302
    )
    rename_concern(curator, in_review, "Malignancies (all)", "Renamed as in the new PDF")
    assert (
        curator.post(
            step_url("submit", in_review),
            {"reason": "Ready again", "revision": opened(curator, "submit", in_review)},
        ).status_code
        == 302
    )

    response = reviewer.post(
        step_url("publish", in_review), {"reason": "Approved", "revision": seen}
    )

    assert response.status_code == 409
    page = response.content.decode()
    now = revision_of(in_review)
    assert (
        escape(
            f"Version 2 of Lemtrada has changed since you opened this page (you saw revision "
            f"{seen}; it is now at revision {now}). Nothing was done."
        )
        in page
    )
    assert (
        f'<a href="{step_url("publish", in_review)}" class="reload-step">Reload this page</a>'
        in page
    )
    assert "Sent back to draft" in page
    assert escape("Renamed as in the new PDF") in page
    assert escape("Malignancies → Malignancies (all)") in page
    assert "Submitted for review" in page
    assert 'name="reason"' not in page
    in_review.refresh_from_db()
    published.refresh_from_db()
    assert (in_review.status, in_review.published_by, published.status) == (
        PlanStatus.IN_REVIEW,
        None,
        PlanStatus.PUBLISHED,
    )

    # Reloaded, the page carries the new revision, which publishes.
    fresh = opened(reviewer, "publish", in_review)
    assert int(fresh) == now
    response = reviewer.post(
        step_url("publish", in_review), {"reason": "Approved", "revision": fresh}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == PlanStatus.PUBLISHED


def test_an_old_publish_page_is_refused_while_the_version_is_back_in_draft(as_user, in_review):
    reviewer = as_user("reviewer")
    seen = opened(reviewer, "publish", in_review)
    workflow.return_to_draft(
        in_review,
        user=RiskManagementPlan.objects.get(pk=in_review.pk).submitted_by,
        reason="Withdrawn",
    )
    response = reviewer.post(
        step_url("publish", in_review), {"reason": "Approved", "revision": seen}
    )
    assert response.status_code == 409
    assert "Withdrawn" in response.content.decode()
    assert RiskManagementPlan.objects.get(pk=in_review.pk).status == PlanStatus.DRAFT


@pytest.mark.parametrize("step", ["submit", "return"])
def test_submitting_or_sending_back_a_revision_never_seen_is_refused(as_user, draft, step, curator):
    client = as_user("curator")
    if step == "return":
        workflow.submit_for_review(draft, user=curator, reason="Ready")
    seen = opened(client, step, draft)
    with recorded_change("Late note", curator):
        plan = RiskManagementPlan.objects.get(pk=draft.pk)
        plan.note = "Changed meanwhile"
        plan.save()
        workflow.record_edit(plan, curator)
    status = RiskManagementPlan.objects.get(pk=draft.pk).status

    response = client.post(step_url(step, draft), {"reason": "Go", "revision": seen})

    assert response.status_code == 409
    assert "Nothing was done." in response.content.decode()
    assert escape("Changed meanwhile") in response.content.decode()
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == status


@pytest.mark.parametrize("revision", [None, "", "x", "-1", "²"])
def test_a_step_without_the_revision_seen_is_refused(as_user, in_review, revision):
    data = {"reason": "Approved"}
    if revision is not None:
        data["revision"] = revision
    response = as_user("reviewer").post(step_url("publish", in_review), data)
    assert response.status_code == 400
    assert "This form does not say which revision of the version you saw" in (
        response.content.decode()
    )
    assert RiskManagementPlan.objects.get(pk=in_review.pk).status == PlanStatus.IN_REVIEW


def test_the_steps_pages_say_which_revision_they_confirm(as_user, in_review):
    page = as_user("reviewer").get(step_url("publish", in_review)).content.decode()
    revision = revision_of(in_review)
    assert f'<input type="hidden" name="revision" value="{revision}"' in page
    assert f"You are confirming revision {revision} of this version" in page
    summary = re.search(r'<p class="workflow-summary">(.*?)</p>', page).group(1)
    assert summary.startswith(
        "2 recorded changes since the version was created, besides the 1 row of the copy it "
        "started as, by curator (2)."
    )
    assert escape(
        "curator: Submitted for review, Lemtrada RMP version 2 (“Ready for review”)."
    ) in (summary)
    assert f'href="/admin/audit/plans/{in_review.pk}/">audit trail</a>' in page


def test_the_publish_page_takes_a_fixed_number_of_queries(
    as_user, in_review, django_assert_num_queries
):
    client = as_user("reviewer")
    client.get(step_url("publish", in_review))  # sessions and permissions cached alike
    with django_assert_num_queries(PUBLISH_PAGE_QUERIES):
        assert client.get(step_url("publish", in_review)).status_code == 200
    for index in range(5):
        SafetyConcernFactory(plan=in_review, name=f"Risk {index}")
    with django_assert_num_queries(PUBLISH_PAGE_QUERIES):
        assert client.get(step_url("publish", in_review)).status_code == 200


# Session (read, and saved: an admin request renews it), user and permissions; the
# version, its product and the published one; who submitted it; four eyes: the version's
# history and one query per level of parts; the change summary: the audit trail's reads;
# what changes against the published version: the comparison's reads of both versions.
PUBLISH_PAGE_QUERIES = 36


def test_four_eyes_through_the_admin_covers_every_edit(as_user, people, draft):
    """A user in both groups renames a concern and submits; after a send-back another
    curator appends a dot and resubmits; the first user still cannot publish."""
    both, curator, reviewer = as_user("both"), as_user("curator"), as_user("reviewer")
    rename_concern(both, draft, "Malignancies of my own", "My wording")
    assert (
        both.post(
            step_url("submit", draft),
            {"reason": "Ready", "revision": opened(both, "submit", draft)},
        ).status_code
        == 302
    )
    assert (
        reviewer.post(
            step_url("return", draft),
            {"reason": "Check", "revision": opened(reviewer, "return", draft)},
        ).status_code
        == 302
    )
    rename_concern(curator, draft, "Malignancies of my own.", "Punctuation")
    assert (
        curator.post(
            step_url("submit", draft),
            {"reason": "Ready", "revision": opened(curator, "submit", draft)},
        ).status_code
        == 302
    )

    assert "publish" not in workflow_buttons(both.get(change_url(draft)))
    response = both.get(step_url("publish", draft))
    assert response.status_code == 403
    assert re.search(FOUR_EYES, response.content.decode())
    response = both.post(
        step_url("publish", draft), {"reason": "Mine", "revision": revision_of(draft)}
    )
    assert response.status_code == 403
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == PlanStatus.IN_REVIEW

    assert "publish" in workflow_buttons(reviewer.get(change_url(draft)))
    response = reviewer.post(
        step_url("publish", draft),
        {"reason": "Checked", "revision": opened(reviewer, "publish", draft)},
    )
    assert response.status_code == 302
    assert RiskManagementPlan.objects.get(pk=draft.pk).published_by == people["reviewer"]


def test_an_edit_is_recorded_in_the_versions_history_with_its_user_and_reason(
    as_user, draft, people
):
    rename_concern(as_user("curator"), draft, "Malignancies (all)", "Renamed as in the PDF")
    row = draft.history.order_by("-history_id").first()
    assert (row.revision, row.last_edited_by_id, row.history_user, row.history_change_reason) == (
        1,
        people["curator"].pk,
        people["curator"],
        "Renamed as in the PDF",
    )

"""A new version of Lemtrada's plan from start to publication, in real Chromium.

A curator starts version 2 from the published version 1, reclassifies a safety concern and
submits the version for review; a reviewer publishes it; version 1 is then superseded and
read-only.
"""

import re

import pytest
from playwright.sync_api import expect

from risks.models import ConcernCategory, PlanStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PLAN_PAGE = re.compile(r"/admin/risks/riskmanagementplan/\d+/change/(\?.*)?$")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Curate products and risk management plans")
    ).to_be_visible()


def open_version(page, status):
    """Lemtrada's version in ``status``, found through the list of versions."""
    page.get_by_role("link", name="Risk management plan versions", exact=True).first.click()
    page.locator("#changelist-filter").get_by_role("link", name=status, exact=True).click()
    page.locator("#result_list").get_by_role("link", name="Lemtrada").click()
    expect(page).to_have_url(PLAN_PAGE)


def test_a_new_version_is_started_reclassified_submitted_and_published(
    page, live_server, seeded, curator, reviewer
):
    log_in(page, live_server, "curator")
    open_version(page, "Published")
    expect(page.get_by_role("heading", name="Lemtrada RMP version 1")).to_be_visible()
    expect(page.locator(".curation-banner")).to_have_text(
        "Version 1 is published: start a new version to change it."
    )
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    page.get_by_role("link", name="Start a new version").click()

    expect(
        page.get_by_role("heading", name="Start a new version of Lemtrada from version 1")
    ).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("23 safety concerns")
    expect(page.get_by_label("Label of the new version")).to_have_value("2")
    page.get_by_label("Reason for this change").fill("EMA published an updated RMP summary")
    page.get_by_role("button", name="Start the new version").click()

    expect(page).to_have_url(PLAN_PAGE)
    expect(page.locator(".messagelist .success")).to_have_text(
        "Version 2 of Lemtrada is a new draft, copied from version 1."
    )
    expect(page.get_by_role("heading", name="Lemtrada RMP version 2")).to_be_visible()
    expect(page.locator("#id_status")).to_have_value(PlanStatus.DRAFT)

    page.locator(
        "#safety_concerns-group tr", has=page.locator("input[value='Malignancies']")
    ).get_by_role("link", name="Change").click()
    expect(page.get_by_label("Category")).to_have_value(ConcernCategory.POTENTIAL)
    page.get_by_label("Category").select_option(label="Important identified risk")
    page.get_by_label("Reason for this change").fill("Reclassified as in the updated summary")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Malignancies")

    open_version(page, "Draft")
    page.get_by_role("link", name="Submit for review").click()
    expect(page.locator("#content-main")).to_contain_text(
        "Submitting version 2 of Lemtrada for review makes it read-only."
    )
    page.get_by_label("Reason for this change").fill("Ready for review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "Version 2 of Lemtrada is submitted for review."
    )
    expect(page.locator(".field-status .readonly")).to_have_text("In review")
    expect(page.get_by_role("link", name="Publish", exact=True)).to_have_count(0)
    page.locator("#logout-form").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()

    log_in(page, live_server, "reviewer")
    open_version(page, "In review")
    expect(page.get_by_role("heading", name="Lemtrada RMP version 2")).to_be_visible()
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.locator("#content-main")).to_contain_text(
        "Publishing version 2 makes it the current version of Lemtrada on the public site; "
        "version 1 will be marked superseded and stays viewable."
    )
    page.get_by_label("Reason for this change").fill("Checked against the EMA summary")
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(PLAN_PAGE)
    expect(page.locator(".messagelist .success")).to_have_text(
        "Version 2 of Lemtrada is published."
    )
    expect(page.locator(".field-status .readonly")).to_have_text("Published")
    expect(page.locator(".field-published_by .readonly")).to_have_text("reviewer")
    expect(page.locator(".field-submitted_by .readonly")).to_have_text("curator")
    tools = page.locator("#content-main .object-tools")
    expect(tools.get_by_role("link", name="View on site")).to_have_attribute(
        "href", "/products/lemtrada/versions/2/"
    )

    open_version(page, "Superseded")
    expect(page.get_by_role("heading", name="Lemtrada RMP version 1")).to_be_visible()
    expect(page.locator(".field-status .readonly")).to_have_text("Superseded")
    expect(page.locator(".curation-banner")).to_contain_text("Version 1 is superseded")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.locator("#safety_concerns-group input[name$='-name']")).to_have_count(0)

    plans = {plan.version: plan for plan in seeded["lemtrada"].plans.all()}
    assert (plans["1"].status, plans["2"].status) == (PlanStatus.SUPERSEDED, PlanStatus.PUBLISHED)
    assert (plans["2"].published_by, plans["2"].last_edited_by) == (reviewer, curator)
    concern = plans["2"].safety_concerns.get(name="Malignancies")
    assert concern.category == ConcernCategory.IDENTIFIED
    assert concern.history.order_by("-history_id").first().history_change_reason == (
        "Reclassified as in the updated summary"
    )
    assert plans["1"].safety_concerns.get(name="Malignancies").category == (
        ConcernCategory.POTENTIAL
    )

"""A reviewer reads, prints and downloads the audit trail of a new version in real Chromium."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from audit.context import recorded_change
from risks import workflow
from risks.models import ConcernCategory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REASON = "Reclassified after PRAC assessment"


@pytest.fixture
def version_2(seeded, curator, reviewer):
    lemtrada = seeded["lemtrada"].plans.get()
    plan = workflow.start_new_version(
        lemtrada, user=curator, version="2", reason="New version after the 2024 assessment"
    )
    with recorded_change(REASON, curator):
        concern = plan.safety_concerns.get(name="Malignancies")
        concern.category = ConcernCategory.IDENTIFIED
        concern.save()
    workflow.record_edit(plan, curator)
    workflow.submit_for_review(plan, user=curator, reason="Ready for review")
    return workflow.publish(plan, user=reviewer, reason="Checked against the assessment report")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_be_visible()


def test_reviewer_reads_prints_and_downloads_the_trail(page, live_server, version_2):
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/audit/plans/{version_2.pk}/")

    heading = page.get_by_role("heading", name="Audit trail of Lemtrada RMP version 2")
    expect(heading).to_be_visible()
    expect(page.locator(".breadcrumbs")).to_have_text(
        re.compile(
            r"Home\s+›\s+Risk management plans\s+›\s+Risk management plan versions"
            r"\s+›\s+Lemtrada RMP version 2\s+›\s+Audit trail"
        )
    )
    rows = page.locator("#audit-entries tbody tr")

    copy = rows.filter(has_text="Started as a copy of version 1")
    expect(copy).to_have_count(1)
    expect(copy.locator("td.audit-who")).to_have_text("curator")
    expect(copy.locator("td.audit-changes-column")).to_contain_text(
        "Copied from: Lemtrada RMP version 1"
    )

    reclassified = rows.filter(has_text=REASON)
    expect(reclassified).to_have_count(1)
    expect(reclassified.locator("td.audit-who")).to_have_text("curator")
    expect(reclassified.locator("td.audit-what")).to_have_text("Safety concern “Malignancies”")
    expect(reclassified.locator("del.audit-old")).to_have_text("from Important potential risk")
    expect(reclassified.locator("ins.audit-new")).to_have_text("to Important identified risk")

    # The rows written by copying version 1 are hidden until asked for.
    expect(page.locator(".audit-copied")).to_contain_text("374 rows are hidden")
    expect(rows).to_have_count(4)
    page.locator(".audit-copied").get_by_role("link", name="Show them").click()
    expect(rows).to_have_count(378)
    page.locator(".audit-copied").get_by_role("link", name="Hide them").click()
    expect(rows).to_have_count(4)

    published = rows.filter(has=page.locator(".audit-badge", has_text=re.compile("^Published$")))
    expect(published).to_have_count(1)
    expect(published.locator("td.audit-who")).to_have_text("reviewer")
    expect(published.locator("td.audit-reason")).to_have_text(
        "Checked against the assessment report"
    )

    # Filters are links: only the plan's own entries, newest first.
    page.get_by_label("Kind of item").select_option("plan")
    page.get_by_label("Order").select_option("newest")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"\?kind=plan&user=&order=newest&copies=$"))
    expect(rows.locator(".audit-badge")).to_have_text(
        ["Published", "Submitted for review", "Started as a copy of version 1"]
    )
    page.get_by_role("link", name="Remove the filter kind of item: Plan version").click()
    expect(page).to_have_url(re.compile(r"\?order=newest$"))
    expect(rows.filter(has_text=REASON)).to_have_count(1)

    # Printing leaves the admin around the trail out.
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.locator(".audit-filters")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("#audit-entries")).to_be_visible()
    expect(page.locator(".audit-generated")).to_contain_text("generated")
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "audit-lemtrada-v2.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    changed = [row for row in rows if row["reason"] == REASON]
    assert [
        (row["user"], row["item"], row["field"], row["old_value"], row["new_value"])
        for row in changed
    ] == [
        (
            "curator",
            "Safety concern “Malignancies”",
            "Category",
            "Important potential risk",
            "Important identified risk",
        )
    ]
    assert rows[0]["action"] == "Published"  # the download keeps the order on the page

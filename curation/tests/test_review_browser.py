"""The reviewer and the curator in real Chromium at 1280 × 800: a version walked from submission
to publication with the change in view, and admin pages that never scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from curation.tests.test_admin_browser import PLAN_PAGE, log_in
from risks import workflow
from risks.models import PlanStatus, RiskManagementPlan
from risks.seed import SEED_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

VIEWPORT = {"width": 1280, "height": 800}
LEMTRADA_SUMMARY = SEED_DIR / "sources" / "004_28828877f4a64970.txt"

# The page's width, and the tables that end beyond the window's right edge.
WIDTHS = """() => ({
  page: document.documentElement.scrollWidth,
  overflowing: Array.from(document.querySelectorAll("table"))
    .map((table) => [
      table.id || (table.closest("[id]") || {}).id || "",
      Math.round(table.getBoundingClientRect().right),
    ])
    .filter(([, right]) => right > window.innerWidth),
})"""


def log_out(page, live_server):
    page.context.clear_cookies()


def assert_fits(page, what):
    widths = page.evaluate(WIDTHS)
    assert widths == {"page": 1280, "overflowing": []}, what


@pytest.fixture
def draft(seeded, curator):
    published = RiskManagementPlan.objects.get(product__slug="lemtrada", status="published")
    return workflow.start_new_version(
        published, user=curator, version="2", reason="EMA published an updated RMP summary"
    )


def test_a_version_is_submitted_reviewed_with_its_changes_in_view_and_published(
    page, live_server, draft, curator, reviewer
):
    page.set_viewport_size(VIEWPORT)
    log_in(page, live_server, "curator")
    expect(page.locator("#your-drafts")).to_contain_text("Lemtrada version 2")
    page.locator("#your-drafts").get_by_role("link", name="Lemtrada version 2").click()
    expect(page).to_have_url(PLAN_PAGE)

    # A concern saved on its own page returns to the plan.
    page.locator(
        "#safety_concerns-group tr", has=page.locator("input[value='Malignancies']")
    ).get_by_role("link", name="Change").click()
    page.get_by_label("Category").select_option(label="Important identified risk")
    page.get_by_role("button", name="Save", exact=True).click()
    # No reason: said at the top, and the box with its message is brought into view.
    expect(page.locator(".errornote.reason-missing")).to_contain_text(
        "Give a reason for this change"
    )
    reason = page.get_by_label("Reason for this change")
    expect(reason).to_be_in_viewport()
    expect(reason).to_be_focused()
    expect(page.locator("fieldset.change-reason .errorlist")).to_be_in_viewport()
    reason.fill("Reclassified as in the updated summary")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/risks/riskmanagementplan/{draft.pk}/change/#"))
    expect(page.locator(".messagelist .success")).to_contain_text("Malignancies")

    page.get_by_role("link", name="Submit for review").click()
    changes = page.locator("#what-changes")
    expect(changes).to_contain_text("Compared with version 1")
    expect(changes).to_contain_text(
        "Reclassified: Malignancies from important potential risk to important identified risk"
    )
    assert_fits(page, "submit page")
    page.get_by_label("Reason for this change").fill("Ready for review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "Version 2 of Lemtrada is submitted for review."
    )

    log_out(page, live_server)
    log_in(page, live_server, "reviewer")
    waiting = page.locator("#waiting-for-review")
    expect(waiting).to_contain_text("Waiting for your review (1)")
    waiting.get_by_role("link", name="Review and publish").click()
    expect(page.get_by_role("heading", name="Publish version 2 of Lemtrada")).to_be_visible()
    changes = page.locator("#what-changes")
    expect(changes.locator(".summary")).to_have_text("In short: 1 safety concern reclassified.")
    expect(changes).to_contain_text(
        "Reclassified: Malignancies from important potential risk to important identified risk"
    )
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == PlanStatus.IN_REVIEW
    assert_fits(page, "publish page")
    page.get_by_label("Reason for this change").fill("Checked against the summary")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "Version 2 of Lemtrada is published."
    )
    assert RiskManagementPlan.objects.get(pk=draft.pk).status == PlanStatus.PUBLISHED
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#waiting-for-review")).to_contain_text(
        "No version in review is waiting for you."
    )


def test_the_admin_pages_fit_1280_pixels(page, live_server, draft, curator, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    page.set_viewport_size(VIEWPORT)
    log_in(page, live_server, "curator")
    concern = draft.safety_concerns.order_by("position").first()
    study = draft.studies.order_by("position").first()
    pages = {
        "plan version": f"/admin/risks/riskmanagementplan/{draft.pk}/change/",
        "safety concern": f"/admin/risks/safetyconcern/{concern.pk}/change/",
        "study": f"/admin/risks/study/{study.pk}/change/",
        "audit trail": f"/admin/audit/plans/{draft.pk}/",
        "audit trail with the copy": f"/admin/audit/plans/{draft.pk}/?copies=shown",
        "admin home": "/admin/",
    }
    for what, path in pages.items():
        page.goto(live_server.url + path)
        assert_fits(page, what)
    # The routine measures' last columns are on screen.
    page.goto(live_server.url + pages["safety concern"])
    group = page.locator("#routine_measures-group")
    for heading in ("Section references", "Delete?"):
        box = group.locator("thead th", has_text=heading).bounding_box()
        assert box["x"] + box["width"] <= 1280, heading
    # The reason column of the trail is readable.
    page.goto(live_server.url + pages["audit trail with the copy"])
    reason = page.locator("#audit-entries thead th.audit-reason").bounding_box()
    assert reason["width"] >= 160 and reason["x"] + reason["width"] <= 1280

    page.goto(f"{live_server.url}/admin/imports/importlog/upload/")
    page.get_by_label("RMP summary").set_input_files(LEMTRADA_SUMMARY)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#differences")).to_contain_text("Compared with version 1")
    assert_fits(page, "import preview")
    confirm = page.get_by_role("button", name="Confirm: create the draft")
    expect(confirm).to_have_count(1)
    assert confirm.bounding_box()["y"] < page.locator("#concerns").bounding_box()["y"]
    expect(
        page.get_by_role("button", name="Create the draft, with the reason given at the top")
    ).to_have_count(1)

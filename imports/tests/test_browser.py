"""A curator imports an RMP summary in real Chromium: upload, preview, confirm."""

import re

import pytest
from playwright.sync_api import expect

from imports.models import ImportLog
from risks.models import PlanStatus, RiskManagementPlan
from risks.seed import SEED_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

UPLIZNA = SEED_DIR / "sources" / "003_87823eff0a2665f8.txt"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def test_curator_imports_uplizna_as_a_new_product(page, live_server, curator, upload_dir):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Import log").click()
    page.get_by_role("link", name="Import an RMP summary").click()

    expect(page.get_by_role("heading", name="Import an RMP summary")).to_be_visible()
    page.get_by_label("RMP summary").set_input_files(UPLIZNA)
    page.get_by_role("button", name="Preview the import").click()

    expect(
        page.get_by_role("heading", name=f"Preview of the import of {UPLIZNA.name}")
    ).to_be_visible()
    expect(page.locator("#target")).to_contain_text("A new product UPLIZNA")
    expect(page.locator("#target")).to_contain_text("inebilizumab")
    expect(page.get_by_role("heading", name="9 safety concerns")).to_be_visible()
    expect(page.locator("section.concern")).to_have_count(9)
    expect(page.locator("section.concern h3").first).to_have_text(re.compile(r"^1\. Infusion"))
    assert RiskManagementPlan.objects.count() == 0

    page.get_by_label("Reason for the import").fill("New summary published by EMA")
    page.get_by_role("button", name="Confirm: create the draft").click()

    expect(page).to_have_url(re.compile(r"/admin/risks/riskmanagementplan/\d+/change/$"))
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Imported {UPLIZNA.name}: draft version 1 of UPLIZNA (9 safety concerns, "
    )
    expect(page.get_by_role("heading", name=re.compile("UPLIZNA RMP version 1"))).to_be_visible()
    expect(page.locator("#id_status")).to_have_value(PlanStatus.DRAFT)
    plan = RiskManagementPlan.objects.get()
    assert (plan.product.name, plan.status, plan.safety_concerns.count()) == (
        "UPLIZNA",  # as the document writes it (the preview warns about the capitals)
        PlanStatus.DRAFT,
        9,
    )
    assert ImportLog.objects.get().plan == plan
    assert list(upload_dir.iterdir()) == []

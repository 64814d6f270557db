"""A curator imports RMP summaries in real Chromium: upload, preview, confirm; several at once."""

import re

import pytest
from playwright.sync_api import expect

from imports.models import ImportLog
from imports.tests.corpus import render
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


def test_curator_imports_two_summaries_at_once(page, live_server, curator, tmp_path):
    menvaris, ravolix = tmp_path / "menvaris.pdf", tmp_path / "ravolix.txt"
    menvaris.write_bytes(render.render_pdf("menvaris"))
    ravolix.write_text(render.render_text("ravolix"), encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/imports/importlog/upload/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("RMP summary").set_input_files([menvaris, ravolix])
    page.get_by_label("Reason for the import").fill("Summaries published by EMA")
    page.get_by_role("button", name="Import the 2 files").click()

    expect(page.get_by_role("heading", name="Results of the import")).to_be_visible()
    expect(page.locator("#totals")).to_have_text("2 files: 2 new drafts.")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("menvaris.pdf")
    expect(rows.nth(0).locator("td")).to_have_text(
        [
            "Menvaris",
            "1",
            "2",
            "2",
            "2",
            "3",
            "2",
            re.compile(r"^\s*Draft created: version 1 of Menvaris\s*$"),
        ]
    )
    expect(rows.nth(1).locator("th")).to_have_text("ravolix.txt")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll

    rows.nth(1).get_by_role("link", name="version 1 of Ravolix").click()
    expect(page).to_have_url(re.compile(r"/admin/risks/riskmanagementplan/\d+/change/$"))
    assert sorted(RiskManagementPlan.objects.values_list("product__name", "status")) == [
        ("Menvaris", PlanStatus.DRAFT),
        ("Ravolix", PlanStatus.DRAFT),
    ]

"""Curators and API readers in real Chromium, against a live server."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Curate products and risk management plans")
    ).to_be_visible()


def test_curator_logs_in_and_reviews_the_lemtrada_plan(page, live_server, seeded, curator):
    log_in(page, live_server)
    page.get_by_role("link", name="Risk management plan versions").click()
    page.get_by_role("link", name="Lemtrada").click()

    expect(page.get_by_role("heading", name=re.compile("Lemtrada RMP version 1"))).to_be_visible()
    # The published version is read-only: its parts show as text, with "View" links.
    concern_names = page.locator("#safety_concerns-group tr.has_original td.field-name")
    expect(concern_names).to_have_count(23)
    expect(concern_names.first).to_have_text("Infusion-associated reactions (IARs)")
    expect(page.locator("#studies-group tr.has_original td.field-code")).to_have_count(4)

    page.locator(
        "#safety_concerns-group tr",
        has=page.locator("td.field-name", has_text="Stroke (including haemorrhagic stroke)"),
    ).get_by_role("link", name="View", exact=True).click()
    references = page.locator("td.field-references")
    expect(references.first).to_have_text("SmPC 4.2, SmPC 4.3, SmPC 4.4, SmPC 4.8")


def test_api_product_detail_shows_the_seeded_plan_in_a_browser(page, live_server, seeded):
    page.goto(f"{live_server.url}/api/v1/products/lemtrada/")
    expect(page.get_by_role("heading", name="Product Instance")).to_be_visible()
    body = page.get_by_label("response info").locator("pre")
    expect(body).to_contain_text('"name": "Infusion-associated reactions (IARs)"')
    expect(body).to_contain_text('"code": "OBS13434"')

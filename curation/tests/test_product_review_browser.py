"""In real Chromium: a curator uploads Lemtrada's product information, sees the sections and
the diff against the published ones, submits; a reviewer publishes; the product page's
SmPC 4.4 references then open the section text."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from imports.pi_drafts import draft_product_information, preview_product_information
from products import review
from products.models import ProductChange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LEMTRADA_PI = (
    settings.BASE_DIR
    / "imports"
    / "tests"
    / "documents"
    / "product_information"
    / "lemtrada_smpc.txt"
)
OLD_WARNING = "Patients should be observed for at least 1 hour after each infusion."
NEW_WARNING = "Patients should be observed for at least 2 hours after each infusion."


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Curate products and risk management plans")
    ).to_be_visible()


def publish_an_older_text(product, curator, reviewer, django_user_model):
    """The information published before: 4.4 said one hour; no Annex II, no leaflet."""
    text = LEMTRADA_PI.read_text(encoding="utf-8").replace(NEW_WARNING, OLD_WARNING)
    text = text.split("ANNEX II")[0]
    preview = preview_product_information(text.encode(), "lemtrada_2023.txt", product)
    change = draft_product_information(preview, user=curator, reason="The 2023 text")
    review.submit(change, user=curator, reason="Ready")
    other = django_user_model.objects.create_user("first-reviewer", is_staff=True)
    other.groups.add(*reviewer.groups.all())
    review.publish(change, user=other, reason="Checked")


def test_a_curator_uploads_the_information_and_a_reviewer_publishes_it(
    page, live_server, seeded, curator, reviewer, django_user_model
):
    lemtrada = seeded["lemtrada"]
    assert NEW_WARNING in LEMTRADA_PI.read_text(encoding="utf-8")
    publish_an_older_text(lemtrada, curator, reviewer, django_user_model)
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, live_server, "curator")
    page.goto(f"{live_server.url}/admin/products/product/{lemtrada.pk}/change/")
    page.get_by_role("link", name="Upload product information").click()
    page.get_by_label("Product information").set_input_files(LEMTRADA_PI)
    page.get_by_role("button", name="Preview").click()

    # The preview: the sections found with their first lines, and the diff.
    expect(page.locator(".pi-summary")).to_contain_text(
        "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)"
    )
    expect(page.locator(".pi-summary")).to_contain_text("LEMTRADA 12 mg concentrate")
    expect(page.locator(".pi-diff-summary")).to_have_text(
        "10 added, 0 removed, 1 changed, 27 unchanged."
    )
    changed = page.locator("tr.pi-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("th")).to_have_text("SmPC 4.4")
    changed.get_by_text("Text: published and proposed").click()
    expect(changed.locator("del")).to_have_text(["1", "hour"])
    expect(changed.locator("ins")).to_have_text(["2", "hours"])
    expect(page.locator("tr.pi-added th").first).to_have_text("Annex II A")
    expect(page.locator("table.pi-sections tbody tr")).to_have_count(38)
    expect(page.locator("table.pi-sections")).to_contain_text("LEMTRADA is not recommended")

    page.get_by_label("Reason for the change").fill("Product information of the 2024 EPAR")
    page.get_by_role("button", name="Create the draft").click()
    expect(page).to_have_url(re.compile(r"/admin/products/productchange/\d+/change/$"))
    expect(page.locator(".messagelist .success")).to_contain_text(
        "The file lemtrada_smpc.txt is in Change"
    )

    # Nothing public yet.
    public = page.context.new_page()
    public.goto(f"{live_server.url}/products/lemtrada/information/")
    expect(public.locator("#smpc-4-4")).to_contain_text(OLD_WARNING)

    page.get_by_role("link", name="Submit for review").click()
    page.get_by_label("Reason for this change").fill("Ready for review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist .success")).to_contain_text("is submitted for review")

    log_in(page, live_server, "reviewer")
    change = ProductChange.objects.get(status="in_review")
    page.goto(f"{live_server.url}/admin/products/productchange/{change.pk}/change/")
    expect(page.locator("tr.pi-changed th")).to_have_text("SmPC 4.4")
    page.get_by_role("link", name="Publish", exact=True).click()
    page.get_by_label("Reason for this change").fill("Checked against the EPAR")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("is published")

    # The product page's SmPC 4.4 references now open the section text.
    public.goto(f"{live_server.url}/products/lemtrada/")
    reference = public.locator("a.cite", has_text="SmPC 4.4").first
    expect(reference).to_have_text("SmPC 4.4 Special warnings and precautions for use")
    reference.evaluate("link => link.closest('details') && (link.closest('details').open = true)")
    reference.click()
    expect(public).to_have_url(re.compile(r"/products/lemtrada/information/#smpc-4-4$"))
    section = public.locator("#smpc-4-4")
    expect(section).to_contain_text(NEW_WARNING)
    expect(section).to_be_in_viewport()

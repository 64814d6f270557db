"""A reader finds what changed in Lemtrada's plan, in real Chromium against a live server."""

import re
from datetime import UTC

import pytest
from playwright.sync_api import expect

from risks.models import ConcernCategory
from risks.tests.factories import next_version

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def reclassify_malignancies(draft):
    malignancies = draft.safety_concerns.get(name="Malignancies")
    malignancies.category = ConcernCategory.IDENTIFIED
    malignancies.save()


def test_reader_sees_a_reclassification_and_reads_the_earlier_version(page, live_server, seeded):
    first = seeded["lemtrada"].plans.get()
    next_version(first, edit=reclassify_malignancies)
    first.refresh_from_db()

    page.goto(f"{live_server.url}/products/lemtrada/")
    page.get_by_role("link", name="What changed").click()

    expect(page).to_have_url(re.compile(r"/products/lemtrada/changes/$"))
    expect(
        page.get_by_role("heading", name="What changed from version 1 to version 2")
    ).to_be_visible()
    expect(page.locator(".summary")).to_have_text("In short: 1 safety concern reclassified.")
    reclassified = page.locator(".change-list > li", has_text="Reclassified:")
    expect(reclassified).to_have_text(
        "Reclassified: Malignancies from important potential risk to important identified risk"
    )

    # the concern's link leads to its place on the current product page
    reclassified.get_by_role("link", name="Malignancies").click()
    expect(page).to_have_url(re.compile(r"/products/lemtrada/#risk-malignancy$"))
    # opened, under the identified risks of version 2's overview
    expect(page.locator("#risk-malignancy")).to_have_attribute("open", "")
    expect(page.locator("#risk-malignancy")).to_have_class("concern identified")
    identified = page.locator("tbody.identified")
    expect(identified.get_by_role("link", name="Malignancies")).to_be_visible()

    page.go_back()
    page.get_by_role("link", name="View version 1").click()
    expect(page).to_have_url(re.compile(r"/products/lemtrada/versions/1/$"))
    superseded = first.superseded_at.astimezone(UTC).strftime("%-d %b %Y")
    expect(page.locator(".version-banner")).to_have_text(
        f"You are viewing version 1, superseded on {superseded} by version 2. "
        "See the current version · What changed"
    )
    # version 1 still lists Malignancies as an important potential risk
    potential = page.locator("tbody.potential")
    expect(potential.get_by_role("link", name="Malignancies")).to_be_visible()
    expect(page.locator("tbody.identified").get_by_role("link", name="Malignancies")).to_have_count(
        0
    )

    # and back to the comparison, read the other way round with the form
    page.locator(".version-banner").get_by_role("link", name="What changed").click()
    expect(page).to_have_url(re.compile(r"/products/lemtrada/changes/\?from=1&to=2$"))
    page.get_by_label("From version", exact=True).select_option("2")
    page.get_by_label("to version", exact=True).select_option("1")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"\?from=2&to=1#what-changed$"))
    expect(page.locator(".change-list > li", has_text="Reclassified:")).to_have_text(
        "Reclassified: Malignancies from important identified risk to important potential risk"
    )

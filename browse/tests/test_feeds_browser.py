"""A reader follows what was published from the home page, in real Chromium."""

import re

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


def test_home_page_shows_what_each_publication_changed(page, live_server, seeded):
    next_version(seeded["lemtrada"].plans.get(), edit=reclassify_malignancies)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    recent = page.locator("ul.publications > li")
    expect(recent).to_have_count(5)
    newest = recent.first
    expect(newest.get_by_role("link")).to_have_text("Lemtrada, plan version 2")
    expect(newest.locator(".change-summary")).to_have_text("1 safety concern reclassified.")
    expect(newest.locator(".change-summary")).to_be_visible()
    for index in range(1, 5):
        expect(recent.nth(index).locator(".change-summary")).to_contain_text(
            "First version published here:"
        )
    follow = page.get_by_role("link", name="Follow (Atom)")
    expect(follow).to_have_count(2)
    expect(follow.first).to_be_visible()
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(feeds).to_have_count(2)
    page.screenshot(path="/tmp/feeds/home.png", full_page=True)

    newest.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/products/lemtrada/changes/\?from=1&to=2$"))
    expect(page.locator(".summary")).to_have_text("In short: 1 safety concern reclassified.")

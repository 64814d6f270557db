"""Permanent addresses: a concern's and a study's page, and links that survive a new version."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.core.cache import caches

from risks.models import ConcernCategory, SafetyConcern, StudyStatus, concern_anchor
from risks.tests.factories import (
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    StudyFactory,
    next_version,
)

pytestmark = pytest.mark.django_db


def page_of(response, status=200):
    assert response.status_code == status, response.status_code
    return response.content.decode()


def text_of(page):
    main = page[page.index("<main") : page.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def links(page):
    """Every address inside the page's main part, as written in its links."""
    main = page[page.index("<main") : page.index("</main>")]
    return [html.unescape(href) for href in re.findall(r'<a [^>]*href="([^"]+)"', main)]


def edit_lemtrada(draft):
    """Version 2: a concern reclassified, one respelled, one removed, one added; a study done."""
    malignancies = draft.safety_concerns.get(name="Malignancies")
    malignancies.category = ConcernCategory.IDENTIFIED
    malignancies.save()
    stroke = draft.safety_concerns.get(name="Stroke (including haemorrhagic stroke)")
    stroke.name = "Stroke (including hemorrhagic stroke)"  # the same concern, US spelling
    stroke.save()
    draft.safety_concerns.get(name="Use in racial categories other than white").delete()
    SafetyConcern.objects.create(
        plan=draft, name="Vitiligo", category=ConcernCategory.POTENTIAL, position=40
    )
    draft.studies.filter(code="OBS13434").update(status=StudyStatus.COMPLETED)


def test_every_link_of_version_1_still_leads_to_its_concern_or_study_after_version_2(
    client, seeded
):
    first = seeded["lemtrada"].plans.get()
    page = page_of(client.get("/products/lemtrada/"))
    old = [
        url
        for url in links(page)
        if url.startswith("#risk-")
        or (url.startswith("/products/") and ("/risks/" in url or "/studies/" in url))
        if "format=" not in url  # not the downloads of the product's concerns
    ]
    anchors = {url for url in old if url.startswith("#")}
    pages = {url for url in old if not url.startswith("#")}
    assert len(anchors) == 23 and len(pages) == 23 + 4  # every concern and study
    assert "#risk-progressive-multifocal-leukoencephalopathy" in anchors

    second = next_version(first, version="2", edit=edit_lemtrada)
    assert second.is_published

    page = page_of(client.get("/products/lemtrada/"))
    removed = concern_anchor("use in racial categories other than white")
    for anchor in anchors - {f"#{removed}"}:
        assert f'id="{anchor[1:]}"' in page, anchor  # the same anchor in version 2
    assert f'id="{removed}"' not in page
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "History across the published versions" in response.content.decode(), url

    # the respelled concern keeps its page; version 2 shows it under its new name
    stroke = text_of(
        page_of(client.get("/products/lemtrada/risks/stroke-including-hemorrhagic-stroke/"))
    )
    assert "Stroke (including hemorrhagic stroke) · Lemtrada" in stroke
    assert "Renamed from “Stroke (including haemorrhagic stroke)”" in stroke


def test_a_concern_page_tells_its_history_across_versions(client, seeded):
    first = seeded["lemtrada"].plans.get()
    next_version(first, version="2", edit=edit_lemtrada)
    next_version(first.product.plans.get(version="2"), version="3-draft", publish=False)

    page = page_of(client.get("/products/lemtrada/risks/malignancy/"))
    text = text_of(page)
    assert "Malignancies · Lemtrada" in text
    assert "Important identified risk in the current version" in text
    assert "Added as important potential risk" in text
    assert "Reclassified from important potential risk to important identified risk" in text
    assert "3-draft" not in text  # drafts have no place in the history
    assert '<a href="/products/lemtrada/versions/1/">1</a>' in page
    assert 'href="/products/lemtrada/#risk-malignancy"' in page

    removed = text_of(
        page_of(client.get("/products/lemtrada/risks/use-in-racial-categories-other-than-white/"))
    )
    assert "This safety concern is not in the current version" in removed
    assert "It was last listed in version 1" in removed
    assert "Removed from the plan" in removed

    added = text_of(page_of(client.get("/products/lemtrada/risks/vitiligo/")))
    assert "not in this version" in added and "Added as important potential risk" in added


def test_a_study_page_shows_design_milestones_overdue_and_its_register_entry(client, seeded):
    study = seeded["lemtrada"].plans.get().studies.get(short_name="Risk of mortality study")
    page = page_of(client.get(study.get_absolute_url()))
    text = text_of(page)
    assert study.get_absolute_url() == "/products/lemtrada/studies/risk-of-mortality-study/"
    assert "Category 1: imposed, a condition of the marketing authorisation" in text
    assert "Observational cohort" in text and "Ongoing" in text
    assert "Final report Q3 2024 Overdue by " in text
    assert "EU PAS register number not recorded" in text
    assert "Progressive multifocal leukoencephalopathy (PML)" in text
    assert '<a href="/products/lemtrada/risks/progressive-multifocal-leukoencephalopathy/">' in page

    study.eu_pas_number = "EUPAS12345"
    study.full_clean()
    study.save()
    caches[settings.PUBLIC_PAGE_CACHE].clear()  # edited behind the workflow's back
    page = page_of(client.get(study.get_absolute_url()))
    assert (
        '<a href="https://catalogues.ema.europa.eu/search?search_api_fulltext=EUPAS12345">'
        "EUPAS12345</a>"
    ) in page


def test_an_eu_pas_number_is_checked():
    study = StudyFactory.build(plan=PlanFactory(), eu_pas_number="12345")
    with pytest.raises(Exception, match="EU PAS register number reads EUPAS and digits"):
        study.full_clean()


@pytest.mark.parametrize(
    ("due", "months"),
    [
        (datetime.date(2026, 11, 30), 0),
        (datetime.date(2026, 10, 31), 1),
        (datetime.date(2026, 11, 7), 1),
        (datetime.date(2025, 9, 30), 14),
        (datetime.date(2026, 12, 7), None),  # due today: not overdue yet
    ],
)
def test_overdue_milestones_say_by_how_many_whole_months(due, months):
    milestone = MilestoneFactory.build(due_date=due, reported_on=None)
    assert milestone.months_overdue(datetime.date(2026, 12, 7)) == months
    milestone.reported_on = datetime.date(2026, 1, 1)
    assert milestone.months_overdue(datetime.date(2026, 12, 7)) is None


def test_unknown_items_and_drafts_are_not_found(client, seeded):
    draft = PlanFactory(draft=True, product__slug="hidden")
    SafetyConcernFactory(plan=draft, name="Hidden risk")
    StudyFactory(plan=draft, code="HID-1")
    for url in [
        "/products/hidden/risks/hidden-risk/",
        "/products/hidden/studies/hid-1/",
        "/products/lemtrada/risks/no-such-risk/",
        "/products/lemtrada/studies/no-such-study/",
    ]:
        assert client.get(url).status_code == 404, url


def test_item_pages_query_counts_do_not_grow_with_versions(
    client, seeded, django_assert_num_queries
):
    first = seeded["lemtrada"].plans.get()
    with django_assert_num_queries(14):
        page_of(client.get("/products/lemtrada/risks/malignancy/"))
    second = next_version(first, version="2")
    next_version(second, version="3")
    with django_assert_num_queries(14):
        page_of(client.get("/products/lemtrada/risks/malignancy/"))
    with django_assert_num_queries(14):
        page_of(client.get("/products/lemtrada/studies/obs13434/"))


def test_the_api_gives_each_concern_and_study_its_permanent_page(client, seeded):
    lemtrada = client.get("/api/v1/products/lemtrada/").json()
    pml = next(c for c in lemtrada["safety_concerns"] if c["name"].startswith("Progressive"))
    assert pml["url"] == (
        "http://testserver/products/lemtrada/risks/progressive-multifocal-leukoencephalopathy/"
    )
    obs = next(s for s in lemtrada["studies"] if s["code"] == "OBS13434")
    assert obs["url"] == "http://testserver/products/lemtrada/studies/obs13434/"
    assert obs["eu_pas_number"] == ""
    clolar = client.get("/api/v1/products/clolar/").json()
    assert clolar["boxed_warning"] is None and clolar["rems"] is None  # not recorded
    studies = client.get("/api/v1/studies/?product=lemtrada").json()["results"]
    assert "http://testserver/products/lemtrada/studies/obs13434/" in {s["url"] for s in studies}


def test_the_admin_names_the_zone_of_its_times(curator_client):
    page = page_of(curator_client.get("/admin/"))
    assert '<small class="time-zone">· times in UTC</small>' in page


def test_two_names_of_one_plan_that_normalise_alike_keep_anchors_of_their_own(client):
    plan = PlanFactory(product__slug="twin")
    SafetyConcernFactory(plan=plan, name="Infection", position=1)
    SafetyConcernFactory(plan=plan, name="Infections", position=2)
    page = page_of(client.get("/products/twin/"))
    assert page.count('id="risk-infection"') == 1
    assert page.count('id="risk-infection-2"') == 1
    assert '<a href="#risk-infection-2">Infections</a>' in page

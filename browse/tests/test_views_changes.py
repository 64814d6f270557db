import html
import re
from datetime import UTC

import pytest

from risks.models import ConcernCategory, PlanStatus, SafetyConcern, StudyStatus
from risks.tests.factories import (
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
    next_version,
)

pytestmark = pytest.mark.django_db


def page_of(response, status=200):
    assert response.status_code == status
    return response.content.decode()


def text_of(page):
    """The page's text as a reader sees it: no tags, entities decoded, spacing collapsed."""
    main = page[page.index("<main") : page.index("</main>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return re.sub(r" ([,:;.])", r"\1", text)


def day(moment):
    return moment.astimezone(UTC).strftime("%-d %b %Y")


def edit_lemtrada(draft):
    """Version 2 of Lemtrada as a curator might make it from a new summary."""
    malignancies = draft.safety_concerns.get(name="Malignancies")
    malignancies.category = ConcernCategory.IDENTIFIED
    malignancies.save()
    draft.safety_concerns.get(name="Use in racial categories other than white").delete()
    SafetyConcern.objects.create(
        plan=draft, name="Vitiligo", category=ConcernCategory.POTENTIAL, position=40
    )
    draft.studies.filter(code="OBS13434").update(status=StudyStatus.COMPLETED)
    dus = draft.studies.get(short_name="Drug Utilization Study").milestones.get()
    dus.set_due("Q2 2025")
    dus.save()


@pytest.fixture
def lemtrada(seeded):
    """Lemtrada with version 2 published, a draft version 3 and a version in review."""
    first = seeded["lemtrada"].plans.get()
    second = next_version(first, edit=edit_lemtrada)
    next_version(second, version="3-secret-draft", publish=False)
    PlanFactory(product=seeded["lemtrada"], version="4-in-review", status=PlanStatus.IN_REVIEW)
    first.refresh_from_db()
    return seeded["lemtrada"], first, second


@pytest.fixture
def history():
    """A small product with versions 1 (superseded) and 2 (current), a draft and one in review."""
    first = PlanFactory(product__name="Examplumab", product__slug="examplumab", version="1")
    SafetyConcernFactory(plan=first, name="Hepatotoxicity")
    second = next_version(first)
    next_version(second, version="3-secret-draft", publish=False)
    PlanFactory(product=first.product, version="4-in-review", status=PlanStatus.IN_REVIEW)
    return first.product


def test_product_page_links_to_the_version_history(client, lemtrada):
    page = page_of(client.get("/products/lemtrada/"))
    assert "version 2, date not stated in the source; published here " in page
    assert '<a href="/products/lemtrada/changes/">Version history and what changed</a>' in page
    assert "You are viewing version" not in page


def test_version_history_lists_public_versions_newest_first(client, lemtrada):
    _, first, second = lemtrada
    text = text_of(page_of(client.get("/products/lemtrada/changes/")))
    assert "Lemtrada: version history and what changed" in text
    assert (
        f"2 published versions, newest first Version Plan date Published on Status Read it "
        f"2 not stated {day(second.published_at)} Current View version 2 "
        f"1 not stated {day(first.published_at)} Superseded on {day(first.superseded_at)} "
        "View version 1"
    ) in text
    page = page_of(client.get("/products/lemtrada/changes/"))
    assert '<a href="/products/lemtrada/">View version 2</a>' in page
    assert '<a href="/products/lemtrada/versions/1/">View version 1</a>' in page
    assert "secret" not in page and "in-review" not in page and "3 published" not in page


def test_default_comparison_is_previous_to_current_in_sentences(client, lemtrada):
    _, first, second = lemtrada
    page = page_of(client.get("/products/lemtrada/changes/"))
    text = text_of(page)
    assert "What changed from version 1 to version 2" in text
    assert (
        "In short: 1 safety concern added, 1 removed, 1 reclassified; 1 study completed; "
        "1 milestone moved."
    ) in text
    assert "Added: Vitiligo (important potential risk)" in text
    assert "Removed: Use in racial categories other than white (missing information)" in text
    assert (
        "Reclassified: Malignancies from important potential risk to important identified risk"
    ) in text
    assert "Completed: OBS13434, which was ongoing" in text
    assert (
        "Milestone moved: Drug Utilization Study, Final report: Q3 2024 → Q2 2025 (later)" in text
    )
    # concerns link to their place on the product page (current) or the version page
    malignancies = second.safety_concerns.get(name="Malignancies")
    removed = first.safety_concerns.get(name="Use in racial categories other than white")
    assert (
        f'<a class="item" href="/products/lemtrada/#{malignancies.anchor}">Malignancies</a>' in page
    )
    assert f'href="/products/lemtrada/versions/1/#{removed.anchor}"' in page
    study = second.studies.get(code="OBS13434")
    assert study.anchor == "study-obs13434"
    assert f'<a class="item" href="/products/lemtrada/#{study.anchor}">OBS13434</a>' in page
    # the form shows what is compared
    assert '<option value="1" selected>1</option>' in page
    assert '<option value="2" selected>2 (current)</option>' in page


def test_chosen_versions_can_be_read_backwards(client, lemtrada):
    text = text_of(page_of(client.get("/products/lemtrada/changes/?from=2&to=1")))
    assert "What changed from version 2 to version 1" in text
    assert "Version 2 is newer than version 1: these are the changes read backwards" in text
    assert (
        "Reclassified: Malignancies from important identified risk to important potential risk"
    ) in text
    assert "Status changed: OBS13434 from completed to ongoing" in text


def test_routine_measure_and_text_revisions_read_as_sentences(client, seeded):
    first = seeded["lemtrada"].plans.get()

    def edit(draft):
        stroke = draft.safety_concerns.get(name="Stroke (including haemorrhagic stroke)")
        stroke.footnotes = "This risk is temporally associated with LEMTRADA infusion (day 1-3)."
        stroke.save()
        measure = stroke.routine_measures.get(text__startswith="Labeled in sections 4.2")
        measure.text = "Labelled in sections 4.2, 4.3, 4.4 and 4.8 of the SmPC."
        measure.save()
        instructions = stroke.routine_measures.get(text__startswith="Instructions for treatment")
        SectionReferenceFactory(routine_measure=instructions, document="smpc", section="4.8")

    next_version(first, edit=edit)
    page = page_of(client.get("/products/lemtrada/changes/"))
    text = text_of(page)
    assert (
        "In short: 1 safety concern with revised text; 1 routine measure revised, "
        "1 citing other sections."
    ) in text
    assert "Revised: Stroke (including haemorrhagic stroke): footnote revised" in text
    assert (
        "Revised (product information wording): "
        "“Labelled in sections 4.2, 4.3, 4.4 and 4.8 of the SmPC.”"
    ) in text
    assert (
        "Sections cited: “Instructions for treatment initiation are included in SmPC section "
        "4.2.” now also cites SmPC 4.8"
    ) in text
    # old and new wording side by side, the changed words marked
    assert "<del>Labeled</del> in sections 4.2, 4.3, 4.4 and 4.8 of SmPC." in page
    assert "<ins>Labelled</ins> in sections 4.2, 4.3, 4.4 and 4.8 of <ins>the</ins> SmPC." in page
    assert "<summary>Footnote: version 1 and version 2</summary>" in page


def test_no_differences_say_so(client, seeded):
    next_version(seeded["uplizna"].plans.get())
    text = text_of(page_of(client.get("/products/uplizna/changes/")))
    assert (
        "No differences: versions 1 and 2 list the same safety concerns, measures and studies."
    ) in text
    assert "In short" not in text


def test_single_version_has_nothing_to_compare(client, seeded):
    text = text_of(page_of(client.get("/products/ivozall/changes/")))
    assert "1 published version, newest first" in text
    assert "Only one version has been published; there is nothing to compare yet." in text
    assert "Compare" not in text


UNKNOWN = "Choose a published version of Examplumab; the published versions are 2, 1."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=3-secret-draft", f"From version: {UNKNOWN}"),
        ("to=4-in-review", f"To version: {UNKNOWN}"),
        ("from=nonsense", f"From version: {UNKNOWN}"),
        ("from=%3Cscript%3Ealert(1)%3C/script%3E", f"From version: {UNKNOWN}"),
        ("from=1&to=1", "Choose two different versions to compare."),
        ("from=2", "Choose two different versions to compare."),
        ("to=1", "Version 1 is the first published version: choose a version to compare it with."),
    ],
)
def test_bad_versions_are_a_400_with_a_message(client, history, query, message):
    page = page_of(client.get(f"/products/examplumab/changes/?{query}"), 400)
    assert f'<p class="error-message" role="alert">{message}</p>' in page
    assert "3-secret-draft" not in page and "4-in-review" not in page
    assert "<script>alert(1)" not in page
    assert "2 published versions, newest first" in page  # the history is still there
    assert "In short" not in page


def test_drafts_are_refused_like_unknown_versions(client, history):
    """The same page for a draft's label as for nonsense: nothing tells that a draft exists."""
    draft = page_of(client.get("/products/examplumab/changes/?from=3-secret-draft"), 400)
    unknown = page_of(client.get("/products/examplumab/changes/?from=nonsense"), 400)
    assert text_of(draft) == text_of(unknown)


def test_single_version_refuses_the_same_version_twice(client):
    PlanFactory(product__slug="single", version="1")
    page = page_of(client.get("/products/single/changes/?from=1&to=1"), 400)
    assert "Choose two different versions to compare." in page


def test_another_products_version_is_unknown(client, history):
    PlanFactory(version="7.1")
    page = page_of(client.get("/products/examplumab/changes/?from=7.1"), 400)
    assert f"From version: {UNKNOWN}" in page


@pytest.mark.parametrize(
    "url",
    [
        "/products/no-such-product/changes/",
        "/products/secret/changes/",
        "/products/secret/versions/1/",
        "/products/examplumab/versions/3-secret-draft/",
        "/products/examplumab/versions/4-in-review/",
        "/products/examplumab/versions/99/",
        "/products/examplumab/versions/7.1/",
        "/products/examplumab/versions/%3Cscript%3E/",
    ],
)
def test_unpublished_and_unknown_pages_are_404(client, history, url):
    draft_only = PlanFactory(product__slug="secret", version="1", draft=True)
    SafetyConcernFactory(plan=draft_only, name="Secret draft risk")
    PlanFactory(version="7.1")  # another product's version
    page = page_of(client.get(url), 404)
    assert "There is no published page at this address." in page
    assert "Secret draft risk" not in page


def test_a_product_without_a_plan_has_an_empty_history(client):
    PlanFactory(product__slug="known").product.plans.all().delete()
    text = text_of(page_of(client.get("/products/known/changes/")))
    assert "No version of a risk management plan has been published for" in text


def test_superseded_version_page_shows_its_own_plan_and_a_banner(client, lemtrada):
    first = lemtrada[1]
    page = page_of(client.get("/products/lemtrada/versions/1/"))
    text = text_of(page)
    assert (
        f"You are viewing version 1, superseded on {day(first.superseded_at)} by version 2. "
        "See the current version · What changed"
    ) in text
    assert (
        '<a href="/products/lemtrada/">See the current version</a> · '
        '<a href="/products/lemtrada/changes/?from=1&amp;to=2">What changed</a>'
    ) in page
    assert "<title>Lemtrada: risk management plan version 1 (superseded) · RMP Browser" in page
    assert "version 1, date not stated in the source" in text
    # version 1's own concerns, under version 1's categories
    assert "Use in racial categories other than white" in text and "Vitiligo" not in text
    potential = page[page.index('<tbody class="potential">') :]
    potential = potential[: potential.index("</tbody>")]
    assert '<a href="#risk-malignancy">Malignancies</a>' in potential
    old_concern = first.safety_concerns.get(name="Malignancies")
    assert f'id="{old_concern.anchor}"' in page
    assert "/api/v1/products/lemtrada/" not in page  # the API serves the current version


def test_current_version_page_says_it_is_current(client, lemtrada):
    text = text_of(page_of(client.get("/products/lemtrada/versions/2/")))
    assert (
        "You are viewing version 2, the current version. This address keeps showing version 2 "
        "after a newer version is published; the product page always shows the current version."
    ) in text
    assert "Vitiligo" in text and "Use in racial categories other than white" not in text


def build_history(size):
    """A product with two public versions whose every concern and study changed."""
    plan = PlanFactory(version="1", product__slug="big")
    for _ in range(size):
        reference = SectionReferenceFactory(routine_measure__safety_concern__plan=plan)
        concern = reference.routine_measure.safety_concern
        study = StudyFactory(plan=plan)
        study.safety_concerns.add(concern)
        MilestoneFactory(study=study)

    def edit(draft):
        for concern in draft.safety_concerns.all():
            concern.category = ConcernCategory.POTENTIAL
            concern.save()
        for study in draft.studies.all():
            study.status = StudyStatus.COMPLETED
            study.save()

    next_version(plan, edit=edit)


@pytest.mark.parametrize("size", [1, 30])
def test_query_counts_do_not_grow(client, django_assert_num_queries, size):
    build_history(size)
    # product and substances, versions, the comparison (9), the footer's data version, the
    # page cache's
    with django_assert_num_queries(13):
        text = text_of(page_of(client.get("/products/big/changes/")))
    assert f"{size} {'study' if size == 1 else 'studies'} completed" in text
    # as the product page (14; no additional measure to link), plus the list of versions
    with django_assert_num_queries(14):
        text = text_of(page_of(client.get("/products/big/versions/1/")))
    assert "You are viewing version 1, superseded on" in text

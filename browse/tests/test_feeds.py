"""The Atom feeds (parsed as a feed reader parses them) and the pages that offer them."""

import datetime
import html
import re
from urllib.parse import unquote

import feedparser
import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from browse.selectors.publications import group_name
from risks import publications as publications_module
from risks.changes import compare
from risks.models import (
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    SafetyConcern,
    StudyStatus,
)
from risks.publications import PublicationSummary
from risks.published import PublishedConcern, rebuild_all
from risks.tests.factories import PlanFactory, next_version

pytestmark = pytest.mark.django_db


def parse(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def edit_lemtrada(draft):
    malignancies = draft.safety_concerns.get(name="Malignancies")
    malignancies.category = ConcernCategory.IDENTIFIED
    malignancies.save()
    SafetyConcern.objects.create(
        plan=draft, name="Vitiligo", category=ConcernCategory.POTENTIAL, position=40
    )
    draft.studies.filter(code="OBS13434").update(status=StudyStatus.COMPLETED)


def secret_edit(draft):
    SafetyConcern.objects.create(
        plan=draft, name="Secret draft concern", category=ConcernCategory.POTENTIAL, position=41
    )


@pytest.fixture
def lemtrada(seeded):
    """Lemtrada with version 2 published, then a draft and a version in review."""
    first = seeded["lemtrada"].plans.get()
    second = next_version(first, edit=edit_lemtrada)
    next_version(second, version="3-secret-draft", publish=False, edit=secret_edit)
    PlanFactory(product=seeded["lemtrada"], version="4-in-review", status=PlanStatus.IN_REVIEW)
    first.refresh_from_db()
    return seeded["lemtrada"], first, second


def test_publications_feed_lists_every_first_publication(client, seeded):
    feed = parse(client, "/feeds/publications/")
    assert feed.feed.title == "RMP Browser: risk management plans published"
    assert feed.feed.link == "http://testserver/"
    assert len(feed.entries) == RiskManagementPlan.objects.public().count() == 4
    for entry in feed.entries:
        assert re.fullmatch(r"\w[\w ]*: plan version \S+ published", entry.title)
        assert "First version published here:" in entry.summary
        assert re.search(r"\d+ safety concerns? and \d+ stud(y|ies)", entry.summary)
        assert re.fullmatch(r"http://testserver/products/[\w-]+/changes/", entry.link)
        assert entry.id.startswith("tag:testserver,20")
        assert entry.updated_parsed


def test_a_new_version_says_what_changed_and_links_to_the_changes(client, lemtrada):
    _product, first, second = lemtrada
    feed = parse(client, "/feeds/publications/")
    entry = feed.entries[0]  # the newest publication
    assert entry.title == f"Lemtrada: plan version {second.version} published"
    expected = "; ".join(compare(first, second).summary)
    assert html.unescape(entry.summary).startswith(f"<p>{expected}.</p>")
    assert expected.startswith("1 safety concern added, 1 reclassified")
    changes = (
        f"http://testserver/products/lemtrada/changes/?from={first.version}&to={second.version}"
    )
    assert entry.link == changes
    assert f'href="{changes.replace("&", "&amp;")}"' in entry.summary
    assert entry.id == (
        f"tag:testserver,{second.published_at:%Y-%m-%d}:/products/lemtrada/versions/{second.version}/"
    )
    published = second.published_at.replace(microsecond=0).utctimetuple()
    assert entry.updated_parsed == published
    # The first version keeps its entry, and its id.
    older = [
        e for e in feed.entries if e.title == f"Lemtrada: plan version {first.version} published"
    ]
    assert len(older) == 1
    assert older[0].id == (
        f"tag:testserver,{first.published_at:%Y-%m-%d}:/products/lemtrada/versions/{first.version}/"
    )


def test_the_changes_page_shows_the_summary_the_feed_carries(client, lemtrada):
    _product, first, second = lemtrada
    entry = parse(client, "/products/lemtrada/feed/").entries[0]
    page = client.get(entry.link).content.decode()
    summary = "; ".join(compare(first, second).summary)
    assert html.escape(summary, quote=False) in page.replace("&#x27;", "'")
    assert summary in html.unescape(entry.summary)


def test_product_feed_has_that_products_public_versions_only(client, lemtrada):
    _product, first, second = lemtrada
    feed = parse(client, "/products/lemtrada/feed/")
    assert feed.feed.title == "Lemtrada: risk management plan versions published"
    assert feed.feed.link == "http://testserver/products/lemtrada/"
    assert [entry.title for entry in feed.entries] == [
        f"Lemtrada: plan version {second.version} published",
        f"Lemtrada: plan version {first.version} published",
    ]


def test_drafts_never_reach_a_feed(client, lemtrada):
    urls = [
        "/feeds/publications/",
        "/products/lemtrada/feed/",
        "/feeds/studies/overdue/",
        "/risks/feed/?group=term:malignancies",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "secret" not in text.lower(), url
        assert "4-in-review" not in text, url


def test_a_draft_edit_leaves_the_feed_and_its_validators_alone(client, seeded):
    first = client.get("/feeds/publications/")
    assert first["ETag"] and first["Last-Modified"]
    plan = seeded["lemtrada"].plans.get()
    next_version(plan, version="2-draft", publish=False, edit=secret_edit)
    caches[settings.PUBLIC_PAGE_CACHE].clear()
    again = client.get("/feeds/publications/")
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again.content == first.content
    unchanged = client.get("/feeds/publications/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    next_version(PlanFactory._meta.model.objects.get(pk=plan.pk), version="2-public")
    moved = client.get("/feeds/publications/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert moved["ETag"] != first["ETag"]
    assert "plan version 2-public published" in moved.content.decode()


def test_a_product_with_no_public_version_has_no_feed(client, seeded):
    PlanFactory(product__slug="draftonly", product__name="Draftonly", status=PlanStatus.DRAFT)
    assert client.get("/products/draftonly/feed/").status_code == 404
    assert client.get("/products/no-such-product/feed/").status_code == 404


def test_risk_feed_follows_the_products_listing_a_group(client, lemtrada):
    key = PublishedConcern.objects.get(product__slug="lemtrada", name="Malignancies").group_key
    products = set(
        PublishedConcern.objects.filter(group_key=key).values_list("product_name", flat=True)
    )
    feed = parse(client, f"/risks/feed/?group={key}&utm_source=mail")
    assert unquote(feed.feed.links[-1].href) == f"http://testserver/risks/feed/?group={key}"
    assert [link.rel for link in feed.feed.links] == ["alternate", "self"]
    name = group_name(key)
    assert name == "Malignancies"  # the /risks/ page's name of the group
    assert feed.feed.title == f"{name}: publications of the products listing this safety concern"
    assert unquote(feed.feed.link) == f"http://testserver/risks/?group={key}"
    assert {entry.title.split(":")[0] for entry in feed.entries} == products
    assert feed.entries[0].title.startswith("Lemtrada: plan version 2")
    assert feed.entries[0].summary.startswith(
        "<p>Lemtrada now lists Malignancies as an important identified risk.</p>"
    )


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 400, "Name a group of safety concerns"),
        ("?group=", 400, "Name a group of safety concerns"),
        ("?group=" + "x" * 401, 400, "A group has at most 400 characters"),
        ("?group=no+such+risk", 404, ""),
    ],
)
def test_risk_feed_refuses_a_missing_or_unknown_group(client, seeded, query, status, message):
    response = client.get("/risks/feed/" + query)
    assert response.status_code == status
    assert message in html.unescape(response.content.decode())


def test_milestones_feed_lists_overdue_milestones_of_current_studies(client, seeded):
    feed = parse(client, "/feeds/studies/overdue/")
    overdue = Milestone.objects.overdue().filter(study__plan__status=PlanStatus.PUBLISHED)
    assert overdue.exists()
    titles = [entry.title for entry in feed.entries if entry.title.startswith("Overdue: ")]
    assert len(titles) == overdue.count()
    for milestone in overdue.select_related("study__plan__product"):
        study = milestone.study
        title = (
            f"Overdue: {study.plan.product.name}, {study.name}: "
            f"{milestone.description}, due {milestone.due}"
        )
        entry = next(entry for entry in feed.entries if entry.title == title)
        assert entry.link == f"http://testserver{study.get_absolute_url()}"
        assert f"overdue since {milestone.due_date:%-d %B %Y}" in entry.summary
        assert entry.id.startswith(f"tag:testserver,{milestone.due_date:%Y-%m-%d}:")
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)


def test_feed_ids_are_stable_across_a_new_version(client, seeded):
    before = {e.title: e.id for e in parse(client, "/feeds/studies/overdue/").entries}
    next_version(seeded["lemtrada"].plans.get())
    caches[settings.PUBLIC_PAGE_CACHE].clear()
    after = {e.title: e.id for e in parse(client, "/feeds/studies/overdue/").entries}
    assert before == after


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        ("/", "/feeds/publications/"),
        ("/", "/feeds/studies/overdue/"),
        ("/products/lemtrada/", "/products/lemtrada/feed/"),
        ("/products/lemtrada/changes/", "/products/lemtrada/feed/"),
        ("/studies/", "/feeds/studies/overdue/"),
        ("/risks/?group=term:malignancies", "/risks/feed/?group=term%3Amalignancies"),
    ],
)
def test_pages_announce_their_feeds_in_the_head(client, seeded, url, feed):
    page = client.get(url).content.decode()
    head = page[: page.index("</head>")]
    address = html.escape(f"http://testserver{feed}")
    link = r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{}">'
    assert re.search(link.format(re.escape(address)), head)
    body = page[page.index("<main") :]
    assert re.search(
        rf'<a class="feed-link" href="{re.escape(address)}"[^>]*>Follow \(Atom\)</a>', body
    )
    assert parse(client, feed).entries is not None


def test_the_home_page_lists_publications_with_what_changed(client, lemtrada):
    _product, first, second = lemtrada
    page = client.get("/").content.decode()
    section = page[page.index('id="recent-publications"') : page.index("Overdue study milestones")]
    changes = f"/products/lemtrada/changes/?from={first.version}&amp;to={second.version}"
    assert f'<a href="{changes}">Lemtrada, plan version {second.version}</a>' in section
    summary = "; ".join(compare(first, second).summary)
    assert html.escape(summary, quote=False) in section.replace("&#x27;", "'")
    assert "secret" not in section.lower()
    assert section.count("<li>") == 5  # four products, one of them twice


def test_summaries_are_written_at_publication_and_read_in_one_query(
    client, lemtrada, django_assert_num_queries
):
    _product, first, second = lemtrada
    stored = PublicationSummary.objects.get(plan=second)
    assert stored.previous == first
    assert stored.summary == compare(first, second).summary
    assert not PublicationSummary.objects.filter(plan=first).exists()  # a first version
    third = next_version(second, version="3")
    caches[settings.PUBLIC_PAGE_CACHE].clear()
    with django_assert_num_queries(8):  # as with one version of each product
        client.get("/")
    with django_assert_num_queries(3):  # the data version, the product, the publications
        client.get("/products/lemtrada/feed/")
    assert PublicationSummary.objects.get(plan=third).summary == [publications_module.NO_CHANGE]


def test_publications_not_summarised_yet_are_compared_when_read(client, lemtrada):
    _product, first, second = lemtrada
    PublicationSummary.objects.all().delete()  # as after an upgrade, before rebuilding
    assert publications_module.missing()
    entry = parse(client, "/products/lemtrada/feed/").entries[0]
    assert "; ".join(compare(first, second).summary) in html.unescape(entry.summary)
    rebuild_all()
    assert not publications_module.missing()
    assert PublicationSummary.objects.get(plan=second).previous == first


def test_milestones_due_within_30_days_are_newly_due(client, seeded):
    study = seeded["lemtrada"].plans.get().studies.order_by("pk").first()
    soon = timezone.localdate() + datetime.timedelta(days=10)
    later = timezone.localdate() + datetime.timedelta(days=31)
    for description, day in (("Interim report", soon), ("Final report X", later)):
        milestone = Milestone(study=study, description=description, position=90)
        milestone.set_due(f"{day:%-d %B %Y}")
        milestone.save()
    entries = parse(client, "/feeds/studies/overdue/").entries
    due_soon = [entry for entry in entries if entry.title.startswith("Due soon: ")]
    assert [entry.title for entry in due_soon] == [
        f"Due soon: Lemtrada, {study.name}: Interim report, due {soon:%-d %B %Y}"
    ]
    assert f"due on {soon:%-d %B %Y}" in due_soon[0].summary
    assert not any("Final report X" in entry.title for entry in entries)

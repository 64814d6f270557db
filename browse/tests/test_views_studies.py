"""The public studies page /studies/: filters, facets, sort, timeline, exports, bad input."""

import csv
import datetime
import io
import re

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from playwright.sync_api import expect

from common.tests.responses import streamed_json
from products.models import Product
from products.tests.factories import ProductFactory
from risks.models import StudyCategory, StudyDesign, StudyStatus
from risks.tests.factories import MilestoneFactory, PlanFactory, SafetyConcernFactory, StudyFactory

URL = reverse("browse:studies")
LEMTRADA_OVERDUE = ["Drug Utilization Study", "Risk of mortality study"]
UPLIZNA = [
    "SPHERES Registry Study",
    "Pregnancy Registry Study",
    "Real-World Observational Study",
    "Post-authorization Safety Study",
]


def get(client, query="", status=200):
    response = client.get(URL + query)
    assert response.status_code == status, response.content[:2000]
    return response


def page_text(response):
    return response.content.decode()


def flat_text(response):
    """The page with every run of white space as one space (the partials break lines)."""
    return " ".join(page_text(response).split())


def heading(response):
    return re.search(r"<h1>(.*?)</h1>", page_text(response), re.S).group(1).strip()


def rows(response):
    """(product, study name) of each table row, in order."""
    return [(study.plan.product.name, study.name) for study in response.context["studies"]]


def names(response):
    return [study.name for study in response.context["studies"]]


def table_rows_html(response):
    return re.findall(r'<tr id="study-\d+">(.*?)</tr>', page_text(response), re.S)


def csv_rows(response):
    """The rows as a spreadsheet reads them: UTF-8, said by the byte order mark."""
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# The seed data


@pytest.mark.django_db
def test_seed_studies_sorted_by_earliest_unreported_due_date(client, seeded):
    response = get(client)
    assert heading(response) == "8 studies"
    assert "<title>8 studies · RMP Browser</title>" in page_text(response)
    assert rows(response)[:4] == [
        ("Lemtrada", "Drug Utilization Study"),
        ("Lemtrada", "Risk of mortality study"),
        ("Lemtrada", "OBS13434"),
        ("Lemtrada", "EFC13429"),  # event-relative: no date, so after the dated ones
    ]
    assert sorted(names(response)[4:]) == sorted(UPLIZNA)  # no milestones: last


@pytest.mark.django_db
def test_rows_show_product_link_name_title_concerns_and_milestones(client, seeded):
    response = get(client)
    html = table_rows_html(response)
    dus = html[0]
    assert '<a href="/products/lemtrada/">Lemtrada</a>' in dus
    assert "Drug Utilization Study" in dus
    assert "A non-interventional PASS to investigate drug utilization" in dus
    assert "Drug utilisation study" in dus and "Ongoing" in dus
    concern = (
        seeded["lemtrada"]
        .plans.get()
        .safety_concerns.get(name="Infusion-associated reactions (IARs)")
    )
    assert concern.get_absolute_url() == "/products/lemtrada/risks/infusion-associated-reaction/"
    assert f'<a href="{concern.get_absolute_url()}">' in dus
    assert '<a href="/products/lemtrada/studies/drug-utilization-study/">' in dus
    assert (
        'Final report: Q3 2024 <time datetime="2024-09-30">(2024-09-30)</time> '
        '<span class="badge overdue">Overdue</span>'
    ) in dus
    obs = html[2]
    assert '<time datetime="2031-12-31">(2031-12-31)</time>' in obs
    assert "badge overdue" not in obs
    efc = html[3]
    assert "within 6 months of completion of the study (LPLV)" in efc
    assert "(no calendar date)" in efc and "badge overdue" not in efc
    for row in html[4:]:
        assert "None given" in row  # Uplizna: no milestones
    assert page_text(response).count('<span class="badge overdue">Overdue</span>') == 2


@pytest.mark.django_db
def test_timeline_svg_on_the_seed_data(client, seeded):
    text = page_text(get(client))
    svg = re.search(r"<svg class=\"timeline\".*?</svg>", text, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">Timeline of study milestones, 2024 to ' in svg
    assert svg.count('class="marker overdue"') == 2
    assert svg.count('class="marker due"') == 1
    assert (
        "<title>Lemtrada · Drug Utilization Study – Final report: Q3 2024 (overdue)</title>" in svg
    )
    assert "<title>Lemtrada · OBS13434 – Final report: 2031</title>" in svg
    assert '<g class="today">' in svg and ">Today</text>" in svg
    assert "<script" not in text.split("<main")[1]
    assert " style=" not in text
    # Event-relative milestones are listed under the timeline as text.
    undated = re.search(r'<ul class="undated-milestones">(.*?)</ul>', text, re.S).group(1)
    assert "Lemtrada · EFC13429 – Submission of final data: within 6 months" in undated


# Each filter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected_heading", "expected"),
    [
        ("?overdue=true", "2 studies · overdue", LEMTRADA_OVERDUE),
        ("?category=1", "2 studies · category 1", LEMTRADA_OVERDUE),
        ("?category=1&overdue=true", "2 studies · category 1 · overdue", LEMTRADA_OVERDUE),
        ("?category=3&overdue=true", "0 studies · category 3 · overdue", []),
        ("?design=registry", "2 studies · registry", UPLIZNA[:2]),
        ("?product=uplizna", "4 studies · Uplizna", UPLIZNA),
        ("?product=Uplizna", "4 studies · Uplizna", UPLIZNA),
        ("?product=%20UPLIZNA%20", "4 studies · Uplizna", UPLIZNA),
        ("?due_after=2030-01-01", "1 study · due on or after 2030-01-01", ["OBS13434"]),
        ("?due_before=2024-09-30", "2 studies · due on or before 2024-09-30", LEMTRADA_OVERDUE),
        ("?due_before=2024-09-29", "0 studies · due on or before 2024-09-29", []),
        ("?q=obs13434", "1 study · matching 'obs13434'", ["OBS13434"]),
        ("?q=mortality", "1 study · matching 'mortality'", ["Risk of mortality study"]),
        ("?product=lemtrada&overdue=false", "2 studies · Lemtrada · not overdue",
         ["OBS13434", "EFC13429"]),
    ],
)  # fmt: skip
def test_filters_on_the_seed_data(client, seeded, query, expected_heading, expected):
    response = get(client, query)
    assert heading(response).replace("&#x27;", "'") == expected_heading
    assert names(response) == expected or sorted(names(response)) == sorted(expected)


@pytest.mark.django_db
def test_overdue_filter_shows_the_badge_on_every_row(client, seeded):
    html = table_rows_html(get(client, "?overdue=true"))
    assert len(html) == 2
    assert all('<span class="badge overdue">Overdue</span>' in row for row in html)


@pytest.mark.django_db
def test_status_filter(client):
    StudyFactory(code="DONE1", status=StudyStatus.COMPLETED)
    StudyFactory(code="RUN1", status=StudyStatus.ONGOING)
    response = get(client, "?status=completed")
    assert names(response) == ["DONE1"]
    assert heading(response) == "1 study · completed"


@pytest.mark.django_db
def test_due_range_needs_one_milestone_inside_both_bounds(client):
    straddling = StudyFactory(code="STRADDLE")
    MilestoneFactory(study=straddling, due="Q1 2024")
    MilestoneFactory(study=straddling, due="Q4 2026")
    inside = StudyFactory(code="INSIDE")
    MilestoneFactory(study=inside, due="Q3 2025")
    response = get(client, "?due_after=2025-01-01&due_before=2025-12-31")
    assert names(response) == ["INSIDE"]
    assert heading(response) == "1 study · due on or after 2025-01-01 · due on or before 2025-12-31"
    assert names(get(client, "?due_after=2026-12-31")) == ["STRADDLE"]


@pytest.mark.django_db
def test_text_search_covers_code_short_name_title_and_purpose(client):
    StudyFactory(code="ABC1", purpose="Evaluates hepatotoxicity in the elderly.")
    StudyFactory(code="", short_name="Hepatic registry", title="A registry")
    StudyFactory(code="HEPAT42", title="Something else")
    StudyFactory(code="XYZ", title="Unrelated")
    assert sorted(names(get(client, "?q=hepat"))) == ["ABC1", "HEPAT42", "Hepatic registry"]


@pytest.mark.django_db
def test_the_text_index_follows_every_write_to_the_studies(client):
    """Whatever writes a study (the ORM, a raw UPDATE), the text filter finds what it holds
    now and not what it held; text of two characters, quotes and any case are matched."""
    from django.db import connection

    study = StudyFactory(code="ABC1", title="Hepatic registry", purpose='The "long" look')
    assert names(get(client, "?q=HEPATIC")) == ["ABC1"]
    assert names(get(client, '?q="long" look')) == ["ABC1"]
    assert names(get(client, "?q=C1")) == ["ABC1"]  # two characters: no trigram, LIKE

    study.title = "Renal registry"
    study.save()
    assert names(get(client, "?q=hepatic")) == []
    assert names(get(client, "?q=renal")) == ["ABC1"]
    with connection.cursor() as cursor:  # behind the application's back
        cursor.execute(
            "UPDATE risks_study SET short_name = 'Cardiac cohort' WHERE id = %s", [study.pk]
        )
    assert names(get(client, "?q=cardiac")) == ["ABC1"]
    study.delete()
    assert names(get(client, "?q=renal")) == []


@pytest.mark.django_db
def test_sqlite_reads_a_text_filters_studies_from_the_text_index():
    from django.db import connection

    from browse.filters.studies import StudyFilterSet
    from browse.selectors import studies as selectors
    from risks.study_text import STUDY_TEXT_INDEX

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 table is SQLite's; PostgreSQL's indexes are tested below")
    StudyFactory(code="ABC1", title="A registry")
    filterset = StudyFilterSet({"q": "registry"}, queryset=selectors.study_list())
    sql, params = filterset.qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        plan = [row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert any(STUDY_TEXT_INDEX in step and "VIRTUAL TABLE" in step for step in plan), plan


@pytest.mark.django_db
def test_the_text_filter_can_be_answered_by_postgresqls_trigram_indexes():
    """Each field the filter reads has a trigram index on the very expression it asks
    (``UPPER(field::text)``): a word found nowhere no longer reads every study (migration
    risks 0021). With sequential and plain index scans off, the planner must read the four
    (GIN indexes are read as bitmaps) to answer the filter on the studies."""
    from django.db import connection, transaction

    from risks import study_text
    from risks.models import Study

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm's indexes are PostgreSQL's; SQLite has its FTS5 table")
    StudyFactory(code="ABC1", title="A registry")
    rows = Study.objects.filter(study_text.containing("zqxkw", connection.alias)).values("pk")
    sql, params = rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for field in ("code", "short_name", "title", "purpose"):
        assert f"risks_study_{field}_trgm_idx" in plan, plan


@pytest.mark.django_db
def test_overdue_ignores_reported_and_future_milestones(client):
    today = datetime.date.today()
    reported = StudyFactory(code="REPORTED")
    MilestoneFactory(study=reported, due="Q3 2024", reported_on=datetime.date(2024, 9, 1))
    future = StudyFactory(code="FUTURE")
    MilestoneFactory(study=future, due=str(today.year + 2))
    late = StudyFactory(code="LATE")
    MilestoneFactory(study=late, due="Q3 2024")
    assert names(get(client, "?overdue=true")) == ["LATE"]
    assert names(get(client, "?overdue=false")) == ["FUTURE", "REPORTED"]


# Facets and remove links


@pytest.mark.django_db
def test_facet_counts_on_the_seed_data(client, seeded):
    response = get(client)
    facets = {
        facet.param: {value.label: value.count for value in facet.values}
        for facet in response.context["facets"]
    }
    assert facets == {
        "category": {"Category 1": 2, "Category 3": 6},
        "status": {"Ongoing": 8},
        "design": {
            "Registry": 2,
            "Drug utilisation study": 1,
            "Observational cohort": 3,
            "Clinical trial": 1,
            "Other": 1,
        },
        "overdue": {"Overdue": 2, "Not overdue": 6},
        "product": {"Lemtrada": 4, "Uplizna": 4},
    }
    text = flat_text(response)
    assert '<a href="?overdue=true">Overdue</a> <span class="count">2</span>' in text
    assert '<a href="?product=lemtrada">Lemtrada</a> <span class="count">4</span>' in text
    assert "facet-more" not in text
    assert '<a href="?category=3">Category 3</a> <span class="count">6</span>' in text


@pytest.mark.django_db
def test_facets_count_within_the_filtered_results_and_link_to_remove(client, seeded):
    response = get(client, "?category=3&sort=product")
    facets = {facet.param: facet for facet in response.context["facets"]}
    (category,) = facets["category"].values
    assert (category.label, category.count, category.selected) == ("Category 3", 6, True)
    assert category.url == "?sort=product"  # removes the filter, keeps the sort
    assert {v.label: v.count for v in facets["overdue"].values} == {"Not overdue": 6}
    assert {v.label: v.url for v in facets["design"].values}["Registry"] == (
        "?category=3&design=registry&sort=product"
    )
    text = page_text(response)
    assert (
        "<li>Category: <strong>Category 3: required additional pharmacovigilance</strong> "
        '<a href="?sort=product" aria-label="Remove filter Category: Category 3: required '
        'additional pharmacovigilance">remove</a></li>'
    ) in text


@pytest.mark.django_db
def test_every_active_filter_has_a_remove_link(client, seeded):
    response = get(client, "?category=1&overdue=true&q=study&product=lemtrada&page=1")
    links = {item.label: item.remove_url for item in response.context["active_filters"]}
    assert links == {
        "Category": "?q=study&product=lemtrada&overdue=true",
        "Product": "?q=study&category=1&overdue=true",
        "Overdue": "?q=study&category=1&product=lemtrada",
        "Text in code, name, title or purpose": "?category=1&product=lemtrada&overdue=true",
    }
    assert heading(response) == (
        "2 studies · category 1 · Lemtrada · overdue · matching &#x27;study&#x27;"
    )


# The product: typed, not chosen from every product


def studies_per_product(*counts):
    """A product named "Product NN" (slug medicine-NN) with each number of studies."""
    for number, count in enumerate(counts, start=1):
        plan = PlanFactory(product=ProductFactory(name=f"Product {number:02}",
                                                  slug=f"medicine-{number:02}"))  # fmt: skip
        for position in range(count):
            StudyFactory(plan=plan, position=position)


@pytest.mark.django_db
def test_product_facet_shows_the_products_with_most_studies_and_how_many_more(client):
    studies_per_product(1, 1, 2, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1)  # 14 products
    StudyFactory(plan__product__name="Draftonly", plan__draft=True)  # not counted
    response = get(client)
    (facet,) = [f for f in response.context["facets"] if f.param == "product"]
    assert [(v.label, v.count) for v in facet.values] == [
        ("Product 07", 3), ("Product 03", 2), ("Product 01", 1), ("Product 02", 1),
        ("Product 04", 1), ("Product 05", 1), ("Product 06", 1), ("Product 08", 1),
        ("Product 09", 1), ("Product 10", 1), ("Product 11", 1), ("Product 12", 1),
    ]  # fmt: skip
    assert facet.more == 2  # Products 13 and 14
    text = flat_text(response)
    assert '<a href="?product=medicine-07">Product 07</a> <span class="count">3</span>' in text
    assert (
        '<p class="facet-more">and 2 more products: type one in the '
        '<a href="#id_product">Product</a> field</p>'
    ) in text
    assert '<select name="product"' not in text
    assert '<input type="text" name="product" maxlength="200"' in text
    assert 'aria-describedby="id_product_helptext"' in text
    assert "Draftonly" not in text


@pytest.mark.django_db
def test_a_product_outside_the_facet_is_typed_and_shown_selected(client):
    studies_per_product(*[2] * 12, 1)  # Product 13 is not among the twelve shown
    response = get(client, "?product=product%2013&category=3")
    assert heading(response) == "1 study · category 3 · Product 13"
    (facet,) = [f for f in response.context["facets"] if f.param == "product"]
    assert [(v.label, v.count, v.selected, v.url) for v in facet.values] == [
        ("Product 13", 1, True, "?category=3")
    ]
    assert facet.more == 0
    text = page_text(response)
    assert '<input type="text" name="product" value="product 13"' in text
    assert '<a href="?category=3" aria-label="Remove filter Product: Product 13">remove' in text
    # A selected product without any matching study stays shown, to be removed.
    response = get(client, "?product=medicine-13&status=completed")
    (facet,) = [f for f in response.context["facets"] if f.param == "product"]
    assert [(v.label, v.count, v.selected, v.url) for v in facet.values] == [
        ("Product 13", 0, True, "?status=completed")
    ]


@pytest.mark.django_db
def test_a_name_two_products_share_asks_for_the_address(client):
    for slug in ("same-eu", "same-us"):
        StudyFactory(plan__product=ProductFactory(name="Same", slug=slug), code=slug.upper())
    StudyFactory(plan__product=ProductFactory(name="same-us", slug="other"), code="OTHER")
    response = get(client, "?product=same", status=400)
    assert (
        "Product: Several published products are called ‘same’: type the last part of the "
        "address of the one you mean (same-eu or same-us)."
    ) in page_text(response)
    assert names(get(client, "?product=same-eu")) == ["SAME-EU"]
    assert names(get(client, "?product=same-us")) == ["SAME-US"]  # the address first
    assert names(get(client, "?product=other")) == ["OTHER"]


@pytest.mark.django_db
def test_exports_keep_the_typed_product_as_its_address(client, seeded):
    data = streamed_json(get(client, "?format=json&product=Lemtrada&overdue=true"))
    assert data["filters"] == {"product": "lemtrada", "overdue": "true"}
    assert [row["study"] for row in data["results"]] == LEMTRADA_OVERDUE
    rows = csv_rows(get(client, "?format=csv&product=LEMTRADA"))
    assert {row["Product"] for row in rows} == {"Lemtrada"} and len(rows) == 4
    text = page_text(get(client, "?product=Lemtrada"))
    assert '<a href="?product=lemtrada&amp;format=csv">CSV</a>' in text


# Sort


@pytest.mark.django_db
def test_sort_by_product_category_and_due(client):
    beta = PlanFactory(product=ProductFactory(name="Beta", slug="beta"))
    alpha = PlanFactory(product=ProductFactory(name="Alpha", slug="alpha"))
    MilestoneFactory(study=StudyFactory(plan=beta, code="B-EARLY", category=3), due="Q1 2024")
    MilestoneFactory(study=StudyFactory(plan=alpha, code="A-LATE", category=1), due="2033")
    StudyFactory(plan=alpha, code="A-NONE", category=2, position=5)
    assert names(get(client)) == ["B-EARLY", "A-LATE", "A-NONE"]
    assert names(get(client, "?sort=due")) == ["B-EARLY", "A-LATE", "A-NONE"]
    assert names(get(client, "?sort=product")) == ["A-LATE", "A-NONE", "B-EARLY"]
    assert names(get(client, "?sort=category")) == ["A-LATE", "A-NONE", "B-EARLY"]
    text = page_text(get(client, "?sort=category"))
    assert '<strong aria-current="true">Category</strong>' in text
    assert '<a href="?">Earliest due date</a>' in text


@pytest.mark.django_db
def test_a_reported_milestone_does_not_count_for_the_due_sort(client):
    first = StudyFactory(code="REPORTED-EARLY")
    MilestoneFactory(study=first, due="Q1 2020", reported_on=datetime.date(2020, 3, 1))
    MilestoneFactory(study=first, due="2035")
    MilestoneFactory(study=StudyFactory(code="OPEN-2030"), due="2030")
    assert names(get(client)) == ["OPEN-2030", "REPORTED-EARLY"]


# Only published data


@pytest.mark.django_db
def test_draft_studies_never_appear(client, seeded):
    draft_product = ProductFactory(name="Draftonly", slug="draftonly")
    draft = StudyFactory(plan=PlanFactory(product=draft_product, draft=True), code="DRAFT1",
                         category=StudyCategory.IMPOSED)  # fmt: skip
    MilestoneFactory(study=draft, due="Q1 2024")
    # A draft new version of Lemtrada's plan, next to the published one.
    lemtrada_draft = PlanFactory(product=seeded["lemtrada"], draft=True)
    MilestoneFactory(study=StudyFactory(plan=lemtrada_draft, code="DRAFT2"), due="Q2 2024")

    response = get(client)
    assert heading(response) == "8 studies"
    assert "DRAFT" not in page_text(response)
    facets = {f.param: {v.label: v.count for v in f.values} for f in response.context["facets"]}
    assert facets["category"] == {"Category 1": 2, "Category 3": 6}
    assert facets["overdue"] == {"Overdue": 2, "Not overdue": 6}
    assert names(get(client, "?overdue=true")) == LEMTRADA_OVERDUE
    assert facets["product"] == {"Lemtrada": 4, "Uplizna": 4}
    assert "Draftonly" not in page_text(response)
    assert "DRAFT" not in b"".join(get(client, "?format=csv").streaming_content).decode()
    assert get(client, "?format=json")["Content-Type"] == "application/json"
    assert len(streamed_json(get(client, "?format=json"))["results"]) == 8
    for value in ("draftonly", "Draftonly"):  # refused as if unknown
        response = get(client, f"?product={value}", status=400)
        assert f"Product: No published product is called ‘{value}’" in page_text(response)


# Bad input


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?category=9", "Category: Select a valid choice. 9 is not one of the available choices."),
        ("?category=one", "Category: Select a valid choice."),
        ("?status=paused", "Status: Select a valid choice."),
        ("?design=anecdote", "Design: Select a valid choice."),
        ("?overdue=maybe", "Overdue: Select a valid choice."),
        ("?sort=random", "Sort by: Select a valid choice."),
        ("?product=no-such-product",
         "Product: No published product is called ‘no-such-product’ or has the address "
         "/products/no-such-product/. Type a product&#x27;s name as the products list shows it."),
        ("?product=" + "x" * 201, "Product: Ensure this value has at most 200 characters"),
        ("?due_before=garbage",
         "Milestone due on or before: Enter a date as YYYY-MM-DD, for example 2024-09-30."),
        ("?due_after=2024-13-45", "Milestone due on or after: Enter a date as YYYY-MM-DD"),
        ("?due_before=30/09/2024", "Milestone due on or before: Enter a date as YYYY-MM-DD"),
        ("?due_after=2025-01-01&due_before=2024-01-01",
         "due_after must be on or before due_before."),
        ("?page=abc", "Page: Enter a whole number."),
        ("?page=0", "Page: Ensure this value is greater than or equal to 1."),
        ("?format=xml", "The format parameter must be csv, xlsx or json"),
        ("?format=csv&category=9", "Category: Select a valid choice."),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_a_plain_message(client, query, message):
    response = get(client, query, status=400)
    assert "<h1>Bad request</h1>" in page_text(response)
    assert message in page_text(response)


@pytest.mark.django_db
def test_request_values_are_escaped_in_messages_and_headings(client):
    StudyFactory(code="ESC1", title="<b>bold</b> title")
    response = get(client, "?due_before=%3Cscript%3Ealert(1)%3C/script%3E", status=400)
    assert "<script>alert" not in page_text(response)
    response = get(client, "?product=%3Cscript%3E", status=400)
    assert "<script>" not in page_text(response)
    response = get(client, "?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in page_text(response)
    assert "matching &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in page_text(response)
    assert "&lt;b&gt;bold&lt;/b&gt; title" in page_text(get(client))


@pytest.mark.django_db
def test_pages_of_fifty(client):
    plan = PlanFactory()
    for number in range(51):
        StudyFactory(plan=plan, code=f"S{number:03}", position=number)
    first = get(client)
    assert len(first.context["studies"]) == 50 and heading(first) == "51 studies"
    assert '<a href="?page=2" rel="next">Next</a>' in page_text(first)
    second = get(client, "?page=2")
    assert names(second) == ["S050"]
    assert '<strong aria-current="page">2</strong>' in page_text(second)
    response = get(client, "?page=3", status=404)
    assert "<h1>Not found</h1>" in page_text(response)
    get(client, "?page=999999", status=404)


@pytest.mark.django_db
def test_page_links_are_the_first_the_last_and_those_near_this_one(client):
    plan = PlanFactory()
    StudyFactory.create_batch(50 * 10 + 1, plan=plan)  # eleven pages
    response = get(client, "?page=6&category=3")
    assert response.context["pagination"].links == [
        (1, "?category=3&page=1"),
        ("…", None),
        (4, "?category=3&page=4"),
        (5, "?category=3&page=5"),
        (6, None),
        (7, "?category=3&page=7"),
        (8, "?category=3&page=8"),
        ("…", None),
        (11, "?category=3&page=11"),
    ]
    text = page_text(response)
    assert '<strong aria-current="page">6</strong>' in text
    assert text.count("(pages left out)") == 2
    assert '<a href="?category=3&amp;page=11" aria-label="Page 11">11</a>' in text


@pytest.mark.django_db
def test_an_empty_result_has_page_one_and_no_timeline(client):
    response = get(client, "?page=1")
    assert heading(response) == "0 studies"
    assert "No study of a published plan matches these filters." in page_text(response)
    assert "<svg" not in page_text(response)


# Exports


@pytest.mark.django_db
def test_csv_export_streams_the_filtered_studies(client, seeded):
    response = get(client, "?format=csv&category=1")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="studies.csv"' in response["Content-Disposition"]
    data = csv_rows(response)
    assert list(data[0]) == [
        "Product", "Study", "Code", "Title", "Category", "Design", "Status", "Plan version",
        "Authorisation status", "Safety concerns", "Milestone 1", "Milestone 1 due", "Overdue",
        "Address",
    ]  # fmt: skip
    assert [(r["Product"], r["Study"], r["Overdue"]) for r in data] == [
        ("Lemtrada", "Drug Utilization Study", "yes"),
        ("Lemtrada", "Risk of mortality study", "yes"),
    ]
    dus = data[0]
    assert (dus["Milestone 1"], dus["Milestone 1 due"]) == ("Final report: Q3 2024", "2024-09-30")
    assert dus["Address"] == "http://testserver/products/lemtrada/studies/drug-utilization-study/"
    assert dus["Category"] == "Category 1: imposed, a condition of the marketing authorisation"
    assert dus["Design"] == "Drug utilisation study"
    assert dus["Safety concerns"].startswith(
        "Infusion-associated reactions (IARs); Stroke (including haemorrhagic stroke); "
    )


@pytest.mark.django_db
def test_csv_export_is_not_paginated_and_event_milestones_have_no_date(client, seeded):
    data = csv_rows(get(client, "?format=csv&product=lemtrada&page=1"))
    by_code = {row["Code"]: row for row in data}
    assert len(data) == 4
    obs = by_code["OBS13434"]
    assert (obs["Milestone 1"], obs["Milestone 1 due"]) == ("Final report: 2031", "2031-12-31")
    assert obs["Overdue"] == "no"
    efc = by_code["EFC13429"]
    # A milestone due relative to an event keeps its wording and has no date.
    events = [n for n in range(1, 10) if f"Milestone {n}" in efc and not efc[f"Milestone {n} due"]]
    assert any(
        efc[f"Milestone {n}"].startswith("Submission of final data: within 6 months of completion")
        for n in events
    )
    # As many milestone pairs as the study with most; a study with fewer leaves them empty.
    most = max(sum(1 for n in range(1, 10) if row.get(f"Milestone {n}")) for row in data)
    assert f"Milestone {most}" in data[0] and f"Milestone {most + 1}" not in data[0]


@pytest.mark.django_db
def test_json_export_with_filters(client, seeded):
    data = streamed_json(get(client, "?format=json&overdue=true&sort=product"))
    assert data["filters"] == {"overdue": "true", "sort": "product"}
    assert data["count"] == 2
    first = data["results"][0]
    assert first["study"] == "Drug Utilization Study" and first["code"] == ""
    assert first["category"] == 1 and first["status"] == "Ongoing"
    assert first["milestones"] == ["Final report: Q3 2024 (2024-09-30)"]
    assert first["overdue"] == "yes"
    assert "Infusion-associated reactions (IARs)" in first["safety_concerns"]
    uplizna = streamed_json(get(client, "?format=json&product=uplizna"))
    assert [r["milestones"] for r in uplizna["results"]] == [[], [], [], []]
    assert {r["overdue"] for r in uplizna["results"]} == {"no"}


@pytest.mark.django_db
def test_export_links_carry_the_filters(client, seeded):
    text = page_text(get(client, "?category=1&overdue=true"))
    assert '<a href="?category=1&amp;overdue=true&amp;format=csv">CSV</a>' in text
    assert '<a href="?category=1&amp;overdue=true&amp;format=json">JSON</a>' in text


# Query counts


def build_products(count):
    for number in range(count):
        plan = PlanFactory()
        concerns = SafetyConcernFactory.create_batch(2, plan=plan)
        study = StudyFactory(plan=plan, design=StudyDesign.REGISTRY, position=number)
        study.safety_concerns.set(concerns)
        MilestoneFactory(study=study, due="Q3 2024")
        MilestoneFactory(study=study, due="2031")


# The counts built at publication (risks.published.PublishedStudyCount, the products'
# overdue_studies) answer the list's count and facets


def build_random_studies(seed, day):
    """Studies of several kinds on public and draft plans, due around ``day``."""
    import random

    generator = random.Random(seed)
    for number in range(10):
        plan = PlanFactory(
            draft=number == 9,
            product__name=f"Product {generator.choice('ABC')}{number}",
            product__slug=f"random-{number}",
        )
        for position in range(generator.randint(0, 5)):
            study = StudyFactory(
                plan=plan,
                position=position,
                category=generator.choice(StudyCategory.values),
                status=generator.choice(StudyStatus.values),
                design=generator.choice(StudyDesign.values),
            )
            for _ in range(generator.randint(0, 2)):
                due = day + datetime.timedelta(days=generator.randint(-3, 3))
                milestone = MilestoneFactory(study=study, due=due.isoformat())
                if generator.random() < 0.2:
                    milestone.reported_on = day
                    milestone.save()


def nonzero(counts):
    return {
        key: {value: n for value, n in value_counts.items() if n}
        if isinstance(value_counts, dict)
        else value_counts
        for key, value_counts in counts.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(3))
def test_the_counts_built_at_publication_are_the_studies_counted(seed):
    from browse.selectors import studies as selectors

    day = datetime.date(2027, 3, 10)
    build_random_studies(seed, day)
    for today in (day, day + datetime.timedelta(days=2), day - datetime.timedelta(days=5)):
        for data in (
            {},
            {"overdue": "true"},
            {"overdue": "false"},
            {"category": StudyCategory.REQUIRED},
            {"status": StudyStatus.values[0], "overdue": "true"},
            {"design": StudyDesign.values[0], "sort": "product"},
        ):
            rows = selectors.published_rows(data, today)
            counted = selectors.counted_facets(data, today)
            assert nonzero(counted) == nonzero(selectors.study_facet_counts(rows, today)), data
            for limit in (1, 3, 12):
                products = selectors.counted_products(data, limit)
                if products is not None:
                    assert products == selectors.study_product_counts(rows, limit), (data, limit)
    assert selectors.counted_facets({"product": Product.objects.first()}, day) is None
    assert selectors.counted_products({"overdue": "false"}) is None


@pytest.mark.django_db
def test_overdue_counts_follow_the_day_without_a_publication(client, monkeypatch):
    from browse.selectors import studies as selectors
    from risks.published import PublishedStudyDay

    due = datetime.date(2027, 3, 10)
    plan = PlanFactory(product__name="Duedate", product__slug="duedate")
    MilestoneFactory(study=StudyFactory(plan=plan), due=due.isoformat())
    overdue = {"overdue": "true"}
    assert selectors.counted_facets(overdue, due)["total"] == 0  # due today: not yet overdue
    assert selectors.counted_products(overdue) == ([], 0)
    next_day = due + datetime.timedelta(days=1)
    assert selectors.counted_facets(overdue, next_day)["total"] == 1  # recounted on a new day
    assert selectors.counted_products(overdue) == ([("duedate", "Duedate", 1)], 1)
    assert PublishedStudyDay.objects.get().day == next_day
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: next_day)
    response = get(client, "?overdue=true")
    assert heading(response) == "1 study · overdue"
    (facet,) = [facet for facet in response.context["facets"] if facet.param == "product"]
    assert [(value.label, value.count) for value in facet.values] == [("Duedate", 1)]
    # a publication on that day recounts that product with the others' counts of the day
    other = PlanFactory(product__name="Other", product__slug="other")
    MilestoneFactory(study=StudyFactory(plan=other), due=due.isoformat())
    assert selectors.counted_products(overdue) == (
        [("duedate", "Duedate", 1), ("other", "Other", 1)],
        2,
    )
    assert selectors.counted_facets(overdue, next_day)["total"] == 2


@pytest.mark.django_db
def test_draft_studies_are_never_counted():
    from browse.selectors import studies as selectors

    due = datetime.date(2027, 3, 10)
    draft = PlanFactory(draft=True)
    MilestoneFactory(study=StudyFactory(plan=draft), due=due.isoformat())
    later = due + datetime.timedelta(days=30)
    assert selectors.counted_facets({}, later)["total"] == 0
    assert selectors.counted_products({"overdue": "true"}) == ([], 0)
    assert selectors.counted_products({}) == ([], 0)


@pytest.mark.django_db
@pytest.mark.parametrize("products", [1, 50])
def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, products):
    build_products(products)
    # the day of the counts, the count and facets, the product facet, the page's rows, its
    # studies, milestones, concerns, footer data version, the page cache's data version
    with django_assert_num_queries(9):
        response = get(client)
    assert len(response.context["studies"]) == products
    assert page_text(response).count('<span class="badge overdue">Overdue</span>') == products
    # the product filter finds the product typed: one query more
    product = Product.objects.first()
    for typed in (product.slug, product.name.upper()):
        with django_assert_num_queries(10):
            response = get(client, f"?product={typed}&overdue=true&category=3")
        assert len(response.context["studies"]) == 1
    # data version, most milestones (the CSV's columns), studies, milestones, concerns
    with django_assert_num_queries(5):
        b"".join(get(client, "?format=csv").streaming_content)


# In a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_clicks_the_overdue_facet(page, live_server, seeded):
    page.goto(f"{live_server.url}{URL}")
    expect(page.get_by_role("heading", level=1)).to_have_text("8 studies")
    page.get_by_role("list", name="Overdue").get_by_role("link", name="Overdue", exact=True).click()

    expect(page).to_have_url(re.compile(r"/studies/\?overdue=true$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("2 studies · overdue")
    expect(page).to_have_title("2 studies · overdue · RMP Browser")
    table_rows = page.locator("table.studies tbody tr")
    expect(table_rows).to_have_count(2)
    expect(table_rows.locator(".study-name")).to_have_text(LEMTRADA_OVERDUE)
    for index in range(2):
        badge = table_rows.nth(index).locator(".badge.overdue")
        expect(badge).to_have_text("Overdue")
        expect(badge).to_be_visible()
    timeline = page.get_by_role("img", name=re.compile("Timeline of study milestones"))
    expect(timeline).to_be_visible()
    expect(timeline.locator(".marker.overdue")).to_have_count(2)
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Overdue: Overdue")

    active = page.get_by_role("list", name="Active filters")
    active.get_by_role("link", name="Remove filter Overdue: Overdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("8 studies")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_types_a_product_name(page, live_server, seeded):
    page.goto(f"{live_server.url}{URL}?overdue=true")
    field = page.get_by_role("textbox", name="Product")
    expect(field).to_have_accessible_description(
        "Its name, or the last part of its page's address."
    )
    field.fill("lemtrada")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2 studies · Lemtrada · overdue")
    expect(page.locator("table.studies tbody tr")).to_have_count(2)
    products = page.get_by_role("list", name="Product")
    expect(products.get_by_role("link")).to_have_count(1)
    products.get_by_role("link", name="Remove filter Product: Lemtrada").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2 studies · overdue")

    page.get_by_role("textbox", name="Product").fill("Lemtradda")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bad request")
    expect(page.locator("main")).to_contain_text("No published product is called ‘Lemtradda’")

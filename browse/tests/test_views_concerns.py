"""Safety concerns across products (/risks/) and the compare page (/compare/)."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from common.tests.responses import streamed_json
from products.tests.factories import ProductFactory, SubstanceFactory
from risks.models import SafetyConcern
from risks.published import PublishedProduct
from risks.tests.factories import (
    AdditionalMeasureFactory,
    PlanFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

SEED_TOTAL = 68  # Clolar 12, Ivozall 24, Lemtrada 23, Uplizna 9; Besponsa has no plan
SEED_GROUPS = 52  # by risk term: 68 concerns, 16 terms shared by two products


def html(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    """The rows as a spreadsheet reads them: UTF-8, said by the byte order mark."""
    assert response.status_code == 200
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def facet_counts(response):
    return {f.param: {v.label: v.count for v in f.values} for f in response.context["facets"]}


def group_named(response, name):
    groups = [group for group in response.context["page"].object_list if group.name == name]
    assert len(groups) == 1, [group.name for group in response.context["page"].object_list]
    return groups[0]


def entries(group):
    return [(c.plan.product.slug, c.name, c.category) for c in group.concerns]


# The list and its heading


def test_all_current_concerns_grouped_across_products(client, seeded):
    response = client.get("/risks/")
    page = html(response)
    heading = f"{SEED_TOTAL} safety concerns in {SEED_GROUPS} groups"
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{heading} · RMP Browser</title>" in page
    assert len(response.context["page"].object_list) == 20
    assert "Page 1 of 3" in page


def test_hepatotoxicity_groups_clolar_and_ivozall_with_links_to_each_concern(client, seeded):
    response = client.get("/risks/?q=hepatotoxicity")
    group = group_named(response, "Hepatotoxicity")
    assert entries(group) == [
        ("clolar", "Hepatotoxicity", "identified"),
        ("ivozall", "Hepatotoxicity", "identified"),
    ]
    assert group.product_count == 2
    page = html(response)
    clolar = SafetyConcern.objects.get(plan__product__slug="clolar", name="Hepatotoxicity")
    assert (
        f'<a href="{clolar.get_absolute_url()}">Clolar: Hepatotoxicity</a> '
        '<span class="badge identified">Important identified risk</span>'
    ) in page
    assert "<h3>Hepatotoxicity</h3>" in page and "2 products" in page


def test_pml_groups_uplizna_and_lemtrada_under_one_name(client, seeded):
    response = client.get("/risks/?q=leukoencephalopathy")
    group = group_named(response, "Progressive multifocal leukoencephalopathy")
    assert entries(group) == [
        ("lemtrada", "Progressive multifocal leukoencephalopathy (PML)", "potential"),
        ("uplizna", "Progressive multifocal leukoencephalopathy (PML)", "potential"),
    ]
    assert "2 safety concerns in 1 group · matching ‘leukoencephalopathy’" in html(response)


def test_category_filter_and_heading_in_words(client, seeded):
    response = client.get("/risks/?category=potential")
    page = html(response)
    # Ivozall 9 + Lemtrada 3 + Uplizna 4; PML and malignancy are shared
    assert "<h1>16 safety concerns in 14 groups · important potential risk</h1>" in page
    assert {c.category for g in response.context["page"].object_list for c in g.concerns} == {
        "potential"
    }
    assert "Category: <strong>Important potential risk</strong>" in page
    assert 'href="?" aria-label="Remove filter Category: Important potential risk"' in page


def test_text_filter_searches_name_evidence_and_risk_factors_in_both_spellings(client):
    plan = PlanFactory(product__name="Alpha")
    SafetyConcernFactory(plan=plan, name="Pulmonary alveolar haemorrhage", evidence="")
    SafetyConcernFactory(plan=plan, name="Bleeding", evidence="Fatal hemorrhage occurred.")
    SafetyConcernFactory(plan=plan, name="Falls", evidence="", risk_factors="Prior haemorrhage")
    SafetyConcernFactory(plan=plan, name="Rash", evidence="Mild.")
    response = client.get("/risks/?q=hemorrhage")
    names = {c.name for g in response.context["page"].object_list for c in g.concerns}
    assert names == {"Pulmonary alveolar haemorrhage", "Bleeding", "Falls"}
    assert "3 safety concerns in 3 groups · matching ‘hemorrhage’" in html(response)
    # every word must match somewhere
    response = client.get("/risks/?q=fatal+bleeding")
    assert [g.name for g in response.context["page"].object_list] == ["Bleeding"]


def test_product_substance_and_region_filters(client, seeded):
    page = html(client.get("/risks/?product=clolar"))
    assert "<h1>12 safety concerns in 12 groups · Clolar</h1>" in page
    assert "Product: <strong>Clolar</strong>" in page
    page = html(client.get("/risks/?substance=Clofarabine"))
    assert "<h1>36 safety concerns in 25 groups · Clofarabine</h1>" in page
    page = html(client.get("/risks/?region=US"))
    assert "<h1>12 safety concerns in 12 groups · US</h1>" in page
    page = html(client.get("/risks/?region=EU&category=missing&product=lemtrada"))
    assert "<h1>3 safety concerns in 3 groups · missing information · EU · Lemtrada</h1>" in page


def test_facet_counts_with_add_and_remove_links(client, seeded):
    response = client.get("/risks/")
    assert facet_counts(response) == {
        "category": {
            "Important identified risk": 40,
            "Important potential risk": 16,
            "Missing information": 12,
        },
        "region": {"European Union": 56, "United States": 12},
        "product": {"Clolar": 12, "Ivozall": 24, "Lemtrada": 23, "Uplizna": 9},
    }
    page = html(response)
    assert '<a href="?category=identified">Important identified risk</a>' in page

    response = client.get("/risks/?category=missing&region=EU")
    assert facet_counts(response) == {
        "category": {"Missing information": 11},
        "region": {"European Union": 11},
        "product": {"Ivozall": 5, "Lemtrada": 3, "Uplizna": 3},
    }
    page = html(response)
    # the selected value links to its removal, keeping the other filter
    assert '<a href="?region=EU" aria-label="Remove filter Category: Missing information">' in page
    assert '<a href="?category=missing&amp;region=EU&amp;product=uplizna">Uplizna</a>' in page


def test_sort_by_number_of_products(client, seeded):
    response = client.get("/risks/?sort=products")
    first = response.context["page"].object_list[:4]
    assert [g.name for g in first] == [
        "Embryo-fetal toxicity",
        "Enterocolitis",
        "Haemorrhage",
        "Hepatic veno-occlusive disease",
    ]
    assert all(g.product_count == 2 for g in first)


def test_pages_of_groups(client):
    plan = PlanFactory()
    for number in range(25):
        SafetyConcernFactory(plan=plan, name=f"Risk {number:02d}")
    response = client.get("/risks/?page=2")
    assert [g.name for g in response.context["page"].object_list] == [
        f"Risk {n}" for n in range(20, 25)
    ]
    page = html(response)
    assert "Page 2 of 2" in page and 'href="?page=1" rel="prev"' in page
    assert client.get("/risks/?page=3").status_code == 404


def build_common_concern(products=13):
    """``products`` products listing infections under three spellings, and one other group."""
    spellings = ["Serious infections", "Serious infection", "serious infections"]
    for number in range(products):
        plan = PlanFactory(product__name=f"Product {number:02d}", product__slug=f"p{number:02d}")
        SafetyConcernFactory(plan=plan, name=spellings[number % 3], category="identified")
        SafetyConcernFactory(plan=plan, name=f"Risk {number:02d}", category="potential")


def test_a_large_group_shows_its_first_concerns_and_links_to_all_of_them(client):
    build_common_concern(13)
    response = client.get("/risks/?category=identified")
    group = group_named(response, "Serious infections")
    assert (group.concern_count, group.product_count, group.more) == (13, 13, 3)
    assert [slug for slug, _, _ in entries(group)] == [f"p{n:02d}" for n in range(10)]
    page = html(response)
    assert "<h1>13 safety concerns in 1 group · important identified risk</h1>" in page
    assert (
        '<a href="?category=identified&amp;group=serious+infection">'
        "Show all 13 concerns of this group</a> (3 more)"
    ) in page

    one_group = client.get("/risks/?category=identified&group=serious%20infection")
    page = html(one_group)
    assert (
        "<h1>13 safety concerns in the group ‘Serious infections’ · important identified risk</h1>"
    ) in page
    group = group_named(one_group, "Serious infections")
    assert [slug for slug, _, _ in entries(group)] == [f"p{n:02d}" for n in range(13)]
    assert "Show all" not in page
    assert '<a href="?category=identified">All groups of safety concerns</a>' in page


def test_one_group_pages_through_its_concerns(client, monkeypatch):
    monkeypatch.setattr("browse.views.concerns.CONCERNS_PER_PAGE", 5)
    build_common_concern(13)
    response = client.get("/risks/?group=serious%20infection&page=3")
    group = group_named(response, "Serious infections")
    assert [slug for slug, _, _ in entries(group)] == ["p10", "p11", "p12"]
    assert "Page 3 of 3" in html(response)
    assert client.get("/risks/?group=serious%20infection&page=4").status_code == 404
    empty = client.get("/risks/?group=no%20such%20group")
    assert "<h1>0 safety concerns in 0 groups</h1>" in html(empty)


def test_the_product_facet_shows_the_top_products_and_a_field_reaches_the_others(client):
    build_common_concern(17)
    response = client.get("/risks/")
    (facet,) = [facet for facet in response.context["facets"] if facet.param == "product"]
    assert (len(facet.values), facet.more) == (15, 2)
    page = html(response)
    assert "and 2 more products: type one in the" in page
    assert 'name="product"' in page
    by_name = client.get("/risks/?product=product%2016")
    assert "<h1>2 safety concerns in 2 groups · Product 16</h1>" in html(by_name)
    (facet,) = [facet for facet in by_name.context["facets"] if facet.param == "product"]
    (selected,) = [value for value in facet.values if value.selected]
    assert (selected.label, selected.url) == ("Product 16", "?")  # marked, and its link removes it
    assert "<h1>2 safety concerns in 2 groups · Product 16</h1>" in html(
        client.get("/risks/?product=p16")
    )


def test_a_text_found_in_more_concerns_than_the_page_reads_says_so_and_downloads_all(
    client, monkeypatch
):
    """A common word: the page groups the first matches it reads and says there are more;
    the downloads hold every match."""
    monkeypatch.setattr("browse.selectors.concerns.TEXT_MATCH_LIMIT", 10)
    build_common_concern(13)  # 13 "serious infection(s)", 13 "Risk nn"
    response = client.get("/risks/?q=infection")
    page = html(response)
    assert "<h1>More than 10 safety concerns · matching ‘infection’</h1>" in page
    assert "More than 10 safety concerns match. The groups below" in page
    (group,) = response.context["page"].object_list
    assert (group.concern_count, group.product_count) == (10, 10)  # of the first 10 found
    assert "at least 10 products" in page
    assert '<a href="?q=infection&amp;group=serious+infection">Show every matching concern' in page
    (category,) = [facet for facet in response.context["facets"] if facet.param == "category"]
    assert [(value.label, value.count) for value in category.values] == [
        ("Important identified risk", 10)
    ]
    assert len(csv_rows(client.get("/risks/?q=infection&format=csv"))) == 13  # header apart
    data = streamed_json(client.get("/risks/?q=infection&format=json"))
    assert len(data["results"]) == 13 and data["description"].startswith("13 safety concerns")

    narrower = client.get("/risks/?q=infection&region=EU&product=p03")  # within the limit
    assert "<h1>1 safety concern in 1 group" in html(narrower)
    assert "More than" not in html(narrower)
    one_group = html(client.get("/risks/?q=infection&group=serious%20infection"))
    assert "<h1>13 safety concerns in the group ‘Serious infections’" in one_group
    exactly = html(client.get("/risks/?q=risk"))  # 13 matches, limit 10: "more than"
    assert "<h1>More than 10 safety concerns" in exactly
    monkeypatch.setattr("browse.selectors.concerns.TEXT_MATCH_LIMIT", 13)
    assert (
        "<h1>13 safety concerns in 13 groups · important potential risk · matching ‘risk’</h1>"
        in html(client.get("/risks/?q=risk&category=potential"))
    )


def test_a_text_filter_reads_the_rows_along_the_text_index(client):
    """SQLite reads a text filter's rows in the order of its trigram index, so that a LIMIT
    ends the reading early; an ``IN (subquery)`` would read every match first."""
    from django.db import connection

    from browse.filters.concerns import SafetyConcernFilter
    from browse.selectors.concerns import published_concerns
    from risks.published import TEXT_INDEX

    if connection.vendor != "sqlite":
        pytest.skip("the trigram table is SQLite's (PostgreSQL's GIN index is read as a bitmap)")
    build_common_concern(30)  # each publication keeps the planner's statistics in step
    rows = SafetyConcernFilter(
        {"q": "infection", "category": "identified"}, queryset=published_concerns()
    ).qs[:5]
    sql, params = rows.values_list("concern_id").query.sql_with_params()
    with connection.cursor() as cursor:
        plan = [row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith(f"SCAN {TEXT_INDEX} VIRTUAL TABLE"), plan
    assert not any("SUBQUERY" in step for step in plan), plan


@pytest.mark.parametrize("chunk", [1, 2, 5, 2000])
def test_the_export_streams_in_page_order_whatever_the_chunk_size(client, monkeypatch, chunk):
    """Batches of several small groups, and a group bigger than a chunk, keep the page order."""
    monkeypatch.setattr("browse.selectors.concern_export.CHUNK", chunk)
    build_common_concern(7)
    for sort in ["", "products"]:
        shown = []
        response = client.get(f"/risks/?sort={sort}&group=serious%20infection")
        shown += [
            ("Serious infections", slug)
            for slug, _, _ in entries(response.context["page"].object_list[0])
        ]
        listed = client.get(f"/risks/?sort={sort}")
        others = [
            g.name for g in listed.context["page"].object_list if g.name != "Serious infections"
        ]
        if sort == "products":  # seven products list the infections; each risk one
            expected = shown + [(name, f"p{name[-2:]}") for name in others]
        else:  # by name: "Risk 00" ... "Risk 06", then "Serious infections"
            expected = [(name, f"p{name[-2:]}") for name in others] + shown
        rows = csv_rows(client.get(f"/risks/?format=csv&sort={sort}"))
        assert [(row["Risk (grouped name)"], row["Product identifier"]) for row in rows] == (
            expected
        )


def test_the_grouping_key_follows_the_name_however_a_concern_is_written(client):
    concern = SafetyConcernFactory(name="Tumour lysis syndrome (TLS)")
    assert concern.group_key == "tumor lysis syndrome"
    concern.name = "Malignancies"
    concern.save(update_fields=["name"])
    concern.refresh_from_db()
    assert concern.group_key == "malignancy"
    (bulk,) = SafetyConcern.objects.bulk_create(
        [SafetyConcern(plan=concern.plan, name="Serious Infections", category="identified")]
    )
    assert SafetyConcern.objects.get(pk=bulk.pk).group_key == "serious infection"
    assert "group_key" not in {field.name for field in SafetyConcern.history.model._meta.fields}


# Drafts


def build_drafts():
    """A published product with a draft next version, and a product with only a draft."""
    published = PlanFactory(product__name="Open", product__slug="open")
    SafetyConcernFactory(plan=published, name="Hepatotoxicity")
    next_version = PlanFactory(product=published.product, draft=True, version="2-draft")
    SafetyConcernFactory(plan=next_version, name="Hepatotoxicity")
    SafetyConcernFactory(plan=next_version, name="Draft change", category="potential")
    draft_only = PlanFactory(draft=True, product__name="Secret", product__slug="secret")
    SafetyConcernFactory(plan=draft_only, name="Hepatotoxicity")
    SafetyConcernFactory(plan=draft_only, name="Secret draft risk", category="missing")


def test_drafts_never_appear_in_results_facets_counts_or_exports(client):
    build_drafts()
    response = client.get("/risks/")
    page = html(response)
    assert "<h1>1 safety concern in 1 group</h1>" in page
    assert "Draft change" not in page and "Secret" not in page
    assert facet_counts(response) == {
        "category": {"Important identified risk": 1},
        "region": {"European Union": 1},
        "product": {"Open": 1},
    }
    assert [c.plan.product.slug for c in group_named(response, "Hepatotoxicity").concerns] == [
        "open"
    ]
    for fmt in ("csv", "json"):
        exported = body(client.get(f"/risks/?format={fmt}")).decode()
        assert "Draft change" not in exported and "secret" not in exported.lower()
    assert streamed_json(client.get("/risks/?format=json"))["count"] == 1
    assert client.get("/risks/?product=secret").status_code == 400
    assert client.get("/risks/?category=missing").context["heading"].startswith("0 safety")


def test_drafts_never_appear_on_the_compare_page(client):
    build_drafts()
    other = PlanFactory(product__name="Other", product__slug="other")
    SafetyConcernFactory(plan=other, name="Hepatotoxicity")
    picker = html(client.get("/compare/"))
    assert 'href="?products=open"' in picker and "secret" not in picker.lower()
    for typed in ("secret", "Secret"):  # by slug or by name: refused like an unknown product
        page = html(client.get(f"/compare/?products=open,{typed}"), 400)
        unknown = html(client.get("/compare/?products=open,nowhere"), 400)
        assert "There is no published risk management plan for the product “secret”." in (
            page.replace(typed, "secret")
        )
        assert page.replace(typed, "nowhere") == unknown
    response = client.get("/compare/?products=open,other")
    page = html(response)
    assert "Draft change" not in page
    assert (
        "Listed by Open only: <strong>0</strong> · by Other only: <strong>0</strong>"
        " · by both: <strong>1</strong>"
    ) in page


# Bad input


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/risks/?category=foo", 400, "Select a valid choice. foo is not one of"),
        ("/risks/?product=%3Cscript%3Ealert(1)%3C/script%3E", 400, "Product: No published product"),
        ("/risks/?region=XX", 400, "Region: Select a valid choice."),
        ("/risks/?sort=sideways", 400, "Sort groups by: Select a valid choice."),
        ("/risks/?q=" + "x" * 201, 400, "Ensure this value has at most 200 characters"),
        ("/risks/?page=abc", 400, "The page number must be a whole number."),
        ("/risks/?page=999999", 404, "There is no published page at this address."),
        ("/risks/?page=0", 404, "There is no published page at this address."),
        ("/risks/?format=xml", 400, "The format parameter must be csv, xlsx or json"),
        ("/compare/?products=ivozall,clolar&format=xml", 400, "The format parameter must be"),
        ("/compare/?products=nope,%3Cb%3Ex%3C/b%3E", 400, "for the product “nope”"),
        ("/compare/?products=%3Cb%3Ex%3C/b%3E,clolar", 400, "“&lt;b&gt;x&lt;/b&gt;”"),
        ("/compare/?products=besponsa,clolar", 400, "for the product “besponsa”"),
        (
            "/compare/?products=ivozall,clolar,lemtrada,uplizna,ivozall,besponsa",
            400,
            "Choose at most 4 products (you chose 5).",  # counted before any is looked up
        ),
        ("/compare/?products=" + "x" * 1001, 400, "at most 1000 characters (it has 1001)"),
        ("/compare/?products=ivozall,cl%00olar", 400, "Null characters are not allowed."),
        ("/compare/?products=nope&format=csv", 400, "for the product “nope”"),
        ("/compare/?products=clolar&format=json", 400, "Name 2 to 4 products to compare"),
    ],
)
def test_bad_input_is_a_plain_4xx_page_that_echoes_nothing_unescaped(
    client, seeded, url, status, message
):
    page = html(client.get(url), status)
    assert message in page
    assert "<script>alert(1)" not in page and "<b>x</b>" not in page


def test_more_than_four_products_is_refused(client, seeded):
    PlanFactory(product__slug="fifth")
    page = html(client.get("/compare/?products=ivozall,clolar,lemtrada,uplizna,fifth"), 400)
    assert "Choose at most 4 products (you chose 5)." in page


# Exports


def test_csv_export_streams_one_row_per_concern_with_the_same_filters(client, seeded):
    response = client.get("/risks/?format=csv&q=hepat")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [(row["Risk (grouped name)"], row["Product identifier"]) for row in rows] == [
        ("Autoimmune hepatitis", "lemtrada"),
        ("Hepatic failure", "ivozall"),
        ("Hepatic veno-occlusive disease", "clolar"),
        ("Hepatitis", "ivozall"),
        ("Hepatotoxicity", "clolar"),
        ("Hepatotoxicity", "ivozall"),
        ("Use in patients with hepatic impairment", "ivozall"),
    ]
    aih = rows[0]
    assert aih == {
        "Risk (grouped name)": "Autoimmune hepatitis",
        "Safety concern": "Autoimmune hepatitis (AIH)",
        "Category": "Important identified risk",
        "Product": "Lemtrada",
        "Region": "EU",
        "Plan version": aih["Plan version"],
        "Authorisation status": "Authorised",
        "Evidence": aih["Evidence"],
        "Risk factors": aih["Risk factors"],
        "Routine measures": aih["Routine measures"],
        "SmPC/PL sections cited": "SmPC 4.2; SmPC 4.3; SmPC 4.4; SmPC 4.8; PL 2; PL 4",
        "Additional measures": (
            "Educational materials (HCP guide, HCP check-list, patient guide, patient alert card)"
        ),
        "Studies": "Drug Utilization Study; Risk of mortality study; OBS13434",
        "Address": "http://testserver/products/lemtrada/risks/autoimmune-hepatitis/",
        "Product identifier": "lemtrada",
    }
    lemtrada = PublishedProduct.objects.get(product__slug="lemtrada")
    assert aih["Plan version"] == lemtrada.plan_version
    assert aih["Evidence"] and aih["Risk factors"]
    assert aih["Routine measures"].startswith("Product information wording: ")


def test_json_export_has_lists_and_says_what_it_holds(client, seeded):
    data = streamed_json(client.get("/risks/?format=json&category=potential&product=uplizna"))
    assert (
        data["description"] == "4 safety concerns in 4 groups · important potential risk · Uplizna"
    )
    assert data["count"] == 4 and data["groups"] == 4
    pml = next(row for row in data["results"] if row["name"].startswith("Progressive"))
    assert pml["group"] == "Progressive multifocal leukoencephalopathy"
    assert pml["additional_measures"] == ["Patient card"]
    assert isinstance(pml["section_references"], list) and "SmPC 4.4" in pml["section_references"]
    assert isinstance(pml["studies"], list)


# Compare


def test_compare_keeps_a_differently_classified_concern_on_one_row(client):
    first = PlanFactory(product__name="Alpha", product__slug="alpha")
    second = PlanFactory(product__name="Beta", product__slug="beta")
    third = PlanFactory(product__name="Gamma", product__slug="gamma")
    SafetyConcernFactory(plan=first, name="Hepatotoxicity", category="potential")
    SafetyConcernFactory(plan=second, name="Hepatotoxicity", category="identified")
    SafetyConcernFactory(plan=third, name="Tumour lysis syndrome", category="identified")
    SafetyConcernFactory(plan=first, name="Tumor lysis syndrome", category="identified")
    SafetyConcernFactory(plan=second, name="Pregnancy", category="missing")
    response = client.get("/compare/?products=alpha,beta,gamma")
    page = html(response)
    sections = {
        c.value: [r.name for r in rows] for c, rows in response.context["comparison"].sections
    }
    assert sections == {
        "identified": ["Hepatotoxicity", "Tumor lysis syndrome"],
        "missing": ["Pregnancy"],
    }
    row = re.search(r'<th scope="row">Hepatotoxicity .*?</th>(.*?)</tr>', page, re.S).group(1)
    assert '<span class="badge potential">Important potential risk</span>' in row
    assert '<span class="badge identified">Important identified risk</span>' in row
    assert '<td class="absent">Not listed</td>' in row
    lysis = re.search(r'<th scope="row">Tumor lysis syndrome .*?</th>(.*?)</tr>', page, re.S).group(
        1
    )
    assert "badge" not in lysis  # same category everywhere: no badge
    assert "under the most established category any of them gives it" in page
    assert (
        "Listed by Alpha only: <strong>0</strong> · by Beta only: <strong>1</strong> · "
        "by Gamma only: <strong>0</strong> · by all 3: <strong>0</strong> · "
        "by some but not all: <strong>2</strong>"
    ) in page


def test_compare_with_fewer_than_two_products_shows_a_picker(client, seeded):
    page = html(client.get("/compare/?products=clolar"))
    assert "<table" not in page and 'type="checkbox"' not in page
    assert '<label for="id_products">Products to compare</label>' in page
    assert (
        '<p class="field-hint" id="id_products_helptext">2 to 4 product names or addresses, '
        "separated by commas, e.g. Lemtrada, Uplizna</p>"
    ) in page
    assert re.search(
        r'<input type="text" name="products" value="clolar"[^>]*'
        r'aria-describedby="id_products_helptext" id="id_products">',
        page,
    )
    # the others, most safety concerns first, each a link adding it; Besponsa has no plan
    assert "<h2>Compare Clolar with</h2>" in page
    assert re.findall(
        r'<li><a href="\?products=([\w,-]+)">(\w+)</a> <span class="meta">(.*?)<', page
    ) == [
        ("clolar,ivozall", "Ivozall", "24 safety concerns"),
        ("clolar,lemtrada", "Lemtrada", "23 safety concerns"),
        ("clolar,uplizna", "Uplizna", "9 safety concerns"),
    ]
    assert '<a href="/products/">products list</a>' in page
    assert 'href="?products=ivozall"' in html(client.get("/compare/"))


def test_compare_reads_names_and_slugs_in_any_case(client, seeded):
    for query in [
        "products=ivozall,clolar",
        "products=Ivozall,Clolar",
        "products=IVOZALL,+clolar+",
        "products=ivozall%2C+Clolar",  # the picker's text input, sent by a GET form
        "products=Ivozall&products=clolar",  # repeated parameters, as older links have them
        "products=ivozall,Ivozall,IVOZALL,Clolar,clolar",  # repeats dropped
    ]:
        response = client.get(f"/compare/?{query}")
        assert [p.slug for p in response.context["comparison"].products] == [
            "ivozall",
            "clolar",
        ], query
        # the picker then shows the compared products by name, ready for another comparison
        assert 'name="products" value="Ivozall, Clolar"' in html(response), query
    data = streamed_json(
        client.get("/compare/?products=Uplizna,lemtrada,CLOLAR,ivozall&format=json")
    )
    assert data["products"] == ["uplizna", "lemtrada", "clolar", "ivozall"]


def test_compare_asks_for_the_slug_of_a_name_several_products_share(client, seeded):
    for slug in ("namesake-eu", "namesake-us"):
        SafetyConcernFactory(plan__product__name="Namesake", plan__product__slug=slug)
    ProductFactory(name="Clolar", slug="clolar-information")  # no plan: not comparable
    page = html(client.get("/compare/?products=NAMESAKE,clolar"), 400)
    assert (
        "Several products with a published risk management plan are called “NAMESAKE”: type "
        "the last part of the address of the one you mean (namesake-eu or namesake-us)."
    ) in page
    assert 'value="NAMESAKE,clolar"' in page
    response = client.get("/compare/?products=namesake-us,Clolar")
    assert [p.slug for p in response.context["comparison"].products] == ["namesake-us", "clolar"]
    # its name would be ambiguous: the picker shows the slug
    assert 'name="products" value="namesake-us, Clolar"' in html(response)


def test_compare_refuses_unknown_products_and_keeps_what_was_typed(client, seeded):
    page = html(client.get("/compare/?products=Lemtrada,Nowhere,Besponsa"), 400)
    assert re.findall(r"<p>(There is no published .*?)</p>", page) == [
        f"There is no published risk management plan for the product “{name}”. Type its name "
        "or the last part of its page&#x27;s address, as the products list shows them."
        for name in ("Nowhere", "Besponsa")  # Besponsa is public but has no plan
    ]
    assert re.search(
        r'name="products" value="Lemtrada,Nowhere,Besponsa"[^>]*aria-invalid="true" '
        r'aria-describedby="id_products_helptext id_products_error"',
        page,
    )
    assert '<div class="error-message" role="alert" id="id_products_error">' in page
    assert 'href="?products=ivozall"' in page  # suggestions still offered
    # a name with a comma is read as two names (slugs never have one)
    SafetyConcernFactory(plan__product__name="Alpha, beta", plan__product__slug="alpha-beta")
    page = html(client.get("/compare/?products=Alpha, beta,clolar"), 400)
    assert "for the product “Alpha”" in page and "for the product “beta”" in page
    response = client.get("/compare/?products=alpha-beta,clolar")
    assert 'name="products" value="alpha-beta, Clolar"' in html(response)


def test_compare_exports_the_aligned_rows(client, seeded):
    data = streamed_json(client.get("/compare/?products=uplizna,lemtrada&format=json"))
    assert data["products"] == ["uplizna", "lemtrada"]
    assert data["count"] == 27  # 9 + 23 concerns, 5 risk terms shared
    pml = next(row for row in data["results"] if row["term"] == "pml")
    assert pml["group"] == "Progressive multifocal leukoencephalopathy"
    assert pml["category"] == "potential" and pml["listed_by"] == ["uplizna", "lemtrada"]
    assert pml["lemtrada"] == ["Progressive multifocal leukoencephalopathy (PML)"]
    assert pml["uplizna_category"] == ["potential"]
    rows = csv_rows(client.get("/compare/?products=uplizna,lemtrada&format=csv"))
    assert list(rows[0]) == [
        "Category",
        "Safety concern",
        "Listed by",
        "Uplizna",
        "Uplizna: category",
        "Uplizna: address",
        "Lemtrada",
        "Lemtrada: category",
        "Lemtrada: address",
        "Risk term",
    ]
    neutropenia = next(row for row in rows if row["Safety concern"] == "Neutropenia")
    assert neutropenia["Lemtrada"] == "" and neutropenia["Listed by"] == "Uplizna"
    assert neutropenia["Category"] == neutropenia["Uplizna: category"]
    assert neutropenia["Category"] in {"Important identified risk", "Important potential risk"}


# Query counts


def build_products(count):
    """``count`` products, each with a published plan whose concerns carry every detail."""
    substance = SubstanceFactory(name="examplumab")
    for number in range(count):
        plan = PlanFactory(product__substances=[substance])
        reference = SectionReferenceFactory(
            routine_measure__safety_concern__plan=plan,
            routine_measure__safety_concern__name="Hepatotoxicity",
        )
        concern = reference.routine_measure.safety_concern
        other = SafetyConcernFactory(plan=plan, name=f"Risk {number}", category="potential")
        AdditionalMeasureFactory(plan=plan).safety_concerns.add(concern, other)
        StudyFactory(plan=plan).safety_concerns.add(concern)
    comparator = PlanFactory(product__name="Comparator", product__slug="comparator")
    SafetyConcernFactory(plan=comparator, name="Hepatotoxicity", category="potential")
    draft = PlanFactory(draft=True)
    SafetyConcernFactory(plan=draft, name="Hepatotoxicity")
    ProductFactory()  # product information only


# name: (url, queries (the page cache's data version included), text the response shows)
PAGES = {
    "list": ("/risks/", 6, "Hepatotoxicity"),
    "list-filtered": (
        "/risks/?category=identified&region=EU&substance=examplumab&q=hepat",
        4,  # the matching rows read once: groups, counts, facets and each group's first
        "Hepatotoxicity",
    ),
    "csv": ("/risks/?format=csv", 7, "SmPC 4.4"),  # and the routine measures' text
    "json": ("/risks/?format=json&category=potential", 6, "Patient card"),
    "compare": ("/compare/?products=product-0,comparator", 10, "Hepatotoxicity"),
    "picker": ("/compare/", 3, 'href="?products=product-0"'),
    "picker-one-product": ("/compare/?products=Product+0", 4, 'href="?products=product-0,'),
    "compare-by-name": ("/compare/?products=Product+0,Comparator", 10, "Hepatotoxicity"),
    "compare-json": ("/compare/?products=product-0,comparator&format=json", 9, "Hepatotoxicity"),
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("count", [1, 50])
def test_query_counts_do_not_grow_with_the_data(client, django_assert_num_queries, name, count):
    ProductFactory.reset_sequence(0)
    build_products(count)
    url, queries, text = PAGES[name]
    with django_assert_num_queries(queries):
        response = client.get(url)
        content = body(response).decode()
    assert response.status_code == 200
    assert text in content


def add_products(numbers):
    for number in numbers:
        SafetyConcernFactory(
            plan__product__name=f"Product {number:03}", plan__product__slug=f"product-{number:03}"
        )


def picker(client, django_assert_num_queries):
    """The picker's suggestions and the size of its page, read in 3 queries."""
    with django_assert_num_queries(3):
        page = html(client.get("/compare/"))
    return re.findall(r'<li><a href="\?products=([\w-]+)">', page), len(page)


def test_the_picker_reads_and_shows_as_much_whatever_the_number_of_products(
    client, django_assert_num_queries
):
    add_products(range(3))
    suggested, _ = picker(client, django_assert_num_queries)
    assert suggested == ["product-000", "product-001", "product-002"]
    add_products(range(3, 60))
    suggested, size = picker(client, django_assert_num_queries)
    assert suggested == [f"product-{number:03}" for number in range(12)]
    add_products(range(60, 200))
    assert picker(client, django_assert_num_queries) == (suggested, size)


# In a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_category_facet_then_an_entry_leads_to_the_concern_page(page, live_server, seeded):
    page.goto(f"{live_server.url}/risks/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{SEED_TOTAL} safety concerns in {SEED_GROUPS} groups"
    )
    page.get_by_role("link", name="Important potential risk").click()
    expect(page).to_have_url(re.compile(r"/risks/\?category=potential$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "16 safety concerns in 14 groups · important potential risk"
    )
    page.get_by_role(
        "link", name="Uplizna: Progressive multifocal leukoencephalopathy (PML)"
    ).click()
    expect(page).to_have_url(
        re.compile(r"/products/uplizna/risks/progressive-multifocal-leukoencephalopathy/$")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Progressive multifocal leukoencephalopathy (PML)"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_compare_ivozall_and_clolar(page, live_server, seeded):
    page.goto(f"{live_server.url}/compare/?products=ivozall,clolar")
    identified = page.get_by_role("table", name=re.compile("Important identified risks"))
    row = identified.get_by_role("row", name=re.compile("^Hepatotoxicity"))
    expect(row.get_by_role("cell")).to_have_text(["Hepatotoxicity", "Hepatotoxicity"])
    nursing = page.get_by_role("row", name=re.compile("^Use during breast-feeding"))
    expect(nursing.get_by_role("cell")).to_have_text(["Not listed", "Nursing mothers"])
    expect(nursing.locator("td.absent")).to_have_text("Not listed")
    expect(
        page.get_by_text("Listed by Ivozall only: 13 · by Clolar only: 1 · by both: 11")
    ).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_pick_products_by_suggestion_then_by_name(page, live_server, seeded):
    page.goto(f"{live_server.url}/compare/")
    page.get_by_role("link", name="Clolar").click()
    expect(page).to_have_url(re.compile(r"/compare/\?products=clolar$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("Compare Clolar with")
    page.get_by_role("link", name="Ivozall").click()
    expect(page).to_have_url(re.compile(r"/compare/\?products=clolar,ivozall$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Clolar and Ivozall: 25 safety concerns side by side"
    )
    products = page.get_by_label("Products to compare")
    expect(products).to_have_value("Clolar, Ivozall")
    products.fill("Lemtrada, uplizna")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/\?products=Lemtrada%2C\+uplizna$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lemtrada and Uplizna: 27 safety concerns side by side"
    )
    products.fill("Lemtrada, Nowhere")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("There is no published risk management plan for the product “Nowhere”")
    )
    expect(page.get_by_label("Products to compare")).to_have_value("Lemtrada, Nowhere")


def test_every_export_streams_json_included(client, seeded):
    for url in ("/risks/", "/products/", "/studies/"):
        for fmt in ("csv", "json"):
            response = client.get(url, {"format": fmt})
            assert response.streaming, (url, fmt)
        data = streamed_json(client.get(url, {"format": "json"}))
        assert data["count"] == len(data["results"]) > 0

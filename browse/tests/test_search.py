"""The search page /search/: grouped results over published data, on SQLite and PostgreSQL."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from browse import search as site_search
from products.models import Product, ProductInformationSection, Substance
from products.search_fields import SearchVectorGeneratedField
from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks.models import AdditionalMeasure, RoutineMeasure, SafetyConcern, Study
from risks.tests.factories import (
    AdditionalMeasureFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("browse:search")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL only"
)


class SearchPage(HTMLParser):
    """What a reader sees: the <h1>, and each group's heading with its results' links."""

    def __init__(self, html):
        super().__init__()
        self.h1 = ""
        self.groups = {}  # group heading -> [(title, href, meta, snippet)]
        self.links = []  # (text, href) of every other link
        self._stack = []
        self._text = ""
        self._href = None
        self._group = None
        self._result = None
        self.feed(html)

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        self._stack.append((tag, attrs.get("class", "")))
        if tag in {"h1", "h2", "h3", "a", "p"}:
            self._text = ""
        if tag == "a":
            self._href = attrs.get("href")
        if tag == "li" and self._group is not None:
            self._result = {"title": "", "href": None, "meta": "", "snippet": ""}

    def handle_endtag(self, tag):
        _, css = self._stack.pop() if self._stack else (None, "")
        text = " ".join(self._text.split())
        in_group = any(c == "search-group" for _, c in self._stack) or css == "search-group"
        if tag == "h1":
            self.h1 = text
        elif tag == "h2" and in_group:
            self._group = text
            self.groups[text] = []
        elif tag == "a" and self._result is not None and any(t == "h3" for t, _ in self._stack):
            self._result.update(title=text, href=self._href)
        elif tag == "a":
            self.links.append((text, self._href))
        elif tag == "p" and self._result is not None:
            self._result["meta" if css == "meta" else "snippet"] = text
        elif tag == "li" and self._result is not None:
            self.groups[self._group].append(self._result)
            self._result = None
        elif tag == "section" and css == "search-group":
            self._group = None

    def handle_data(self, data):
        self._text += data

    def titles(self, group):
        return [result["title"] for result in self.groups[group]]

    def link(self, text):
        return next(href for label, href in self.links if label == text)


def search(client, status=200, **params):
    response = client.get(URL, params)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def page_of(client, **params):
    return SearchPage(search(client, **params).content.decode())


def json_of(response):
    """The streamed JSON export, read whole."""
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))


# The seed data ----------------------------------------------------------------------------------


def test_without_a_query_the_page_shows_the_search_box_and_help(client):
    response = search(client)
    page = SearchPage(response.content.decode())
    assert page.h1 == "Search"
    assert page.groups == {}
    content = response.content.decode()
    assert '<input type="search" name="q"' in content
    assert "Type a word or a few words" in content
    assert 'role="alert"' not in content
    # Blank after stripping is the same as no query.
    assert SearchPage(search(client, q="   ").content.decode()).h1 == "Search"


def test_pml_finds_the_uplizna_and_lemtrada_concerns_grouped_by_kind(client, seeded):
    page = page_of(client, q="PML")
    assert page.h1 == "5 results for 'PML'"
    assert list(page.groups) == [
        "Safety concerns (2)",
        "Risk minimisation measures (2)",
        "Studies (1)",
    ]
    lemtrada_pml = SafetyConcern.objects.get(
        plan__product__slug="lemtrada", name__startswith="Progressive"
    )
    uplizna_pml = SafetyConcern.objects.get(
        plan__product__slug="uplizna", name__startswith="Progressive"
    )
    # The two rank alike (PML in the title and the text): bm25 (SQLite) puts Uplizna's shorter
    # text first, ts_rank (PostgreSQL) Lemtrada's, which says PML more often.
    concerns = {c["href"]: c for c in page.groups["Safety concerns (2)"]}
    assert set(concerns) == {lemtrada_pml.get_absolute_url(), uplizna_pml.get_absolute_url()}
    assert {c["title"] for c in concerns.values()} == {
        "Progressive multifocal leukoencephalopathy (PML)"
    }
    assert concerns[lemtrada_pml.get_absolute_url()]["meta"] == (
        "Lemtrada · Important potential risk"
    )
    assert (
        "There are no known risk factors for PML"
        in (concerns[uplizna_pml.get_absolute_url()]["snippet"])
    )
    # Routine measures link to their concern; the study links to its own page.
    measures = page.groups["Risk minimisation measures (2)"]
    assert {m["href"] for m in measures} == {lemtrada_pml.get_absolute_url()}
    assert all(m["meta"].startswith("Lemtrada · Routine measure") for m in measures)
    study = Study.objects.get(plan__product__slug="uplizna", short_name__contains="Real-World")
    assert page.groups["Studies (1)"][0]["href"] == study.get_absolute_url()
    assert study.get_absolute_url().startswith("/products/uplizna/studies/")


def test_matches_are_marked_in_titles_and_snippets(client, seeded):
    content = search(client, q="PML").content.decode()
    assert "Progressive multifocal leukoencephalopathy (<mark>PML</mark>)" in content
    assert "There are no known risk factors for <mark>PML</mark> in patients" in content


def test_hepatotoxicity_finds_concerns_and_the_besponsa_smpc_text(client, seeded):
    page = page_of(client, q="hepatotoxicity")
    concerns = next(g for name, g in page.groups.items() if name.startswith("Safety concerns"))
    found = {(c["title"], c["meta"].split(" · ")[0]) for c in concerns}
    assert {("Hepatotoxicity", "Clolar"), ("Hepatotoxicity", "Ivozall")} <= found
    # Exact titles rank first.
    assert [c["title"] for c in concerns[:2]] == ["Hepatotoxicity", "Hepatotoxicity"]

    sections = page.groups["Product information sections (2)"]
    smpc_44 = sections[0]
    assert smpc_44["title"] == "SmPC 4.4 Special warnings and precautions for use"
    assert smpc_44["meta"] == "Besponsa · Summary of product characteristics"
    assert smpc_44["href"] == (
        reverse("browse:product_information", kwargs={"slug": "besponsa"}) + "#smpc-4-4"
    )
    assert "Hepatotoxicity, including VOD/SOS" in smpc_44["snippet"]


def test_a_study_code_finds_the_lemtrada_study(client, seeded):
    page = page_of(client, q="OBS13434")
    assert page.h1 == "1 result for 'OBS13434'"
    study = Study.objects.get(code="OBS13434")
    assert page.groups == {
        "Studies (1)": [
            {
                "title": "OBS13434",
                "href": "/products/lemtrada/studies/obs13434/",
                "meta": "Lemtrada · Study · Category 3",
                "snippet": study.title,
            }
        ]
    }


def test_an_active_substance_finds_its_products(client, seeded):
    page = page_of(client, q="clofarabine", kind="products")
    assert page.h1 == "2 results for 'clofarabine' · products"
    assert page.groups["Products (2)"] == [
        {
            "title": "Clolar",
            "href": "/products/clolar/",
            "meta": "Clolar · Product · Authorised",
            "snippet": "Active substance: clofarabine",
        },
        {
            "title": "Ivozall",
            "href": "/products/ivozall/",
            "meta": "Ivozall · Product · No longer authorised",
            "snippet": "Active substance: clofarabine",
        },
    ]


def test_kind_restricts_the_results_and_can_be_removed(client, seeded):
    response = search(client, q="PML", kind="concerns")
    page = SearchPage(response.content.decode())
    assert page.h1 == "2 results for 'PML' · safety concerns"
    assert list(page.groups) == ["Safety concerns (2)"]
    content = response.content.decode()
    assert 'href="?q=PML" aria-label="Remove filter Only: Safety concerns"' in content
    assert 'href="?kind=concerns" aria-label="Remove filter Search for: PML"' in content


def test_a_search_without_results_says_so(client, seeded):
    page = page_of(client, q="xylophone")
    assert page.h1 == "No results for 'xylophone'"
    assert page.groups == {}


# Published data only ----------------------------------------------------------------------------


def test_drafts_never_appear(client):
    published = PlanFactory(product__name="Publica")
    SafetyConcernFactory(plan=published, name="Known risk")
    draft = PlanFactory(product=published.product, draft=True)
    concern = SafetyConcernFactory(plan=draft, name="Quokkaitis")
    RoutineMeasureFactory(safety_concern=concern, text="Quokkaitis wording in SmPC 4.4.")
    AdditionalMeasureFactory(plan=draft, name="Quokkaitis card")
    StudyFactory(plan=draft, code="QUOKKA1", title="Quokkaitis registry")
    # A product whose only plan is a draft does not exist publicly, nor does its information.
    hidden = PlanFactory(product__name="Quokkaitis product", draft=True).product
    ProductInformationSectionFactory(product=hidden, text="Quokkaitis warning.")

    page = page_of(client, q="quokkaitis")
    assert page.h1 == "No results for 'quokkaitis'"
    for kind in site_search.Kind.values:
        assert page_of(client, q="quokkaitis", kind=kind).groups == {}
    assert json_of(search(client, q="quokkaitis", format="json"))["count"] == 0
    # The published concern of the same product is found.
    assert page_of(client, q="known risk").h1 == "1 result for 'known risk'"


# Escaping and bad input -------------------------------------------------------------------------


def test_markup_in_the_query_is_escaped(client, seeded):
    response = search(client, q='<script>alert("x")</script>')
    content = response.content.decode()
    assert "<script>" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    page = SearchPage(content)
    assert page.h1 == "No results for '<script>alert(\"x\")</script>'"


def test_markup_in_the_data_is_escaped_around_the_marks(client):
    SafetyConcernFactory(name="<b>Bold</b> risk", evidence="A <i>bold</i> claim.")
    content = search(client, q="bold").content.decode()
    assert "<b>" not in content and "<i>" not in content
    assert "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; risk" in content
    if connection.vendor == "postgresql":
        # ts_headline leaves out what PostgreSQL's parser reads as tags.
        assert "A <mark>bold</mark> claim." in content
    else:
        assert "A &lt;i&gt;<mark>bold</mark>&lt;/i&gt; claim." in content


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "x" * 201}, 400, "Search for: Type at most 200 characters (this search has 201)."),
        ({"q": "PML", "kind": "foo"}, 400, "The kind must be one of: products, concerns,"),
        ({"q": "PML", "kind": "concerns", "page": "abc"}, 400, "The page must be a whole number."),
        ({"q": "PML", "page": "0"}, 400, "The page must be 1 or more."),
        ({"q": "PML", "kind": "concerns", "page": "999999"}, 404, "There is no published page"),
        ({"q": "PML", "page": "2"}, 404, "There is no published page"),
        ({"q": "PML", "format": "xml"}, 400, "The format parameter must be csv, xlsx or json"),
    ],
)
def test_bad_input_is_a_readable_4xx(client, seeded, params, status, message):
    response = search(client, status=status, **params)
    assert message in response.content.decode()


@pytest.mark.parametrize("query", ["!!!", "« »", "-"])
def test_a_query_without_words_finds_nothing(client, seeded, query):
    assert page_of(client, q=query).h1 == f"No results for '{query}'"
    assert page_of(client, q=query, kind="concerns").groups == {}
    assert json_of(search(client, q=query, format="json"))["count"] == 0


def test_two_hundred_characters_after_stripping_are_allowed(client):
    page = page_of(client, q="  " + "y" * 200 + "  ")
    assert page.h1 == f"No results for '{'y' * 200}'"


# Exports ----------------------------------------------------------------------------------------


def test_csv_export_has_every_result_with_plain_snippets(client, seeded):
    response = search(client, q="PML", format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Kind", "What it is", "Product", "Title", "Extract", "Address"]
    labels = [row.pop(1) for row in rows[1:]]  # what each result is, as the page says
    rows[1:3] = sorted(rows[1:3], key=lambda row: row[1])  # they rank alike
    assert [row[:3] for row in rows[1:]] == [
        ["safety concern", "Lemtrada", "Progressive multifocal leukoencephalopathy (PML)"],
        ["safety concern", "Uplizna", "Progressive multifocal leukoencephalopathy (PML)"],
        ["routine measure", "Lemtrada", "Progressive multifocal leukoencephalopathy (PML)"],
        ["routine measure", "Lemtrada", "Progressive multifocal leukoencephalopathy (PML)"],
        ["study", "Uplizna", "Real-World Observational Study"],
    ]
    assert labels[0] == "Important potential risk" and labels[2].startswith("Routine measure")
    concern = SafetyConcern.objects.get(plan__product__slug="uplizna", name__startswith="Prog")
    assert "There are no known risk factors for PML in" in rows[2][3]
    assert "<mark>" not in "".join(row[3] for row in rows)
    assert site_search.MARK_START not in "".join(row[3] for row in rows)
    assert rows[2][4] == f"http://testserver{concern.get_absolute_url()}"


def test_json_export_follows_the_kind_and_is_not_paginated(client):
    for number in range(25):
        SafetyConcernFactory(name=f"Wombat risk {number:02}")
    data = json_of(search(client, q="wombat", kind="concerns", format="json", page=2))
    assert (data["query"], data["kind"], data["count"]) == ("wombat", "concerns", 25)
    assert data["results"][0]["kind"] == "safety concern"
    assert {row["title"] for row in data["results"]} == {f"Wombat risk {n:02}" for n in range(25)}
    assert set(data["results"][0]) == {"kind", "product", "title", "snippet", "url"}


# Limits, pages and query counts -----------------------------------------------------------------


# The queries of a search page, whatever was found: two per searched model (the ranked page of
# matches with their bounded count, then its rows with their snippets), one for products found
# by substance, the risk terms matching, then the footer's data version and the page cache's.
PAGE_QUERIES = 16
# A kind's page: a bounded count, the two queries of the page, the two data versions (and the
# risk terms matching, on the safety concerns' page).
KIND_PAGE_QUERIES = 6


def make_products(count):
    """``count`` published products, each matching "zebra" once in every kind of result."""
    for number in range(count):
        product = ProductFactory(name=f"Product {number:02}", indication="Zebra fever.")
        plan = PlanFactory(product=product)
        concern = SafetyConcernFactory(plan=plan, name=f"Zebra risk {number:02}")
        RoutineMeasureFactory(safety_concern=concern, text="Zebra wording in SmPC 4.4.")
        AdditionalMeasureFactory(plan=plan, name=f"Zebra card {number:02}")
        StudyFactory(plan=plan, title="Zebra registry")
        ProductInformationSectionFactory(product=product, text="Zebra warning.")


@pytest.mark.parametrize("count", [1, 50])
def test_query_counts_do_not_grow_with_the_data(client, django_assert_num_queries, count):
    make_products(count)
    with django_assert_num_queries(PAGE_QUERIES):
        page = page_of(client, q="zebra")
    assert page.h1 == f"{count * 6} results for 'zebra'"
    with django_assert_num_queries(KIND_PAGE_QUERIES):
        page_of(client, q="zebra", kind="concerns")


def test_groups_show_twenty_results_and_link_to_all_of_them(client):
    make_products(50)
    page = page_of(client, q="zebra")
    assert {group: len(results) for group, results in page.groups.items()} == {
        "Products (50)": 20,
        "Safety concerns (50)": 20,
        "Risk minimisation measures (100)": 20,
        "Studies (50)": 20,
        "Product information sections (50)": 20,
    }
    assert page.link("Show all 50 safety concerns") == "?q=zebra&kind=concerns"
    # Additional measures (named things) come before routine measures.
    measures = page.groups["Risk minimisation measures (100)"]
    assert {m["meta"].split(" · ")[1] for m in measures} == {"Additional measure"}

    last = page_of(client, q="zebra", kind="measures", page=5)
    assert last.h1 == "100 results for 'zebra' · risk minimisation measures · page 5 of 5"
    assert len(last.groups["Risk minimisation measures (100)"]) == 20
    assert {m["meta"].split(" · ")[1] for m in last.groups["Risk minimisation measures (100)"]} == {
        "Routine measure"
    }
    assert last.link("Previous") == "?q=zebra&kind=measures&page=4"
    middle = page_of(client, q="zebra", kind="measures", page=3)  # 10 additional, 10 routine
    kinds = [m["meta"].split(" · ")[1] for m in middle.groups["Risk minimisation measures (100)"]]
    assert kinds == ["Additional measure"] * 10 + ["Routine measure"] * 10
    search(client, status=404, q="zebra", kind="measures", page=6)


# The result limit of full-text search -------------------------------------------------------------


def test_each_kind_counts_and_lists_at_most_the_first_results_found(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(site_search, "MAX_RESULTS", 3)
    make_products(5)
    with django_assert_num_queries(PAGE_QUERIES):
        page = page_of(client, q="zebra")
    # Measures: three additional and three routine measures, each "more than".
    assert page.h1 == "More than 18 results for 'zebra'"
    assert {group: len(results) for group, results in page.groups.items()} == {
        "Products (more than 3)": 3,
        "Safety concerns (more than 3)": 3,
        "Risk minimisation measures (more than 6)": 6,
        "Studies (more than 3)": 3,
        "Product information sections (more than 3)": 3,
    }
    assert page.link("Show the first 3 safety concerns") == "?q=zebra&kind=concerns"

    with django_assert_num_queries(KIND_PAGE_QUERIES):
        response = search(client, q="zebra", kind="concerns")
    page = SearchPage(response.content.decode())
    assert page.h1 == "More than 3 results for 'zebra' · safety concerns"
    # The best of the concerns found first (in the order they were created; all rank equal).
    assert page.titles("Safety concerns (more than 3)") == [
        "Zebra risk 00",
        "Zebra risk 01",
        "Zebra risk 02",
    ]
    assert (
        "More safety concerns match than the 3 listed here: they are the best of those found "
        "first. Add a word to narrow the search."
    ) in response.content.decode()
    search(client, status=404, q="zebra", kind="concerns", page=2)
    # The exports have what the pages count: the first results of each source.
    data = json_of(search(client, q="zebra", kind="concerns", format="json"))
    assert [row["title"] for row in data["results"]] == [
        "Zebra risk 00",
        "Zebra risk 01",
        "Zebra risk 02",
    ]
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(search(client, q="zebra", format="csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 1 + 3 * 6  # the header, three of each source (none by substance)


# Stored search vectors --------------------------------------------------------------------------

INDEXES = {
    Product: "product_vector_idx",
    Substance: "substance_vector_idx",
    SafetyConcern: "safetyconcern_vector_idx",
    RoutineMeasure: "routinemeasure_vector_idx",
    AdditionalMeasure: "additionalmeasure_vector_idx",
    Study: "study_vector_idx",
    ProductInformationSection: "infosection_vector_idx",
}


@pytest.mark.parametrize("model", list(INDEXES), ids=lambda model: model.__name__)
def test_each_searched_model_declares_its_vector_and_its_index(model):
    vector = site_search.vector_field(model)
    assert isinstance(vector, SearchVectorGeneratedField)
    assert [index.fields for index in model._meta.indexes if index.name == INDEXES[model]] == [
        ["search_vector"]
    ]
    # The audit history keeps the fields the vector is made of, not the vector.
    history = {field.name for field in model.history.model._meta.fields}
    assert "search_vector" not in history
    assert set(vector.searched_fields) <= history


@on_postgresql
def test_the_stored_vectors_are_indexed_and_the_old_indexes_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE indexdef LIKE %s",
            ["%search%"],
        )
        found = {(table, name): definition for table, name, definition in cursor.fetchall()}
    assert set(found) == {(model._meta.db_table, name) for model, name in INDEXES.items()}
    assert all(definition.endswith("USING gin (search_vector)") for definition in found.values())


@on_postgresql
@pytest.mark.parametrize("model", list(INDEXES), ids=lambda model: model.__name__)
def test_each_stored_vector_is_the_declared_vector(seeded, model):
    """The generated column holds exactly the vector the field declares."""
    rows = model.objects.annotate(computed=site_search.vector_field(model).expression)
    rows = rows.values_list("search_vector", "computed")
    assert rows
    assert all(stored == computed for stored, computed in rows)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_on_sqlite_the_vector_is_always_null_and_unindexed(client, seeded):
    concern = SafetyConcernFactory(name="Quagga risk")
    concern.refresh_from_db()
    assert concern.search_vector is None
    assert set(SafetyConcern.objects.values_list("search_vector", flat=True)) == {None}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        assert [name for name, sql in cursor.fetchall() if "vector" in (sql or "")] == []
    assert page_of(client, q="quagga").h1 == "1 result for 'quagga'"


@on_postgresql
def test_the_stored_vector_follows_edits(client):
    concern = SafetyConcernFactory(name="Quagga risk")
    assert page_of(client, q="quagga").h1 == "1 result for 'quagga'"
    concern.name = "Okapi risk"
    concern.save()
    assert page_of(client, q="quagga").h1 == "No results for 'quagga'"
    assert page_of(client, q="okapi").titles("Safety concerns (1)") == ["Okapi risk"]


@on_postgresql
@pytest.mark.parametrize("model", list(INDEXES), ids=lambda model: model.__name__)
def test_each_search_condition_uses_its_index(model):
    """The search filters on the stored, indexed column."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    terms = site_search.Terms("PML")
    plan = site_search._match(model.objects.order_by(), model, terms).explain()
    assert f"Bitmap Index Scan on {INDEXES[model]}" in plan


# In a browser -----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_searches_from_the_header_and_follows_a_result(page, live_server, seeded):
    page.goto(f"{live_server.url}{URL}")
    box = page.get_by_role("searchbox", name="Search products, risks, studies and sections")
    box.fill("PML")
    box.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("5 results for 'PML'")
    expect(page.locator(".search-group h2")).to_have_text(
        ["Safety concerns (2)", "Risk minimisation measures (2)", "Studies (1)"]
    )
    expect(box).to_have_value("PML")
    concerns = page.get_by_role("region", name="Safety concerns (2)")
    expect(concerns.locator("mark").first).to_have_text("PML")

    concern = SafetyConcern.objects.get(plan__product__slug="uplizna", name__startswith="Prog")
    # Lemtrada's and Uplizna's concerns share the name.
    concerns.get_by_role("listitem").filter(has_text="Uplizna").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{concern.get_absolute_url()}")

    page.go_back()
    options = page.get_by_role("complementary", name="Search options")
    options.get_by_role("link", name="Safety concerns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "2 results for 'PML' · safety concerns"
    )
    expect(page).to_have_url(re.compile(r"\?q=PML&kind=concerns$"))

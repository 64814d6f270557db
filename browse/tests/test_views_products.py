import csv
import io
import random
import re

import pytest

from browse.selectors import products as product_selectors
from common.tests.responses import streamed_json
from products.tests.factories import (
    ProductFactory,
    ProductInformationSectionFactory,
    SubstanceFactory,
)
from risks.published import PublishedProduct
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db


def html(response, status=200):
    assert response.status_code == status
    return response.content.decode()


def test_product_list_filters_by_facets_and_says_what_it_shows(client, seeded):
    page = html(client.get("/products/?region=EU&study=1"))
    assert "<h1>1 product · EU · with a category 1 study</h1>" in page
    assert ">Lemtrada</a>" in page and ">Uplizna</a>" not in page
    assert "Region: <strong>European Union</strong>" in page  # active filter with remove link
    assert 'href="?study=1"' in page  # removing region keeps the study filter


def test_product_list_facet_counts(client, seeded):
    response = client.get("/products/")
    facets = {f.param: {v.label: v.count for v in f.values} for f in response.context["facets"]}
    assert facets["region"] == {"European Union": 4, "United States": 1}
    assert facets["status"] == {"Authorised": 4, "No longer authorised": 1}
    assert facets["concern"] == {
        "Important identified risk": 4,
        "Important potential risk": 3,
        "Missing information": 4,
    }
    assert facets["measure"] == {"Educational materials": 1, "Patient alert card": 1}
    assert facets["study"] == {"Category 1": 1, "Category 3": 2}
    assert facets["substance"]["clofarabine"] == 2


def test_product_list_text_search_and_sort(client, seeded):
    page = html(client.get("/products/?q=clofarabine&sort=region"))
    assert "2 products · matching ‘clofarabine’" in page
    assert page.index(">Ivozall</a>") < page.index(">Clolar</a>")  # EU before US


def test_product_list_exports_with_the_same_filters(client, seeded):
    response = client.get("/products/?region=EU&concern=potential&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark, for Excel
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["Product"] for row in rows] == ["Ivozall", "Lemtrada", "Uplizna"]
    lemtrada = rows[1]
    assert lemtrada["Safety concerns"] == "23" and lemtrada["Active substance"] == "alemtuzumab"
    assert lemtrada["Authorisation status"] == "Authorised" and lemtrada["Plan version"]
    assert lemtrada["Address"] == "http://testserver/products/lemtrada/"
    data = streamed_json(client.get("/products/?format=json&substance=clofarabine"))
    assert data["count"] == 2
    assert {row["slug"] for row in data["results"]} == {"ivozall", "clolar"}


def substances_in_products(*groups):
    """A published product for each group of substance names; returns the substances."""
    substances = {}
    for names in groups:
        product_substances = [
            substances.setdefault(name, SubstanceFactory(name=name)) for name in names
        ]
        PlanFactory(product=ProductFactory(substances=product_substances))
    return substances


FOURTEEN = [f"sub-{number:02}" for number in range(1, 15)]


def substance_facet(response):
    (facet,) = [f for f in response.context["facets"] if f.param == "substance"]
    return facet


def test_substance_facet_shows_the_most_frequent_and_says_how_many_more(client):
    # sub-01, sub-02 in three products; sub-03 to sub-05 in two; the others in one.
    substances_in_products(FOURTEEN, FOURTEEN[:5], FOURTEEN[:2])
    draft = PlanFactory(draft=True, product__substances=[SubstanceFactory(name="draftumab")])
    draft.product.substances.add(SubstanceFactory(name="sub-14"))
    response = client.get("/products/")
    facet = substance_facet(response)
    assert [(v.label, v.count) for v in facet.values] == [
        ("sub-01", 3), ("sub-02", 3), ("sub-03", 2), ("sub-04", 2), ("sub-05", 2),
        ("sub-06", 1), ("sub-07", 1), ("sub-08", 1), ("sub-09", 1), ("sub-10", 1),
        ("sub-11", 1), ("sub-12", 1),
    ]  # fmt: skip
    assert facet.more == 2  # sub-13 and sub-14; the draft's substances do not count
    page = html(response)
    assert (
        '<p class="facet-more">and 2 more active substances: type one in the '
        '<a href="#id_substance">Active substance</a> field</p>'
    ) in page
    assert '<input type="text" name="substance" maxlength="200"' in page
    assert 'id="id_substance"' in page
    assert "draftumab" not in page


@pytest.mark.parametrize("candidates", [1, 2, 3, 5, 8, 40])
def test_substance_facet_from_the_most_frequent_gives_what_counting_every_product_gives(
    monkeypatch, candidates
):
    """``top_substances`` asks the most frequent substances first and stops when no other
    can rank, else counts every matching product: either way the counting's answer."""
    rng = random.Random(candidates)
    names = [f"sub-{number:02}" for number in range(16)]
    substances = {name: SubstanceFactory(name=name) for name in names}
    for _ in range(30):
        chosen = rng.sample(names, rng.choice([1, 1, 2, 3]))
        region = rng.choice(["EU", "EU", "US"])
        product = ProductFactory(region=region, substances=[substances[n] for n in chosen])
        if rng.random() < 0.8:
            PlanFactory(product=product)
    monkeypatch.setattr(product_selectors, "SUBSTANCE_CANDIDATES", candidates)
    for conditions in ({}, {"region": "EU"}, {"region": "US"}):
        matching = PublishedProduct.objects.filter(**conditions).values("product")
        for limit in (1, 3, 12):
            expected, expected_total = product_selectors.substance_counts(matching, limit=limit)
            rows, total, floor = product_selectors.top_substances(conditions, limit=limit)
            assert rows[:limit] == expected[:limit]
            assert (total, floor) == (expected_total, False)


def test_substance_facet_says_more_than_when_it_stops_counting(client, monkeypatch):
    substances_in_products(FOURTEEN, FOURTEEN[:5], FOURTEEN[:2])
    # sub-01 and sub-02 (3 products each), sub-03 (2) asked: sub-01 ranks first whatever
    # the others, and then the substances are counted up to 5
    monkeypatch.setattr(product_selectors, "SUBSTANCE_CANDIDATES", 3)
    monkeypatch.setattr(product_selectors, "SUBSTANCE_FACET_LIMIT", 1)
    monkeypatch.setattr(product_selectors, "SUBSTANCE_TOTAL_LIMIT", 5)
    page = html(client.get("/products/"))
    assert '<p class="facet-more">and more than 4 more active substances' in page


def test_substance_typed_in_the_field_filters_and_keeps_the_other_filters(client):
    substances_in_products(FOURTEEN, FOURTEEN[:5], FOURTEEN[:2])
    page = html(client.get("/products/?region=EU&substance=SUB-03"))
    assert "<h1>2 products · EU · SUB-03</h1>" in page
    assert '<input type="text" name="substance" value="SUB-03"' in page
    assert '<input type="hidden" name="region" value="EU">' in page
    assert 'type="hidden" name="substance"' not in page


def test_a_selected_substance_outside_the_most_frequent_stays_shown(client):
    substances_in_products(FOURTEEN)  # one product: every substance counts 1
    response = client.get("/products/?substance=SUB-14")
    facet = substance_facet(response)
    assert [(v.label, v.count, v.selected) for v in facet.values] == [
        *((name, 1, False) for name in FOURTEEN[:12]),
        ("sub-14", 1, True),
    ]
    assert facet.values[-1].url == "?"  # removes the filter as typed
    assert facet.more == 1  # sub-13
    page = html(response)
    assert 'aria-label="Remove filter Active substance: sub-14">sub-14 ✕</a>' in page
    assert "and 1 more active substance: type one in the" in page


def test_few_substances_need_no_more_line(client, seeded):
    page = html(client.get("/products/"))
    assert "facet-more" not in page


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/products/?region=XX", 400, "Select a valid choice"),
        ("/products/?study=9", 400, "Has a study"),
        ("/products/?page=abc", 400, "The page number must be a whole number."),
        ("/products/?page=999999", 404, "There is no published page at this address."),
        ("/products/?format=xml", 400, "The format parameter must be csv, xlsx or json"),
        ("/products/?region=%3Cscript%3Ealert(1)%3C/script%3E", 400, "Select a valid choice"),
        ("/products/no-such-product/", 404, "There is no published page at this address."),
        ("/products/no-such-product/information/", 404, "There is no published page"),
    ],
)
def test_bad_input_is_a_plain_4xx_page(client, seeded, url, status, message):
    page = html(client.get(url), status)
    assert message in page
    assert "<script>alert(1)" not in page


def overview_rows(page):
    """(category heading, concern, additional measures, studies, sections) of the overview."""
    table = page[page.index('<table class="overview">') :]
    table = table[: table.index("</table>")]
    rows, heading = [], None
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if 'scope="colgroup"' in row:
            heading = cells[0]
        elif heading:
            rows.append((heading, *cells))
    return rows


def test_lemtrada_page_opens_with_an_overview_of_every_concern(client, seeded):
    page = html(client.get("/products/lemtrada/"))
    rows = overview_rows(page)
    assert len(rows) == 23  # every concern of the plan, once
    assert [row[0] for row in rows[:1] + rows[17:18] + rows[20:21]] == [
        "Important identified risks (17)",
        "Important potential risks (3)",
        "Missing information (3)",
    ]
    assert rows[0] == (
        "Important identified risks (17)",
        "Infusion-associated reactions (IARs)",
        "none",
        "Drug Utilization Study; Risk of mortality study",
        "SmPC 4.2, SmPC 4.3, SmPC 4.4, SmPC 4.8, PL 2, PL 4, SmPC 4.7",
    )
    pml = next(row for row in rows if row[1].startswith("Progressive multifocal"))
    assert pml[2] == (
        "Educational materials (HCP guide, HCP check-list, patient guide, patient alert card)"
    )
    # each row leads to the concern's folded details below, by an anchor made from its name
    assert '<a href="#risk-progressive-multifocal-leukoencephalopathy">' in page
    assert (
        '<details class="concern potential" id="risk-progressive-multifocal-leukoencephalopathy">'
        in page
    )
    assert page.count('<details class="concern ') == 23
    # references read inline, once per measure, without the old "(text not loaded)": the
    # text is not loaded here, so each leads to the official product information
    assert "(text not loaded)" not in page
    assert (
        '(<a class="cite external" rel="external noopener" href="https://www.ema.europa.eu/en/'
        'documents/product-information/lemtrada-epar-product-information_en.pdf">SmPC 4.4 '
        "Special warnings and precautions for use – in the official product information "
        "(ema.europa.eu, opens the PDF; see section 4.4)</a>; "
    ) in page
    # studies: milestones with how long they are overdue, and a page of their own
    assert page.count("Overdue by ") == 2
    assert '<a href="/products/lemtrada/studies/obs13434/">OBS13434</a>' in page
    assert "version 1, date not stated in the source" in page
    assert "data-print" in page


def test_curator_notes_and_sources_stay_apart_from_the_content(client, seeded):
    page = html(client.get("/products/lemtrada/"))
    details = page[page.index('<section id="details"') : page.index('<section id="provenance"')]
    assert "Curator note" not in details
    provenance = page[page.index('<section id="provenance"') :]
    assert 'class="provenance no-print"' in page
    assert "Curator notes on safety concerns" in provenance
    assert "Curated from" in provenance
    assert (
        '<a class="url" href="https://www.ema.europa.eu/en/medicines/human/EPAR/lemtrada">'
        in provenance
    )


def test_a_us_label_reads_in_us_words(client, seeded):
    page = html(client.get("/products/clolar/"))
    assert "Warnings and precautions (USPI section 5)" in page
    assert "<dt>Label record</dt><dd>version 1" in page
    assert "Important identified risks" not in page
    assert "Routine risk minimisation measures" not in page
    assert "Labeling (prescribing information)" in page
    # not recorded is not "no"
    assert '<dt>Boxed warning</dt><dd><span class="muted">not recorded</span>' in page
    assert '<dt>REMS</dt><dd><span class="muted">not recorded</span>' in page
    assert "no DailyMed or Drugs@FDA address recorded" in page

    clolar = seeded["clolar"]
    clolar.boxed_warning, clolar.rems = False, True
    clolar.source_url = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=example"
    clolar.save()
    page = html(client.get("/products/clolar/"))
    assert "<dt>Boxed warning</dt><dd>no boxed warning</dd>" in page
    assert "<dt>REMS</dt><dd>a risk evaluation and mitigation strategy applies</dd>" in page
    assert 'href="https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=example"' in page
    # an EU product keeps the EU words and shows no US fields
    lemtrada = html(client.get("/products/lemtrada/"))
    assert "Safety concerns (RMP part II.A)" in lemtrada and "Boxed warning" not in lemtrada


def test_the_print_view_is_the_risk_page_as_printed(client, seeded):
    page = html(client.get("/products/lemtrada/"))
    assert '<a class="button" href="/products/lemtrada/print/">Printable version</a>' in page
    assert 'print.css" media="print">' in page
    assert '<body class="print-summary">' in page  # Ctrl+P prints the summary

    printable = html(client.get("/products/lemtrada/print/"))
    assert 'print.css" media="print">' not in printable  # the printed layout, on screen
    assert '<a href="/products/lemtrada/">Back to the risk page</a>' in printable
    assert '<body class="print-summary print-view">' in printable
    assert "Print the full detail instead" in printable
    for concern in ["Infusion-associated reactions (IARs)", "Stroke (including"]:
        assert concern in printable
    assert "Printable version" not in printable
    assert "Online, always the current version: http://testserver/products/lemtrada/" in printable

    full = html(client.get("/products/lemtrada/print/?detail=full"))
    assert '<body class="print-full print-view">' in full
    assert full.count('<details class="concern ') == full.count('" open>') == 23


def test_the_print_view_refuses_an_unknown_detail(client, seeded):
    page = html(client.get("/products/lemtrada/print/?detail=everything"), 400)
    assert "Choose detail=summary or detail=full." in page


def test_old_versions_offer_no_print_view_of_the_current_one(client, seeded):
    assert "Printable version" not in html(client.get("/products/lemtrada/versions/1/"))


def test_withdrawn_product_is_unmistakable(client, seeded):
    page = html(client.get("/products/ivozall/"))
    assert "Medicinal product no longer authorised." in page
    assert "withdrawn-banner" in page


def test_section_references_link_to_the_loaded_text_and_back(client):
    plan = PlanFactory(product__slug="drug")
    ProductInformationSectionFactory(product=plan.product, document="smpc", section="4.4")
    reference = SectionReferenceFactory(
        routine_measure__safety_concern__plan=plan,
        routine_measure__safety_concern__name="Hepatotoxicity",
        document="smpc",
        section="4.4",
    )
    SectionReferenceFactory(routine_measure=reference.routine_measure, document="pl", section="2")
    concern = reference.routine_measure.safety_concern

    page = html(client.get("/products/drug/"))
    assert (
        '<a class="cite" href="/products/drug/information/#smpc-4-4">'
        "SmPC 4.4 Special warnings and precautions for use</a>"
    ) in page
    assert concern.anchor == "risk-hepatotoxicity"
    assert "PL 2 What you need to know before you take the medicine" in page

    information = html(client.get("/products/drug/information/"))
    assert 'id="smpc-4-4"' in information
    assert f'<a href="/products/drug/#{concern.anchor}">Hepatotoxicity</a>' in information


def test_drafts_never_leak_into_product_pages(client):
    draft_only = PlanFactory(draft=True, product__slug="secret")
    SafetyConcernFactory(plan=draft_only, name="Secret draft risk")
    published = PlanFactory(product__slug="open")
    SafetyConcernFactory(plan=published, name="Published risk")
    SafetyConcernFactory(
        plan=PlanFactory(product=published.product, draft=True, version="2-draft"),
        name="Draft change",
    )
    for url in ["/products/secret/", "/products/secret/information/"]:
        assert client.get(url).status_code == 404
    listing = html(client.get("/products/"))
    assert "secret" not in listing and "1 product" in listing
    page = html(client.get("/products/open/"))
    assert "Published risk" in page and "Draft change" not in page
    home = html(client.get("/"))
    assert "Secret" not in home


def test_home_page_summarises_the_database(client, seeded):
    response = client.get("/")
    page = html(response)
    assert response.context["stats"]["products"] == 5
    assert response.context["stats"]["concerns"] == 68
    assert response.context["stats"]["studies"] == 8
    assert [m.study.name for m in response.context["overdue"]] == [
        "Drug Utilization Study",
        "Risk of mortality study",
    ]
    assert 'role="search"' in page and "Recently published plans" in page


def build_products(count):
    substance = SubstanceFactory(name="examplumab")
    for _ in range(count):
        plan = PlanFactory(product__substances=[substance])
        ProductInformationSectionFactory(product=plan.product)
        reference = SectionReferenceFactory(routine_measure__safety_concern__plan=plan)
        measure = AdditionalMeasureFactory(plan=plan)
        measure.safety_concerns.add(reference.routine_measure.safety_concern)
        study = StudyFactory(plan=plan, category=1)
        study.safety_concerns.add(reference.routine_measure.safety_concern)
        MilestoneFactory(study=study)
    return plan.product


# Each count includes the data version read by the page cache (rmpsite/page_cache.py).
PAGES = {
    "home": ("/", 8),
    # the counts per combination (count and facets), three for the substance facet
    "list": ("/products/?region=EU&concern=identified&study=1", 8),
    "list by substance": ("/products/?substance=EXAMPLUMAB", 7),  # and its comparable count
    "export": ("/products/?format=json", 3),
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("count", [1, 50])
def test_list_query_counts_do_not_grow(client, django_assert_num_queries, name, count):
    build_products(count)
    ProductFactory()  # product information only
    url, queries = PAGES[name]
    with django_assert_num_queries(queries):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_product_page_query_counts_do_not_grow(client, django_assert_num_queries, count):
    product = build_products(count)
    # 13, the products to compare it with (same substance, then others: two), its
    # substances' products, the data version
    with django_assert_num_queries(17):
        html(client.get(product.get_absolute_url()))
    with django_assert_num_queries(14):
        html(client.get(product.get_absolute_url() + "print/"))
    with django_assert_num_queries(8):  # the concerns citing each section: one query
        html(client.get(product.get_absolute_url() + "information/"))

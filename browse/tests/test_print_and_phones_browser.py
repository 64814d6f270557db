"""The product risk page printed for a meeting, and every public page on a phone, in Chromium.

Printing: the summary (Ctrl+P on the product page, or its printable view) and the full detail
print to A4 PDF; every page carries the running header and footer in its margins, and no
text of the body is printed over the margins or over other text (pdfplumber word boxes).

Phones: at 390 px (an iPhone 12 to 15) no public page is wider than the screen (WCAG 1.4.10,
reflow), on every public route the visibility tests list, and on the 404 and 400 pages.
"""

import io
import re

import pdfplumber
import pytest
from playwright.sync_api import expect

from rmpsite.tests.test_public_visibility import PUBLIC_ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MM = 72 / 25.4  # PDF points per millimetre
# The page margins of static/css/print.css (@page): the running header and footer live there.
TOP, BOTTOM, SIDE = 18 * MM, 16 * MM, 12 * MM
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def desktop(browser):
    """One page for the module's print tests (one browser for the whole run)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()


def printed(page, url):
    """The PDF of ``url`` printed to A4, as pdfplumber reads it."""
    page.goto(url)
    page.wait_for_load_state("load")
    return pdfplumber.open(io.BytesIO(page.pdf(format="A4")))


def page_words(pdf_page):
    return pdf_page.extract_words(keep_blank_chars=False, use_text_flow=True)


def line_text(words):
    return " ".join(
        word["text"] for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    )


def overlaps(a, b):
    """Whether two word boxes cover each other by more than the slack of a glyph's edge."""
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return width > 1 and height > 2


def check_document(pdf, header, plan):
    """Every page: the running header and footer in the margins, the body clear of them."""
    count = len(pdf.pages)
    body_text = []
    for number, pdf_page in enumerate(pdf.pages, start=1):
        words = page_words(pdf_page)
        height = float(pdf_page.height)
        head = [w for w in words if w["bottom"] <= TOP + 0.5]
        foot = [w for w in words if w["top"] >= height - BOTTOM - 0.5]
        body = [w for w in words if w not in head and w not in foot]
        # the margins hold the running header and footer, and nothing else
        head_text, foot_text = line_text(head), line_text(foot)
        assert sorted(w["text"] for w in head) == sorted(f"{header} {plan}".split()), head_text
        page_of = f"Page {number} of {count}"
        assert foot_text.endswith(page_of), (number, foot_text)
        assert re.fullmatch(
            r"Data version \d+ \w+ \d{4} \d\d:\d\d UTC · printed \d+ \w+ \d{4} \d\d:\d\d UTC",
            foot_text.removesuffix(page_of).strip(),
        ), foot_text
        for word in body:  # inside the page's content box, never in a margin box
            assert word["top"] >= TOP - 0.5 and word["bottom"] <= height - BOTTOM + 0.5, word
            assert word["x0"] >= SIDE - 1 and word["x1"] <= float(pdf_page.width) - SIDE + 1, word
        clashes = [
            (a["text"], b["text"])
            for i, a in enumerate(words)
            for b in words[i + 1 :]
            if overlaps(a, b)
        ]
        assert clashes == [], (number, clashes[:5])
        body_text.append(line_text(body))
    return " ".join(" ".join(body_text).split())


def test_lemtrada_prints_as_a_summary_for_a_meeting(desktop, live_server, seeded):
    for url in ["/products/lemtrada/", "/products/lemtrada/print/"]:  # Ctrl+P, printable view
        pdf = printed(desktop, f"{live_server.url}{url}")
        assert 1 < len(pdf.pages) <= 4, (url, len(pdf.pages))
        text = check_document(
            pdf, "Lemtrada (alemtuzumab)", "Risk management plan version 1, date not stated"
        )
        # the overview, the additional measures and the studies with their overdue flags
        for expected in [
            "Safety concerns (RMP part II.A)",
            "Progressive multifocal leukoencephalopathy (PML)",
            "Use in racial categories other than white",
            "Educational materials (HCP guide, HCP check-list, patient guide, patient alert card)",
            "OBS13434",
            "Overdue by",
        ]:
            assert expected in text, (url, expected)
        # no navigation, buttons, curator notes, details or placeholders
        for absent in [
            "Skip to main content",
            "Print this page",
            "Printable version",
            "Safety concerns Studies Compare",
            "Curator note",
            "(text not loaded)",
            "Evidence for linking the risk",
            "Back to the risk page",
        ]:
            assert absent not in text, (url, absent)
        # addresses are absolute and printed once, not after a link that shows them
        compact = text.replace(" ", "")
        source = "https://www.ema.europa.eu/en/medicines/human/EPAR/lemtrada"
        assert compact.count(source) == 1, url
        assert compact.count(f"{live_server.url}/products/lemtrada/") == 1, url


def test_lemtrada_prints_with_full_detail_under_the_same_header(desktop, live_server, seeded):
    pdf = printed(desktop, f"{live_server.url}/products/lemtrada/print/?detail=full")
    text = check_document(
        pdf, "Lemtrada (alemtuzumab)", "Risk management plan version 1, date not stated"
    )
    assert len(pdf.pages) > 4
    for expected in [
        "Details of each concern",
        "Evidence for linking the risk to the medicine",
        "Risk factors and risk groups",
        "Routine risk minimisation measures",
        "SmPC 4.4 Special warnings and precautions for use",
    ]:
        assert expected in text, expected
    assert "Curator note" not in text and "(text not loaded)" not in text


def test_a_us_label_prints_in_its_own_words(desktop, live_server, seeded):
    pdf = printed(desktop, f"{live_server.url}/products/clolar/print/")
    text = check_document(pdf, "Clolar (clofarabine)", "Label record version 1, date not stated")
    assert "Warnings and precautions (USPI section 5)" in text
    assert "Boxed warning not recorded" in text and "REMS not recorded" in text


def public_pages():
    """One address of every public HTML route with seed data (not the API, feeds or exports)."""
    pages = {}
    for route, urls in PUBLIC_ROUTES.items():
        if route.startswith(("api/", "healthz", "feeds/")) or route.endswith("feed/"):
            continue
        # not the addresses of unpublished data (not in the seed), nor exports
        usable = [
            url
            for url in urls
            if not re.search(r"secret|zebra|/versions/[23]/", url.split("?")[0], re.I)
            and "format=" not in url
        ]
        assert usable, f"no address of {route} to check on a phone"
        pages[route] = usable
    return pages


EXTRA_PAGES = [
    "/products/clolar/",
    "/products/ivozall/",
    "/products/besponsa/information/",
    "/products/lemtrada/print/?detail=full",
    "/products/lemtrada/studies/risk-of-mortality-study/",
    "/compare/?products=ivozall,clolar",
    "/products/no-such-product/",  # the 404 page
    "/risks/?category=nonsense",  # a 400 page
    "/products/lemtrada/print/?detail=nonsense",  # the site's 400 error page
]


def test_no_public_page_is_wider_than_a_phone(phone, live_server, seeded):
    urls = [url for urls in public_pages().values() for url in urls] + EXTRA_PAGES
    too_wide = {}
    statuses = set()
    for url in urls:
        response = phone.goto(f"{live_server.url}{url}")
        statuses.add(response.status)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[url] = width
    assert too_wide == {}
    assert statuses == {200, 400, 404}


def test_list_filters_fold_away_on_a_phone_and_results_come_first(phone, live_server, seeded):
    for url in ["/products/", "/risks/", "/studies/", "/search/?q=PML"]:
        phone.goto(f"{live_server.url}{url}")
        filters = phone.locator("details.filters")
        assert filters.evaluate("element => element.open") is False, url
        summary = filters.locator("summary")
        assert summary.is_visible(), url
        # the folded filters take one line: the results start within the first screen
        box = filters.bounding_box()
        assert box["height"] < 60, (url, box)
        summary.click()
        assert filters.evaluate("element => element.open") is True, url
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url


def test_wide_tables_scroll_in_their_own_box_on_a_phone(phone, live_server, seeded):
    phone.goto(f"{live_server.url}/studies/")
    box = phone.locator(".table-scroll").first
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the product page's overview fits the screen; an indication wraps instead of being cut
    phone.goto(f"{live_server.url}/products/lemtrada/")
    indication = phone.locator(".indication")
    assert indication.evaluate("element => element.scrollWidth <= element.clientWidth")


def test_a_link_to_a_concern_opens_its_folded_details(desktop, live_server, seeded):
    desktop.goto(f"{live_server.url}/products/lemtrada/")
    height = desktop.evaluate("document.documentElement.scrollHeight")
    assert height < 37_400 / 3  # the page before the overview was about 37,400 px tall
    details = desktop.locator("#risk-progressive-multifocal-leukoencephalopathy")
    assert details.evaluate("element => element.open") is False
    desktop.get_by_role(
        "link", name="Progressive multifocal leukoencephalopathy (PML)"
    ).first.click()
    # the page's script opens it on the hash change: wait for it rather than race it
    expect(details).to_have_js_property("open", True)
    assert details.get_by_text("Evidence for linking the risk to the medicine").is_visible()
    desktop.goto(f"{live_server.url}/products/lemtrada/#risk-malignancy")
    expect(desktop.locator("#risk-malignancy")).to_have_js_property("open", True)

"""Every public URL with hostile parameter values: a 4xx or a page, never a 500 or raw echo."""

from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/": [],
    "/products/": [
        "q",
        "substance",
        "region",
        "status",
        "concern",
        "measure",
        "study",
        "sort",
        "page",
        "format",
    ],
    "/products/lemtrada/": ["format"],
    "/products/besponsa/information/": [],
    "/risks/": ["category", "q", "product", "substance", "region", "page", "format"],
    "/compare/": ["products", "format"],
    "/studies/": [
        "category",
        "status",
        "design",
        "product",
        "due_before",
        "due_after",
        "overdue",
        "q",
        "sort",
        "page",
        "format",
    ],
    "/search/": ["q", "kind", "page", "format"],
    "/api/v1/products/": [
        "q",
        "substance",
        "region",
        "status",
        "concern",
        "measure",
        "study",
        "sort",
        "page",
        "page_size",
    ],
    "/api/v1/products/lemtrada/": [],
    "/api/v1/studies/": [
        "q",
        "category",
        "status",
        "design",
        "product",
        "due_after",
        "due_before",
        "overdue",
        "sort",
        "page",
        "page_size",
    ],
}

HOSTILE = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "\x00",
    "x" * 5000,
    "-1",
    "999999999999999999999999",
    "2024-13-45",
    "ivozall,<b>clolar</b>",
    "%27%20OR%201=1--",
    "ünïcødé ☃",
    "",
]
RAW_MARKERS = ["<script>alert(1)", "<img src=x onerror", "<b>clolar</b>"]


def assert_safe(response):
    assert response.status_code < 500
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("text/html"):
        for marker in RAW_MARKERS:
            assert marker not in text


@pytest.mark.parametrize("path", PAGES)
def test_every_parameter_with_hostile_values(client, seeded, path):
    for param in PAGES[path]:
        for value in HOSTILE:
            assert_safe(client.get(f"{path}?{urlencode({param: value})}"))
    # everything at once
    assert_safe(client.get(f"{path}?{urlencode({p: HOSTILE[0] for p in PAGES[path]})}"))


@pytest.mark.parametrize(
    "path",
    [
        "/products/%3Cscript%3Ealert(1)%3C/script%3E/",
        "/products/lemtrada%00/",
        "/products/" + "a" * 300 + "/",
        "/products/../admin/",
        "/api/v1/products/%3Cscript%3E/",
        "/no/such/page/<script>alert(1)</script>",
    ],
)
def test_hostile_paths_are_plain_404s(client, seeded, path):
    response = client.get(path)
    assert response.status_code in {301, 302, 404}
    assert_safe(response)


def test_a_nul_in_a_path_segment_is_a_404(client, db):
    """Found by fuzzing (rmpsite/tests/test_fuzz_public.py): PostgreSQL refuses a NUL in a
    query, so these were 500s there."""
    for path in ["/products/lemtrada/versions/1%00/", "/api/v1/products/lemtrada%00/"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "url", ["/products/", "/risks/", "/studies/", "/api/v1/products/", "/api/v1/studies/"]
)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" ".join(["ab"] * 40), "Type at most 8 words (this text has 40)."),
        ("hepatic a", "Each word needs at least 2 characters"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_the_text_filter_of_a_list_caps_its_words_with_a_plain_400(client, url, text, message):
    response = client.get(url, {"q": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    for fmt in ("csv", "json"):
        if not url.startswith("/api/"):
            assert client.get(url, {"q": text, "format": fmt}).status_code == 400


@pytest.mark.parametrize("url", ["/products/", "/risks/", "/studies/"])
def test_the_longest_accepted_text_filter_answers(client, url):
    response = client.get(url, {"q": " ".join(["ab"] * 8)})
    assert response.status_code == 200

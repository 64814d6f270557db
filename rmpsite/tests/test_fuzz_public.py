"""Generated values at every public URL, query parameter and form: never a 500, never an echo.

Hypothesis sends each public route (the routes test_public_visibility reads from the URL
configuration) generated query strings: the parameters its FilterSet or Form declares, read
from the class so a new filter is fuzzed without a change here, plus unknown and repeated
parameters, with valid choices, free text (any Unicode but surrogates, NUL included), bytes
that are not UTF-8, very long strings, huge and negative numbers, dates, and HTML payloads.
The path segments of the detail pages (slugs, version labels, ids, format suffixes) are
fuzzed the same way, and so is the admin login form.

Every answer must be below 500 (a 400 or 404 is the expected answer to an invalid value), and
an HTML answer must not contain a generated value with markup in it unescaped. Examples are
derandomised and kept few: the whole module runs in well under a minute.
"""

import re
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from urllib.parse import quote, quote_from_bytes, quote_plus

import pytest
from axes.utils import reset as reset_axes
from django import forms
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from browse.feeds import GroupForm
from browse.filters.concerns import ProductComparisonForm, SafetyConcernFilter
from browse.filters.products import ProductFilter
from browse.filters.studies import PageForm, StudyFilterSet
from browse.views.products import PrintForm, VersionsForm
from browse.views.search import SearchForm
from common.exports import FORMATS
from risks import workflow
from risks.models import RiskManagementPlan, Study
from rmpsite.tests.test_public_visibility import public_routes


def fuzz(max_examples, test, **arguments):
    """Call ``test`` on ``max_examples`` examples, the same ones on every run.

    ``arguments`` are strategies, or values passed as they are.
    """

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        **{
            name: value if isinstance(value, st.SearchStrategy) else st.just(value)
            for name, value in arguments.items()
        }
    )
    def run(**kwargs):
        test(**kwargs)

    run()


# Where the parameter names come from


def fields_of(source):
    """The fields of a FilterSet, a Form, or a form's fields as they are."""
    return getattr(source, "base_filters", None) or getattr(source, "base_fields", source)


@dataclass(frozen=True)
class Route:
    """A public route as an address with {placeholders}, and the parameters it reads.

    ``sources`` are the FilterSets and Forms that validate its query string; ``extra`` are
    parameters read by the view itself (page, format).
    """

    address: str
    sources: tuple = ()
    extra: tuple = ()

    @property
    def params(self):
        return [name for source in self.sources for name in fields_of(source)] + [*self.extra]


# VersionsForm makes its fields per product; any product shows their names.
VERSIONS_FIELDS = VersionsForm({}, product=SimpleNamespace(versions=[], name="x")).fields
API_PAGES = ("page", "page_size", "format")


# Every public route (test_every_route_is_fuzzed checks the list is complete).
ROUTES = {
    "": Route("/"),
    "feeds/publications/": Route("/feeds/publications/"),
    "feeds/studies/overdue/": Route("/feeds/studies/overdue/"),
    "risks/feed/": Route("/risks/feed/", (GroupForm,)),
    "products/<slug:slug>/feed/": Route("/products/{slug}/feed/"),
    "risks/": Route("/risks/", (SafetyConcernFilter,), ("page", "format")),
    "compare/": Route("/compare/", (ProductComparisonForm,), ("format",)),
    "studies/": Route("/studies/", (StudyFilterSet, PageForm), ("format",)),
    "search/": Route("/search/", (SearchForm,), ("format",)),
    "products/": Route("/products/", (ProductFilter,), ("page", "format")),
    "products/<slug:slug>/": Route("/products/{slug}/"),
    "products/<slug:slug>/print/": Route("/products/{slug}/print/", (PrintForm,)),
    "products/<slug:slug>/risks/<slug:concern>/": Route("/products/{slug}/risks/{concern}/"),
    "products/<slug:slug>/studies/<slug:study>/": Route("/products/{slug}/studies/{study}/"),
    "products/<slug:slug>/information/": Route("/products/{slug}/information/"),
    "products/<slug:slug>/changes/": Route("/products/{slug}/changes/", (VERSIONS_FIELDS,)),
    "products/<slug:slug>/versions/<str:version>/": Route("/products/{slug}/versions/{version}/"),
    "healthz": Route("/healthz"),
    "healthz/live": Route("/healthz/live"),
    "healthz/ready": Route("/healthz/ready"),
    "api/schema/": Route("/api/schema/", extra=("format", "lang")),
    "api/v1/": Route("/api/v1/", extra=("format",)),
    "api/v1/<drf_format_suffix:format>": Route("/api/v1/.{format}"),
    "api/v1/^products/$": Route("/api/v1/products/", (ProductFilter,), API_PAGES),
    "api/v1/^products\\.(?P<format>[a-z0-9]+)/?$": Route(
        "/api/v1/products.{format}", (ProductFilter,), API_PAGES
    ),
    "api/v1/^products/(?P<slug>[^/.]+)/$": Route("/api/v1/products/{slug}/", extra=("format",)),
    "api/v1/^products/(?P<slug>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": Route(
        "/api/v1/products/{slug}.{format}"
    ),
    "api/v1/^studies/$": Route("/api/v1/studies/", (StudyFilterSet,), API_PAGES),
    "api/v1/^studies\\.(?P<format>[a-z0-9]+)/?$": Route(
        "/api/v1/studies.{format}", (StudyFilterSet,), API_PAGES
    ),
    "api/v1/^studies/(?P<pk>[^/.]+)/$": Route("/api/v1/studies/{pk}/", extra=("format",)),
    "api/v1/^studies/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": Route(
        "/api/v1/studies/{pk}.{format}"
    ),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Generated values

MARKER = "fuzz7"  # in every payload, and in no page
PAYLOADS = [
    f'<script>alert("{MARKER}")</script>',
    f'"><img src=x onerror={MARKER}>',
    f"'><svg onload={MARKER}>",
    f"</title></textarea><b>{MARKER}</b>",
    f'" autofocus onfocus="{MARKER}',
    f"javascript:{MARKER}",
    f"{{{{ {MARKER} }}}}{{% now 'Y' %}}",
]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.tuples(st.integers(0, 99999), st.integers(-1, 99), st.integers(-1, 99)).map(
        lambda ymd: "{}-{:02}-{:02}".format(*ymd)
    ),
)
LONG = st.tuples(st.text(min_size=1, max_size=4), st.integers(300, 3000)).map(
    lambda text_times: text_times[0] * text_times[1]
)
WITH_PAYLOAD = st.tuples(TEXT, st.sampled_from(PAYLOADS), TEXT).map("".join)
WITH_NUL = st.tuples(TEXT, TEXT).map("\x00".join)  # PostgreSQL refuses it in any query
WITH_CONTROL = st.tuples(TEXT, st.sampled_from("\x01\t\n\r\x1b\x7f\u2028"), TEXT).map("".join)
KNOWN = {  # values of the parameters that views read themselves
    "page": ["1", "2"],
    "page_size": ["1", "200"],
    "format": ["json", "api", *FORMATS, "yaml"],
    "lang": ["en"],
}
ACCEPT = st.sampled_from(
    [None, "text/html", "application/json", "text/csv", "*/*", "application/xml", "\x7f;q=x"]
)


@dataclass(frozen=True)
class Value:
    """A parameter value as sent (percent-encoded) and, for text, as generated."""

    encoded: str
    text: str | None = None


def as_text(strategy):
    return strategy.map(lambda text: Value(quote_plus(text), text))


def values(valid=None):
    """Any value, or one that the strategy ``valid`` generates: half of them, when given."""
    anything = st.one_of(
        as_text(TEXT),
        as_text(NUMBERS),
        as_text(DATES),
        as_text(LONG),
        as_text(WITH_PAYLOAD),
        as_text(WITH_NUL),
        as_text(WITH_CONTROL),
        st.binary(max_size=12).map(lambda raw: Value(quote_from_bytes(raw))),  # not UTF-8
    )
    return anything if valid is None else st.one_of(as_text(valid), anything)


def valid_values(route, known):
    """{parameter: a strategy of values it accepts}.

    The ``known`` ones (real records, page numbers, formats), the choices its filter or field
    declares, and for free text (a text field without choices) text with markup in it, which
    the page must show escaped.
    """
    options = {name: list(values) for name, values in known.items()}
    free_text = set()
    for source in route.sources:
        for name, field in fields_of(source).items():
            choices = getattr(field, "extra", {}).get("choices") or getattr(field, "choices", ())
            options.setdefault(name, [])
            options[name] += [str(value) for value, _ in choices if value not in ("", None)]
            field_class = getattr(field, "field_class", type(field))
            if issubclass(field_class, forms.CharField) and not choices:
                free_text.add(name)
    valid = {name: st.sampled_from(values) for name, values in options.items() if values}
    for name in free_text:
        valid[name] = st.one_of(WITH_PAYLOAD, valid[name]) if name in valid else WITH_PAYLOAD
    return valid


def queries(route, known):
    """Lists of (name, value) pairs: the route's parameters, repeated or not, and unknown ones."""
    unknown = st.lists(st.tuples(TEXT, values()), max_size=2)
    if not route.params:
        return unknown
    valid = valid_values(route, known)
    pair = st.sampled_from(route.params).flatmap(
        lambda name: st.tuples(st.just(name), values(valid.get(name)))
    )
    return st.tuples(st.lists(pair, max_size=4), unknown).map(lambda lists: lists[0] + lists[1])


def query_string(pairs):
    return "&".join(f"{quote_plus(name)}={value.encoded}" for name, value in pairs)


# What every answer must be

TAG_OR_QUOTE = re.compile(r"[<>\"]")


def echoed_raw(text):
    """The forms of a generated value an HTML page must never contain as they are.

    Only values with markup in them, long enough not to occur in any page by chance.
    """
    shown = {text, text.strip(), *(payload for payload in PAYLOADS if payload in text)}
    return [form for form in shown if TAG_OR_QUOTE.search(form) and len(form) >= 8]


def assert_safe(response, texts):
    assert response.status_code < 500, response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    page = body.decode("utf-8", errors="replace")
    for text in texts:
        for form in echoed_raw(text):
            assert form not in page, f"{form!r} is in the page unescaped"
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", page, re.I)


def get(client, address, accept):
    note(f"GET {address} (Accept: {accept})")
    return client.get(address, headers={"accept": accept} if accept else {})


def get_query(client, address, pairs, accept):
    query = query_string(pairs)
    response = get(client, f"{address}?{query}" if query else address, accept)
    assert_safe(response, [name for name, _ in pairs] + [v.text for _, v in pairs if v.text])


# The tests


@pytest.fixture
def seed_values(seeded, curator, reviewer):
    """Real slugs, names, version labels and ids, so that generated requests find records too.

    Lemtrada gets a second published version, so that its changes page compares two. The
    first value of each is the one the query strings of a route's address use.
    """
    plan = workflow.start_new_version(
        seeded["lemtrada"].plans.get(), user=curator, version="2", reason="Fuzzing"
    )
    workflow.submit_for_review(plan, user=curator, reason="Fuzzing")
    workflow.publish(plan, user=reviewer, reason="Fuzzing")
    versions = sorted(set(RiskManagementPlan.objects.public().values_list("version", flat=True)))
    return {
        "slug": ["lemtrada", *seeded],
        "product": ["lemtrada", *seeded, *(product.name for product in seeded.values())],
        "products": ["lemtrada,uplizna", ",".join(seeded), *seeded],
        "version": versions,
        "from": versions,
        "to": versions,
        "pk": [str(pk) for pk in Study.objects.current().values_list("pk", flat=True)[:5]],
        "concern": [c.slug for c in plan.safety_concerns.all()[:5]],
        "study": [study.slug for study in plan.studies.all()[:5]],
        **KNOWN,
    }


def test_every_route_is_fuzzed():
    assert set(ROUTES) == public_routes()


def test_generated_query_strings_on_every_public_route(client, seed_values):
    for route in ROUTES.values():
        address = route.address.format(**{k: v[0] for k, v in seed_values.items()})
        fuzz(
            30 if route.params else 5,
            get_query,
            client=client,
            address=address,
            pairs=queries(route, seed_values),
            accept=ACCEPT,
        )


def segments(valid):
    """A path segment: a real one, or generated text percent-encoded to be one segment."""
    generated = st.one_of(
        TEXT.filter(bool),
        NUMBERS,
        LONG,
        WITH_PAYLOAD,
        WITH_NUL,
        WITH_CONTROL,
        st.sampled_from([".", "..", "%", " ", "-1", "0", "1.0", "-"]),
    ).map(lambda text: (quote(text, safe=""), text))
    return st.one_of(st.sampled_from(valid).map(lambda text: (text, text)), generated)


def test_generated_path_segments_on_every_detail_route(client, seed_values):
    """Each segment of each detail address in turn, the others real."""
    templates = [route.address for route in ROUTES.values() if PLACEHOLDER.search(route.address)]
    templates += ["/{slug}/", "/products/{slug}/{version}/", "/api/v1/{slug}/"]
    for template in templates:
        names = PLACEHOLDER.findall(template)
        for fuzzed in names:
            parts = {name: st.just((seed_values[name][0],) * 2) for name in names}
            parts[fuzzed] = segments(seed_values[fuzzed])
            fuzz(
                15,
                get_segments,
                client=client,
                template=template,
                parts=st.fixed_dictionaries(parts),
                accept=ACCEPT,
            )


def get_segments(client, template, parts, accept):
    address = template.format(**{name: encoded for name, (encoded, _) in parts.items()})
    response = get(client, address, accept)
    assert_safe(response, [text for _, text in parts.values()])
    if any(encoded != text for encoded, text in parts.values()):
        assert response.status_code in {301, 302, 400, 404, 406}


def test_generated_logins_on_the_admin_login_form(client, db):
    """Failed logins are counted by django-axes: each example starts with no failures."""
    credentials = st.fixed_dictionaries(
        {"username": values().map(lambda v: v.text or ""), "password": TEXT},
        optional={"next": WITH_PAYLOAD | TEXT | st.just("//evil.example/")},
    )

    def log_in(data, attempts):
        reset_axes()
        note(f"POST /admin/login/ {data!r} ({attempts} times)")
        for _ in range(attempts):
            response = client.post("/admin/login/", data)
            assert_safe(response, list(data.values()))
            assert response.status_code in {200, 400, 429}

    fuzz(20, log_in, data=credentials, attempts=st.integers(1, 6))

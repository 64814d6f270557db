"""Choose the benchmark's URLs from the data, with what each response must contain.

Run by ``bench/run.py`` in a subprocess with the benchmark's environment (settings module and
``DATABASE_URL``); it writes JSON to the path given as its first argument.

For the latency measurements (``bench/run.py latency``):

- ``scenarios``: name, title, path and the checks a response must pass;
- ``memory_paths``: the exports the CSV export's memory is compared with (no rows, one product);
- ``facts``: what the database holds and which rows were chosen (largest product, common term);
- ``versions``: Django, the database engine and its version;
- the number of SQL queries each scenario's URL makes, counted once with Django's test client
  (unless ``--no-query-counts``).

With ``--mix`` (``bench/run.py load``): ``groups``, the pools of URLs of bench/locustfile.py's
page groups (``discover_mix``: the scenarios above plus ``--sample`` sampled products, the
commonest words, every filter value), with ``facts`` and ``versions``.

Nothing here is hard-coded to a product: "the largest product" is the one whose current plan has
the most safety concerns, the common search term the word found in the most concern names.
"""

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Words too common or too vague to make a "common search term".
STOPWORDS = frozenset(
    {
        *("about", "above", "after", "against", "among", "associated", "during", "including"),
        *("information", "missing", "identified", "other", "others", "patient", "patients"),
        *("potential", "related", "their", "there", "these", "those", "under", "using"),
        *("which", "while", "within", "without"),
    }
)
WORD = re.compile(r"[a-z]{5,}")
NO_MATCH = "zzqxjvbench"  # a word no concern contains: the zero-row export
SAMPLE = 200  # products whose pages (and API documents) the load test's readers open
TERMS = 5  # common words the readers search for and filter by
COMPARISONS = 25  # product pairs and triples on the compare page
HOME_HEADING = "<h1>Risk management plans of medicines</h1>"


def common_terms(names, count):
    """The ``count`` words (5+ letters, not stopwords) found in the most names; ties by word."""
    counts = Counter()
    for name in names:
        counts.update({word for word in WORD.findall(name.lower()) if word not in STOPWORDS})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked][:count]


def common_term(names):
    """The word (5+ letters, not a stopword) found in the most names; ties alphabetically."""
    found = common_terms(names, 1)
    return found[0] if found else None


def most_common(values):
    """The most frequent value; ties by value, so the choice is reproducible."""
    counts = Counter(value for value in values if value not in (None, ""))
    if not counts:
        return None
    return min(counts.items(), key=lambda item: (-item[1], str(item[0])))[0]


def plural(count, singular, many):
    """How the pages' headings count: "1 study", "19,903 studies"."""
    return f"{count:,} {singular if count == 1 else many}"


def concerns_heading(found):
    """How /risks/ with a text filter begins its heading for ``found`` matches."""
    from browse.selectors.concerns import TEXT_MATCH_LIMIT

    if found > TEXT_MATCH_LIMIT:
        return f"More than {TEXT_MATCH_LIMIT:,} safety concerns"
    return plural(found, "safety concern", "safety concerns")


def print_path(slug):
    """The address of the risk page's print view."""
    from django.urls import reverse

    return reverse("browse:product_print", kwargs={"slug": slug})


def discover():
    import django
    from django.db import connection
    from django.db.models import Count
    from django.utils.html import escape

    from browse.filters.concerns import SafetyConcernFilter
    from browse.filters.products import ProductFilter
    from browse.filters.studies import StudyFilterSet
    from browse.selectors.concerns import published_concerns
    from browse.selectors.products import product_list
    from browse.selectors.studies import study_list
    from products.models import Product
    from risks.models import RiskManagementPlan, SafetyConcern, public_products

    plans = RiskManagementPlan.objects.current()
    largest = (
        plans.annotate(concern_count=Count("safety_concerns"))
        .select_related("product")
        .order_by("-concern_count", "product__slug")
        .first()
    )
    if largest is None or not largest.concern_count:
        raise SystemExit("The database has no published plan with safety concerns to benchmark.")
    product = largest.product
    first_concern = largest.safety_concerns.order_by("position", "id").first()
    concerns = SafetyConcern.objects.current()
    concern_count = concerns.count()
    term = common_term(concerns.values_list("name", flat=True).iterator())
    if term is None:
        raise SystemExit("No word in the concern names can serve as the common search term.")

    # The products list with three filters: the most common status, region and concern category
    # of the public products that have a current plan (so the page lists products and facets).
    public = public_products().filter(plans__in=plans)
    product_params = {
        "status": most_common(public.values_list("authorisation_status", flat=True)),
        "region": most_common(public.values_list("region", flat=True)),
        "concern": most_common(concerns.values_list("category", flat=True)),
    }
    products_found = ProductFilter(product_params, queryset=product_list()).qs.count()

    # The concern list filtered by text (the common term) and by the category most of its
    # matches have.
    matching = SafetyConcernFilter({"q": term}, queryset=published_concerns()).qs
    concern_params = {
        "q": term,
        "category": most_common(matching.values_list("category", flat=True)),
    }
    concerns_found = SafetyConcernFilter(concern_params, queryset=published_concerns()).qs.count()

    studies = StudyFilterSet({"overdue": "true"}, queryset=study_list())
    studies.is_valid()
    overdue_count = studies.qs.count()

    detail = product.get_absolute_url()
    scenarios = [
        {
            "name": "healthz",
            # Liveness: the same middleware, no database (/healthz is readiness, which opens a
            # connection of its own to check the database).
            "title": "Baseline: /healthz/live behind the same middleware",
            "path": "/healthz/live",
            "check": {"equals": "ok"},
        },
        {
            "name": "products",
            "title": "Products list, three filters and facets",
            "path": "/products/?" + urlencode(product_params),
            "check": {"contains": ["<h1>" + plural(products_found, "product", "products")]},
            "target": "page",
        },
        {
            "name": "risk_page",
            "title": "Largest product risk page",
            "path": detail,
            "check": {"contains": [f"<h1>{escape(product.name)} ", escape(first_concern.name)]},
            "target": "page",
        },
    ]
    printable = print_path(product.slug)
    scenarios.append(
        {
            "name": "risk_page_print",
            "title": "Largest product risk page, print view",
            "path": printable,
            "check": {"contains": [f"<h1>{escape(product.name)} ", escape(first_concern.name)]},
            "target": "page",
        }
        if printable
        else {
            "name": "risk_page_print",
            "title": "Largest product risk page, print view",
            "path": None,
            "skipped": (
                "no separate print view: the risk page itself is printed with its print "
                "stylesheet (static/css/print.css), so its figures are the risk page's"
            ),
            "target": "page",
        }
    )
    scenarios += [
        {
            "name": "concerns",
            "title": "Concerns across products, by text and category",
            "path": "/risks/?" + urlencode(concern_params),
            "check": {"contains": ["<h1>" + concerns_heading(concerns_found)]},
            "target": "page",
        },
        {
            "name": "studies_overdue",
            "title": "Studies list, overdue",
            "path": "/studies/?overdue=true",
            "check": {"contains": [f"<h1>{plural(overdue_count, 'study', 'studies')} · overdue"]},
            "target": "page",
        },
        {
            "name": "search",
            "title": "Search for a common term",
            "path": "/search/?" + urlencode({"q": term}),
            "check": {"contains": [escape(f"results for '{term}'") + "</h1>"]},
            "target": "search",
        },
        {
            "name": "export_csv",
            "title": "CSV export of every current concern",
            "path": "/risks/?format=csv",
            "check": {"csv_rows": concern_count, "csv_header": "Risk (grouped name)"},
            "target": "export",
            "export": True,
        },
        {
            "name": "api_product",
            "title": "API product detail (largest product)",
            "path": f"/api/v1/products/{product.slug}/",
            "check": {"json": {"slug": product.slug, "len:safety_concerns": largest.concern_count}},
            "target": "page",
        },
    ]
    # Paths the export's memory is measured with (bench/run.py): no rows, one product's rows.
    memory_paths = {
        "warm": "/risks/?" + urlencode({"format": "csv", "q": NO_MATCH}),
        "small": "/risks/?" + urlencode({"format": "csv", "product": product.slug}),
        "small_rows": largest.concern_count,
    }
    facts = {
        "products": Product.objects.count(),
        "public_products": public_products().count(),
        "current_plans": plans.count(),
        "current_concerns": concern_count,
        "largest_product": {
            "slug": product.slug,
            "name": product.name,
            "concerns": largest.concern_count,
        },
        "common_term": term,
        "products_filter": {**product_params, "matches": products_found},
        "concerns_filter": {**concern_params, "matches": concerns_found},
        "overdue_studies": overdue_count,
    }
    from django.conf import settings

    versions = {
        "django": django.get_version(),
        # The site caches rendered public pages (rmpsite/page_cache.py): measured in a 2nd pass.
        "page_cache": bool(getattr(settings, "PAGE_CACHE_ALIAS", None)),
        "database_vendor": connection.vendor,
        "database_version": database_version(connection),
    }
    return {
        "scenarios": scenarios,
        "memory_paths": memory_paths,
        "facts": facts,
        "versions": versions,
    }


def group(title, targets):
    return {"title": title, "targets": targets}


def discover_mix(sample=SAMPLE, seed=1):
    """The pools of URLs of bench/locustfile.py's page groups, with what each must contain."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count
    from django.templatetags.static import static
    from django.utils.html import escape

    from browse.filters.concerns import SafetyConcernFilter
    from browse.filters.products import ProductFilter
    from browse.selectors.concerns import published_concerns
    from browse.selectors.products import product_list
    from products.models import Product
    from risks.models import RiskManagementPlan, SafetyConcern

    latency = discover()  # the latency scenarios: studies overdue, export, filter values
    scenarios = {s["name"]: s for s in latency["scenarios"]}
    plans = list(
        RiskManagementPlan.objects.current()
        .annotate(concern_count=Count("safety_concerns"))
        .select_related("product")
        .order_by("product__slug")
    )
    chosen = random.Random(seed).sample(plans, min(sample, len(plans)))
    largest = latency["facts"]["largest_product"]["slug"]
    if chosen and largest not in {plan.product.slug for plan in chosen}:
        chosen[0] = next(plan for plan in plans if plan.product.slug == largest)

    product_pages, api = [], []
    for plan in chosen:
        product = plan.product
        expected = [f"<h1>{escape(product.name)} "]
        first = plan.safety_concerns.order_by("position", "id").first()
        if first:
            expected.append(escape(first.name))
        product_pages.append({"path": product.get_absolute_url(), "check": {"contains": expected}})
        api.append(
            {
                "path": f"/api/v1/products/{product.slug}/",
                "check": {
                    "json": {"slug": product.slug, "len:safety_concerns": plan.concern_count}
                },
            }
        )

    public = Product.objects.filter(plans__in=RiskManagementPlan.objects.current())
    concerns = SafetyConcern.objects.current()
    values = {
        "status": public.order_by().values_list("authorisation_status", flat=True).distinct(),
        "region": public.order_by().values_list("region", flat=True).distinct(),
        "concern": concerns.order_by().values_list("category", flat=True).distinct(),
    }
    params = [{}, {"page": "2"}]
    params += [{key: value} for key, found in values.items() for value in sorted(found) if value]
    params.append(
        {k: v for k, v in latency["facts"]["products_filter"].items() if k != "matches" and v}
    )
    products_list = []
    for query in params:
        found = ProductFilter(query, queryset=product_list()).qs.count()
        if query.get("page") and found <= 25:  # one page only: no page 2
            continue
        products_list.append(
            {
                "path": "/products/" + (f"?{urlencode(query)}" if query else ""),
                "check": {"contains": ["<h1>" + plural(found, "product", "products")]},
            }
        )

    terms = common_terms(concerns.values_list("name", flat=True).iterator(), TERMS)
    search, concern_lists = [], []
    for term in terms:
        search.append(
            {
                "path": "/search/?" + urlencode({"q": term}),
                "check": {"contains": [escape(f"results for '{term}'") + "</h1>"]},
            }
        )
        matching = SafetyConcernFilter({"q": term}, queryset=published_concerns()).qs
        query = {"q": term, "category": most_common(matching.values_list("category", flat=True))}
        found = SafetyConcernFilter(query, queryset=published_concerns()).qs.count()
        concern_lists.append(
            {
                "path": "/risks/?" + urlencode(query),
                "check": {"contains": ["<h1>" + concerns_heading(found)]},
            }
        )

    compare, start = [], 0
    for index in range(COMPARISONS):
        size = 3 if index % 5 == 4 else 2
        compared = [plan.product for plan in chosen[start : start + size]]
        start += size
        if len(compared) < 2:
            break
        compare.append(
            {
                "path": "/compare/?" + urlencode({"products": ",".join(p.slug for p in compared)}),
                "check": {
                    "contains": [
                        *(escape(product.name) for product in compared),
                        "side by side</h1>",
                    ]
                },
            }
        )

    stylesheets = []
    for name in ("css/site.css", "css/print.css"):
        text = Path(staticfiles_storage.path(staticfiles_storage.stored_name(name))).read_text()
        line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        stylesheets.append({"path": static(name), "check": {"contains": [line[:60]]}})

    def scenario(name):
        found = scenarios[name]
        return [{"path": found["path"], "check": found["check"]}]

    groups = {
        "product_page": group("Product risk page (sampled products)", product_pages),
        "products_list": group("Products list, filters and page 2", products_list),
        "search": group("Search for a common term", search),
        "concerns": group("Concerns across products, by text and category", concern_lists),
        "api_product": group("API product detail", api),
        "static_css": group("Stylesheets (static files)", stylesheets),
        "compare": group("Compare 2 or 3 products", compare),
        "studies_overdue": group("Studies list, overdue", scenario("studies_overdue")),
        "home": group("Home page", [{"path": "/", "check": {"contains": [HOME_HEADING]}}]),
        "export_csv": group("CSV export of every current concern", scenario("export_csv")),
    }
    facts = {
        **latency["facts"],
        "sampled_products": len(chosen),
        "sample_seed": seed,
        "terms": terms,
    }
    return {"groups": groups, "facts": facts, "versions": latency["versions"]}


def database_version(connection):
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT 1")
        value = cursor.fetchone()[0]
    return f"PostgreSQL {value}" if connection.vendor == "postgresql" else str(value)


def count_queries(scenarios):
    """Each scenario's URL once through Django's test client, counting its SQL queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from audit.models import DataVersion
    from risks.published import count_overdue_on

    # The day's overdue counts, made by the first request of each day: made here, so that a
    # run that starts on a new day does not count that request's writes as the page's.
    count_overdue_on(timezone.localdate())
    client = Client(raise_request_exception=False)
    for scenario in scenarios:
        if not scenario.get("path"):
            continue
        # Counted as after a change: the data version is read too (else only by the first).
        DataVersion.forget_recent()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(scenario["path"])
            if response.streaming:
                for _ in response.streaming_content:
                    pass
        scenario["queries"] = len(queries.captured_queries)
        scenario["queries_status"] = response.status_code


def main(argv):
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--no-query-counts", action="store_true")
    parser.add_argument("--mix", action="store_true", help="the load test's pools of URLs")
    parser.add_argument("--sample", type=int, default=SAMPLE)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    django.setup()
    if args.mix:
        result = discover_mix(args.sample, args.seed)
    else:
        result = discover()
        if not args.no_query_counts:
            count_queries(result["scenarios"])
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Load test: readers of the public site at N concurrent users against gunicorn on loopback.

    .venv/bin/python bench/load.py --database sqlite --scale 1
    .venv/bin/python bench/load.py --database postgres --pg-url postgres://u@host:5432/ \\
        --users 50 --spawn-rate 10 --duration 60

Steps, with bench/run.py's functions: prepare or reuse the database of 1,500 × scale synthetic
products, collect the static files, choose the URLs from the data (``discover_mix``, run in a
subprocess with the benchmark's settings: bench/discover.py's scenarios plus 200 sampled
products, five common terms, every filter value), serve the site with gunicorn (gthread
workers, production settings, the page cache on as in production and empty at the start),
then run locust headless with bench/locustfile.py (the mix of pages and its weights) for the
duration. When locust quits, the locustfile writes its final stats, failures and the mix to
``var/bench/locust-DB-LABEL.json``; they are summarised into ``var/bench/load-DB-LABEL.json``:
per page group and in total, requests, failures, median, p95, p99 and max latency, requests per
second, with the machine, the commit and the other processes' share of the CPUs.
bench/report.py renders it in docs/performance.md. Locust's own CSV files
(``var/bench/load-DB-LABEL_stats.csv``, ``_stats_history.csv``: the figures second by second,
``_failures.csv``) are kept to look into. The exit status is 1 if any request failed, the
locustfile raised, or locust failed.
"""

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402
from bench.discover import STOPWORDS, WORD, most_common, plural  # noqa: E402

BENCH_DIR = run.BENCH_DIR
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
SAMPLE = 200  # products whose pages (and API documents) the readers open
TERMS = 5  # common words searched for and filtered by
COMPARISONS = 25  # product pairs and triples on the compare page
HOME_HEADING = "<h1>Risk management plans of medicines</h1>"

# ---------------------------------------------------------------------------------------------
# Choosing the URLs (runs with Django set up, in a subprocess: ``load.py --discover PATH``)


def common_terms(names, count):
    """The ``count`` words (5+ letters, not stopwords) found in the most names; ties by word."""
    counts = Counter()
    for name in names:
        counts.update({word for word in WORD.findall(name.lower()) if word not in STOPWORDS})
    return [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))][
        :count
    ]


def group(title, targets):
    return {"title": title, "targets": targets}


def discover_mix(sample=SAMPLE, seed=run.DEFAULT_SEED):
    """The pools of URLs of bench/locustfile.py's page groups, with what each must contain."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count
    from django.templatetags.static import static
    from django.utils.html import escape

    from bench.discover import discover
    from browse.filters.concerns import SafetyConcernFilter
    from browse.filters.products import ProductFilter
    from browse.selectors.concerns import current_concerns
    from browse.selectors.products import product_list
    from products.models import Product
    from risks.models import RiskManagementPlan, SafetyConcern

    latency = discover()  # bench/run.py's scenarios: studies overdue, export, filter values
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
        matching = SafetyConcernFilter({"q": term}, queryset=current_concerns()).qs
        query = {"q": term, "category": most_common(matching.values_list("category", flat=True))}
        found = SafetyConcernFilter(query, queryset=current_concerns()).qs.count()
        concern_lists.append(
            {
                "path": "/risks/?" + urlencode(query),
                "check": {
                    "contains": ["<h1>" + plural(found, "safety concern", "safety concerns")]
                },
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


# ---------------------------------------------------------------------------------------------
# Locust's results (pure functions, tested in bench/tests/test_load.py)


def histogram_percentile(histogram, count, fraction):
    """The time (ms) within which ``fraction`` of ``count`` requests finished, as locust has it.

    ``histogram`` maps locust's rounded response times to request counts; the answer is the
    bucket of the request at that rank (locust's ``calculate_response_time_percentile``).
    """
    threshold = int(count * fraction)
    processed = 0
    for time_ms in sorted(histogram, reverse=True):
        processed += histogram[time_ms]
        if count - processed <= threshold:
            return time_ms
    return None


def figures(entries, seconds):
    """Requests, failures, latencies (ms) and requests per second of locust stats entries.

    Several entries (every group) are merged as locust's "Aggregated" row merges them.
    """
    histogram = Counter()
    for entry in entries:
        histogram.update({float(ms): count for ms, count in entry["response_times"].items()})
    requests = sum(entry["num_requests"] for entry in entries)
    timed = requests - sum(entry.get("num_none_requests", 0) for entry in entries)
    result = {
        "requests": requests,
        "failures": sum(entry["num_failures"] for entry in entries),
        "median_ms": None,
        "p95_ms": None,
        "p99_ms": None,
        "max_ms": None,
        "mean_ms": None,
        "rps": requests / seconds if seconds else None,
    }
    if timed <= 0 or not histogram:
        return result
    fastest = min(entry["min_response_time"] for entry in entries if entry["num_requests"])
    slowest = max(entry["max_response_time"] for entry in entries)

    def percentile(fraction):
        # A bucket is kept within the exact minimum and maximum, as locust keeps its median
        # (a p99 bucket of 4,600 ms would otherwise exceed a maximum of 4,556 ms).
        return min(max(histogram_percentile(histogram, timed, fraction), fastest), slowest)

    result.update(
        {
            "median_ms": percentile(0.5),
            "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99),
            "max_ms": slowest,
            "mean_ms": sum(entry["total_response_time"] for entry in entries) / timed,
        }
    )
    return result


def run_seconds(entries):
    """From the first request's entry to the last request (locust's window for req/s)."""
    starts = [entry["start_time"] for entry in entries if entry.get("start_time")]
    ends = [e["last_request_timestamp"] for e in entries if e.get("last_request_timestamp")]
    if not starts or not ends:
        return None
    return max(ends) - min(starts) or None


def read_record(path):
    """What bench/locustfile.py wrote when locust quit, or an empty record if nothing was."""
    path = Path(path)
    if not path.exists():
        return {"exit_code": None, "mix": [], "stats": [], "errors": [], "exceptions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def summarise_locust(record):
    """Locust's final stats as the load result's ``groups``, ``total``, ``errors``, ``exceptions``.

    ``record`` is bench/locustfile.py's: the mix ({name, title, weight, urls} per group) and
    locust's serialised stats entries (one per group, named by the group). The groups keep the
    mix's order; a group with no request is listed with zeros; a name the mix does not know is
    added at the end. req/s is over the run (first to last request), the same window for every
    group. Latencies are locust's, kept in buckets of about two significant digits (1 ms below
    100 ms, 10 ms below 1 s, 100 ms below 10 s) and bounded by the exact minimum and maximum.
    """
    entries = {entry["name"]: entry for entry in record["stats"]}
    seconds = run_seconds(record["stats"])
    mix = record["mix"]
    weights = sum(item["weight"] for item in mix)
    groups = []
    for item in mix:
        entry = entries.pop(item["name"], None)
        groups.append(
            {
                **item,
                "share": item["weight"] / weights,
                **figures([entry] if entry else [], seconds),
            }
        )
    for name, entry in entries.items():
        groups.append(
            {"name": name, "title": name, "weight": None, "share": None, "urls": None}
            | figures([entry], seconds)
        )
    total = {
        "name": "total",
        "title": "Total",
        "weight": weights or None,
        "share": 1.0 if mix else None,
        "urls": sum(item["urls"] for item in mix) or None,
        **figures(record["stats"], seconds),
    }
    errors = [
        {"group": error["name"], "error": error["error"], "occurrences": error["occurrences"]}
        for error in record["errors"]
    ]
    return {
        "groups": groups,
        "total": total,
        "seconds": seconds,
        "errors": errors,
        "exceptions": record["exceptions"],
        "locust_exit_code": record["exit_code"],
    }


def problems(result):
    """Why the run failed: failed requests, exceptions in the locustfile, no requests, exit code."""
    found = []
    total = result["total"]
    if total["failures"]:
        found.append(f"{total['failures']} of {total['requests']} requests failed")
    raised = sum(item["count"] for item in result["exceptions"])
    if raised:
        found.append(f"the locustfile raised {raised} exception(s)")
    if not total["requests"]:
        found.append("no request was made")
    if result.get("locust_exit_code"):
        found.append(f"locust exited with {result['locust_exit_code']}")
    return found


def summary_lines(result):
    """The terminal's table of the run."""
    lines = [
        f"   {'group':<16} {'requests':>8} {'failed':>6} {'median':>7} {'p95':>7} {'p99':>7} "
        f"{'req/s':>7}"
    ]
    for item in [*result["groups"], result["total"]]:
        cells = [
            "—" if item[key] is None else f"{item[key]:,.0f}"
            for key in ("median_ms", "p95_ms", "p99_ms")
        ]
        rps = "—" if item["rps"] is None else f"{item['rps']:.1f}"
        lines.append(
            f"   {item['name']:<16} {item['requests']:>8,} {item['failures']:>6,} "
            f"{cells[0]:>7} {cells[1]:>7} {cells[2]:>7} {rps:>7}"
        )
    for error in result["errors"]:
        lines.append(f"   FAILED {error['group']}: {error['error']} × {error['occurrences']}")
    for item in result["exceptions"]:
        lines.append(f"   EXCEPTION × {item['count']}: {item['message']}")
    return lines


# ---------------------------------------------------------------------------------------------
# Running


class LoadTestMeter(run.LoadMeter):
    """bench/run.py's meter, with the locust client (a child of this process) counted as ours."""

    def is_ours(self, pid, parent, key, backends):
        return parent == os.getpid() or super().is_ours(pid, parent, key, backends)


def locust_command(args, port, csv_prefix):
    return [
        sys.executable, "-m", "locust",
        "--locustfile", str(LOCUSTFILE),
        "--headless",
        "--users", str(args.users),
        "--spawn-rate", f"{args.spawn_rate:g}",
        "--run-time", f"{args.duration}s",
        "--host", f"http://127.0.0.1:{port}",
        "--csv", str(csv_prefix),
        "--only-summary",
    ]  # fmt: skip


def run_locust(command, env, timeout):
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    try:
        return process.wait(timeout)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.terminate()
        process.wait(30)
        raise


def run_load(args):
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tag = f"{args.database}-{args.label}"
    log_path = BENCH_DIR / f"load-{tag}.log"
    started_at = run.now()
    plan_path = BENCH_DIR / f"discovery-load-{tag}.json"
    with open(log_path, "w") as log:
        prepare = run.prepare_sqlite if args.database == "sqlite" else run.prepare_postgres
        env, marker = prepare(args, log)
        print("== Collecting static files (var/bench/static)")
        run.manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
        print(f"== Choosing the URLs from the data ({args.sample} products sampled)")
        command = [
            sys.executable, str(Path(__file__).resolve()),
            "--discover", str(plan_path),
            "--sample", str(args.sample),
            "--seed", str(args.seed),
        ]  # fmt: skip
        log.flush()
        if subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log).returncode:
            raise SystemExit(f"choosing the URLs failed; see {log_path}")
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    csv_prefix = BENCH_DIR / f"load-{tag}"
    record_path = BENCH_DIR / f"locust-{tag}.json"
    for stale in [record_path, *BENCH_DIR.glob(f"load-{tag}_*.csv")]:
        stale.unlink(missing_ok=True)
    plan.update({"wait": list(args.wait), "record_path": str(record_path)})
    plan_path.write_text(json.dumps(plan, indent=2, ensure_ascii=False), encoding="utf-8")

    gunicorn_log = BENCH_DIR / f"gunicorn-load-{tag}.log"
    server_env = {**env, "BENCH_PAGE_CACHE": args.page_cache}
    client_env = {**os.environ, "BENCH_LOAD_PLAN": str(plan_path)}
    print(
        f"== gunicorn: {args.workers} gthread workers × {args.threads} threads, page cache "
        f"{args.page_cache}; locust: {args.users} users ({args.spawn_rate:g}/s) for "
        f"{args.duration} s, {args.wait[0]:g}–{args.wait[1]:g} s between pages",
        flush=True,
    )
    with (
        run.Server(
            server_env, workers=args.workers, threads=args.threads, log_path=gunicorn_log
        ) as server,
        LoadTestMeter(server, run.database_name(env["DATABASE_URL"])) as meter,
    ):
        command = locust_command(args, server.port, csv_prefix)
        print("   $", shlex.join(["locust", *command[3:]]), flush=True)
        exit_code = run_locust(command, client_env, timeout=args.duration + 300)
    share = meter.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")

    result = summarise_locust(read_record(record_path))
    result["locust_exit_code"] = exit_code  # the process's, also when it wrote no record
    return {
        "format": 1,
        "kind": "load",
        "database": args.database,
        "scale": args.scale if not args.products_given else None,
        "label": args.label,
        "data": "synthetic",
        "products": plan["facts"]["products"],
        "seed": args.seed,
        "started_at": started_at,
        "finished_at": run.now(),
        "command": args.command_line,
        "git": run.git_describe(),
        "database_prepared": marker,
        "machine": run.machine_description(),
        "versions": {
            **plan["versions"],
            "gunicorn": run.package_version("gunicorn"),
            "locust": run.package_version("locust"),
            "psycopg": run.package_version("psycopg") if args.database == "postgres" else None,
        },
        "server": {
            "settings": run.SETTINGS,
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
            "page_cache": args.page_cache,
        },
        "client": {
            "tool": "locust",
            "user_class": "FastHttpUser",
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration_s": args.duration,
            "wait_s": list(args.wait),
            "sampled_products": plan["facts"]["sampled_products"],
        },
        "facts": plan["facts"],
        "load": meter.result,
        **result,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Load-test the public pages under gunicorn with locust (docs/performance.md)."
    )
    run.add_data_arguments(parser)
    parser.add_argument("--users", type=int, default=50, help="concurrent readers (default 50)")
    parser.add_argument(
        "--spawn-rate", type=float, default=10, help="readers started per second (default 10)"
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds a reader waits between pages (default 1 3; 0 0 for a stress test)",
    )
    parser.add_argument(
        "--sample", type=int, default=SAMPLE, help=f"products the readers visit (default {SAMPLE})"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--page-cache",
        choices=["on", "off"],
        default="on",
        help="the site's page cache (default on, as in production; off: every page renders)",
    )
    parser.add_argument("--output", type=Path, help="default var/bench/load-DB-SCALE.json")
    parser.add_argument("--discover", type=Path, help=argparse.SUPPRESS)  # the subprocess
    args = parser.parse_args(argv)
    args.data = "synthetic"  # what bench/run.py's database preparation reads
    run.set_products_and_label(args)
    if args.output is None:
        args.output = BENCH_DIR / f"load-{args.database}-{args.label}.json"
    args.command_line = shlex.join(["python", "bench/load.py", *argv])
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.discover:
        import django

        django.setup()
        plan = discover_mix(args.sample, args.seed)
        args.discover.write_text(json.dumps(plan, indent=2, ensure_ascii=False), encoding="utf-8")
        return 0
    result = run_load(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("\n".join(summary_lines(result)))
    print(f"== Wrote {args.output}")
    return report_exit(result)


def report_exit(result):
    """0 when every request succeeded, else 1 (with the reasons printed)."""
    found = problems(result)
    if found:
        print("FAILED: " + "; ".join(found))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

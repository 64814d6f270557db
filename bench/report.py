"""Turn bench/run.py's result files into the results section of docs/performance.md.

    .venv/bin/python bench/report.py                      # var/bench/results-*.json
    .venv/bin/python bench/report.py FILE.json ... --stdout
    .venv/bin/python bench/report.py --load var/bench/load-sqlite-1.json   # or --no-load

Only the text between ``<!-- results:start -->`` and ``<!-- results:end -->`` is rewritten.
The latency runs (``bench/run.py latency``: results-*.json) fill the tables; the load tests
(``bench/run.py load``: var/bench/load-*.json, picked up unless ``--load`` names files or
``--no-load`` leaves them out) get a "Load" section at the end of it.
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START = "<!-- results:start -->"
END = "<!-- results:end -->"

# The project's targets (reported here, never asserted by the test suite).
PAGE_LIMIT = 3.0  # list and detail pages: median ≤ 3 × the baseline's median
SEARCH_LIMIT = 5.0  # search: median ≤ 5 × baseline
SCALING_LIMIT = 1.5  # every page: median at 10× ≤ 1.5 × its median at 1×
EXPORT_SECONDS = 2.0  # the CSV export of every concern at 1×: last byte within 2 s
EXPORT_EXTRA_MB = 10.0  # … with flat memory: < 10 MB more than a one-product export, or
EXPORT_MEMORY_SCALING = 1.5  # when 10× was measured too: its growth ≤ 1.5 × the growth at 1×
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
ABUSE_START = "<!-- abuse:start -->"
ABUSE_END = "<!-- abuse:end -->"
FIRST_START = "<!-- first-visits:start -->"
FIRST_END = "<!-- first-visits:end -->"
FIRST_VISIT_MS = 150.0  # rendered list pages and search at 10×: median ≤ 150 ms
DETAIL_MS = 30.0  # rendered product page and API detail at 10×: median ≤ 30 ms
FIRST_VISIT_TITLES = {
    "products": "products list, 3 filters + facets",
    "concerns": "concerns across products, text + category",
    "studies_overdue": "studies overdue",
    "search": "search for a common term",
    "risk_page": "product risk page",
    "api_product": "API product detail",
}
DISTURBED_SHARE = 0.05  # other processes' share of the CPUs above which a run is flagged


def load(paths):
    results = []
    for path in paths:
        data = json.loads(Path(path).read_text())
        data["_file"] = str(path)
        results.append(data)
    return results


def scale_name(result):
    """ "1×", "10×", or what a trial run held ("100 products", "seed data")."""
    if result.get("scale"):
        return f"{result['scale']}×"
    if result.get("data") == "seed":
        return "seed data"
    return f"{result['products']:,} products"


def scale_order(result):
    return (0, result["scale"]) if result.get("scale") else (1, result["products"])


def verdict(value, limit):
    """ "✓" when value ≤ limit, "✗" when over, "" when there is no value or limit."""
    if value is None or limit is None:
        return ""
    return "✓" if value <= limit else "✗"


def number(value, digits=1):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def with_verdict(value, limit, digits=1):
    text = number(value, digits)
    mark = verdict(value, limit)
    return f"{text} {mark}" if mark else text


def ratio_limit(scenario):
    return {"page": PAGE_LIMIT, "search": SEARCH_LIMIT}.get(scenario.get("target"))


def cell(text):
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def scenario_cells(scenario, judge=True):
    """Median, p95, req/s and ratio to baseline of one scenario in one run (✓/✗ if judged)."""
    if scenario is None:
        return ["—"] * 4
    if not scenario.get("path"):
        return ["n/a"] * 4
    if scenario.get("median_ms") is None:
        error = "; ".join(scenario.get("errors", [])) or "no response"
        return [cell(f"failed: {error}"), "", "", ""]
    cells = [
        number(scenario["median_ms"]),
        number(scenario["p95_ms"]),
        number(scenario["rps"], 2 if scenario["rps"] < 10 else 1),
        "1"
        if scenario["name"] == "healthz"
        else with_verdict(scenario.get("ratio"), ratio_limit(scenario) if judge else None),
    ]
    if scenario.get("failures"):
        cells[0] += f" ({scenario['failures']} failed)"
    return cells


def scaling(low, high):
    """The 10×/1× ratio of medians."""
    if not low or not high or low.get("median_ms") is None or high.get("median_ms") is None:
        return None
    return high["median_ms"] / low["median_ms"]


def table_header(labels, median, compare, extra=()):
    """The two header lines of a table with four columns per scale (and 10× / 1×)."""
    header = ["Scenario"]
    for label in labels:
        header += [f"{label} {median}", "p95 ms", "req/s", "× baseline"]
    if compare:
        header.append("10× / 1×")
    header += extra
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]


def database_table(runs):
    """The markdown table of one database's runs (ordered by scale)."""
    by_label = [(scale_name(run), {s["name"]: s for s in run["scenarios"]}) for run in runs]
    # Rendered pages are judged only when no cached pass ran (then the cached ones are).
    cached_pass = any(s.get("cached") for run in runs for s in run["scenarios"])
    judged = {scale_name(run): bool(run.get("scale")) and not cached_pass for run in runs}
    names = []
    for run in runs:
        for scenario in run["scenarios"]:
            if scenario["name"] not in names:
                names.append(scenario["name"])
    titles = {s["name"]: s["title"] for run in runs for s in run["scenarios"]}
    labels = [label for label, _ in by_label]
    compare = "1×" in labels and "10×" in labels
    lines = table_header(labels, "median ms", compare, extra=["SQL queries"])
    for name in names:
        row = [titles[name]]
        for label, scenarios in by_label:
            row += scenario_cells(scenarios.get(name), judged[label])
        if compare:
            low, high = dict(by_label)["1×"].get(name), dict(by_label)["10×"].get(name)
            limit = None if name in ("healthz", "export_csv") or cached_pass else SCALING_LIMIT
            row.append(with_verdict(scaling(low, high), limit, 2))
        counts = [scenarios.get(name, {}).get("queries") for _, scenarios in by_label]
        row.append(" / ".join("—" if count is None else str(count) for count in counts))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def cached_table(runs):
    """The pages as served in production, from the page cache (the second pass), if measured.

    These figures are judged: the ratio to the baseline at each scale, and 10× against 1×.
    """
    if not any(s.get("cached") for run in runs for s in run["scenarios"]):
        return None
    labels = [scale_name(run) for run in runs]
    compare = "1×" in labels and "10×" in labels
    lines = table_header(labels, "cached median ms", compare)
    names = []
    for run in runs:
        names += [s["name"] for s in run["scenarios"] if s.get("cached") and s["name"] not in names]
    titles = {s["name"]: s["title"] for run in runs for s in run["scenarios"]}
    for name in names:
        row = [titles[name]]
        measured = {}
        for label, run in zip(labels, runs, strict=True):
            scenario = next((s for s in run["scenarios"] if s["name"] == name), None)
            cached = scenario.get("cached") if scenario else None
            if cached:
                cached = {**cached, "name": name, "path": True, "target": scenario.get("target")}
            measured[label] = cached
            row += scenario_cells(cached, judge=bool(run.get("scale")))
        if compare:
            limit = None if name == "healthz" else SCALING_LIMIT
            row.append(with_verdict(scaling(measured["1×"], measured["10×"]), limit, 2))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def export_lines(runs):
    """The CSV export's time to last byte and worker memory, with the 1× targets.

    Memory is judged flat when the export of ten times the rows grows the worker as much as
    the 1× export (within ``EXPORT_MEMORY_SCALING``); with 1× alone, against one product's.
    """
    lines = []
    growth = {
        scale_name(run): run["export_memory"]["full"]["growth_kb"] / 1024
        for run in runs
        if "full" in (run.get("export_memory") or {})
    }
    both_scales = "1×" in growth and "10×" in growth
    for run in runs:
        export = next((s for s in run["scenarios"] if s["name"] == "export_csv"), None)
        if not export or export.get("median_ms") is None:
            continue
        at_1x = run.get("scale") == 1
        seconds = export["median_ms"] / 1000
        mark = f" {verdict(seconds, EXPORT_SECONDS)}" if at_1x else ""
        rows = run["facts"]["current_concerns"]
        text = (
            f"- {scale_name(run)}: {rows:,} rows, {export.get('bytes', 0) / 1e6:.1f} MB; "
            f"time to last byte median {seconds:.2f} s{mark} (p95 "
            f"{export['p95_ms'] / 1000:.2f} s, {export.get('requests', '?')} requests)"
        )
        memory = run.get("export_memory") or {}
        slope = memory.get("slope")
        if memory.get("error"):
            text += f"; memory not measured: {memory['error']}"
        elif slope and "small" in memory and "full" in memory:
            extra_mb = slope["extra_kb"] / 1024
            mark = f" {verdict(extra_mb, EXPORT_EXTRA_MB)}" if at_1x and not both_scales else ""
            text += (
                f"; worker peak RSS +{memory['full']['growth_kb'] / 1024:.1f} MB "
                f"(one product's {memory['small']['rows']} rows: "
                f"+{memory['small']['growth_kb'] / 1024:.1f} MB), so {extra_mb:.1f} MB{mark} "
                f"more than for one product"
            )
        lines.append(text + ".")
    if both_scales:
        ratio = growth["10×"] / growth["1×"] if growth["1×"] > 0 else None
        lines.append(
            f"- Memory against the row count: +{growth['10×']:.1f} MB for ten times the rows "
            f"against +{growth['1×']:.1f} MB at 1×, a ratio of "
            f"{with_verdict(ratio, EXPORT_MEMORY_SCALING, 2)}."
        )
    return lines


def load_note(load):
    """What else ran on the machine while the run measured (it skews the figures)."""
    if not load or load.get("other_cpu_share") is None:
        return ""
    share = load["other_cpu_share"]
    warning = " (**disturbed: rerun on a quiet machine**)" if share > DISTURBED_SHARE else ""
    return f"; other processes used {share:.0%} of the CPUs while it measured{warning}"


def machine_lines(results):
    lines = []
    seen = set()
    for result in results:
        machine, versions = result["machine"], result["versions"]
        text = (
            f"{machine['cpu_model']} × {machine['cpu_count']} CPUs, {machine['memory_gb']} GB RAM, "
            f"{machine['os']}; Python {machine['python']}, Django {versions['django']}, "
            f"gunicorn {versions['gunicorn']}"
            + (f", locust {versions['locust']}" if versions.get("locust") else "")
        )
        if text not in seen:
            seen.add(text)
            lines.append(f"- Machine: {text}.")
    engines = sorted({r["versions"]["database_version"] for r in results})
    lines.append(f"- Databases: {', '.join(engines)}.")
    server = results[0]["server"]
    client = results[0]["client"]
    text = (
        f"- Server: gunicorn on 127.0.0.1, {server['workers']} {server['worker_class']} workers "
        f"× {server['threads']} threads, settings `{server['settings']}` (production, DEBUG "
        "off). "
    )
    if client.get("tool") == "locust":
        text += (
            f"Client: locust ({client['user_class']}) on the same machine, one user with no wait, "
            f"{client['requests']} requests per page after {client['warmup']} warm-up requests; "
            f"the export {client['export_requests']} requests on one worker × one thread."
        )
    else:  # the hand-written client of earlier runs
        text += (
            f"Client on the same machine: {client['concurrency']} connection(s), "
            f"{client['requests']} requests per page ({client['export_requests']} for the "
            f"export) after {client['warmup']} warm-up requests."
        )
    return [*lines, text]


def facts_lines(results):
    lines = []
    for result in results:
        facts = result["facts"]
        largest = facts["largest_product"]
        lines.append(
            f"- {DATABASES.get(result['database'], result['database'])} {scale_name(result)}: "
            f"{facts['products']:,} products, {facts['current_plans']:,} current plans, "
            f"{facts['current_concerns']:,} current concerns; largest product "
            f"`{largest['slug']}` ({largest['concerns']} concerns); common term "
            f"'{facts['common_term']}'; {facts['overdue_studies']:,} overdue studies."
        )
    return lines


def url_lines(results):
    """The URLs of the largest run (the others differ only in the chosen values)."""
    result = max(results, key=lambda r: r["products"])
    return [
        f"- {s['title']}: `{s['path']}`" if s.get("path") else f"- {s['title']}: {s['skipped']}"
        for s in result["scenarios"]
    ]


def table_header_load():
    header = ["Page group", "share", "URLs", "requests", "failures", "median ms", "p95 ms"]
    header += ["p99 ms", "max ms", "req/s"]
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]


def load_table(run):
    """The markdown table of one load test: a row per page group, then the total."""
    lines = table_header_load()
    for item in [*run["groups"], run["total"]]:
        total = item is run["total"]
        failures = item["failures"]
        row = [
            f"**{item['title']}**" if total else cell(item["title"]),
            "—" if item.get("share") is None else f"{item['share']:.0%}",
            str(item.get("urls") or "—"),
            f"{item['requests']:,}",
            f"{failures:,} {verdict(failures, 0)}" if total else f"{failures:,}",
            *(
                "—" if item.get(key) is None else f"{item[key]:,.0f}"
                for key in ("median_ms", "p95_ms", "p99_ms", "max_ms")
            ),
            number(item["rps"], 2 if (item["rps"] or 0) < 10 else 1),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def load_section(loads):
    """The "Load" section: how the load tests ran, then each one's table (bench/run.py load)."""
    if not loads:
        return []
    loads = sorted(loads, key=lambda r: (list(DATABASES).index(r["database"]), scale_order(r)))
    client = loads[0]["client"]
    wait = client["wait_s"]
    parts = [
        "### Load",
        "",
        f"`bench/run.py load`: {client['users']} simulated readers (locust {client['user_class']}, "
        f"{client['spawn_rate']:g} started per second) open public pages for "
        f"{client['duration_s']} s, each waiting {wait[0]:g}–{wait[1]:g} s between pages and "
        "choosing the next by the weights of `bench/locustfile.py` (share below) and a URL of "
        f"the group's pool at random: {client['sampled_products']} products sampled from the "
        "data, the commonest words, every filter value. Every response is checked (status 200, "
        "no redirect, the expected heading, JSON or CSV rows), so a wrong page is a failure. "
        "The page cache is on unless a run says otherwise, as in production, and empty at the "
        "start: a URL's first request in each worker renders it, later ones are cache hits, "
        "so the figures mix both. Times are locust's, to about two significant digits "
        "(1 ms below 100 ms); req/s is over the whole run.",
        "",
    ]
    for run in loads:
        commit = (run.get("git") or {}).get("commit") or "unknown commit"
        dirty = " with uncommitted changes" if (run.get("git") or {}).get("dirty") else ""
        server, client, machine = run["server"], run["client"], run["machine"]
        wait = client["wait_s"]
        parts += [
            f"#### {DATABASES.get(run['database'], run['database'])} {scale_name(run)}: "
            f"{client['users']} users for {client['duration_s']} s",
            "",
            f"- `{run['command']}` — {run['started_at'][:16].replace('T', ' ')} UTC, commit "
            f"{commit[:10]}{dirty}{load_note(run.get('load'))}.",
            f"- gunicorn {server['workers']} {server['worker_class']} workers × "
            f"{server['threads']} threads, page cache {server.get('page_cache', 'on')}; locust "
            f"{run['versions'].get('locust')} on the same machine ({machine['cpu_model']} × "
            f"{machine['cpu_count']} CPUs), {client['users']} users, {wait[0]:g}–{wait[1]:g} s "
            "between pages.",
            "",
            load_table(run),
            "",
        ]
        for error in run.get("errors", []):
            parts.append(
                f"- Failed: {cell(error['group'])}: {cell(error['error'])} × {error['occurrences']}"
            )
        for item in run.get("exceptions", []):
            parts.append(f"- Raised in the locustfile × {item['count']}: {cell(item['message'])}")
        if run.get("errors") or run.get("exceptions"):
            parts.append("")
    return parts


def render(results, *, loads=(), generated=None):
    """The markdown between the markers, from a list of result dicts (and load test dicts)."""
    if not results:
        text = "No results yet: run `make bench` (or bench/run.py latency), then bench/report.py."
        return "\n".join([text, "", *load_section(loads)]).rstrip() + "\n" if loads else text
    generated = generated or datetime.date.today().isoformat()
    results = sorted(results, key=lambda r: (list(DATABASES).index(r["database"]), scale_order(r)))
    parts = [f"Generated {generated} by `python bench/report.py` from:", ""]
    for result in results:
        commit = (result.get("git") or {}).get("commit") or "unknown commit"
        dirty = " with uncommitted changes" if (result.get("git") or {}).get("dirty") else ""
        parts.append(
            f"- `{result['command']}` — {result['started_at'][:16].replace('T', ' ')} UTC, "
            f"commit {commit[:10]}{dirty}{load_note(result.get('load'))}"
        )
    parts += ["", *machine_lines(results), ""]
    for database, title in DATABASES.items():
        runs = [r for r in results if r["database"] == database]
        if not runs:
            continue
        cached = cached_table(runs)
        parts += [f"### {title}", ""]
        if cached:
            parts += [
                "As served in production: the site's page cache on, each request a cache hit "
                "after the warm-up (judged):",
                "",
                cached,
                "",
                "Rendered on every request (page cache off): what the first reader after a "
                "publication, or of a page not asked for since, waits for (shown, not judged):",
                "",
            ]
        parts += [database_table(runs), ""]
        exports = export_lines(runs)
        if exports:
            parts += ["CSV export of every concern:", "", *exports, ""]
    parts += ["### Data and URLs", "", *facts_lines(results), "", *url_lines(results)]
    if loads:
        parts += ["", *load_section(loads)]
    return "\n".join(parts).rstrip() + "\n"


def first_visit_limit(scenario):
    return DETAIL_MS if scenario in ("risk_page", "api_product") else FIRST_VISIT_MS


def first_visit_table(result):
    """Rendered first visits: each page at each scale, its ratio, and Datasette's answer."""
    labels = [scale["label"] for scale in result["scales"]]
    targets = result["targets"]
    small, large = labels[0], labels[-1]
    header = (
        "| page (rendered, page cache off) | "
        + " | ".join(f"{int(label):,} products" for label in labels)
        + f" | {int(large):,} / {int(small):,} | queries | Datasette, {int(large):,} |"
    )
    lines = [header, "|---" * (len(labels) + 4) + "|"]
    for scenario in ["healthz", *result["pages"]]:
        site = [targets.get(f"{scenario}@{label}") for label in labels]
        if not any(site):
            continue
        title = FIRST_VISIT_TITLES.get(scenario, "baseline: `/healthz`")
        cells = []
        for label, item in zip(labels, site, strict=True):
            value = (item or {}).get("median_ms")
            judged = label == large and scenario != "healthz"
            cells.append(
                with_verdict(value, first_visit_limit(scenario)) if judged else number(value)
            )
        ratio = (
            site[-1]["median_ms"] / site[0]["median_ms"]
            if site[0] and site[-1] and site[0].get("median_ms") and site[-1].get("median_ms")
            else None
        )
        one_scale = len(labels) == 1  # no ratio to judge
        ratio_text = (
            "–" if scenario == "healthz" or one_scale else with_verdict(ratio, SCALING_LIMIT, 2)
        )
        queries = sorted({item.get("queries") for item in site if item} - {None})
        datasette = targets.get(f"datasette {scenario}@{large}")
        if datasette and datasette.get("median_ms") is not None and site[-1]:
            faster = site[-1]["median_ms"] < datasette["median_ms"]
            verdict_text = "site faster ✓" if faster else "site slower ✗"
            ds_text = f"{datasette['median_ms']:,.1f} ms ({verdict_text})"
        else:
            ds_text = "–"
        lines.append(
            f"| {title} | "
            + " | ".join(cells)
            + f" | {ratio_text} | {' → '.join(map(str, queries)) or '–'} | {ds_text} |"
        )
    return "\n".join(lines)


def first_visit_section(results):
    """The lead of docs/performance.md: rendered first visits, from first-visits-*.json."""
    if not results:
        return "No first-visit run yet: `python bench/run.py first-visits`, then bench/report.py."
    parts = []
    for result in sorted(results, key=lambda r: list(DATABASES).index(r["database"])):
        commit = (result.get("git") or {}).get("commit") or "unknown commit"
        dirty = " with uncommitted changes" if (result.get("git") or {}).get("dirty") else ""
        client = result["client"]
        parts += [
            f"#### {DATABASES[result['database']]}",
            "",
            f"`{result['command']}` — {result['started_at'][:16].replace('T', ' ')} UTC, "
            f"commit {commit[:10]}{dirty}{load_note(result.get('load'))}. Medians of "
            f"{client['requests']} requests per target after {client['warmup']} warm-up(s), "
            "one locust user; the targets interleaved round by round (every page at every "
            "scale, then Datasette), each request a rendered page: "
            f"{result['server']['workers']} gunicorn workers × {result['server']['threads']} "
            "threads per scale, page cache off."
            + (
                f" Datasette {result['datasette']} serves the larger file."
                if result.get("datasette")
                else ""
            ),
            "",
            first_visit_table(result),
            "",
        ]
        datasette = {
            item["scenario"]: item["path"]
            for item in result["targets"].values()
            if item["server"] == "datasette"
        }
        if datasette:
            parts += ["Datasette's answers (its table views, filters and facets):", ""]
            parts += [f"- {name}: `{path}`" for name, path in datasette.items()]
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


FRONTS = {
    "gunicorn": "gunicorn alone",
    "nginx": "nginx in front (`docker/nginx/limits.conf`)",
}


def abuse_section(results):
    """Abusive clients beside a visitor, and the export of every concern: abuse-*.json."""
    if not results:
        return "No abuse run yet: `python bench/run.py abuse --scale 10`, then bench/report.py."
    lines = [
        "| database, products | abusive clients sent to | visitor p50 / p95 quiet | with the "
        "abusive clients | p95 × (target ≤ 3) | abusive requests answered | JSON export of every "
        "concern: first byte, last, worker memory growth (target < 1 s, < 50 MB) | CSV export, "
        "the same |",
        "|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for result in sorted(results, key=lambda r: (list(DATABASES).index(r["database"]), r["label"])):
        runs = result["new_queries"]
        if isinstance(runs, dict):  # a result of before the proxy: gunicorn alone
            runs = [{"front": "gunicorn", **runs}]
        exports = {item["path"].rsplit("=", 1)[-1]: item for item in result["exports"]}

        def export_cell(item):
            if not item:
                return "–"
            first_ok = item["first_byte_s"] is not None and item["first_byte_s"] < 1
            return (
                f"{item['first_byte_s']} s {'✓' if first_ok else '✗'}, {item['total_s']} s, "
                f"{item['bytes'] / 1e6:,.0f} MB; +{item['growth_mb']} MB "
                f"{'✓' if item['growth_mb'] < 50 else '✗'}"
            )

        for index, run in enumerate(runs):
            quiet, busy = run["visitor_quiet"], run["visitor_abused"]
            ratio = run.get("p95_ratio")
            statuses = ", ".join(
                f"{n:,} × {status}"
                for status, n in sorted(run["abusive_requests"]["statuses"].items())
            )
            json_cell, csv_cell = (
                (export_cell(exports.get("json")), export_cell(exports.get("csv")))
                if index == 0
                else ("(above)", "(above)")
            )
            lines.append(
                f"| {DATABASES[result['database']]}, {result['products']:,} | "
                f"{FRONTS.get(run['front'], run['front'])} | "
                f"{quiet.get('p50_ms')} / {quiet.get('p95_ms')} ms | "
                f"{busy.get('p50_ms')} / {busy.get('p95_ms')} ms | "
                f"{ratio} {'✓' if ratio is not None and ratio <= 3 else '✗'} | {statuses} | "
                f"{json_cell} | {csv_cell} |"
            )
        run = runs[0]
        pace = run.get("visitor_per_second")
        notes.append(
            f"- `{result['command']}` — {result['started_at'][:16].replace('T', ' ')} UTC, "
            f"commit {((result.get('git') or {}).get('commit') or 'unknown')[:10]}"
            f"{load_note(result.get('load'))}; {run['clients']} clients for {run['duration_s']} s "
            f"after {run['quiet_s']} s quiet, render rate {result['server']['render_rate']} "
            "per address, the visitor reading "
            + ", ".join(f"`{path}`" for path in run["visitor_paths"])
            + (f" in turn, {pace} a second" if pace else " in turn, with no wait")
            + (
                f"; the abusive clients at CPU priority nice {run['client_nice']}."
                if run.get("client_nice") is not None
                else "."
            )
        )
    return "\n".join([*lines, "", *notes]) + "\n"


def load_results(paths=None):
    """The load tests named, else var/bench/load-*.json (trial runs only if nothing else)."""
    if paths:
        return load(paths)
    found = load(sorted((ROOT / "var" / "bench").glob("load-*.json")))
    found = [result for result in found if result.get("kind") == "load"]
    if any(result.get("scale") for result in found):
        found = [result for result in found if result.get("scale")]
    return found


def replace_between_markers(text, block, start=START, end=END):
    """``text`` with everything between the markers replaced by ``block``."""
    try:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise SystemExit(f"The document needs the markers {start} and {end}.") from None
    return f"{head}{start}\n{block.strip()}\n{end}{tail}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="default: var/bench/results-*.json of the 1× and 10× runs (else every trial run)",
    )
    parser.add_argument(
        "--load",
        action="append",
        type=Path,
        metavar="FILE",
        help="a bench/run.py load result file, repeatable (default: var/bench/load-*.json of the "
        "1× and 10× runs, else every trial run)",
    )
    parser.add_argument("--no-load", action="store_true", help="leave the Load section out")
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = parser.parse_args(argv)
    results = load(args.files or sorted((ROOT / "var" / "bench").glob("results-*.json")))
    if not args.files and any(result.get("scale") for result in results):
        results = [result for result in results if result.get("scale")]  # trial runs left out
    loads = [] if args.no_load else load_results(args.load)
    block = render(results, loads=loads)
    first = first_visit_section(load(sorted((ROOT / "var" / "bench").glob("first-visits-*.json"))))
    if args.stdout:
        print(first)
        print(block)
        return 0
    text = args.output.read_text()
    if results or loads:  # else the latency section keeps the figures it has
        text = replace_between_markers(text, block)
    if FIRST_START in text:
        text = replace_between_markers(text, first, FIRST_START, FIRST_END)
    abuse = [r for r in load(sorted((ROOT / "var" / "bench").glob("abuse-*.json")))]
    if ABUSE_START in text and abuse:
        text = replace_between_markers(text, abuse_section(abuse), ABUSE_START, ABUSE_END)
    args.output.write_text(text)
    print(
        f"Wrote the results of {len(results)} run(s)"
        + (f" and {len(loads)} load test(s)" if loads else "")
        + f" into {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark harness's own logic (bench/run.py latency), without a database (fast, in CI).

Locust is never imported here (it monkeypatches the standard library with gevent): one test
runs it in a subprocess, as the harness does, against a small HTTP server in this process.
"""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import report, run
from bench.discover import common_term, common_terms, most_common


def test_percentile_interpolates_between_ranks():
    assert run.percentile([1, 2, 3, 4], 50) == 2.5
    assert run.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert run.percentile([7], 95) == 7
    assert run.percentile([3, 1, 2], 0) == 1
    assert run.percentile([3, 1, 2], 100) == 3
    with pytest.raises(ValueError):
        run.percentile([], 50)


def test_summarise_reports_milliseconds_and_requests_per_second():
    summary = run.summarise([0.010, 0.020, 0.030, 0.040], elapsed=0.2)
    assert summary["requests"] == 4
    assert summary["median_ms"] == pytest.approx(25)
    assert summary["p95_ms"] == pytest.approx(38.5)
    assert summary["rps"] == pytest.approx(20)
    assert run.summarise([], 1) == {"requests": 0}


def test_ratios_are_to_the_baseline_median_of_the_same_run():
    results = {
        "healthz": {"median_ms": 2.0},
        "products": {"median_ms": 5.0},
        "search": {"requests": 0, "failures": 1},
    }
    run.add_ratios(results)
    assert [figures["ratio"] for figures in results.values()] == [1.0, 2.5, None]
    assert run.add_ratios({"products": {"median_ms": 5.0}})["products"]["ratio"] is None
    assert run.ratio(3, 0) is None


def test_memory_slope_separates_per_row_memory_from_fixed_costs():
    small = {"rows": 20, "growth_kb": 1024}
    full = {"rows": 20_020, "growth_kb": 1024 + 20_000}
    slope = run.memory_slope(small, full)
    assert slope["extra_kb"] == 20_000
    assert slope["bytes_per_row"] == pytest.approx(1024)
    assert run.memory_slope(small, small) is None


def test_checks_count_csv_rows_and_read_json_and_html():
    body = b'\xef\xbb\xbfgroup,product\r\nA,"x, y"\r\nB,"multi\nline"\r\n'  # with a BOM
    run.check_body({"csv_rows": 2, "csv_header": "group"}, body)
    with pytest.raises(run.CheckFailed, match="2 CSV rows, expected 3"):
        run.check_body({"csv_rows": 3}, body)
    payload = json.dumps({"slug": "x", "safety_concerns": [1, 2]}).encode()
    run.check_body({"json": {"slug": "x", "len:safety_concerns": 2}}, payload)
    with pytest.raises(run.CheckFailed, match="safety_concerns"):
        run.check_body({"json": {"len:safety_concerns": 3}}, payload)
    with pytest.raises(run.CheckFailed, match="<h1>2 products"):
        run.check_body({"contains": ["<h1>2 products"]}, b"<h1>12 products</h1>")


def test_arguments_name_the_scale_and_the_output_file():
    args = run.parse_args(["latency", "--database", "postgres", "--scale", "10"])
    assert (args.mode, args.products, args.requests, args.export_requests) == (
        "latency",
        15_000,
        200,
        10,
    )
    assert args.output.name == "results-postgres-10.json"
    assert args.command_line == "python bench/run.py latency --database postgres --scale 10"
    trial = run.parse_args(["latency", "--products", "100", "--seed", "3"])
    assert (trial.products, trial.label) == (100, "100p-s3")
    assert run.parse_args(["latency", "--data", "seed"]).label == "seed"
    with pytest.raises(SystemExit):
        run.parse_args(["--database", "sqlite"])  # the mode is required


def test_the_common_term_is_the_word_in_most_names():
    names = ["Serious infections", "Infections and infestations", "Opportunistic infections", "PML"]
    assert common_term(names) == "infections"
    assert common_term(["PML"]) is None
    assert most_common(["EU", "US", "EU", ""]) == "EU"
    names = ["Serious infections", "Infections of the liver", "Liver injury", "Liver failure"]
    assert common_terms(names, 2) == ["liver", "infections"]
    assert common_terms(names, 5) == ["liver", "infections", "failure", "injury", "serious"]


def test_sample_figures_are_exact_and_requests_per_second_span_the_measured_requests():
    # [start (epoch s), response time (ms), bytes]: 4 requests from 100.0 s to 100.4 s.
    samples = [[100.0, 10.0, 500], [100.1, 20.0, 500], [100.2, 30.0, 700], [100.37, 30.0, 700]]
    figures = run.sample_figures(samples, ["HTTP 500", "HTTP 500"])
    assert figures["requests"] == 4
    assert figures["median_ms"] == pytest.approx(25)
    assert figures["p95_ms"] == pytest.approx(30)
    assert figures["elapsed_s"] == pytest.approx(0.4)
    assert figures["rps"] == pytest.approx(10)
    assert (figures["bytes"], figures["failures"], figures["errors"]) == (600, 2, ["HTTP 500"])
    assert run.sample_figures([]) == {"requests": 0, "failures": 0}


def sequence_record(**changes):
    """A record of the locustfile's Sequence user (two targets), as written on quit."""
    return {
        "exit_code": 0,
        "mode": "latency",
        "stats": [
            {
                "name": "healthz",
                "num_requests": 3,
                "num_none_requests": 0,
                "num_failures": 0,
                "total_response_time": 4.5,
                "min_response_time": 1.2,
                "max_response_time": 1.8,
                "response_times": {"1": 1, "2": 2},
            },
        ],
        "errors": [],
        "exceptions": [],
        "samples": {"healthz": [[1.0, 1.2, 2], [1.1, 1.5, 2], [1.2, 1.8, 2]]},
        "failures": {"page": ["the page does not contain '<h1>'"]},
        "memory": None,
        **changes,
    }


def test_latency_figures_keep_locusts_own_and_fail_a_target_short_of_requests():
    targets = [
        {"name": "healthz", "requests": 3},
        {"name": "page", "requests": 3},
        {"name": "other", "requests": 2},
    ]
    figures = run.latency_figures(sequence_record(), targets)
    assert figures["healthz"]["median_ms"] == pytest.approx(1.5)
    # locust's: the median's bucket (2 ms) kept within the exact maximum (1.8 ms)
    assert figures["healthz"]["locust"] == {"requests": 3, "median_ms": 1.8, "p95_ms": 1.8}
    assert figures["healthz"]["failures"] == 0
    assert figures["page"]["failures"] == 1 and "median_ms" not in figures["page"]
    assert figures["other"]["errors"] == ["0 of 2 requests measured"]
    raised = sequence_record(exit_code=1, exceptions=[{"count": 1, "message": "KeyError('x')"}])
    healthz = run.latency_figures(raised, targets[:1])["healthz"]
    assert healthz["failures"] == 1
    assert healthz["errors"] == ["locust exited with 1", "the locustfile raised: KeyError('x')"]


def test_a_scenario_with_a_failure_in_any_pass_fails_the_run():
    scenarios = [
        {"name": "healthz", "path": "/healthz", "median_ms": 1.0, "failures": 0},
        {"name": "products", "path": "/p", "median_ms": 5.0, "cached": {"failures": 2}},
        {"name": "export_csv", "path": "/e", "failures": 1},
        {"name": "risk_page_print", "path": None},
    ]
    assert run.latency_problems({"scenarios": scenarios}) == ["products", "export_csv"]


class Site(BaseHTTPRequestHandler):
    """/healthz answers "ok", /page a heading, anything else 404."""

    protocol_version = "HTTP/1.1"
    bodies = {"/healthz": b"ok", "/page": b"<h1>3 products</h1>"}

    def do_GET(self):
        body = self.bodies.get(self.path, b"missing")
        self.send_response(200 if self.path in self.bodies else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("Server", (), {"port": server.server_address[1]})
    server.shutdown()
    server.server_close()


def test_locust_measures_each_target_in_turn_and_probes_memory(site, tmp_path, monkeypatch):
    """The harness's real locust run (bench/locustfile.py's Sequence user) on a small site."""
    monkeypatch.setattr(run, "BENCH_DIR", tmp_path)
    targets = [
        run.target({"name": "healthz", "path": "/healthz", "check": {"equals": "ok"}}, 2, 5),
        run.target({"name": "page", "path": "/page", "check": {"contains": ["<h1>3 "]}}, 1, 4),
        run.target({"name": "gone", "path": "/gone"}, 0, 2),
        run.target({"name": "wrong", "path": "/page", "check": {"contains": ["<h1>4 "]}}, 0, 1),
    ]
    memory = {"pid": os.getpid(), "around": "page"}  # this process serves the site
    with open(tmp_path / "locust.log", "w") as log:
        figures, probed = run.sequence("trial", site, targets, log, memory)
    assert figures["healthz"]["requests"] == 5 and figures["healthz"]["failures"] == 0
    assert figures["healthz"]["locust"]["requests"] == 5  # warm-ups are named apart
    assert (figures["page"]["requests"], figures["page"]["bytes"]) == (4, 19)
    assert 0 < figures["page"]["median_ms"] <= figures["page"]["p95_ms"]
    assert (figures["gone"]["requests"], figures["gone"]["errors"]) == (0, ["HTTP 404"])
    assert figures["wrong"]["errors"] == ["the page does not contain '<h1>4 '"]
    assert probed["rss_before_kb"] > 0 and probed["peak_kb"] >= probed["rss_before_kb"]
    assert probed["growth_kb"] == probed["peak_kb"] - probed["rss_before_kb"]


def result(database, scale, medians, export_s=1.5, extra_kb=2048):
    names = ["healthz", "products", "search", "export_csv"]
    targets = [None, "page", "search", "export"]
    scenarios = [
        {"name": name, "title": name.title(), "path": f"/{name}", "target": target,
         "median_ms": median, "p95_ms": median * 1.2, "rps": 1000 / median, "queries": 5,
         "requests": 10 if target == "export" else 200}
        for name, target, median in zip(names, targets, [*medians, export_s * 1000], strict=True)
    ]  # fmt: skip
    run.add_ratios({scenario["name"]: scenario for scenario in scenarios})
    return {
        "database": database,
        "scale": scale,
        "data": "synthetic",
        "products": 1500 * scale,
        "command": f"python bench/run.py latency --database {database} --scale {scale}",
        "started_at": "2025-01-01T10:00:00+00:00",
        "git": {"commit": "abc", "dirty": False},
        "machine": {
            "cpu_model": "CPU",
            "cpu_count": 2,
            "memory_gb": 8,
            "os": "Linux",
            "python": "3",
        },
        "versions": {"django": "5.2", "gunicorn": "23", "database_version": "SQLite 3.45"},
        "server": {"workers": 2, "worker_class": "gthread", "threads": 4, "settings": "s"},
        "client": {
            "tool": "locust",
            "user_class": "FastHttpUser",
            "users": 1,
            "requests": 200,
            "export_requests": 10,
            "warmup": 5,
        },
        "facts": {
            "products": 1500 * scale,
            "current_plans": 1500 * scale,
            "current_concerns": 22_500 * scale,
            "largest_product": {"slug": "synthetic-00001", "concerns": 30},
            "common_term": "infections",
            "overdue_studies": 10,
        },
        "scenarios": scenarios,
        "load": {"other_cpu_share": 0.01 * scale},
        "export_memory": {
            "small": {"rows": 30, "growth_kb": 1024},
            "full": {"rows": 22_500 * scale, "growth_kb": 1024 + extra_kb},
            "slope": {"extra_kb": extra_kb, "bytes_per_row": extra_kb * 1024 / 22_500},
        },
    }


def test_report_judges_each_figure_against_its_target():
    text = report.render(
        [
            result("sqlite", 1, [2.0, 5.0, 12.0]),
            result("sqlite", 10, [2.0, 9.0, 13.0], export_s=20, extra_kb=200_000),
        ],
        generated="2025-01-02",
    )
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    # products: 2.5× baseline at 1× (≤ 3 ✓), 4.5× at 10× (✗), 10×/1× = 1.8 (✗)
    assert rows["| Products"].endswith("| 2.5 ✓ | 9.0 | 10.8 | 111.1 | 4.5 ✗ | 1.80 ✗ | 5 / 5 |")
    # search: 6× baseline (> 5 ✗); 10×/1× = 1.08 ✓
    assert "| 6.0 ✗ |" in rows["| Search"] and "| 1.08 ✓ |" in rows["| Search"]
    assert "time to last byte median 1.50 s ✓" in text
    assert "so 2.0 MB more than for one product" in text  # judged at 10× against 1×:
    assert "+196.3 MB for ten times the rows against +3.0 MB at 1×, a ratio of 65.44 ✗" in text
    only_1x = report.render([result("sqlite", 1, [2.0, 5.0, 12.0])], generated="2025-01-02")
    assert "so 2.0 MB ✓ more than for one product" in only_1x
    assert "time to last byte median 20.00 s (p95 24.00 s, 10 requests)" in text  # judged at 1×
    assert "`python bench/run.py latency --database sqlite --scale 10`" in text
    assert "Client: locust (FastHttpUser) on the same machine, one user with no wait, 200" in text
    assert "other processes used 1% of the CPUs while it measured\n" in text
    assert "used 10% of the CPUs while it measured (**disturbed" in text


def test_with_a_page_cache_pass_the_cached_figures_are_judged_and_the_rendered_shown():
    runs = [result("postgres", 1, [2.0, 5.0, 12.0]), result("postgres", 10, [2.0, 9.0, 13.0])]
    for measured, cached_ms in zip(runs, [2.5, 3.5], strict=True):
        measured["scenarios"][1]["cached"] = {
            "median_ms": cached_ms,
            "p95_ms": 4.0,
            "rps": 400.0,
            "ratio": cached_ms / 2.0,
        }
    text = report.render(runs, generated="2025-01-02")
    cached, rendered = text.split("Rendered on every request")
    assert "| 1× cached median ms | p95 ms | req/s | × baseline | 10× cached median ms |" in cached
    # cached: 1.25× and 1.75× the baseline (≤ 3 ✓), 10×/1× = 1.4 ✓
    assert "| Products | 2.5 | 4.0 | 400.0 | 1.2 ✓ | 3.5 | 4.0 | 400.0 | 1.8 ✓ | 1.40 ✓ |" in cached
    # rendered: shown without a verdict (10×/1× = 1.8)
    assert "| Products | 5.0 |" in rendered and "| 2.5 | 9.0 |" in rendered
    assert "| 4.5 | 1.80 | 5 / 5 |" in rendered


def test_report_rewrites_only_the_text_between_the_markers():
    document = f"# Title\n\nIntro.\n\n{report.START}\nold\n{report.END}\n\nOutro.\n"
    updated = report.replace_between_markers(document, "new table\n")
    assert updated == f"# Title\n\nIntro.\n\n{report.START}\nnew table\n{report.END}\n\nOutro.\n"
    with pytest.raises(SystemExit):
        report.replace_between_markers("# no markers", "x")


def test_the_load_meter_recognises_the_benchmark_database_and_its_backends():
    assert (
        run.database_name("postgres://u@127.0.0.1:5432/rmp_bench_1500p_s1") == "rmp_bench_1500p_s1"
    )
    assert run.database_name("sqlite:////work/var/bench/sqlite-1500p-s1.sqlite3") is None
    backend = "postgres: postgres rmp_bench_1500p_s1 127.0.0.1(36536) idle"
    assert run.PG_BACKEND.match(backend)[1] == "rmp_bench_1500p_s1"
    assert run.PG_PARALLEL.match("postgres: parallel worker for PID 4242")[1] == "4242"
    assert run.PG_BACKEND.match("postgres: checkpointer") is None


def test_first_visits_interleave_every_target_round_by_round():
    scenarios = [
        {"name": "healthz", "path": "/healthz", "check": {"equals": "ok"}, "queries": 0},
        {"name": "products", "path": "/products/?region=EU", "check": {}, "queries": 6},
        {"name": "search", "path": "/search/?q=x", "check": {}, "queries": 9},
    ]
    args = run.argparse.Namespace(pages=["products"], requests=3, warmup=2)
    datasette = (9000, {"products": "/db/products_product?region=EU", "studies_overdue": "/x"})
    targets, described = run.first_visit_targets(
        [("1500", 8001, scenarios), ("15000", 8002, scenarios)], datasette, args
    )
    names = ["healthz@1500", "products@1500", "healthz@15000", "products@15000"]
    assert list(described) == [*names, "datasette products@15000"]  # search not asked for
    assert described["products@15000"]["url"] == "http://127.0.0.1:8002/products/?region=EU"
    assert described["datasette products@15000"]["url"].startswith("http://127.0.0.1:9000/db/")
    warmups, rounds = targets[:5], targets[5:]
    assert [t["warmup"] for t in warmups] == [2] * 5
    assert [t["name"] for t in rounds] == [*names, "datasette products@15000"] * 3
    assert {(t["warmup"], t["requests"]) for t in rounds} == {(0, 1)}


def test_datasette_answers_the_same_questions_with_its_table_filters_and_facets():
    facts = {
        "products_filter": {"status": "authorised", "region": "EU", "concern": "potential"},
        "concerns_filter": {"q": "reactions", "category": "potential"},
    }
    paths = run.datasette_paths("sqlite-15000p-s1", facts, run.datetime.date(2026, 12, 7))
    assert paths["products"] == (
        "/sqlite-15000p-s1/products_product?region=EU&authorisation_status=authorised"
        "&_facet=region&_facet=authorisation_status"
    )
    assert "name__contains=reactions&category=potential&_facet=category" in paths["concerns"]
    assert "due_date__lt=2026-12-07&reported_on__isnull=1" in paths["studies_overdue"]


def test_the_first_visit_table_judges_the_larger_scale_its_ratio_and_datasette():
    def figures(ms, queries=None, server="site", scenario="products"):
        return {"median_ms": ms, "queries": queries, "server": server, "scenario": scenario}

    result = {
        "database": "sqlite",
        "scales": [{"label": "1500"}, {"label": "15000"}],
        "pages": ["products", "concerns"],
        "targets": {
            "healthz@1500": figures(1.0, 0, scenario="healthz"),
            "healthz@15000": figures(1.1, 0, scenario="healthz"),
            "products@1500": figures(50.0, 6),
            "products@15000": figures(60.0, 6),
            "datasette products@15000": figures(700.0, server="datasette"),
            "concerns@1500": figures(100.0, 5, scenario="concerns"),
            "concerns@15000": figures(400.0, 5, scenario="concerns"),
        },
    }
    rows = {
        line.split(" | ")[0]: line
        for line in report.first_visit_table(result).splitlines()
        if line.startswith("| ")
    }
    assert rows["| products list, 3 filters + facets"] == (
        "| products list, 3 filters + facets | 50.0 | 60.0 ✓ | 1.20 ✓ | 6 "
        "| 700.0 ms (site faster ✓) |"
    )
    assert rows["| concerns across products, text + category"].endswith(
        "| 100.0 | 400.0 ✗ | 4.00 ✗ | 5 | – |"
    )

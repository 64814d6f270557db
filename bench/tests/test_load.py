"""The load test's own logic (bench/run.py load), without a database (fast, runs in CI).

Locust is never imported here (it monkeypatches the standard library with gevent): its
results are the record bench/locustfile.py writes, with stats entries shaped as locust 2.47
serialises them; one test runs locust in a subprocess against a small HTTP server.
"""

import json

import pytest

from bench import report, run
from bench.tests.test_harness import result as latency_result
from bench.tests.test_harness import site  # noqa: F401 (a fixture)

MIX = [
    {"name": "product_page", "title": "Product risk page", "weight": 80, "urls": 200},
    {"name": "search", "title": "Search", "weight": 15, "urls": 5},
    {"name": "export_csv", "title": "CSV export", "weight": 5, "urls": 1},
]
ERROR = "CatchResponseError('the page does not contain \"results for\"')"


def entry(name, histogram, *, failures=0, fastest, slowest, start=1000.0, last=1060.0):
    """A stats entry as locust serialises it (``StatsEntry.serialize()``), after JSON."""
    requests = sum(histogram.values())
    return {
        "name": name,
        "method": "GET",
        "last_request_timestamp": last,
        "start_time": start,
        "num_requests": requests,
        "num_none_requests": 0,
        "num_failures": failures,
        "total_response_time": sum(ms * count for ms, count in histogram.items()),
        "max_response_time": slowest,
        "min_response_time": fastest,
        "total_content_length": 1000 * requests,
        "response_times": {str(ms): count for ms, count in histogram.items()},
        "num_reqs_per_sec": {},
        "num_fail_per_sec": {},
    }


def record(failures=0, exit_code=0, exceptions=()):
    return {
        "exit_code": exit_code,
        "mix": MIX,
        "stats": [
            entry(
                "product_page",
                {10: 90, 150: 5, 480: 4, 1900: 1},
                fastest=2.3,
                slowest=1934.4,
                start=1000.5,
            ),
            entry("search", {4: 20}, failures=failures, fastest=3.6, slowest=4.4, last=1059),
            entry("mystery", {5: 3}, fastest=5, slowest=5, start=1000.0),
        ],
        "errors": [{"name": "search", "error": ERROR, "occurrences": failures}] if failures else [],
        "exceptions": list(exceptions),
    }


def test_locust_stats_are_summarised_per_group_in_the_order_of_the_mix():
    summary = run.summarise_locust(record())
    names = [group["name"] for group in summary["groups"]]
    # The mix's order; a group never requested keeps its row; an unknown name comes last.
    assert names == ["product_page", "search", "export_csv", "mystery"]
    product, search, export, mystery = summary["groups"]
    assert summary["seconds"] == 60  # first request's entry (1000.0) to the last (1060.0)
    assert product == {
        **MIX[0],
        "share": 0.8,
        "requests": 100,
        "failures": 0,
        "median_ms": 10,  # locust's bucket of the 50th request
        "p95_ms": 480,
        "p99_ms": 1900,
        "max_ms": 1934.4,  # exact
        "mean_ms": pytest.approx((900 + 750 + 1920 + 1900) / 100),
        "rps": pytest.approx(100 / 60),
    }
    # The median bucket (4) lies within the exact minimum and maximum; 20 requests in 60 s.
    assert (search["median_ms"], search["p95_ms"], search["rps"]) == (4, 4, pytest.approx(1 / 3))
    assert (export["requests"], export["rps"]) == (0, 0)
    assert export["median_ms"] is export["p95_ms"] is export["max_ms"] is None
    assert (mystery["weight"], mystery["requests"]) == (None, 3)
    total = summary["total"]
    assert (total["requests"], total["failures"], total["urls"]) == (123, 0, 206)
    # Every entry's buckets merged, as locust's "Aggregated" row: 61st, 116th, 121st requests.
    assert (total["median_ms"], total["p95_ms"], total["p99_ms"]) == (10, 150, 480)
    assert (total["max_ms"], total["rps"]) == (1934.4, pytest.approx(123 / 60))
    assert summary["errors"] == summary["exceptions"] == []


def test_a_percentile_bucket_is_kept_within_the_exact_minimum_and_maximum():
    fast = entry("home", {10: 3}, fastest=10.4, slowest=10.45)
    assert run.figures_of_locust([fast], 60)["median_ms"] == 10.4
    slow = entry("export", {16000: 3, 18000: 1}, fastest=15_800, slowest=17_851)
    assert (
        run.figures_of_locust([slow], 60)["p95_ms"],
        run.figures_of_locust([slow], 60)["p99_ms"],
    ) == (
        17_851,
        17_851,
    )
    assert run.histogram_percentile({10: 3}, 3, 0.5) == 10
    assert run.histogram_percentile({}, 0, 0.5) is None


def test_a_run_that_left_no_record_has_no_requests_and_fails(tmp_path):
    summary = run.summarise_locust(run.read_record(tmp_path / "missing.json"))
    assert summary["total"]["requests"] == 0
    assert run.problems({**summary, "locust_exit_code": 1}) == [
        "no request was made",
        "locust exited with 1",
    ]


def test_any_failed_request_or_exception_makes_the_run_fail(tmp_path):
    path = tmp_path / "locust-sqlite-1.json"
    path.write_text(json.dumps(record()))
    clean = run.summarise_locust(run.read_record(path))
    assert run.problems(clean) == []

    failed = run.summarise_locust(record(failures=1, exit_code=1))
    assert failed["errors"] == [{"group": "search", "error": ERROR, "occurrences": 1}]
    assert run.problems(failed) == ["1 of 123 requests failed", "locust exited with 1"]

    raised = run.summarise_locust(record(exceptions=[{"count": 2, "message": "KeyError('x')"}]))
    assert run.problems(raised) == ["the locustfile raised 2 exception(s)"]


def test_main_writes_the_result_and_exits_non_zero_when_a_request_failed(
    tmp_path, monkeypatch, capsys
):
    failed = run.summarise_locust(record(failures=1, exit_code=1))
    monkeypatch.setattr(run, "run_load", lambda args: {"kind": "load", **failed})
    output = tmp_path / "load.json"
    assert run.main(["load", "--output", str(output)]) == 1
    assert json.loads(output.read_text())["total"]["failures"] == 1
    out = capsys.readouterr().out
    assert f"FAILED search: {ERROR} × 1" in out
    assert "FAILED: 1 of 123 requests failed; locust exited with 1" in out


def test_arguments_name_the_scale_and_the_files_and_build_the_locust_command():
    args = run.parse_args(["load", "--database", "postgres", "--scale", "10", "--users", "20"])
    assert (args.products, args.label, args.output.name) == (15_000, "10", "load-postgres-10.json")
    assert (args.duration, args.spawn_rate, args.wait, args.page_cache) == (
        60,
        10,
        (1.0, 3.0),
        "on",
    )
    assert args.command_line == "python bench/run.py load --database postgres --scale 10 --users 20"
    trial = run.parse_args(["load", "--products", "100", "--seed", "3", "--wait", "0", "0"])
    assert (trial.label, trial.wait) == ("100p-s3", [0.0, 0.0])
    command = run.locust_command(8123, "Reader", run.load_options(args, "/tmp/load-postgres-10"))
    assert command[1:3] == ["-m", "locust"]
    assert command[command.index("--users") + 1] == "20"
    assert command[command.index("--run-time") + 1] == "60s"
    assert command[command.index("--spawn-rate") + 1] == "10"
    assert command[command.index("--host") + 1] == "http://127.0.0.1:8123"
    assert command[command.index("--csv") + 1] == "/tmp/load-postgres-10"
    assert "--headless" in command and "--only-summary" in command
    assert command[-1] == "Reader"


def test_locust_readers_request_the_mix_and_failures_are_counted(site, tmp_path, monkeypatch):  # noqa: F811
    """The harness's real locust run (bench/locustfile.py's Reader user) on a small site."""
    monkeypatch.setattr(run, "BENCH_DIR", tmp_path)
    page = {"path": "/page", "check": {"contains": ["<h1>3 products"]}}
    groups = {
        "products_list": {"title": "Products list", "targets": [page]},
        "home": {"title": "Home page", "targets": [{"path": "/gone", "check": {}}]},
        "search": {"title": "Search", "targets": []},  # an empty pool is left out of the mix
    }
    plan = {"mode": "load", "groups": groups, "wait": [0.0, 0.01]}
    # Readers choose groups at random by weight (12 : 4): 6 s of two readers make a hundred
    # or more page views even on a loaded machine, so a run without a home page view (under
    # 0.75 ** 30 for 30 views) does not happen in practice.
    args = run.parse_args(["load", "--users", "2", "--spawn-rate", "2", "--duration", "6"])
    with open(tmp_path / "locust.log", "w") as log:
        options = run.load_options(args, tmp_path / "load")
        found = run.run_locust("trial", plan, site, "Reader", options, log=log, timeout=60)
    summary = run.summarise_locust(found)
    products, home = summary["groups"]
    assert (products["name"], products["weight"], products["urls"]) == ("products_list", 12, 1)
    assert products["requests"] > 0 and products["failures"] == 0
    assert home["requests"] == home["failures"] > 0
    assert summary["errors"] == [
        {
            "group": "home",
            "error": "CatchResponseError('HTTP 404')",
            "occurrences": home["failures"],
        }
    ]
    assert run.problems(summary)[0].endswith("requests failed")


def load_run(failures=0):
    summary = run.summarise_locust(record(failures=failures))
    base = latency_result("sqlite", 1, [2.0, 5.0, 12.0])
    return {
        "kind": "load",
        "database": "sqlite",
        "scale": 1,
        "data": "synthetic",
        "products": 1500,
        "command": "python bench/run.py load --database sqlite --scale 1",
        "started_at": "2025-01-01T11:00:00+00:00",
        "git": {"commit": "0123456789abcdef", "dirty": False},
        "machine": base["machine"],
        "versions": {**base["versions"], "locust": "2.47.0"},
        "server": {"workers": 2, "worker_class": "gthread", "threads": 4, "page_cache": "on"},
        "client": {
            "user_class": "FastHttpUser",
            "users": 50,
            "spawn_rate": 10,
            "duration_s": 60,
            "wait_s": [1.0, 3.0],
            "sampled_products": 200,
        },
        "load": {"other_cpu_share": 0.02},
        **summary,
    }


def test_the_report_renders_a_load_table_after_the_latency_sections():
    latency = [latency_result("sqlite", 1, [2.0, 5.0, 12.0])]
    without = report.render(latency, generated="2025-01-02")
    text = report.render(latency, loads=[load_run()], generated="2025-01-02")
    # The latency sections are unchanged; the Load section follows them.
    assert text.startswith(without.rstrip("\n") + "\n\n### Load\n")
    assert report.render(latency, loads=[], generated="2025-01-02") == without
    section = text.split("### Load", 1)[1]
    assert "50 simulated readers (locust FastHttpUser, 10 started per second)" in section
    assert "#### SQLite 1×: 50 users for 60 s" in section
    assert (
        "- `python bench/run.py load --database sqlite --scale 1` — 2025-01-01 11:00 UTC, commit "
        "0123456789; other processes used 2% of the CPUs while it measured." in section
    )
    assert "- gunicorn 2 gthread workers × 4 threads, page cache on; locust 2.47.0" in section
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows == [
        "| Page group | share | URLs | requests | failures | median ms | p95 ms | p99 ms | max ms "
        "| req/s |",
        "| Product risk page | 80% | 200 | 100 | 0 | 10 | 480 | 1,900 | 1,934 | 1.67 |",
        "| Search | 15% | 5 | 20 | 0 | 4 | 4 | 4 | 4 | 0.33 |",
        "| CSV export | 5% | 1 | 0 | 0 | — | — | — | — | 0.00 |",
        "| mystery | — | — | 3 | 0 | 5 | 5 | 5 | 5 | 0.05 |",
        "| **Total** | 100% | 206 | 123 | 0 ✓ | 10 | 150 | 480 | 1,934 | 2.05 |",
    ]
    assert "- Failed:" not in section


def test_the_report_marks_failures_and_lists_their_errors():
    text = report.render([], loads=[load_run(failures=1)], generated="2025-01-02")
    assert text.startswith("No results yet")
    assert "| **Total** | 100% | 206 | 123 | 1 ✗ |" in text
    assert f"- Failed: search: {ERROR} × 1" in text


def test_the_report_picks_up_load_files_and_leaves_trial_runs_out(tmp_path, monkeypatch):
    bench_dir = tmp_path / "var" / "bench"
    bench_dir.mkdir(parents=True)
    for name, scale in [("load-sqlite-1.json", 1), ("load-sqlite-100p.json", None)]:
        (bench_dir / name).write_text(json.dumps({"kind": "load", "scale": scale}))
    (bench_dir / "load-notes.json").write_text(json.dumps({"something": "else"}))
    monkeypatch.setattr(report, "ROOT", tmp_path)
    assert [r["_file"].rsplit("/", 1)[1] for r in report.load_results()] == ["load-sqlite-1.json"]
    (bench_dir / "load-sqlite-1.json").unlink()
    assert [r["scale"] for r in report.load_results()] == [None]  # only trial runs: shown
    named = report.load_results([bench_dir / "load-sqlite-100p.json"])
    assert [r["scale"] for r in named] == [None]

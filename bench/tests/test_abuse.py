"""bench/run.py abuse: its command line, its never-repeated query strings, and its report."""

import random

from bench import abuse, report, run


def test_the_abuse_mode_has_its_defaults_and_result_file():
    args = run.parse_args(["abuse", "--scale", "10"])
    assert (args.clients, args.duration, args.quiet, args.render_rate) == (8, 30, 15, "10/10s")
    assert args.output.name == "abuse-sqlite-10.json"


def test_every_abusive_query_string_is_new():
    rng = random.Random(1)
    paths = [abuse.new_query(rng, serial) for serial in range(2000)]
    assert len(set(paths)) == len(paths)
    assert {path.split("?")[0] for path in paths} == {
        "/risks/",
        "/search/",
        "/products/",
        "/studies/",
    }


def test_figures_take_the_median_and_the_95th_percentile():
    figures = abuse._figures([n / 1000 for n in range(1, 101)])
    assert (figures["requests"], figures["p50_ms"], figures["p95_ms"]) == (100, 50.5, 96.0)
    assert abuse._figures([]) == {"requests": 0}


def result(database, ratio, first_byte, growth):
    export = {
        "path": "/risks/?format=json",
        "status": 200,
        "bytes": 86_600_000,
        "first_byte_s": first_byte,
        "total_s": 18.9,
        "growth_mb": growth,
    }
    return {
        "database": database,
        "label": "15000p-s1",
        "products": 15000,
        "command": "python bench/run.py abuse --scale 10",
        "started_at": "2026-12-07T15:32:08+00:00",
        "git": {"commit": "51ed9a754a"},
        "server": {"render_rate": "60/m"},
        "load": {"other_cpu_share": 0.1},
        "new_queries": {
            "clients": 8,
            "duration_s": 30,
            "quiet_s": 15,
            "visitor_paths": ["/products/"],
            "visitor_quiet": {"p50_ms": 1.0, "p95_ms": 10.0},
            "visitor_abused": {"p50_ms": 2.0, "p95_ms": 10.0 * ratio},
            "p95_ratio": ratio,
            "abusive_requests": {"statuses": {"200": 963, "429": 8512}},
        },
        "exports": [export, {**export, "path": "/risks/?format=csv"}],
    }


def test_the_report_judges_each_target():
    text = report.abuse_section([result("sqlite", 2.5, 0.02, 13.0), result("postgres", 4, 1.5, 60)])
    sqlite_row, postgres_row = [line for line in text.splitlines() if "15,000 |" in line]
    assert sqlite_row.startswith("| SQLite, 15,000 |")
    assert "2.5 ✓" in sqlite_row and "0.02 s ✓" in sqlite_row and "+13.0 MB ✓" in sqlite_row
    assert "963 × 200, 8,512 × 429" in sqlite_row
    assert "4 ✗" in postgres_row and "1.5 s ✗" in postgres_row and "+60 MB ✗" in postgres_row


def test_the_report_has_a_row_for_each_front_the_clients_were_sent_to():
    alone = result("sqlite", 24.4, 0.02, 13.0)
    behind = {**alone["new_queries"], "p95_ratio": 2.1, "visitor_per_second": 10}
    alone["new_queries"] = [
        {"front": "gunicorn", **alone["new_queries"], "visitor_per_second": 10},
        {"front": "nginx", **behind},
    ]
    text = report.abuse_section([alone])
    gunicorn_row, nginx_row = [line for line in text.splitlines() if "15,000 |" in line]
    assert "| gunicorn alone |" in gunicorn_row and "24.4 ✗" in gunicorn_row
    assert "0.02 s ✓" in gunicorn_row  # the exports, measured once, on the first row
    assert "| nginx in front (`docker/nginx/limits.conf`) |" in nginx_row and "2.1 ✓" in nginx_row
    assert "(above)" in nginx_row
    assert "in turn, 10 a second." in text
    alone["new_queries"][0]["client_nice"] = 19
    assert "in turn, 10 a second; the abusive clients at CPU priority nice 19." in (
        report.abuse_section([alone])
    )

"""The benchmark of docs/performance.md: the public pages under gunicorn on loopback, with locust.

    .venv/bin/python bench/run.py latency --database sqlite --scale 1
    .venv/bin/python bench/run.py latency --database postgres --scale 10 --pg-url postgres://u@host:5432/
    .venv/bin/python bench/run.py load --database sqlite --scale 1 --users 50 --duration 60

Both modes prepare a database of 1,500 × scale synthetic products (``generate_synthetic_data``;
kept and reused when a marker says it holds the same products and seed, ``--fresh`` rebuilds
it), collect the static files, choose the URLs from the data (``bench/discover.py``, in a
subprocess with the benchmark's settings), serve the site with gunicorn (gthread workers,
production settings, DEBUG off) and run locust headless with ``bench/locustfile.py`` against
it, on the same machine. Each locust run gets a plan (``var/bench/plan-….json``) and leaves a
record (``var/bench/locust-….json``) that is summarised here.

``latency`` (``make bench``) runs locust's ``Sequence`` user: one user, no wait, each page in
turn, ``--warmup`` requests then ``--requests`` measured ones, ``/healthz`` first as the
baseline of the same run; median, p95 and requests per second of each page and the ratio of its
median to the baseline's. Three kinds of run:

1. rendered: the site's page cache off (``BENCH_PAGE_CACHE=off``), every request renders;
2. cached: the page cache on, each measured request a cache hit (unless ``--no-cached-pass``);
3. the CSV export of every concern, on a gunicorn of one worker and one thread:
   ``--export-requests`` requests (time to the last byte) after the baseline and an export with
   no rows, with the worker's RSS read from /proc before them and its peak (VmHWM) after; the
   same for one product's export, to tell memory per row from fixed costs.

It writes ``var/bench/results-DB-LABEL.json``. ``load`` (``make load``) runs locust's
``Reader``: ``--users`` readers for ``--duration`` seconds choosing pages by weight with a think
time, and writes ``var/bench/load-DB-LABEL.json`` (per page group and in total: requests,
failures, median, p95, p99 and max latency, req/s), keeping locust's CSV files
(``load-DB-LABEL_stats.csv``, ``_stats_history.csv``, ``_failures.csv``). Both record the
machine, the commit and the other processes' share of the CPUs; ``bench/report.py`` renders
them in docs/performance.md. The exit status is 1 if any request failed, the locustfile raised,
or locust failed.
"""

import argparse
import contextlib
import csv
import datetime
import hashlib
import io
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"  # databases, logs, locust's plans and records, results
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
PRODUCTS_PER_SCALE = 1500
SETTINGS = "bench.settings"
GENERATOR = "generate_synthetic_data"
DEFAULT_SEED = 1
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, direct

# ---------------------------------------------------------------------------------------------
# Statistics (pure functions, tested in bench/tests/)


def percentile(values, q):
    """The q-th percentile (0–100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def ratio(value, baseline):
    """value / baseline, or None when either is missing or the baseline is zero."""
    if value is None or not baseline:
        return None
    return value / baseline


def summarise(durations, elapsed):
    """Latency figures in milliseconds from request durations in seconds."""
    if not durations:
        return {"requests": 0}
    ms = [duration * 1000 for duration in durations]
    return {
        "requests": len(ms),
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 95),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
        "elapsed_s": elapsed,
        "rps": len(ms) / elapsed if elapsed > 0 else None,
    }


def add_ratios(results, baseline="healthz"):
    """Give the figures of every target of a run (by name) ``ratio``: median ÷ the baseline's."""
    base = (results.get(baseline) or {}).get("median_ms")
    for figures in results.values():
        figures["ratio"] = ratio(figures.get("median_ms"), base)
    return results


def memory_slope(small, full):
    """Extra peak memory per row between a small and a full export, and its projection.

    ``small`` and ``full`` are {"rows", "growth_kb"}. Returns bytes per row and the memory
    the full export needs beyond the small one (KB); None if the row counts do not differ.
    """
    rows = full["rows"] - small["rows"]
    if rows <= 0:
        return None
    extra_kb = full["growth_kb"] - small["growth_kb"]
    return {"bytes_per_row": extra_kb * 1024 / rows, "extra_kb": extra_kb}


# ---------------------------------------------------------------------------------------------
# Checking responses


class CheckFailed(Exception):
    pass


def check_body(check, body):
    """Raise CheckFailed unless ``body`` (bytes) passes ``check`` (from bench/discover.py)."""
    try:
        _check_body(check, body)
    except (ValueError, KeyError, TypeError, IndexError) as error:  # undecodable, not JSON…
        raise CheckFailed(f"unreadable response: {type(error).__name__}: {error}") from error


def _check_body(check, body):
    if "equals" in check and body.decode() != check["equals"]:
        raise CheckFailed(f"expected {check['equals']!r}, got {body[:80]!r}")
    if "contains" in check:
        text = body.decode("utf-8", errors="replace")
        for expected in check["contains"]:
            if expected not in text:
                raise CheckFailed(f"the page does not contain {expected!r}")
    if "csv_rows" in check:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        header = rows[0] if rows else []
        if "csv_header" in check and header[:1] != [check["csv_header"]]:
            raise CheckFailed(f"unexpected CSV header {header!r}")
        if len(rows) - 1 != check["csv_rows"]:
            raise CheckFailed(f"{len(rows) - 1} CSV rows, expected {check['csv_rows']}")
    if "json" in check:
        data = json.loads(body)
        for key, expected in check["json"].items():
            actual = len(data[key[4:]]) if key.startswith("len:") else data.get(key)
            if actual != expected:
                raise CheckFailed(f"JSON {key} is {actual!r}, expected {expected!r}")


# ---------------------------------------------------------------------------------------------
# Locust's records (pure functions, tested in bench/tests/)


def sample_figures(samples, failures=()):
    """A latency target's figures from the exact samples bench/locustfile.py kept.

    ``samples`` are [start (epoch seconds), response time (ms, to the last byte), bytes] of the
    measured requests that passed; ``failures`` the errors of those that did not (warm-ups
    included). req/s is over the measured requests, from the first's start to the last's end.
    """
    if samples:
        elapsed = max(start + ms / 1000 for start, ms, _ in samples) - min(s[0] for s in samples)
        result = summarise([ms / 1000 for _, ms, _ in samples], elapsed)
        result["bytes"] = sum(size for _, _, size in samples) // len(samples)
    else:
        result = summarise([], 0)
    result["failures"] = len(failures)
    if failures:
        result["errors"] = sorted(set(failures))[:5]
    return result


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


def figures_of_locust(entries, seconds):
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
        return {
            "exit_code": None,
            "mix": [],
            "stats": [],
            "errors": [],
            "exceptions": [],
            "samples": {},
            "failures": {},
            "memory": None,
        }
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
                **figures_of_locust([entry] if entry else [], seconds),
            }
        )
    for name, entry in entries.items():
        groups.append(
            {"name": name, "title": name, "weight": None, "share": None, "urls": None}
            | figures_of_locust([entry], seconds)
        )
    total = {
        "name": "total",
        "title": "Total",
        "weight": weights or None,
        "share": 1.0 if mix else None,
        "urls": sum(item["urls"] for item in mix) or None,
        **figures_of_locust(record["stats"], seconds),
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
# Processes: the server under test and its workers' memory


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid):
    """Direct children of ``pid`` (gunicorn's workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def memory_kb(pid):
    """{"rss": VmRSS, "hwm": VmHWM} of a process in KB (the peak since start or last reset)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[2:5].lower()] = int(line.split()[1])
    return values


def reset_peak(pid):
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def process_stat(pid):
    """(parent pid, start time in ticks, CPU seconds) of a process, or None once it has gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # from field 3, "state"
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return int(fields[1]), int(fields[19]), cpu


def process_cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def machine_busy_seconds():
    """CPU seconds every CPU of the machine spent busy (not idle or waiting), from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


PG_BACKEND = re.compile(r"^postgres: \S+ (\S+) ")
PG_PARALLEL = re.compile(r"^postgres: parallel worker for PID (\d+)")


class LoadMeter:
    """How much CPU other processes took while the benchmark measured (they skew the figures).

    The benchmark's own processes are this one and its descendants (gunicorn's master and
    workers, locust) and, on PostgreSQL, the server's backends connected to the benchmark
    database and their parallel workers; /proc is sampled every half second to follow them
    (short-lived parallel workers included). other = the machine's busy time − the benchmark's,
    as a share of the machine's CPU capacity over the measurement.
    """

    INTERVAL = 0.5

    def __init__(self, database_name=None):
        self.database_name = database_name
        self.seen = {}  # (pid, start ticks) -> [CPU seconds at first sight, latest]
        self.known = {}  # (pid, start ticks) -> ours?
        self.stop = threading.Event()

    def is_ours(self, pid, parent, key, ours):
        """Whether a process is the benchmark's; ``ours`` holds the pids found ours so far."""
        if key not in self.known:
            command = process_cmdline(pid)
            backend = PG_BACKEND.match(command)
            parallel = PG_PARALLEL.match(command)
            self.known[key] = (
                parent == os.getpid()
                or parent in ours
                or bool(backend and self.database_name and backend[1] == self.database_name)
                or bool(parallel and int(parallel[1]) in ours)
            )
        return self.known[key]

    def sample(self, first=False):
        ours = {pid for (pid, _), mine in self.known.items() if mine}
        pids = sorted(int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
        for pid in pids:  # parents (lower pids, as a rule) first
            stat = process_stat(pid)
            if stat is None:
                continue
            parent, started, cpu = stat
            key = (pid, started)
            if not self.is_ours(pid, parent, key, ours):
                continue
            ours.add(pid)
            if key in self.seen:
                self.seen[key][1] = cpu
            else:  # a process born during the measurement counts from zero
                self.seen[key] = [cpu if first else 0.0, cpu]

    def ours(self):
        return sum(latest - initial for initial, latest in self.seen.values())

    def run(self):
        while not self.stop.wait(self.INTERVAL):
            self.sample()

    def __enter__(self):
        self.sample(first=True)
        self.start = (
            time.monotonic(),
            machine_busy_seconds(),
            time.process_time(),
            os.getloadavg(),
        )
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.sample()
        wall, busy, own, load = self.start
        wall = time.monotonic() - wall
        result = {"loadavg_start": load[0], "loadavg_end": os.getloadavg()[0], "seconds": wall}
        end_busy = machine_busy_seconds()
        capacity = wall * (os.cpu_count() or 1)
        if busy is not None and end_busy is not None and capacity > 0:
            ours = self.ours() + time.process_time() - own
            result["benchmark_cpu_share"] = ours / capacity
            result["other_cpu_share"] = max(0.0, (end_busy - busy) - ours) / capacity
        self.result = result


def stop_process(process, stop_signal, *, seconds):
    """Send ``stop_signal`` to ``process`` if it runs; kill it after ``seconds``."""
    if process and process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """gunicorn serving the site on 127.0.0.1 on a free port, until stopped."""

    def __init__(self, env, *, workers, threads, log_path, timeout=600):
        self.env, self.workers, self.threads = env, workers, threads
        self.log_path, self.timeout = log_path, timeout
        self.port = free_port()
        self.process = None

    @property
    def command(self):
        return [
            sys.executable, "-m", "gunicorn", "rmpsite.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", "gthread",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--timeout", str(self.timeout),
            "--error-logfile", str(self.log_path),
            "--log-level", "warning",
        ]  # fmt: skip

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        self.wait_ready()
        return self

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.process.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(OSError), NO_PROXY.open(url, timeout=5) as response:
                if response.status == 200 and len(self.worker_pids()) == self.workers:
                    return
            time.sleep(0.2)
        self.stop()
        raise SystemExit(
            f"gunicorn did not answer /healthz within {seconds} s; see {self.log_path}"
        )

    def worker_pids(self):
        return child_pids(self.process.pid)

    def stop(self):
        stop_process(self.process, signal.SIGTERM, seconds=30)

    def __exit__(self, *exc):
        self.stop()


PROXY_LIMITS = ROOT / "docker" / "nginx" / "limits.conf"


def proxy_config(directory, *, listen_port, upstream_port, limits=PROXY_LIMITS):
    """nginx's configuration in front of a gunicorn: the per-client limits the deployment
    ships (``docker/nginx/limits.conf``) and its proxy headers, without TLS."""
    return f"""
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {limits};
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffering off;
            proxy_read_timeout 600s;
        }}
    }}
}}
"""


class Proxy:
    """nginx on 127.0.0.1 on a free port in front of ``upstream_port``, until stopped."""

    def __init__(self, directory, upstream_port, limits=PROXY_LIMITS):
        self.directory = Path(directory)
        self.upstream_port, self.limits = upstream_port, limits
        self.port = free_port()
        self.process = None

    @staticmethod
    def executable():
        """nginx on the PATH, or where Debian installs it (/usr/sbin, off a user's PATH)."""
        return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")

    def __enter__(self):
        nginx = self.executable()
        if nginx is None:
            raise SystemExit("nginx not found: apt-get install nginx-light (or --no-proxy)")
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "nginx.conf"
        config.write_text(
            proxy_config(
                self.directory,
                listen_port=self.port,
                upstream_port=self.upstream_port,
                limits=self.limits,
            )
        )
        command = [nginx, "-c", str(config), "-p", str(self.directory), "-g", "daemon off;"]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"nginx exited: {self.process.stderr.read().decode()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return self
            time.sleep(0.1)
        self.stop()
        raise SystemExit("nginx did not listen within 10 s")

    def stop(self):
        stop_process(self.process, signal.SIGQUIT, seconds=10)  # SIGQUIT: finish, then stop

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------------------------
# Preparing the database


def git_describe():
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def generator_files():
    """The generator's code: the command, and the ``synthetic*`` modules or package of its app."""
    commands = sorted(ROOT.glob(f"*/management/commands/{GENERATOR}.py"))
    if not commands:
        return []
    files = [commands[0]]
    for path in sorted(commands[0].parents[2].glob("synthetic*")):
        if path.is_dir():
            files += sorted(path.rglob("*.py"))
        elif path.suffix == ".py":
            files.append(path)
    return files


def generator_digest():
    """SHA-256 of the generator's code: a changed generator means new data."""
    files = generator_files()
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def data_label(args):
    if args.data == "seed":
        return "seed"
    return f"{args.products}p-s{args.seed}"


def base_env(database_url):
    """The environment of every child process: production settings over the bench database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": "benchmark-only-" + hashlib.sha256(os.urandom(16)).hexdigest(),
            # testserver: bench/discover.py counts queries with Django's test client.
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "BENCH_PAGE_CACHE": "off",  # every request renders (bench/settings.py)
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def manage(env, *args, log=None):
    command = [sys.executable, "manage.py", *args]
    print("   $", shlex.join(["python", "manage.py", *args]), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        where = f"; see {log.name}" if log else ""
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}){where}")


def wanted_marker(args):
    return {
        "data": args.data,
        "products": args.products if args.data == "synthetic" else None,
        "seed": args.seed if args.data == "synthetic" else None,
        "generator_sha256": generator_digest() if args.data == "synthetic" else None,
    }


def fill_database(env, args, log):
    """migrate, then the synthetic products (or the seed data), then statistics."""
    manage(env, "migrate", "--noinput", log=log)
    if args.data == "seed":
        manage(env, "load_seed_data", log=log)
    else:
        if generator_digest() is None:
            raise SystemExit(
                f"manage.py {GENERATOR} does not exist yet; `--data seed` benchmarks the five "
                "seed products instead (a check of the harness, not a figure to publish)."
            )
        manage(env, GENERATOR, "--products", str(args.products), "--seed", str(args.seed), log=log)


def prepare_sqlite(args, log):
    """A SQLite file under var/bench; a new one is built aside and replaces the old on success."""
    path = BENCH_DIR / f"sqlite-{data_label(args)}.sqlite3"
    marker_path = path.with_suffix(".prepared.json")
    env = base_env(f"sqlite:///{path}")
    wanted = wanted_marker(args)
    marker = json.loads(marker_path.read_text()) if marker_path.exists() else None
    if not args.fresh and path.exists() and marker and marker.get("data_key") == wanted:
        print(f"== Reusing {path.relative_to(ROOT)} (prepared {marker['prepared_at']})")
        manage(env, "migrate", "--noinput", log=log)
        return env, marker
    building = path.with_suffix(".building.sqlite3")
    print(f"== Preparing {path.relative_to(ROOT)}")
    remove_sqlite(building)
    started = time.monotonic()
    fill_database(base_env(f"sqlite:///{building}"), args, log)
    with contextlib.closing(sqlite3.connect(building)) as connection:
        # Planner statistics, as after any bulk load (PostgreSQL: VACUUM ANALYZE below):
        # without them SQLite reads a text filter along a category index, not the text index.
        connection.execute("ANALYZE")
    remove_sqlite(path)
    marker_path.unlink(missing_ok=True)
    building.rename(path)
    marker = {"data_key": wanted, "prepared_at": now(), "seconds": time.monotonic() - started}
    marker_path.write_text(json.dumps(marker, indent=2))
    return env, marker


def remove_sqlite(path):
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        stale.unlink(missing_ok=True)


def database_name(url):
    """The PostgreSQL database a URL names (None for SQLite)."""
    parts = urlsplit(url)
    return unquote(parts.path.lstrip("/")) if parts.scheme.startswith("postgres") else None


def pg_database_url(server_url, name):
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(name), parts.query, ""))


def prepare_postgres(args, log):
    """A database ``--pg-prefix``… on the server; a new one is built aside, renamed on success."""
    import psycopg
    from psycopg import sql

    if not args.pg_url:
        raise SystemExit("Give the PostgreSQL server with --pg-url or BENCH_PG_URL.")
    name = args.pg_prefix + re.sub(r"[^a-z0-9]+", "_", data_label(args).lower())
    building = f"{name}_building"
    env = base_env(pg_database_url(args.pg_url, name))
    wanted = wanted_marker(args)
    admin_url = pg_database_url(args.pg_url, "postgres")

    def admin(*statements):
        with psycopg.connect(admin_url, autocommit=True) as connection:
            cursors = [connection.execute(*statement) for statement in statements]
            return [cursor.fetchall() if cursor.description else None for cursor in cursors]

    def drop(database):
        return (
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)),
        )

    (rows,) = admin(
        (
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
    )
    marker = json.loads(rows[0][0]) if rows and rows[0][0] else None
    if not args.fresh and marker and marker.get("data_key") == wanted:
        print(f"== Reusing PostgreSQL database {name} (prepared {marker['prepared_at']})")
        manage(env, "migrate", "--noinput", log=log)
        return env, marker
    print(f"== Preparing PostgreSQL database {name}")
    admin(
        drop(building),
        (sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(building)),),
    )
    started = time.monotonic()
    building_url = pg_database_url(args.pg_url, building)
    fill_database(base_env(building_url), args, log)
    with psycopg.connect(building_url, autocommit=True) as connection:
        # As autovacuum would have by now on a live server: planner statistics, visibility map.
        connection.execute("VACUUM ANALYZE")
    marker = {"data_key": wanted, "prepared_at": now(), "seconds": time.monotonic() - started}
    identifier = sql.Identifier(name)
    admin(
        drop(name),
        (sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), identifier),),
        (
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                identifier, sql.Literal(json.dumps(marker))
            ),
        ),
    )
    return env, marker


# ---------------------------------------------------------------------------------------------
# The machine


def machine_description():
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    return {
        "cpu_model": models[0].strip() if models else platform.processor() or "unknown",
        "cpu_count": os.cpu_count(),
        "memory_gb": round(int(total.group(1)) / 1024 / 1024, 1) if total else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def package_version(name):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# Running locust


def run_locust(name, plan, server, user_class, options=(), *, log=None, timeout=None):
    """locust headless with bench/locustfile.py's ``user_class`` against ``server``: its record.

    The plan goes to ``var/bench/plan-NAME.json``; the record the locustfile writes on quit to
    ``var/bench/locust-NAME.json``. locust's output goes to ``log`` (default: the terminal).
    """
    plan_path = BENCH_DIR / f"plan-{name}.json"
    record_path = BENCH_DIR / f"locust-{name}.json"
    record_path.unlink(missing_ok=True)
    plan = {**plan, "record_path": str(record_path)}
    plan_path.write_text(json.dumps(plan, indent=2, ensure_ascii=False), encoding="utf-8")
    command = locust_command(server.port, user_class, options)
    if log:
        log.write(f"$ {shlex.join(['locust', *command[3:]])}\n")
        log.flush()
    else:
        print("   $", shlex.join(["locust", *command[3:]]), flush=True)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "BENCH_PLAN": str(plan_path)},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log and subprocess.STDOUT,
    )
    try:
        exit_code = process.wait(timeout)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.terminate()
        process.wait(30)
        raise
    record = read_record(record_path)
    record["exit_code"] = exit_code  # the process's, also when it wrote no record
    return record


def locust_command(port, user_class, options=()):
    return [
        sys.executable, "-m", "locust",
        "--locustfile", str(LOCUSTFILE),
        "--headless",
        "--host", f"http://127.0.0.1:{port}",
        "--only-summary",
        *options,
        user_class,
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Latency: each page in turn, one user


def target(scenario, warmup, requests, name=None, path=None, check=None):
    """A target of the locustfile's ``Sequence`` user."""
    return {
        "name": name or scenario["name"],
        "path": path or scenario["path"],
        "check": scenario.get("check", {}) if check is None else check,
        "warmup": warmup,
        "requests": requests,
    }


def sequence(name, server, targets, log, memory=None):
    """One locust run of the ``Sequence`` user: each target's figures, and the memory probe's."""
    plan = {"mode": "latency", "targets": targets, "memory": memory}
    # Failed requests are counted per target below: locust's exit status tells only of trouble.
    options = ["--users", "1", "--spawn-rate", "1", "--exit-code-on-error", "0"]
    record = run_locust(name, plan, server, "Sequence", options, log=log)
    return latency_figures(record, targets), record.get("memory")


def latency_figures(record, targets):
    """{target name: figures} of a ``Sequence`` record (its samples; locust's rounded stats).

    A target is failed when a request failed, fewer were measured than asked, the locustfile
    raised or locust exited with an error (those fail every target of the run).
    """
    entries = {entry["name"]: entry for entry in record["stats"]}
    trouble = [f"locust exited with {record['exit_code']}"] if record["exit_code"] else []
    trouble += [f"the locustfile raised: {item['message']}" for item in record["exceptions"]]
    results = {}
    for item in targets:
        name = item["name"]
        figures = sample_figures(record["samples"].get(name, []), record["failures"].get(name, []))
        if name in entries:  # locust's own figures, its times rounded (1 ms below 100 ms)
            rounded = figures_of_locust([entries[name]], None)
            figures["locust"] = {key: rounded[key] for key in ("requests", "median_ms", "p95_ms")}
        problems = [*trouble]
        if not figures["failures"] and figures["requests"] < item["requests"]:
            problems.append(f"{figures['requests']} of {item['requests']} requests measured")
        if problems:
            figures["failures"] = figures["failures"] or 1
            figures["errors"] = [*figures.get("errors", []), *problems][:5]
        results[name] = figures
    return results


def measure_pages(name, env, scenarios, args, log, gunicorn_log):
    """The baseline and each page (not the export) in one locust run: {name: figures}."""
    pages = [s for s in scenarios if s.get("path") and not s.get("export")]
    targets = [target(s, args.warmup, args.requests) for s in pages]
    with Server(env, workers=args.workers, threads=args.threads, log_path=gunicorn_log) as server:
        results, _ = sequence(name, server, targets, log)
    for key, figures in add_ratios(results).items():
        print("   " + progress_line({"name": key, **figures}), flush=True)
    return results


def measure_export(name, env, export, memory_paths, args, log, gunicorn_log):
    """The CSV export on one worker × one thread: time to last byte, and the worker's memory.

    The worker serves the baseline (measured in the full run: the export's ratio is to it), then
    an export with no rows (so code, templates and connections are loaded); its RSS is read and
    its peak reset (/proc/PID/clear_refs), the export is requested ``--export-requests`` times,
    and the peak is read (VmHWM), by the locustfile's probe. Done for one product's export and
    for every concern's, each on a fresh server: an export that streams holds a bounded number
    of rows, so both grow by about the same; one that holds every row grows with the row count
    (``memory_slope``).
    """
    exports = {
        "small": (memory_paths["small"], memory_paths["small_rows"]),
        "full": (export["path"], export["check"]["csv_rows"]),
    }
    memory, timing = {}, None
    for label, (path, rows) in exports.items():
        check = {"csv_rows": rows, "csv_header": export["check"].get("csv_header")}
        healthz = {"name": "healthz", "path": "/healthz/live", "check": {"equals": "ok"}}
        targets = [
            target(healthz, args.warmup, args.requests if label == "full" else 0),
            target(export, 1, 0, name="export_no_rows", path=memory_paths["warm"], check={}),
            target(export, 0, args.export_requests, path=path, check=check),
        ]
        with Server(env, workers=1, threads=1, log_path=gunicorn_log) as server:
            (pid,) = server.worker_pids()
            probe = {"pid": pid, "around": export["name"]}
            results, probed = sequence(f"{name}-{label}", server, targets, log, probe)
        figures = add_ratios(results)[export["name"]]
        if label == "full":
            timing = figures
        if figures.get("median_ms") is None or not probed:
            memory["error"] = f"{path}: {'; '.join(figures.get('errors', ['no response']))}"
            continue
        memory[label] = {
            "path": path,
            "rows": rows,
            "requests": figures["requests"],
            "bytes": figures["bytes"],
            "seconds": figures["median_ms"] / 1000,
            **probed,
        }
        print(
            f"   {rows:>7} rows: {figures['requests']} requests, median "
            f"{figures['median_ms'] / 1000:.2f} s; worker peak RSS "
            f"+{probed['growth_kb'] / 1024:.1f} MB ({probed['rss_before_kb'] / 1024:.0f} → "
            f"{probed['peak_kb'] / 1024:.0f} MB)",
            flush=True,
        )
    if "small" in memory and "full" in memory:
        memory["slope"] = memory_slope(memory["small"], memory["full"])
    return timing, memory


def run_latency(args):
    tag = f"{args.database}-{args.label}"
    started_at = now()
    gunicorn_log = BENCH_DIR / f"gunicorn-{tag}.log"
    with open(BENCH_DIR / f"{tag}.log", "w") as log:
        env, marker = prepare(args, log)
        if args.prepare_only:
            return None
        print(
            "== Choosing the URLs from the data"
            + ("" if args.no_query_counts else ", counting queries")
        )
        discovery = discover_urls(env, tag, ["--no-query-counts"] * args.no_query_counts, log)
        scenarios = discovery["scenarios"]
        if args.only:
            keep = {"healthz", *args.only.split(",")}
            unknown = keep - {s["name"] for s in scenarios}
            if unknown:
                names = ", ".join(s["name"] for s in scenarios)
                unknown = ", ".join(sorted(unknown))
                raise SystemExit(f"Unknown scenario(s) {unknown}; known: {names}")
            scenarios = [s for s in scenarios if s["name"] in keep]
        for scenario in scenarios:
            if not scenario.get("path"):
                print(f"   {scenario['name']:<16} skipped: {scenario.get('skipped')}")
        by_name = {s["name"]: s for s in scenarios}
        export = next((s for s in scenarios if s.get("export") and s.get("path")), None)
        memory = None
        print(
            f"== locust, one user: {args.requests} requests per page after {args.warmup} "
            f"warm-up; see {log.name}"
        )
        with LoadMeter(database_name(env["DATABASE_URL"])) as meter:
            print(
                f"== Page cache off (every page rendered): {args.workers} gthread workers × "
                f"{args.threads} threads"
            )
            results = measure_pages(f"latency-{tag}", env, scenarios, args, log, gunicorn_log)
            for key, figures in results.items():
                by_name[key].update(figures)
            if discovery["versions"].get("page_cache") and not args.no_cached_pass:
                print("== Page cache on (each measured request a cache hit)")
                cached_env = {**env, "BENCH_PAGE_CACHE": "on"}
                results = measure_pages(
                    f"cached-{tag}", cached_env, scenarios, args, log, gunicorn_log
                )
                for key, figures in results.items():
                    by_name[key]["cached"] = figures
            if export:
                print(f"== CSV export, one worker × one thread: {args.export_requests} requests")
                timing, memory = measure_export(
                    f"export-{tag}", env, export, discovery["memory_paths"], args, log, gunicorn_log
                )
                export.update(timing or {"failures": 1, "errors": [memory.get("error")]})
                if memory.get("error"):
                    print("   " + memory["error"])
    share = meter.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")

    return {
        "format": 2,
        "kind": "latency",
        "database": args.database,
        "scale": args.scale if args.data == "synthetic" and not args.products_given else None,
        "label": args.label,
        "data": args.data,
        "products": discovery["facts"]["products"],
        "seed": args.seed if args.data == "synthetic" else None,
        "started_at": started_at,
        "finished_at": now(),
        "command": args.command_line,
        "git": git_describe(),
        "database_prepared": marker,
        "machine": machine_description(),
        "versions": versions(discovery, args),
        "server": {
            "settings": SETTINGS,
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
        },
        "client": {
            "tool": "locust",
            "user_class": "FastHttpUser",
            "users": 1,
            "requests": args.requests,
            "warmup": args.warmup,
            "export_requests": args.export_requests,
        },
        "facts": discovery["facts"],
        "load": meter.result,
        "scenarios": scenarios,
        "export_memory": memory,
    }


def latency_problems(result):
    """The scenarios with a failed request (rendered, cached or export)."""
    return [
        s["name"]
        for s in result["scenarios"]
        if s.get("path")
        and (
            s.get("failures")
            or s.get("median_ms") is None
            or (s.get("cached") or {}).get("failures")
        )
    ]


def progress_line(scenario):
    if scenario.get("median_ms") is None:
        return f"{scenario['name']:<16} FAILED: {'; '.join(scenario.get('errors', []))}"
    queries = scenario.get("queries")
    text = (
        f"{scenario['name']:<16} median {scenario['median_ms']:8.1f} ms  "
        f"p95 {scenario['p95_ms']:8.1f} ms  {scenario['rps']:7.1f} req/s"
    )
    if queries is not None:
        text += f"  {queries:3d} queries"
    if scenario.get("failures"):
        text += f"  {scenario['failures']} FAILED: {'; '.join(scenario['errors'])}"
    return text


# ---------------------------------------------------------------------------------------------
# First visits: rendered pages at two scales and Datasette, side by side in one run

# The pages compared (bench/discover.py's scenarios) and Datasette's answer to the same
# question on the same SQLite file: its table view with the same filters, and facets.
FIRST_VISIT_PAGES = [
    "products",
    "concerns",
    "studies_overdue",
    "search",
    "risk_page",
    "api_product",
]
DATASETTE_CHECK = {"contains": ['class="rows-and-columns"']}


def datasette_paths(database, facts, today):
    """{scenario: path} of Datasette's table views answering the scenarios' questions."""
    products, concerns = facts["products_filter"], facts["concerns_filter"]
    table = f"/{quote(database)}"
    return {
        "products": f"{table}/products_product?"
        + urlencode(
            [
                ("region", products["region"]),
                ("authorisation_status", products["status"]),
                ("_facet", "region"),
                ("_facet", "authorisation_status"),
            ]
        ),
        "concerns": f"{table}/risks_safetyconcern?"
        + urlencode(
            [
                ("name__contains", concerns["q"]),
                ("category", concerns["category"]),
                ("_facet", "category"),
                ("_facet", "plan_id"),
            ]
        ),
        "studies_overdue": f"{table}/risks_milestone?"
        + urlencode(
            [
                ("due_date__lt", today.isoformat()),
                ("reported_on__isnull", "1"),
                ("_facet", "precision"),
                ("_facet", "study_id"),
            ]
        ),
    }


class Datasette(Server):
    """Datasette serving a SQLite file read-only (immutable) on 127.0.0.1, until stopped."""

    def __init__(self, path, *, log_path):
        super().__init__({**os.environ}, workers=0, threads=0, log_path=log_path)
        self.path = path

    @property
    def command(self):
        return [
            sys.executable, "-m", "datasette", "serve", "-i", str(self.path),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--setting", "suggest_facets", "off",
            "--setting", "facet_time_limit_ms", "10000",
            "--setting", "sql_time_limit_ms", "10000",
            "--setting", "default_page_size", "25",
        ]  # fmt: skip

    def __enter__(self):
        self.log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        url = f"http://127.0.0.1:{self.port}/-/versions.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"datasette exited; see {self.log_path}")
            with contextlib.suppress(OSError), NO_PROXY.open(url, timeout=5) as response:
                if response.status == 200:
                    return self
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"datasette did not answer within 120 s; see {self.log_path}")

    def stop(self):
        super().stop()
        if getattr(self, "log", None):
            self.log.close()


def first_visit_targets(servers, datasette, args):
    """Warm-ups of every target, then ``args.requests`` rounds of one request per target.

    Rounds interleave the scales and Datasette, so that a change in the machine's load
    weighs on all of them alike. ``servers``: [(label, port, scenarios)]; ``datasette``:
    (port, {scenario: path}) or None. Returns (targets, {name: target description}).
    """
    described = {}
    for label, port, scenarios in servers:
        for scenario in scenarios:
            if scenario["name"] not in ["healthz", *args.pages] or not scenario.get("path"):
                continue
            name = f"{scenario['name']}@{label}"
            described[name] = {
                "scenario": scenario["name"],
                "scale": label,
                "server": "site",
                "url": f"http://127.0.0.1:{port}{scenario['path']}",
                "path": scenario["path"],
                "check": scenario.get("check", {}),
                "queries": scenario.get("queries"),
                "accept": JSON if scenario["name"].startswith("api") else None,
            }
    if datasette:
        port, paths = datasette
        label = servers[-1][0]
        for scenario, path in paths.items():
            if scenario in args.pages:
                described[f"datasette {scenario}@{label}"] = {
                    "scenario": scenario,
                    "scale": label,
                    "server": "datasette",
                    "url": f"http://127.0.0.1:{port}{path}",
                    "path": path,
                    "check": DATASETTE_CHECK,
                    "queries": None,
                }
    warmups = [
        {**_target(name, d), "warmup": args.warmup, "requests": 0} for name, d in described.items()
    ]
    rounds = [
        {**_target(name, d), "warmup": 0, "requests": 1}
        for _ in range(args.requests)
        for name, d in described.items()
    ]
    return warmups + rounds, described


JSON = "application/json"


def _target(name, described):
    target = {"name": name, "path": described["url"], "check": described["check"]}
    if described.get("accept"):
        target["accept"] = described["accept"]
    return target


def scale_args(args, scale):
    """A copy of ``args`` for one scale (its products, label and output names)."""
    one = argparse.Namespace(**vars(args))
    one.scale, one.products, one.data = scale, None, "synthetic"
    set_products_and_label(one)
    return one


def run_first_visits(args):
    """Rendered first visits at each scale and Datasette's answers, in one locust run."""
    import datetime as dt

    tag = f"{args.database}-first-visits"
    started_at = now()
    prepared = []
    with open(BENCH_DIR / f"{tag}.log", "w") as log:
        for scale in args.scales:
            one = scale_args(args, scale)
            env, marker = prepare(one, log)
            print(f"== Choosing the URLs of {one.products:,} products, counting queries")
            discovery = discover_urls(env, f"{args.database}-{one.label}", [], log)
            prepared.append((one, env, marker, discovery))
        if args.prepare_only:
            return None
        with contextlib.ExitStack() as stack:
            servers = []
            for one, env, _, discovery in prepared:
                server = stack.enter_context(
                    Server(
                        env,
                        workers=args.workers,
                        threads=args.threads,
                        log_path=BENCH_DIR / f"gunicorn-{args.database}-{one.label}.log",
                    )
                )
                servers.append((f"{one.products}", server.port, discovery["scenarios"]))
            datasette = None
            largest, _, _, largest_discovery = prepared[-1]
            if args.database == "sqlite" and not args.no_datasette:
                path = BENCH_DIR / f"sqlite-{data_label(largest)}.sqlite3"
                ds = stack.enter_context(
                    Datasette(path, log_path=BENCH_DIR / f"datasette-{largest.label}.log")
                )
                today = dt.date.today()
                datasette = (ds.port, datasette_paths(path.stem, largest_discovery["facts"], today))
            targets, described = first_visit_targets(servers, datasette, args)
            print(
                f"== locust, one user: {args.warmup} warm-up(s) per target, then "
                f"{args.requests} rounds of {len(described)} targets; see {log.name}"
            )
            plan = {"mode": "latency", "targets": targets, "memory": None}
            options = ["--users", "1", "--spawn-rate", "1", "--exit-code-on-error", "0"]
            with LoadMeter(database_name(prepared[-1][1]["DATABASE_URL"])) as meter:
                record = run_locust(
                    f"{tag}",
                    plan,
                    servers[0][1] and _Host(servers[0][1]),
                    "Sequence",
                    options,
                    log=log,
                )
    figures = {}
    for name, description in described.items():
        result = sample_figures(record["samples"].get(name, []), record["failures"].get(name, []))
        figures[name] = {**description, **result}
    for label, _, _ in servers:
        add_ratios(
            {k: v for k, v in figures.items() if k.endswith(f"@{label}")}, f"healthz@{label}"
        )
    for name, item in figures.items():
        print("   " + progress_line({"name": name, **item}), flush=True)
    share = meter.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")
    return {
        "format": 1,
        "kind": "first_visits",
        "database": args.database,
        "scales": [
            {
                "scale": one.scale,
                "label": f"{one.products}",
                "products": discovery["facts"]["products"],
                "facts": discovery["facts"],
                "database_prepared": marker,
                "versions": versions(discovery, one),
            }
            for one, _, marker, discovery in prepared
        ],
        "started_at": started_at,
        "finished_at": now(),
        "command": args.command_line,
        "git": git_describe(),
        "machine": machine_description(),
        "server": {
            "settings": SETTINGS,
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
            "page_cache": "off",
        },
        "client": {
            "tool": "locust",
            "user_class": "FastHttpUser",
            "users": 1,
            "requests": args.requests,
            "warmup": args.warmup,
            "interleaved": True,
        },
        "datasette": package_version("datasette") if datasette else None,
        "load": meter.result,
        "pages": args.pages,
        "targets": figures,
        "exit_code": record["exit_code"],
    }


class _Host:
    """What run_locust needs of a server: its port (the targets' URLs are absolute)."""

    def __init__(self, port):
        self.port = port


def first_visit_problems(result):
    return [name for name, item in result["targets"].items() if item.get("failures")]


# ---------------------------------------------------------------------------------------------
# Load: many readers with a think time


def run_load(args):
    tag = f"{args.database}-{args.label}"
    started_at = now()
    with open(BENCH_DIR / f"load-{tag}.log", "w") as log:
        env, marker = prepare(args, log)
        if args.prepare_only:
            return None
        print(f"== Choosing the URLs from the data ({args.sample} products sampled)")
        options = ["--mix", "--sample", str(args.sample), "--seed", str(args.seed)]
        mix = discover_urls(env, f"load-{tag}", options, log)
    csv_prefix = BENCH_DIR / f"load-{tag}"
    for stale in BENCH_DIR.glob(f"load-{tag}_*.csv"):
        stale.unlink()
    print(
        f"== gunicorn: {args.workers} gthread workers × {args.threads} threads, page cache "
        f"{args.page_cache}; locust: {args.users} users ({args.spawn_rate:g}/s) for "
        f"{args.duration} s, {args.wait[0]:g}–{args.wait[1]:g} s between pages",
        flush=True,
    )
    plan = {"mode": "load", "groups": mix["groups"], "wait": list(args.wait)}
    server_env = {**env, "BENCH_PAGE_CACHE": args.page_cache}
    with (
        Server(
            server_env,
            workers=args.workers,
            threads=args.threads,
            log_path=BENCH_DIR / f"gunicorn-load-{tag}.log",
        ) as server,
        LoadMeter(database_name(env["DATABASE_URL"])) as meter,
    ):
        options = load_options(args, csv_prefix)
        record = run_locust(
            f"load-{tag}", plan, server, "Reader", options, timeout=args.duration + 300
        )
    share = meter.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")

    return {
        "format": 1,
        "kind": "load",
        "database": args.database,
        "scale": args.scale if not args.products_given else None,
        "label": args.label,
        "data": "synthetic",
        "products": mix["facts"]["products"],
        "seed": args.seed,
        "started_at": started_at,
        "finished_at": now(),
        "command": args.command_line,
        "git": git_describe(),
        "database_prepared": marker,
        "machine": machine_description(),
        "versions": versions(mix, args),
        "server": {
            "settings": SETTINGS,
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
            "sampled_products": mix["facts"]["sampled_products"],
        },
        "facts": mix["facts"],
        "load": meter.result,
        **summarise_locust(record),
    }


def run_abuse(args):
    """``bench/abuse.py``'s two measurements against one gunicorn (see there)."""
    import abuse  # bench/abuse.py, beside this file

    tag = f"{args.database}-{args.label}"
    started_at = now()
    with open(BENCH_DIR / f"abuse-{tag}.log", "w") as log:
        env, marker = prepare(args, log)
        if args.prepare_only:
            return None
    # The client address: the proxy's X-Real-IP when there is one, else the peer's.
    server_env = {
        **env,
        "BENCH_PAGE_CACHE": "on",
        "BENCH_PUBLIC_RENDER_RATE": args.render_rate,
        "DJANGO_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
    }
    print(
        f"== gunicorn: {args.workers} gthread workers × {args.threads} threads, page cache on, "
        f"render rate {args.render_rate} per address; {args.clients} clients sending new query "
        f"strings for {args.duration} s after {args.quiet} s quiet, to gunicorn"
        + (" then to nginx in front of it (docker/nginx/limits.conf)" if args.proxy else ""),
        flush=True,
    )

    def measure(front, base):
        figures = abuse.measure_new_queries(
            base, clients=args.clients, quiet=args.quiet, duration=args.duration
        )
        quiet, busy = figures["visitor_quiet"], figures["visitor_abused"]
        print(
            f"   {front}: visitor p50/p95 quiet {quiet.get('p50_ms')}/{quiet.get('p95_ms')} ms, "
            f"with {args.clients} abusive clients {busy.get('p50_ms')}/{busy.get('p95_ms')} ms "
            f"(p95 × {figures['p95_ratio']}); abusive answers "
            f"{figures['abusive_requests']['statuses']}",
            flush=True,
        )
        time.sleep(2)
        return {"front": front, **figures}

    def server():  # a new one for each front: empty page caches, no renders counted yet
        return Server(
            server_env,
            workers=args.workers,
            threads=args.threads,
            log_path=BENCH_DIR / f"gunicorn-abuse-{tag}.log",
        )

    with LoadMeter(database_name(env["DATABASE_URL"])) as meter:
        with server() as alone:
            new_queries = [measure("gunicorn", f"http://127.0.0.1:{alone.port}")]
        if args.proxy:
            with (
                server() as behind,
                Proxy(BENCH_DIR / f"nginx-abuse-{tag}", behind.port) as proxy,
            ):
                new_queries.append(measure("nginx", f"http://127.0.0.1:{proxy.port}"))
    # The exports on a server of their own, with no render limit: one request each.
    with Server(
        {**env, "BENCH_PAGE_CACHE": "off"},
        workers=args.workers,
        threads=args.threads,
        log_path=BENCH_DIR / f"gunicorn-abuse-export-{tag}.log",
    ) as server:
        base = f"http://127.0.0.1:{server.port}"
        exports = []
        for path in ("/risks/?format=json", "/risks/?format=csv"):
            figures = abuse.measure_export(base, path, server.worker_pids(), memory_kb, reset_peak)
            print(
                f"   {path}: {figures['status']}, first byte {figures['first_byte_s']} s, "
                f"last {figures['total_s']} s, {figures['bytes'] / 1e6:.1f} MB, worker "
                f"{figures['rss_before_mb']} → peak {figures['peak_mb']} MB "
                f"(+{figures['growth_mb']} MB)",
                flush=True,
            )
            exports.append(figures)
    share = meter.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")
    return {
        "format": 1,
        "kind": "abuse",
        "database": args.database,
        "label": args.label,
        "products": args.products,
        "started_at": started_at,
        "finished_at": now(),
        "command": args.command_line,
        "git": git_describe(),
        "database_prepared": marker,
        "machine": machine_description(),
        "server": {
            "settings": SETTINGS,
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
            "render_rate": args.render_rate,
        },
        "new_queries": new_queries,
        "exports": exports,
        "load": meter.result,
    }


def load_options(args, csv_prefix):
    """locust's options for the load test (its CSV files start with ``csv_prefix``)."""
    return [
        "--users", str(args.users),
        "--spawn-rate", f"{args.spawn_rate:g}",
        "--run-time", f"{args.duration}s",
        "--csv", str(csv_prefix),
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Both modes


def prepare(args, log):
    """The database (prepared or reused) and the static files: the environment to serve with."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env, marker = (prepare_sqlite if args.database == "sqlite" else prepare_postgres)(args, log)
    # also when only preparing: choosing the URLs renders pages, which name the static files
    print("== Collecting static files (var/bench/static)")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
    return env, marker


def discover_urls(env, tag, options, log):
    """bench/discover.py in a subprocess with the benchmark's environment: what it chose."""
    path = BENCH_DIR / f"discovery-{tag}.json"
    command = [sys.executable, str(ROOT / "bench" / "discover.py"), str(path), *options]
    log.flush()
    if subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log).returncode:
        raise SystemExit(f"bench/discover.py failed; see {log.name}")
    return json.loads(path.read_text(encoding="utf-8"))


def versions(discovery, args):
    return {
        **discovery["versions"],
        "gunicorn": package_version("gunicorn"),
        "locust": package_version("locust"),
        "psycopg": package_version("psycopg") if args.database == "postgres" else None,
    }


# ---------------------------------------------------------------------------------------------
# Command line


def add_data_arguments(parser):
    """The options that choose the database and its data (both modes)."""
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--scale", type=int, choices=[1, 10], default=1, help="1,500 × SCALE products (default 1)"
    )
    parser.add_argument(
        "--products", type=int, help="this many products instead (a quick check of the harness)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/ (default $BENCH_PG_URL)",
    )
    parser.add_argument(
        "--pg-prefix",
        default=os.environ.get("BENCH_PG_PREFIX", "rmp_bench_"),
        help="the bench databases' names start with this (default $BENCH_PG_PREFIX or rmp_bench_)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare the database, measure nothing"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="per worker (default 4)")
    parser.add_argument("--output", type=Path, help="the result file (default under var/bench)")


def set_products_and_label(args):
    """``args.products`` (from the scale unless given) and ``args.label``, which names files."""
    args.products_given = args.products is not None
    if args.products is None:
        args.products = PRODUCTS_PER_SCALE * args.scale
    if args.data == "seed":
        args.label = "seed"
    elif args.products_given:
        args.label = f"{args.products}p"
    else:
        args.label = str(args.scale)
    if args.seed != DEFAULT_SEED and args.data == "synthetic":
        args.label += f"-s{args.seed}"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Benchmark the public pages under gunicorn with locust (docs/performance.md)."
    )
    modes = parser.add_subparsers(dest="mode", required=True)
    latency = modes.add_parser(
        "latency", help="each page in turn, rendered and cached, and the CSV export (make bench)"
    )
    add_data_arguments(latency)
    latency.add_argument(
        "--data",
        choices=["synthetic", "seed"],
        default="synthetic",
        help="seed: the five seed products instead of generated ones (harness check only)",
    )
    latency.add_argument("--requests", type=int, default=200, help="per page (default 200)")
    latency.add_argument(
        "--export-requests", type=int, default=10, help="of the CSV export (default 10)"
    )
    latency.add_argument(
        "--warmup", type=int, default=5, help="requests before measuring a page (default 5)"
    )
    latency.add_argument("--only", help="comma-separated scenario names (the baseline always runs)")
    latency.add_argument("--no-query-counts", action="store_true")
    latency.add_argument(
        "--no-cached-pass",
        action="store_true",
        help="skip the run with the site's page cache on",
    )
    first = modes.add_parser(
        "first-visits",
        help="rendered pages (page cache off) at 1,500 and 15,000 products and Datasette's "
        "answers, side by side in one locust run",
    )
    add_data_arguments(first)
    first.add_argument(
        "--scales",
        default="1,10",
        type=lambda text: sorted({int(part) for part in text.split(",")}),
        help="comma-separated scales, each 1,500 products (default 1,10)",
    )
    first.add_argument("--requests", type=int, default=30, help="rounds (default 30)")
    first.add_argument("--warmup", type=int, default=3, help="per target (default 3)")
    first.add_argument(
        "--pages",
        default=",".join(FIRST_VISIT_PAGES),
        type=lambda text: [part for part in text.split(",") if part],
        help=f"scenarios compared (default {','.join(FIRST_VISIT_PAGES)})",
    )
    first.add_argument("--no-datasette", action="store_true", help="leave Datasette out")
    load = modes.add_parser("load", help="many readers with a think time (make load)")
    add_data_arguments(load)
    load.add_argument("--users", type=int, default=50, help="concurrent readers (default 50)")
    load.add_argument(
        "--spawn-rate", type=float, default=10, help="readers started per second (default 10)"
    )
    load.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    load.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds a reader waits between pages (default 1 3; 0 0 for a stress test)",
    )
    load.add_argument(
        "--sample", type=int, default=200, help="products the readers visit (default 200)"
    )
    load.add_argument(
        "--page-cache",
        choices=["on", "off"],
        default="on",
        help="the site's page cache (default on, as in production; off: every page renders)",
    )
    abuse = modes.add_parser(
        "abuse",
        help="a visitor beside clients sending ever-new query strings; the export of every "
        "concern: memory and time to first byte",
    )
    add_data_arguments(abuse)
    abuse.add_argument("--clients", type=int, default=8, help="abusive clients (default 8)")
    abuse.add_argument("--duration", type=int, default=30, help="seconds of abuse (default 30)")
    abuse.add_argument("--quiet", type=int, default=15, help="seconds before (default 15)")
    abuse.add_argument(
        "--render-rate",
        default="10/10s",
        help="renders per client address (default 10/10s, production's)",
    )
    abuse.add_argument(
        "--no-proxy",
        dest="proxy",
        action="store_false",
        help="gunicorn alone: skip the second measurement behind nginx",
    )
    args = parser.parse_args(argv)
    if args.mode in ("load", "first-visits", "abuse"):
        args.data = "synthetic"
    set_products_and_label(args)
    if args.output is None:
        prefix = {
            "latency": "results",
            "load": "load",
            "first-visits": "first-visits",
            "abuse": "abuse",
        }
        label = "" if args.mode == "first-visits" else f"-{args.label}"
        args.output = BENCH_DIR / f"{prefix[args.mode]}-{args.database}{label}.json"
    args.command_line = shlex.join(["python", "bench/run.py", *argv])
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if shutil.which("git") is None:
        print("(git not found: the results will not name the commit)")
    modes = {
        "latency": run_latency,
        "load": run_load,
        "first-visits": run_first_visits,
        "abuse": run_abuse,
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    result = modes[args.mode](args)
    if result is None:
        print("== Prepared; nothing measured (--prepare-only)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if args.mode == "load":
        print("\n".join(summary_lines(result)))
    print(f"== Wrote {args.output}")
    found = {
        "load": problems,
        "latency": latency_problems,
        "first-visits": first_visit_problems,
        "abuse": lambda result: [],
    }[args.mode](result)
    if found:
        print("FAILED: " + "; ".join(found))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

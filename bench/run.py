"""Benchmark the public pages under gunicorn on loopback; write the figures as JSON.

    .venv/bin/python bench/run.py --database sqlite --scale 1
    .venv/bin/python bench/run.py --database postgres --scale 10 --pg-url postgres://u@host:5432/

Steps: prepare a database of 1,500 × scale synthetic products (``generate_synthetic_data``;
kept and reused when a marker says it holds the same products and seed, ``--fresh`` rebuilds
it), choose the URLs from the data (``bench/discover.py``), serve the site with gunicorn
(gthread workers, production settings, DEBUG off), warm every URL up, then request each one
``--requests`` times and record median, p95, requests per second and the ratio of the median to
the baseline's (``/healthz``) in the same run. The CSV export of every concern is also measured
for its worker's memory (see ``measure_export_memory``). ``bench/report.py`` turns the JSON into
the table in docs/performance.md.

Only the standard library and the project's requirements are used.
"""

import argparse
import contextlib
import csv
import datetime
import hashlib
import http.client
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
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PRODUCTS_PER_SCALE = 1500
SETTINGS = "bench.settings"
GENERATOR = "generate_synthetic_data"
DEFAULT_SEED = 1
READ_CHUNK = 64 * 1024

# ---------------------------------------------------------------------------------------------
# Statistics (pure functions, tested in bench/tests/test_harness.py)


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


def add_ratios(scenarios, baseline="healthz"):
    """Give every measured scenario ``ratio``: its median over the baseline's median."""
    base = next((s for s in scenarios if s["name"] == baseline), None)
    base_median = base.get("median_ms") if base else None
    for scenario in scenarios:
        scenario["ratio"] = ratio(scenario.get("median_ms"), base_median)
    return scenarios


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
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
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
# HTTP client


def fetch(connection, path):
    """GET ``path`` on a kept-alive connection: (status, body, seconds to first byte, total)."""
    start = time.perf_counter()
    connection.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Encoding": "identity"})
    response = connection.getresponse()
    first = time.perf_counter()
    chunks = []
    while chunk := response.read(READ_CHUNK):
        chunks.append(chunk)
    end = time.perf_counter()
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, b"".join(chunks), first - start, end - start


class Client:
    """One kept-alive HTTP connection per thread to the server under test."""

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def get(self, path):
        connection = getattr(self.local, "connection", None)
        reused = connection is not None
        if connection is None:
            connection = self.local.connection = self.connect()
        try:
            return fetch(connection, path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # gunicorn closes a kept-alive connection after a few idle seconds: retry once.
            connection.close()
            self.local.connection = None
            if not reused:
                raise
            return self.get(path)
        except (http.client.HTTPException, OSError):
            connection.close()
            self.local.connection = None
            raise

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)


def run_requests(client, scenario, count, concurrency):
    """Request the scenario ``count`` times from ``concurrency`` threads; times and failures."""
    durations, first_bytes, failures = [], [], []
    validated = set()  # digests of bodies that passed the full check
    lock = threading.Lock()
    remaining = iter(range(count))
    total_bytes = [0]

    def work():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            try:
                status, body, first, total = client.get(scenario["path"])
                problem = None
                if status != 200:
                    problem = f"HTTP {status}: {error_excerpt(body)}"
                else:
                    digest = hashlib.sha1(body).digest()
                    if digest not in validated:
                        check_body(scenario.get("check", {}), body)
                        with lock:
                            validated.add(digest)
            except CheckFailed as error:
                problem = str(error)
            except (http.client.HTTPException, OSError) as error:
                problem, total, first, body = f"{type(error).__name__}: {error}", None, None, b""
            with lock:
                if problem:
                    failures.append(problem)
                else:
                    durations.append(total)
                    first_bytes.append(first)
                    total_bytes[0] += len(body)

    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(max(1, concurrency))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return durations, first_bytes, failures, elapsed, total_bytes[0]


def error_excerpt(body):
    """The <title> of an error page, or its first characters."""
    text = body.decode("utf-8", errors="replace")
    match = re.search(r"<title>(.*?)</title>", text, re.S)
    return (match.group(1) if match else text[:120]).strip()


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

    The benchmark's own processes are this one, gunicorn's master and workers and, on
    PostgreSQL, the server's backends connected to the benchmark database and their parallel
    workers; /proc is sampled every half second to follow them (short-lived parallel workers
    included). other = the machine's busy time − the benchmark's, as a share of the machine's
    CPU capacity over the measurement.
    """

    INTERVAL = 0.5

    def __init__(self, server, database_name=None):
        self.server, self.database_name = server, database_name
        self.seen = {}  # (pid, start ticks) -> [CPU seconds at first sight, latest]
        self.known = {}  # (pid, start ticks) -> ours?
        self.stop = threading.Event()

    def is_ours(self, pid, parent, key, backends):
        if key not in self.known:
            master = self.server.process.pid
            command = process_cmdline(pid)
            backend = PG_BACKEND.match(command)
            parallel = PG_PARALLEL.match(command)
            self.known[key] = (
                pid == master
                or parent == master
                or bool(backend and self.database_name and backend[1] == self.database_name)
                or bool(parallel and int(parallel[1]) in backends)
            )
        return self.known[key]

    def sample(self, first=False):
        backends = {pid for (pid, _), ours in self.known.items() if ours}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            stat = process_stat(pid)
            if stat is None:
                continue
            parent, started, cpu = stat
            key = (pid, started)
            if not self.is_ours(pid, parent, key, backends):
                continue
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
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.process.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                status, _, _, _ = fetch(connection, "/healthz")
                connection.close()
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            time.sleep(0.2)
        self.stop()
        raise SystemExit(
            f"gunicorn did not answer /healthz within {seconds} s; see {self.log_path}"
        )

    def worker_pids(self):
        return child_pids(self.process.pid)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

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
    """A database rmp_bench_… on the server; a new one is built aside and renamed on success."""
    import psycopg
    from psycopg import sql

    if not args.pg_url:
        raise SystemExit("Give the PostgreSQL server with --pg-url or BENCH_PG_URL.")
    name = "rmp_bench_" + re.sub(r"[^a-z0-9]+", "_", data_label(args).lower())
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
# Measuring


def measure_scenario(client, scenario, args):
    count = args.export_requests if scenario.get("export") else args.requests
    warmup = args.export_warmup if scenario.get("export") else args.warmup
    _, _, warm_failures, _, _ = run_requests(client, scenario, warmup, 1)
    if warm_failures:
        return {"failures": len(warm_failures), "errors": sorted(set(warm_failures))[:5]}
    durations, first_bytes, failures, elapsed, size = run_requests(
        client, scenario, count, args.concurrency
    )
    result = summarise(durations, elapsed)
    if first_bytes:
        result["ttfb_median_ms"] = statistics.median(first_bytes) * 1000
    result["bytes"] = size // len(durations) if durations else None
    result["failures"] = len(failures)
    if failures:
        result["errors"] = sorted(set(failures))[:5]
    return result


def measure_cached(env, scenarios, args, log_path):
    """The pages again with the site's page cache on: after the warm-up, each is a cache hit.

    Stored as ``scenario["cached"]`` (median, p95, rps, ratio to the baseline of this pass).
    The CSV export is streamed, so never cached, and is left out.
    """
    print("== With the page cache on (responses from the cache after the warm-up)")
    pages = [s for s in scenarios if s.get("path") and not s.get("export")]
    with Server(
        {**env, "BENCH_PAGE_CACHE": "on"},
        workers=args.workers,
        threads=args.threads,
        log_path=log_path,
    ) as server:
        client = Client(server.port)
        for scenario in pages:
            scenario["cached"] = measure_scenario(client, scenario, args)
            print("   " + progress_line({**scenario, **scenario["cached"], "queries": None}))
    base = next((s["cached"] for s in pages if s["name"] == "healthz"), None)
    for scenario in pages:
        scenario["cached"]["ratio"] = ratio(
            scenario["cached"].get("median_ms"), base and base.get("median_ms")
        )


def measure_export_memory(env, memory_paths, export, log_path):
    """Peak RSS growth of a single gunicorn worker while it streams a CSV export.

    For each of two exports, one product's concerns and every concern, a fresh server with one
    worker and one thread is started; the worker serves /healthz and a CSV export with no rows
    (so code, templates and connections are loaded), then its peak RSS is reset
    (/proc/PID/clear_refs) and the export is streamed to the end. Growth = VmHWM after the
    export − VmRSS before it. A streaming export that holds O(1) rows has the same growth for
    both; one that holds every row grows with the row count (``memory_slope``).
    """
    results = {}
    exports = {
        "small": (memory_paths["small"], memory_paths["small_rows"]),
        "full": (export["path"], export["check"]["csv_rows"]),
    }
    for label, (path, rows) in exports.items():
        with Server(env, workers=1, threads=1, log_path=log_path) as server:
            client = Client(server.port)
            for warm in ("/healthz", memory_paths["warm"]):
                status, _, _, _ = client.get(warm)
                if status != 200:
                    return {"error": f"{warm} answered {status}"}
            (pid,) = server.worker_pids()
            before = memory_kb(pid)["rss"]
            exact = reset_peak(pid)
            sampled = [before]
            done = threading.Event()

            def sample(pid=pid, sampled=sampled, done=done):
                while not done.wait(0.005):
                    with contextlib.suppress(OSError):
                        sampled.append(memory_kb(pid)["rss"])

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                status, body, first, total = client.get(path)
            finally:
                done.set()
                sampler.join()
            after = memory_kb(pid)
            peak = max(after["hwm"] if exact else 0, max(sampled), after["rss"])
            if status != 200:
                return {"error": f"{path} answered {status}: {error_excerpt(body)}"}
            results[label] = {
                "path": path,
                "rows": rows,
                "bytes": len(body),
                "seconds": total,
                "ttfb_seconds": first,
                "rss_before_kb": before,
                "peak_kb": peak,
                "growth_kb": peak - before,
                "peak_source": "VmHWM" if exact else "VmRSS sampled every 5 ms",
            }
    results["slope"] = memory_slope(results["small"], results["full"])
    return results


def run(args):
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tag = f"{args.database}-{args.label}"
    log_path = BENCH_DIR / f"{tag}.log"
    started_at = now()
    with open(log_path, "w") as log:
        prepare = prepare_sqlite if args.database == "sqlite" else prepare_postgres
        env, marker = prepare(args, log)
        if args.prepare_only:
            return None
        print("== Collecting static files (var/bench/static)")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
        print(
            "== Choosing the URLs from the data"
            + ("" if args.no_query_counts else ", counting queries")
        )
        discovery_path = BENCH_DIR / f"discovery-{tag}.json"
        command = [sys.executable, str(ROOT / "bench" / "discover.py"), str(discovery_path)]
        if args.no_query_counts:
            command.append("--no-query-counts")
        log.flush()
        if subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log).returncode:
            raise SystemExit(f"bench/discover.py failed; see {log_path}")
    discovery = json.loads(discovery_path.read_text())
    scenarios = discovery["scenarios"]
    if args.only:
        keep = {"healthz", *args.only.split(",")}
        unknown = keep - {s["name"] for s in scenarios}
        if unknown:
            names = ", ".join(s["name"] for s in scenarios)
            raise SystemExit(f"Unknown scenario(s) {', '.join(sorted(unknown))}; known: {names}")
        scenarios = [s for s in scenarios if s["name"] in keep]

    gunicorn_log = BENCH_DIR / f"gunicorn-{tag}.log"
    print(f"== gunicorn: {args.workers} gthread workers × {args.threads} threads")
    with (
        Server(env, workers=args.workers, threads=args.threads, log_path=gunicorn_log) as server,
        LoadMeter(server, database_name(env["DATABASE_URL"])) as load,
    ):
        client = Client(server.port)
        for scenario in scenarios:
            if not scenario.get("path"):
                print(f"   {scenario['name']:<16} skipped: {scenario.get('skipped')}")
                continue
            scenario.update(measure_scenario(client, scenario, args))
            print("   " + progress_line(scenario), flush=True)
    share = load.result.get("other_cpu_share")
    if share is not None:
        print(f"   other processes used {share:.0%} of the machine's CPU meanwhile")
    add_ratios(scenarios)
    if discovery["versions"].get("page_cache") and not args.no_cached_pass:
        measure_cached(env, scenarios, args, gunicorn_log)

    export = next((s for s in scenarios if s["name"] == "export_csv" and s.get("path")), None)
    memory = None
    if export and not args.no_memory:
        print("== CSV export memory (one worker, one thread)")
        memory = measure_export_memory(env, discovery["memory_paths"], export, gunicorn_log)
        for label in ("small", "full"):
            if label in memory:
                item = memory[label]
                print(
                    f"   {item['rows']:>7} rows: peak RSS +{item['growth_kb'] / 1024:.1f} MB "
                    f"({item['rss_before_kb'] / 1024:.0f} → {item['peak_kb'] / 1024:.0f} MB), "
                    f"{item['seconds']:.2f} s"
                )
        if memory.get("error"):
            print("   " + memory["error"])

    return {
        "format": 1,
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
        "versions": {
            **discovery["versions"],
            "gunicorn": package_version("gunicorn"),
            "psycopg": package_version("psycopg") if args.database == "postgres" else None,
        },
        "server": {
            "settings": SETTINGS,
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
        },
        "client": {
            "concurrency": args.concurrency,
            "requests": args.requests,
            "export_requests": args.export_requests,
            "warmup": args.warmup,
            "export_warmup": args.export_warmup,
        },
        "facts": discovery["facts"],
        "load": load.result,
        "scenarios": scenarios,
        "export_memory": memory,
    }


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


def add_data_arguments(parser):
    """The options that choose the database and its data (this benchmark and bench/load.py)."""
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
        description="Benchmark the public pages under gunicorn (see docs/performance.md)."
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--data",
        choices=["synthetic", "seed"],
        default="synthetic",
        help="seed: the five seed products instead of generated ones (harness check only)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare the database, measure nothing"
    )
    parser.add_argument("--requests", type=int, default=200, help="per page (default 200)")
    parser.add_argument(
        "--export-requests", type=int, default=10, help="of the CSV export (default 10)"
    )
    parser.add_argument("--warmup", type=int, default=5, help="requests before measuring a page")
    parser.add_argument("--export-warmup", type=int, default=1)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="client threads (default 1: latency)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", help="comma-separated scenario names (the baseline always runs)")
    parser.add_argument("--no-query-counts", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the export memory probe")
    parser.add_argument(
        "--no-cached-pass",
        action="store_true",
        help="skip the second pass with the site's page cache on",
    )
    parser.add_argument("--output", type=Path, help="default var/bench/results-DB-SCALE.json")
    args = parser.parse_args(argv)
    set_products_and_label(args)
    if args.output is None:
        args.output = BENCH_DIR / f"results-{args.database}-{args.label}.json"
    args.command_line = shlex.join(["python", "bench/run.py", *argv])
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if shutil.which("git") is None:
        print("(git not found: the results will not name the commit)")
    results = run(args)
    if results is None:
        print("== Prepared; nothing measured (--prepare-only)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"== Wrote {args.output}")
    failed = [
        s["name"]
        for s in results["scenarios"]
        if s.get("path") and (s.get("failures") or (s.get("cached") or {}).get("failures"))
    ]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

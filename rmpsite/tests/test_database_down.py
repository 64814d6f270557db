"""The database stops (or freezes) under a running server: every answer comes within 5 s.

A real gunicorn serves a database of its own, with the seed data: a SQLite file, and a
throwaway PostgreSQL cluster made with initdb and pg_ctl when the PostgreSQL server binaries
are installed (skipped otherwise). Then the database goes away and each kind of request is
asked again: a page and the API answer 503 with Retry-After (the site's page, JSON), an
address no route matches still answers 404, the liveness check 200 and the readiness check
503. When the database is back, so is the site.
"""

import contextlib
import glob
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
WITHIN = 5  # seconds, for every answer
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rmpsite.settings.test",
        "DATABASE_URL": database_url,
        "DJANGO_DATA_VERSION_TTL": "0",  # every request reads the database
        "DJANGO_DB_CONNECT_TIMEOUT": "2",
        "DJANGO_HEALTH_CHECK_CACHE_SECONDS": "0",
        "DJANGO_DB_CLIENT_GRACE": "1",  # production's (the test settings allow more)
        **extra,
    }


def manage(*args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def prepare(database_url):
    env = environment(database_url)
    manage("migrate", "--noinput", env=env)
    manage("load_seed_data", env=env)


@contextlib.contextmanager
def serving(database_url, log_dir, **extra):
    """gunicorn on a free port, serving ``database_url``; yields its base URL."""
    port = free_port()
    log = open(Path(log_dir) / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(GUNICORN), "rmpsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=environment(database_url, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                if ask(base, "/healthz/live")[0] == 200:
                    break
            time.sleep(0.25)
        else:
            pytest.fail("gunicorn did not start")
        assert process.poll() is None, Path(log.name).read_text()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def ask(base, path, accept="text/html"):
    """(status, headers, body, seconds) of GET ``path``."""
    request = urllib.request.Request(base + path, headers={"Accept": accept})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, headers, body.decode(), time.monotonic() - started


def check_up(base):
    assert ask(base, "/products/lemtrada/")[0] == 200
    assert ask(base, "/api/v1/products/", "application/json")[0] == 200
    assert ask(base, "/healthz/ready")[0] == 200


def check_down(base, log_path):
    """Every kind of answer while the database is away, each within ``WITHIN`` seconds."""
    answers = {
        "page": ask(base, "/products/lemtrada/"),
        "list": ask(base, "/risks/?q=infection"),
        "api": ask(base, "/api/v1/products/", "application/json"),
        "not found": ask(base, "/no-such-page/"),
        "api not found": ask(base, "/api/v2/", "application/json"),
        "live": ask(base, "/healthz/live"),
        "ready": ask(base, "/healthz/ready"),
        "health": ask(base, "/healthz"),
    }
    slow = {name: round(a[3], 2) for name, a in answers.items() if a[3] >= WITHIN}
    assert not slow, f"answers took {slow} s; log: {log_path.read_text()[-3000:]}"
    statuses = {name: a[0] for name, a in answers.items()}
    assert statuses == {
        "page": 503,
        "list": 503,
        "api": 503,
        "not found": 404,
        "api not found": 404,
        "live": 200,
        "ready": 503,
        "health": 503,
    }, log_path.read_text()[-3000:]
    for name in ("page", "list", "api", "ready"):
        assert answers[name][1]["Retry-After"], name
    assert "<h1>Service unavailable</h1>" in answers["page"][2]  # the site's own page
    assert "RMP Browser" in answers["page"][2]
    assert json.loads(answers["api"][2])["detail"].startswith("The database is not answering")
    assert "There is no published page at this address." in answers["not found"][2]
    return answers


def test_sqlite_file_locked_or_gone_under_a_running_server(tmp_path):
    database = tmp_path / "site.sqlite3"
    url = f"sqlite:///{database}"
    prepare(url)
    with serving(url, tmp_path, DJANGO_DB_PUBLIC_STATEMENT_TIMEOUT="2") as base:
        check_up(base)

        # Locked by another process: answered within the limit, whatever the journal mode
        # (in WAL mode readers are not blocked, and the pages still answer 200).
        locker = sqlite3.connect(database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            answers = {
                path: ask(base, path, accept)
                for path, accept in [
                    ("/products/lemtrada/", "text/html"),
                    ("/risks/?q=pml", "text/html"),
                    ("/api/v1/products/", "application/json"),
                    ("/no-such-page/", "text/html"),
                    ("/healthz/live", "text/html"),
                ]
            }
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert {path: a[3] < WITHIN for path, a in answers.items()} == dict.fromkeys(answers, True)
        assert {path: a[0] for path, a in answers.items()} == {
            "/products/lemtrada/": answers["/products/lemtrada/"][0],
            "/risks/?q=pml": answers["/risks/?q=pml"][0],
            "/api/v1/products/": answers["/api/v1/products/"][0],
            "/no-such-page/": 404,
            "/healthz/live": 200,
        }
        for path in ("/products/lemtrada/", "/risks/?q=pml", "/api/v1/products/"):
            assert answers[path][0] in (200, 503), path

        # Gone: the path cannot be opened as a database.
        aside = tmp_path / "aside.sqlite3"
        database.rename(aside)
        database.mkdir()  # the path is there, the database is not: it cannot be opened
        check_down(base, tmp_path / "gunicorn.log")
        database.rmdir()
        aside.rename(database)
        check_up(base)


# PostgreSQL: a cluster of its own, stopped and frozen under the server


def as_postgres(args):
    """Run the server binaries as the postgres user when this runs as root (as in CI)."""
    if os.geteuid() == 0:
        return ["su", "postgres", "-c", shlex.join(map(str, args))]
    return [str(arg) for arg in args]


class Cluster:
    def __init__(self, directory, port):
        self.directory, self.port = Path(directory), port
        self.bin = Path(PG_BIN[-1])

    def run(self, *args):
        subprocess.run(as_postgres(args), check=True, capture_output=True, timeout=120)

    def init(self):
        self.run(
            self.bin / "initdb", "-D", self.directory / "data", "-A", "trust", "-U", "postgres"
        )

    def start(self):
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self.run(
            self.bin / "pg_ctl", "-D", self.directory / "data", "-l", self.directory / "log",
            "-w", "-o", options, "start",
        )  # fmt: skip

    def stop(self):
        self.run(self.bin / "pg_ctl", "-D", self.directory / "data", "-m", "fast", "-w", "stop")

    def processes(self):
        """The postmaster and its children, by process id."""
        postmaster = int((self.directory / "data" / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    children.append(int(Path(stat).parent.name))
        return [postmaster, *children]

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture
def cluster():
    if not PG_BIN or not (Path(PG_BIN[-1]) / "initdb").exists():
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")
    if os.geteuid() == 0 and shutil.which("su") is None:
        pytest.skip("running as root without su: cannot run PostgreSQL as its own user")
    directory = tempfile.mkdtemp(prefix="rmp-down-pg-")
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    cluster = Cluster(directory, free_port())
    try:
        cluster.init()
        cluster.start()
        cluster.run(
            cluster.bin / "createdb", "-h", "127.0.0.1", "-p", cluster.port, "-U", "postgres", "rmp"
        )
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_postgresql_stopped_and_frozen_under_a_running_server(cluster, tmp_path):
    url = cluster.url("rmp")
    prepare(url)
    # Persistent, health-checked connections, as in production: the ones open when the
    # server stops or freezes must answer in time too.
    with serving(
        url,
        tmp_path,
        DJANGO_SETTINGS_MODULE="rmpsite.tests.persistent_settings",
        DJANGO_DB_PUBLIC_STATEMENT_TIMEOUT="2",
    ) as base:
        check_up(base)
        cluster.stop()
        check_down(base, tmp_path / "gunicorn.log")
        cluster.start()
        check_up(base)

        # Frozen: the server accepts connections and answers nothing. Open connections wait
        # on a query (cut off by the statement limit and its grace), new ones on connecting.
        frozen = cluster.processes()
        try:
            for pid in frozen:
                # a backend listed a moment ago may have exited since: nothing to freeze
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            check_down(base, tmp_path / "gunicorn.log")
        finally:
            for pid in frozen:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        check_up(base)

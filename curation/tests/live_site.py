"""A real site for races: its own database, gunicorn workers and threads, real requests.

The test database of the suite cannot host a race: on SQLite it lives in memory, shared
by one connection, and on PostgreSQL each test runs inside a transaction nobody else
sees. ``LiveSite.start`` therefore migrates a database of its own (a SQLite file, or a
fresh PostgreSQL database on the server DATABASE_URL names), fills it with a short setup
script, and serves it with gunicorn (2 processes of 4 threads, as in production), so that
concurrent requests really meet in the database.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveSite:
    env: dict
    base_url: str = ""
    data: dict = field(default_factory=dict)
    server: subprocess.Popen | None = None
    drop: object = None  # drops the PostgreSQL database at the end

    @classmethod
    def start(cls, workdir, setup_script):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rmpsite.settings.test",
            "IMPORT_UPLOAD_DIR": str(workdir / "uploads"),
            "PYTHONPATH": str(ROOT),
        }
        site = cls(env)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            env["DATABASE_URL"], site.drop = _fresh_postgres_database(url)
        else:
            env["DATABASE_URL"] = f"sqlite:///{workdir / 'races.sqlite3'}"
        try:
            site.manage("migrate", "--no-input", "-v", "0")
            output = site.manage("shell", "-c", setup_script)
            site.data = json.loads(output.strip().splitlines()[-1])
            port = _free_port()
            site.base_url = f"http://127.0.0.1:{port}"
            site.server = subprocess.Popen(
                [
                    GUNICORN,
                    "rmpsite.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115 (kept open while it runs)
            )
            site._wait_until_up()
        except BaseException:
            site.stop()
            raise
        return site

    def manage(self, *args, check=True):
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run_manage(self, *args):
        """Start ``manage.py`` without waiting: the caller collects it (a race)."""
        return subprocess.Popen(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _wait_until_up(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError("gunicorn exited before it served")
            try:
                requests.get(f"{self.base_url}/healthz", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.drop is not None:
            self.drop()

    def session(self, name):
        """A requests session logged in as the setup script's user ``name``."""
        browser = requests.Session()
        browser.cookies.set("sessionid", self.data["sessions"][name], domain="127.0.0.1")
        return browser

    def url(self, path):
        return f"{self.base_url}{path}"


def _fresh_postgres_database(url):
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0] + "_races"
    admin_url = f"{base}/postgres"

    def execute(sql):
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _FormParser(HTMLParser):
    """The fields of one form of a page (by its id or action), as a browser posts them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id in {attrs.get("id"), attrs.get("action")}
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_fields(html, form_id=None):
    parser = _FormParser(form_id)
    parser.feed(html)
    data = parser.data
    for name, value in data.items():
        if value.startswith("\n"):  # a textarea's first line break is not its text
            data[name] = value[1:]
    return data


def message_of(html):
    """The error note of a page, for assertion messages."""
    found = re.search(r'class="errornote"[^>]*>(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""

"""The benchmark's clients, run by locust headless (``bench/run.py`` starts it; see there).

``bench/run.py`` writes a plan (JSON, named in ``BENCH_PLAN``) and names the user class on
locust's command line:

- ``Sequence`` (``bench/run.py latency``): one user, no wait, requests each target of
  ``plan["targets"]`` in turn, its warm-up requests (named "NAME (warm-up)") then its measured
  ones (named NAME), and stops locust when done. The exact response time of every measured
  request (time to the last byte, as locust's request event reports it) is kept, since locust's
  own stats round times below 100 ms to whole milliseconds, too coarse for a 1 ms baseline. With
  ``plan["memory"]`` it also reads the RSS of a gunicorn worker (``pid``) from /proc before the
  measured requests of the target named ``around`` (after their warm-ups) and its peak after.
- ``Reader`` (``bench/run.py load``): readers of the public site. Each opens a page, waits a
  think time drawn from ``plan["wait"]`` and opens the next, choosing its group by the weights
  of ``MIX`` and then a URL of that group's pool (``plan["groups"]``) at random.

Every response is checked (``catch_response=True``), so an error is a failed request in
locust's figures: status 200 (redirects are not followed, so a redirect fails too) and the
body must pass its check (``bench/run.py``'s ``check_body``): the expected ``<h1>`` with the
count of matches, the product's name and first concern, the slug and number of concerns in the
API's JSON, one CSV row per current concern, a line of the stylesheet.

In the load test the page cache (``rmpsite/page_cache.py``, per gunicorn worker) is on and
empty at the start: a URL's first request in each worker renders the page, later ones are cache
hits; with a few hundred distinct URLs many requests in a 60 s run are misses, as after a
publication. The client sends no ``If-None-Match``, so no request is answered ``304 Not
Modified``, as for a reader who has not seen the page before.

When locust quits, the record of the run (``plan["record_path"]``) is written: locust's final
stats entries and failures, exceptions raised here, and per mode the mix or the exact samples.
"""

import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser
from locust.stats import StatsError

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import CheckFailed, check_body, memory_kb, reset_peak  # noqa: E402

# Out of 100 page views (locust task weights). Each group's pool is chosen by bench/discover.py.
MIX = {
    # A product's risk page: 200 products sampled from the database (the largest among them).
    "product_page": 40,
    # The products list: unfiltered, page 2, each authorisation status, region and concern
    # category alone, and the three together.
    "products_list": 12,
    # Search for one of the five words found in the most concern names.
    "search": 10,
    # Safety concerns across products (/risks/): one of those words and its commonest category.
    "concerns": 8,
    # The API's product detail (JSON) of one of the sampled products.
    "api_product": 8,
    # The stylesheets (site.css, print.css) at their hashed URLs, served by whitenoise.
    "static_css": 8,
    # Two or three of the sampled products compared side by side (/compare/).
    "compare": 5,
    # The studies list, overdue.
    "studies_overdue": 4,
    # The home page.
    "home": 4,
    # The CSV export of every current concern (/risks/?format=csv): rare, and the heaviest.
    "export_csv": 1,
}

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # as a browser asks
ACCEPT = {"api_product": "application/json", "static_css": "text/css,*/*;q=0.1"}

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
GROUPS = {name: group for name, group in PLAN.get("groups", {}).items() if group["targets"]}
RUN = {
    "samples": defaultdict(list),  # measured name -> [[start (epoch s), ms, bytes], …]
    "failures": defaultdict(list),  # target name -> [error, …] (warm-up requests included)
    "memory": None,
}


def problem_with(response, check):
    """Why a response fails, or None when it is a 200 that passes ``check``."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        check_body(check, response.content or b"")
    except CheckFailed as error:
        return str(error)
    return None


def get(user, path, name, check, accept, context=None):
    """GET ``path`` as locust request ``name``; a response that fails ``check`` is a failure."""
    with user.client.get(
        path,
        name=name,
        headers={"Accept": accept},
        allow_redirects=False,
        catch_response=True,
        context=context or {},
    ) as response:
        problem = problem_with(response, check)
        if problem:
            response.failure(problem)
        else:
            response.success()


# ---------------------------------------------------------------------------------------------
# Latency: each target in turn


class MemoryProbe:
    """A process's RSS before, and its peak (VmHWM after a reset, else sampled) until ``stop``."""

    def __init__(self, pid):
        self.pid = pid
        self.before = memory_kb(pid)["rss"]
        self.exact = reset_peak(pid)
        self.sampled = [self.before]
        self.sampler = None if self.exact else gevent.spawn(self.sample)

    def sample(self):
        while True:
            gevent.sleep(0.005)
            self.sampled.append(memory_kb(self.pid)["rss"])

    def stop(self):
        if self.sampler:
            self.sampler.kill()
        after = memory_kb(self.pid)
        peak = max(after["hwm"] if self.exact else 0, max(self.sampled), after["rss"])
        return {
            "rss_before_kb": self.before,
            "peak_kb": peak,
            "rss_after_kb": after["rss"],
            "growth_kb": peak - self.before,
            "peak_source": "VmHWM" if self.exact else "VmRSS sampled every 5 ms",
        }


class Sequence(FastHttpUser):
    wait_time = constant(0)

    @task
    def measure(self):
        try:
            for target in PLAN["targets"]:
                self.measure_target(target)
        finally:
            gevent.spawn(self.environment.runner.quit)  # once this user has stopped
        raise StopUser

    def measure_target(self, target):
        name, memory = target["name"], PLAN.get("memory")
        accept = target.get("accept") or ACCEPT.get(name, HTML)
        warmup, measured = {"target": name, "measured": False}, {"target": name, "measured": True}
        for _ in range(target["warmup"]):
            get(self, target["path"], f"{name} (warm-up)", target["check"], accept, warmup)
        probe = MemoryProbe(memory["pid"]) if memory and memory["around"] == name else None
        try:
            for _ in range(target["requests"]):
                get(self, target["path"], name, target["check"], accept, measured)
        finally:
            if probe:
                RUN["memory"] = probe.stop()


@events.request.add_listener
def keep_sample(name, response_time, response_length, exception, context, start_time=None, **kw):
    """The exact time of every measured request of the latency mode (locust rounds its own)."""
    if "target" not in (context or {}):
        return
    if exception:
        RUN["failures"][context["target"]].append(str(exception))
    elif context["measured"]:
        RUN["samples"][name].append([start_time, response_time, response_length])


# ---------------------------------------------------------------------------------------------
# Load: readers choosing pages by weight


def page_view(group):
    def view(user):
        target = random.choice(GROUPS[group]["targets"])
        get(user, target["path"], group, target["check"], ACCEPT.get(group, HTML))

    view.__name__ = group
    return view


class Reader(FastHttpUser):
    wait_time = between(*PLAN.get("wait", (0, 0)))
    tasks = {page_view(group): weight for group, weight in MIX.items() if group in GROUPS}


# ---------------------------------------------------------------------------------------------
# The record


@events.init.add_listener
def remember(environment, **kwargs):
    RUN["environment"] = environment


@events.quit.add_listener
def record(exit_code, **kwargs):
    """Write the run's record where bench/run.py reads it.

    Written on ``quit``, after the runner has stopped (locust's own CSV files are rewritten
    once a second and may miss the last requests). ``stats`` is locust's serialised stats
    entries (its ``--json-file`` format), ``errors`` its failure table.
    """
    environment = RUN["environment"]
    errors = [
        {
            "name": error.name,
            "error": StatsError.parse_error(error.error),
            "occurrences": error.occurrences,
        }
        for error in environment.stats.errors.values()
    ]
    raised = environment.runner.exceptions.values() if environment.runner else []
    record = {
        "exit_code": exit_code,
        "mode": PLAN["mode"],
        "stats": [entry.serialize() for entry in environment.stats.entries.values()],
        "errors": errors,
        "exceptions": [{"count": item["count"], "message": item["msg"]} for item in raised],
    }
    if PLAN["mode"] == "load":
        record["mix"] = [
            {
                "name": group,
                "title": GROUPS[group]["title"],
                "weight": weight,
                "urls": len(GROUPS[group]["targets"]),
            }
            for group, weight in MIX.items()
            if group in GROUPS
        ]
    else:
        record.update(
            samples=dict(RUN["samples"]), failures=dict(RUN["failures"]), memory=RUN["memory"]
        )
    Path(PLAN["record_path"]).write_text(json.dumps(record, indent=2), encoding="utf-8")

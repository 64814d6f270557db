"""``bench/run.py abuse``: what abusive clients cost a normal visitor, and what a full export costs.

Two measurements against one gunicorn (the production settings of ``bench/settings.py``, the
page cache on, as in production, and the render rate limit of production unless
``--render-rate`` says otherwise):

- **ever-new query strings**: a visitor requests the public lists (``/products/``,
  ``/risks/``, ``/studies/``, cache hits after their first request) in turn, ten a second from
  an address of its own (127.0.0.2), alone for ``--quiet`` seconds, then while ``--clients``
  other processes each send, from 127.0.0.1 and with no wait, requests whose query string was
  never sent before (a new text filter on a list, a new search, an unknown parameter) for
  ``--duration`` seconds; the visitor's p50 and p95 in each phase, and how the abusive
  requests were answered (rendered, refused with 429 or 400, failed). Measured twice: against
  gunicorn alone, then behind nginx with the deployment's per-client limits
  (``docker/nginx/limits.conf``);
- **the export of every concern** (``/risks/?format=json`` and ``?format=csv``), alone on the
  server: time to the first byte and to the last, bytes, and the growth of the serving worker's
  resident memory (peak during the export over the RSS before it, read from /proc).

The client processes run on the same machine as the server (two cores shared with everything
else), as the other modes' locust does; ``LoadMeter`` records what other processes took. The
abusive clients run at the lowest CPU priority (``ABUSER_NICE``), standing in for machines of
their own: eight Python loops at the server's priority would take both cores whatever the
server does with their requests, and the visitor would wait for them, not for the server.
"""

import http.client
import multiprocessing
import os
import random
import statistics
import string
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

VISITOR_PATHS = ["/products/", "/risks/", "/studies/"]
# The visitor: a person, or a script reading pages at a steady pace, from an address that is
# not the abusive clients' (the whole of 127.0.0.0/8 is the loopback on Linux).
VISITOR_ADDRESS = "127.0.0.2"
VISITOR_PER_SECOND = 10
ABUSER_ADDRESS = "127.0.0.1"
ABUSER_NICE = 19
WORDS = ["reaction", "hepat", "infection", "bleeding", "renal", "cardiac", "skin", "neuro"]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(base, path, timeout=120, source=ABUSER_ADDRESS):
    """(status, seconds) of one GET from the address ``source``, reading the whole body."""
    address = urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


def new_query(rng, serial):
    """A query string never sent before: a new text filter, a new search, an unknown parameter."""
    token = "".join(rng.choices(string.ascii_lowercase, k=5)) + str(serial)
    word = rng.choice(WORDS)
    return rng.choice(
        [
            f"/risks/?q={word}+{token}",
            f"/risks/?q={word}&category=potential&x={token}",
            f"/search/?q={word}+{token}",
            f"/products/?q={token}",
            f"/studies/?q={token}",
            f"/products/?region=EU&concern=potential&{token}=1",
        ]
    )


def _abuser(base, deadline, seed, queue):
    os.nice(ABUSER_NICE)
    rng = random.Random(seed)
    statuses, times, serial = {}, [], 0
    while time.monotonic() < deadline:
        serial += 1
        status, seconds = _get(base, new_query(rng, f"{seed}x{serial}"))
        statuses[status] = statuses.get(status, 0) + 1
        times.append(seconds)
    queue.put({"statuses": statuses, "times": times})


def _visit(base, seconds):
    """The visitor's request times (s) over ``seconds``: the lists in turn, at its pace."""
    started = time.monotonic()
    deadline, times, failures, index = started + seconds, [], 0, 0
    while (now := time.monotonic()) < deadline:
        time.sleep(max(0.0, started + index / VISITOR_PER_SECOND - now))
        status, took = _get(base, VISITOR_PATHS[index % len(VISITOR_PATHS)], source=VISITOR_ADDRESS)
        index += 1
        if status == 200:
            times.append(took)
        else:
            failures += 1
    return times, failures


def _figures(times):
    if not times:
        return {"requests": 0}
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure_new_queries(base, *, clients, quiet, duration):
    """The visitor's figures alone, then beside ``clients`` abusive processes."""
    for path in VISITOR_PATHS:  # each worker's cache may need a first render
        for _ in range(4):
            _get(base, path, source=VISITOR_ADDRESS)
    quiet_times, quiet_failures = _visit(base, quiet)
    queue = multiprocessing.Queue()
    deadline = time.monotonic() + duration
    processes = [
        multiprocessing.Process(target=_abuser, args=(base, deadline, seed, queue))
        for seed in range(clients)
    ]
    for process in processes:
        process.start()
    busy_times, busy_failures = _visit(base, duration)
    reports = [queue.get(timeout=duration + 300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    statuses = {}
    for report in reports:
        for status, n in report["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    quiet_figures, busy_figures = _figures(quiet_times), _figures(busy_times)
    return {
        "clients": clients,
        "quiet_s": quiet,
        "duration_s": duration,
        "visitor_paths": VISITOR_PATHS,
        "visitor_per_second": VISITOR_PER_SECOND,
        "client_nice": ABUSER_NICE,
        "visitor_quiet": {**quiet_figures, "failures": quiet_failures},
        "visitor_abused": {**busy_figures, "failures": busy_failures},
        "p95_ratio": (
            round(busy_figures["p95_ms"] / quiet_figures["p95_ms"], 2)
            if quiet_figures.get("p95_ms") and busy_figures.get("p95_ms")
            else None
        ),
        "abusive_requests": {
            "statuses": statuses,
            **_figures([t for report in reports for t in report["times"]]),
        },
    }


def measure_export(base, path, worker_pids, memory_kb, reset_peak):
    """Time to first and last byte of ``path`` and the serving worker's memory growth."""
    before = {pid: memory_kb(pid) for pid in worker_pids}
    for pid in worker_pids:
        reset_peak(pid)
    started = time.perf_counter()
    first_byte, size, status = None, 0, 0
    try:
        with NO_PROXY.open(base + path, timeout=600) as response:
            status = response.status
            while chunk := response.read1(65536):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
    except urllib.error.HTTPError as error:
        status = error.code
    total = time.perf_counter() - started
    after = {pid: memory_kb(pid) for pid in worker_pids}
    growth = {pid: after[pid]["hwm"] - before[pid]["rss"] for pid in worker_pids}
    served_by = max(growth, key=growth.get)
    return {
        "path": path,
        "status": status,
        "bytes": size,
        "first_byte_s": round(first_byte, 3) if first_byte is not None else None,
        "total_s": round(total, 2),
        "rss_before_mb": round(before[served_by]["rss"] / 1024, 1),
        "peak_mb": round(after[served_by]["hwm"] / 1024, 1),
        "growth_mb": round(growth[served_by] / 1024, 1),
        "rss_after_mb": round(after[served_by]["rss"] / 1024, 1),
    }

"""Readers of the public site, for the load test (``bench/load.py`` runs locust headless).

``bench/load.py`` chooses the URLs from the database (``discover_mix``) and names the JSON
file that holds them in ``BENCH_LOAD_PLAN``: for each page group below, a pool of URLs with
what each response must contain. Each simulated reader opens a page, waits a think time drawn
from ``plan["wait"]`` (1–3 s unless ``--wait`` says otherwise), and opens the next, choosing its
group by the weights of ``MIX`` and then a URL of that group's pool at random (uniformly).

Every response is checked (``catch_response=True``), so an error is a failed request in
locust's figures: status 200 (redirects are not followed, so a redirect fails too) and the
body must pass the check ``bench/run.py`` uses (``check_body``): the expected ``<h1>`` with
the count of matches, the product's name and first concern, the slug and number of concerns
in the API's JSON, one CSV row per current concern, a line of the stylesheet.

The public pages are cached per gunicorn worker (``rmpsite/page_cache.py``) and the test
starts with the cache empty: a URL's first request in each worker renders the page, later ones
are cache hits. With a few hundred distinct URLs (200 product pages, 200 API documents…) many
requests in a 60 s run are misses, as after a publication; the figures mix both. The client
sends no ``If-None-Match``, so no request is answered ``304 Not Modified``, as for a reader
who has not seen the page before.
"""

import json
import os
import random
import sys
from pathlib import Path

from locust import FastHttpUser, between, events
from locust.stats import StatsError

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import CheckFailed, check_body  # noqa: E402

# Out of 100 page views (locust task weights). Each group's pool is chosen by bench/load.py.
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

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
GROUPS = {name: group for name, group in PLAN["groups"].items() if group["targets"]}
RUN = {}  # the locust environment, kept for the record written on quit


def problem_with(response, check):
    """Why a response fails, or None when it is a 200 that passes ``check``."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        check_body(check, response.content or b"")
    except CheckFailed as error:
        return str(error)
    return None


def page_view(group):
    def view(user):
        user.view(group)

    view.__name__ = group
    return view


class Reader(FastHttpUser):
    wait_time = between(*PLAN["wait"])
    tasks = {page_view(group): weight for group, weight in MIX.items() if group in GROUPS}

    def view(self, group):
        target = random.choice(GROUPS[group]["targets"])
        with self.client.get(
            target["path"],
            name=group,
            headers={"Accept": ACCEPT.get(group, HTML)},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            problem = problem_with(response, target["check"])
            if problem:
                response.failure(problem)
            else:
                response.success()


@events.init.add_listener
def remember(environment, **kwargs):
    RUN["environment"] = environment


@events.quit.add_listener
def record(exit_code, **kwargs):
    """Write the run's record where bench/load.py reads it: the mix and locust's final stats.

    Written on ``quit``, after the runner has stopped (locust's own CSV files are rewritten
    once a second and may miss the last requests). ``stats`` is locust's serialised stats
    entries (its ``--json-file`` format), ``errors`` its failure table.
    """
    environment = RUN["environment"]
    mix = [
        {
            "name": group,
            "title": GROUPS[group]["title"],
            "weight": weight,
            "urls": len(GROUPS[group]["targets"]),
        }
        for group, weight in MIX.items()
        if group in GROUPS
    ]
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
        "mix": mix,
        "stats": [entry.serialize() for entry in environment.stats.entries.values()],
        "errors": errors,
        "exceptions": [{"count": item["count"], "message": item["msg"]} for item in raised],
    }
    Path(PLAN["record_path"]).write_text(json.dumps(record, indent=2), encoding="utf-8")

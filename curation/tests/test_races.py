"""Races against a live site: conflicts, not errors.

Eight curators save the same draft at the same moment; curators import the same file at
the same moment, in the admin and on the command line. Each runs against gunicorn
(``live_site``) on SQLite, and on PostgreSQL when DATABASE_URL names it: the losers get
the conflict page (409) or "already being imported", never a 500 or "database is locked".
"""

import html
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from risks.seed import SEED_DIR

from .live_site import LiveSite, form_fields, message_of

CURATORS = 8
SUMMARY = SEED_DIR / "sources" / "003_87823eff0a2665f8.txt"  # Uplizna's RMP summary

SETUP = f"""
import json
from django.contrib.auth.models import Group
from django.test import Client
from audit.context import recorded_change
from products.models import Product
from risks import workflow
from risks.models import ConcernCategory, PlanStatus, RiskManagementPlan, SafetyConcern

User = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
curators = Group.objects.get(name="Curators")
sessions = {{}}
for index in range({CURATORS}):
    user = User.objects.create_user(f"curator{{index}}", is_staff=True)
    user.groups.add(curators)
    client = Client()
    client.force_login(user)
    sessions[user.username] = client.cookies["sessionid"].value
with recorded_change("Race test data"):
    product = Product.objects.create(name="Racetrack", slug="racetrack", region="EU")
    plan = RiskManagementPlan.objects.create(
        product=product, version="1", status=PlanStatus.PUBLISHED
    )
    SafetyConcern.objects.create(
        plan=plan, name="Hepatotoxicity", category=ConcernCategory.IDENTIFIED, position=1
    )
draft = workflow.start_new_version(
    plan, user=User.objects.get(username="curator0"), version="2", reason="Race test data"
)
reviewers = Group.objects.get(name="Reviewers")
for index in range(4):
    user = User.objects.create_user(f"reviewer{{index}}", is_staff=True)
    user.groups.add(reviewers)
    client = Client()
    client.force_login(user)
    sessions[user.username] = client.cookies["sessionid"].value
in_review = workflow.start_new_version(
    plan, user=User.objects.get(username="curator1"), version="3", reason="Race test data"
)
workflow.submit_for_review(
    in_review, user=User.objects.get(username="curator1"), reason="Race test data"
)
print(json.dumps({{
    "sessions": sessions,
    "draft": draft.pk,
    "concern": draft.safety_concerns.get().pk,
    "in_review": in_review.pk,
}}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    live = LiveSite.start(tmp_path_factory.mktemp("races"), SETUP)
    yield live
    live.stop()


def all_at_once(jobs):
    """Run the callables in threads released together; their results in order."""
    start = threading.Barrier(len(jobs))

    def run(job):
        start.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_eight_curators_saving_the_same_draft_get_one_save_and_seven_conflicts(site):
    path = f"/admin/risks/safetyconcern/{site.data['concern']}/change/"
    browsers = [site.session(f"curator{index}") for index in range(CURATORS)]
    forms = []
    for browser in browsers:
        page = browser.get(site.url(path), timeout=30)
        assert page.status_code == 200, page.text[:500]
        forms.append(form_fields(page.text, "safetyconcern_form"))
    assert len({form["change_token"] for form in forms}) == 1

    def save(index):
        data = {
            **forms[index],
            "evidence": f"Evidence as curator{index} read it",
            "change_reason": f"Reworded by curator{index}",
            "_save": "Save",
        }
        return lambda: browsers[index].post(
            site.url(path), data=data, allow_redirects=False, timeout=60
        )

    responses = all_at_once([save(index) for index in range(CURATORS)])

    statuses = sorted(response.status_code for response in responses)
    details = [(r.status_code, message_of(r.text)) for r in responses if r.status_code != 302]
    assert statuses == [302] + [409] * (CURATORS - 1), details
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    for response in responses:
        if response.status_code == 409:
            text = html.unescape(response.text)
            assert "Someone else changed this risk management plan version" in text
            assert f"curator{winner}, " in text
            assert "Your changes were not saved." in text
    saved = form_fields(browsers[0].get(site.url(path), timeout=30).text, "safetyconcern_form")
    assert saved["evidence"] == f"Evidence as curator{winner} read it"


def uploaded_confirm_form(browser, site):
    page = browser.post(
        site.url("/admin/imports/importlog/upload/"),
        files={"file": (SUMMARY.name, SUMMARY.read_bytes())},
        data={"product": "", "csrfmiddlewaretoken": csrf(browser, site)},
        timeout=60,
    )
    assert page.status_code == 200, message_of(page.text) or page.text[:300]
    form = form_fields(page.text, "/admin/imports/importlog/upload/confirm/")
    assert form.get("sha256"), "no confirm form on the preview page"
    return {**form, "reason": "New RMP summary published by EMA", "action": "confirm"}


def csrf(browser, site):
    browser.get(site.url("/admin/imports/importlog/upload/"), timeout=30)
    return browser.cookies.get("csrftoken")


def test_curators_importing_the_same_file_at_once_create_one_draft(site):
    browsers = [site.session(f"curator{index}") for index in range(4)]
    forms = [uploaded_confirm_form(browser, site) for browser in browsers]

    def confirm(index):
        return lambda: browsers[index].post(
            site.url("/admin/imports/importlog/upload/confirm/"),
            data=forms[index],
            allow_redirects=False,
            timeout=120,
        )

    responses = all_at_once([confirm(index) for index in range(len(browsers))])

    outcomes = [(r.status_code, message_of(r.text)) for r in responses]
    assert all(status in {302, 400, 409} for status, _ in outcomes), outcomes
    for status, message in outcomes:
        if status == 409:
            assert "is already being imported" in message, message
        if status == 400:  # came after the first import had finished and cleared the upload
            assert "upload" in message.lower(), message
    created = site.manage(
        "shell",
        "-c",
        "from risks.models import RiskManagementPlan as P;"
        "print(P.objects.filter(product__name__icontains='uplizna').count())",
    )
    assert created.strip().splitlines()[-1] == "1", outcomes


def test_the_same_file_imported_twice_at_once_on_the_command_line(site, tmp_path):
    path = tmp_path / "lemtrada-summary.txt"
    path.write_bytes((SEED_DIR / "sources" / "004_28828877f4a64970.txt").read_bytes())
    args = ("import_rmp_summary", str(path), "--reason", "New RMP summary")
    runs = [site.run_manage(*args) for _ in range(3)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]

    created = [out for code, out, _ in results if code == 0 and "Created draft" in out]
    assert len(created) == 1, results
    for code, out, err in results:
        assert "Traceback" not in err, err
        if code != 0:
            assert "is already being imported" in err, err
        elif "Created draft" not in out:
            assert "was already imported" in out, out


def test_reviewers_publishing_the_same_revision_at_once_publish_it_once(site):
    path = f"/admin/risks/riskmanagementplan/{site.data['in_review']}/publish/"
    browsers = [site.session(f"reviewer{index}") for index in range(4)]
    forms = []
    for browser in browsers:
        page = browser.get(site.url(path), timeout=30)
        assert page.status_code == 200, message_of(page.text)
        forms.append(form_fields(page.text, "workflow-step"))
    assert len({form["revision"] for form in forms}) == 1

    def publish(index):
        data = {**forms[index], "reason": f"Checked by reviewer{index}"}
        return lambda: browsers[index].post(
            site.url(path), data=data, allow_redirects=False, timeout=60
        )

    responses = all_at_once([publish(index) for index in range(len(browsers))])

    outcomes = sorted((r.status_code, message_of(r.text)) for r in responses)
    assert [status for status, _ in outcomes] == [302, 409, 409, 409], outcomes
    for _, message in outcomes[1:]:
        assert "has changed since you opened this page" in html.unescape(message)

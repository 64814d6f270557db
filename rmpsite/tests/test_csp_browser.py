"""No page breaks the Content-Security-Policy, in real Chromium.

The policy (``CONTENT_SECURITY_POLICY`` in rmpsite/settings/base.py) allows scripts, styles,
images and fonts from the site's own origin only, never inline. Chromium refuses anything
else and fires a ``securitypolicyviolation`` event; an init script turns each event into a
console message, and Chromium logs its own "Refused to ..." message as well. The tests visit
the public pages, the API's browsable pages and the curation admin, use the widgets that run
JavaScript, and expect not one violation.
"""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from imports.tests.test_browser import UPLIZNA
from risks.models import RiskManagementPlan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.documentURI}:${event.lineNumber}`);
});
"""


class Violations:
    """Every CSP violation the page reports, from console messages."""

    def __init__(self, page):
        self.page = page
        self.messages = []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._record)

    def _record(self, message):
        text = message.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            self.messages.append(f"{self.page.url}: {text}")

    def visit(self, url):
        """Open ``url`` and check it is answered under the site's policy."""
        response = self.page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("load")
        return response


@pytest.fixture
def violations(page):
    return Violations(page)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", "admin@example.org", "a-long-test-password"
    )


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#logout-form")).to_be_attached()


def test_the_detector_reports_an_inline_style_and_script(page, live_server, violations):
    """The check itself: a page with inline style and script under the policy is caught."""
    policy = violations.visit(f"{live_server.url}/").headers["content-security-policy"]
    page.route(
        f"{live_server.url}/csp-probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            body='<p style="color: red">Red</p><script>document.title = "ran";</script>',
        ),
    )
    page.goto(f"{live_server.url}/csp-probe")
    expect(page).not_to_have_title("ran")
    for _ in range(20):  # console events may arrive after the load
        if len(violations.messages) >= 4:
            break
        page.wait_for_timeout(100)
    directives = " ".join(violations.messages)
    assert "style-src-attr" in directives
    assert "script-src-elem" in directives


def test_public_pages_keep_to_the_policy(page, live_server, seeded, violations):
    plan = RiskManagementPlan.objects.filter(product__slug="lemtrada").published().first()
    urls = [
        "/",
        "/products/",
        "/products/?region=EU",
        "/products/lemtrada/",
        "/products/lemtrada/print/",
        "/products/lemtrada/information/",
        "/products/lemtrada/changes/",
        f"/products/lemtrada/versions/{plan.version}/",
        "/risks/",
        "/studies/",
        "/compare/",
        "/search/?q=infection",
    ]
    for url in urls:
        violations.visit(f"{live_server.url}{url}")
    page.goto(f"{live_server.url}/products/no-such-product/")  # the 404 page
    # static/js/print.js runs: its buttons call window.print(), here a stand-in
    page.add_init_script("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.goto(f"{live_server.url}/products/lemtrada/")
    page.get_by_role("button", name="Print this page").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.get_by_role("link", name="Printable version", exact=True).click()
    page.get_by_role("button", name="Print", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    assert violations.messages == []


def test_browsable_api_keeps_to_the_policy(page, live_server, seeded, violations):
    for url in ["/api/v1/", "/api/v1/studies/", "/api/v1/products/lemtrada/"]:
        violations.visit(f"{live_server.url}{url}")
    violations.visit(f"{live_server.url}/api/v1/products/")
    page.get_by_role("button", name="Filters").click()  # a Bootstrap modal
    expect(page.locator("#filtersModal")).to_be_visible()
    page.locator("#filtersModal").get_by_label("Region").select_option("EU")
    page.locator("#filtersModal button[type=submit]").click()
    # The products page's FilterSet: its form sends every field, q and substance first.
    expect(page).to_have_url(re.compile(r"/api/v1/products/\?.*\bregion=EU&"))
    page.get_by_role("button", name="OPTIONS").click()  # the API's own script, ajax-form.js
    expect(page.locator(".response-info")).to_contain_text("OPTIONS")
    assert violations.messages == []


def test_admin_pages_keep_to_the_policy(page, live_server, seeded, superuser, violations):
    violations.visit(f"{live_server.url}/admin/login/")
    log_in(page, live_server, "admin")
    admin_pages = ["/admin/", "/admin/risks/", reverse("admin:imports_importlog_upload")]
    for model in admin.site._registry:
        opts = model._meta
        admin_pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if obj := model.objects.first():
            admin_pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
            admin_pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
            )
    plan = RiskManagementPlan.objects.filter(product__slug="lemtrada").published().first()
    admin_pages += [
        reverse("admin:products_product_add"),
        reverse("admin:risks_riskmanagementplan_add"),
        reverse("admin:risks_riskmanagementplan_new_version", args=[plan.pk]),
        reverse("curation:plan_trail", args=[plan.pk]),
    ]
    for url in admin_pages:
        violations.visit(f"{live_server.url}{url}")
    assert violations.messages == []


def test_admin_widgets_keep_to_the_policy(
    page, live_server, seeded, superuser, violations, settings, tmp_path
):
    """The scripts of the change form: autocomplete, prepopulated slug, inline rows, import."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    log_in(page, live_server, "admin")
    violations.visit(f"{live_server.url}{reverse('admin:products_product_add')}")
    page.locator("#id_name").press_sequentially("Examplix")  # prepopulate.js on keyup
    expect(page.locator("#id_slug")).to_have_value("examplix")
    page.locator("#id_marketing_authorisation_holder + .select2").click()  # Select2
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")

    plan = RiskManagementPlan.objects.filter(product__slug="lemtrada").published().first()
    violations.visit(f"{live_server.url}{reverse('admin:risks_riskmanagementplan_add')}")
    page.locator(".add-row a").first.click()  # inlines.js adds a row
    violations.visit(
        f"{live_server.url}{reverse('admin:risks_riskmanagementplan_change', args=[plan.pk])}"
    )

    violations.visit(f"{live_server.url}{reverse('admin:imports_importlog_upload')}")
    page.get_by_label("RMP summary").set_input_files(UPLIZNA)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name=re.compile("^Preview of the import"))).to_be_visible()
    expect(page.locator(".confirm-row")).to_have_css("display", "flex")  # import-preview.css
    assert violations.messages == []

"""The admin import of an RMP summary: upload, preview, confirm; the import log; warnings."""

import hashlib
import os
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from imports import services
from imports.forms import UPLOAD_GONE, UPLOAD_UNKNOWN
from imports.models import ImportLog, ImportWarning
from products.models import Product, Substance
from risks.models import PlanStatus, RiskManagementPlan, SafetyConcern, Study
from risks.seed import SEED_DIR

pytestmark = pytest.mark.django_db

SOURCES = SEED_DIR / "sources"  # the published documents the seed data was curated from
LEMTRADA = "004_28828877f4a64970.txt"
UPLIZNA = "003_87823eff0a2665f8.txt"
CLOLAR_US_PAGE = "001_2de1992bed994d0c.txt"
UPLOAD_URL = "/admin/imports/importlog/upload/"
CONFIRM_URL = "/admin/imports/importlog/upload/confirm/"
CONFIRM_BUTTON = "Confirm: create the draft"


def source(name):
    return (SOURCES / name).read_bytes()


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def stored(upload_dir):
    return sorted(path.name for path in upload_dir.iterdir()) if upload_dir.exists() else []


def upload(client, name, content, product=""):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content), "product": product})


def confirm_data(preview_response, action="confirm"):
    return {
        **preview_response.context["confirm_form"].initial,
        "reason": "New RMP summary published by EMA",
        "action": action,
    }


def row_counts():
    models = [Product, Substance, RiskManagementPlan, SafetyConcern, Study]
    models += [ImportLog, ImportWarning]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def staff_client(client, django_user_model):
    """A staff user who is not a curator."""
    user = django_user_model.objects.create_user(
        "clerk", password="a-long-test-password", is_staff=True
    )
    client.force_login(user)
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "root", "root@example.org", "a-long-test-password"
    )


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# Permissions


def test_the_upload_page_lives_under_the_import_log_admin():
    assert reverse("admin:imports_importlog_upload") == UPLOAD_URL
    assert reverse("admin:imports_importlog_confirm") == CONFIRM_URL


@pytest.mark.parametrize(
    ("method", "url"), [("get", UPLOAD_URL), ("post", UPLOAD_URL), ("post", CONFIRM_URL)]
)
def test_anonymous_visitors_are_sent_to_login(client, upload_dir, method, url):
    before = row_counts()
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    assert row_counts() == before
    assert stored(upload_dir) == []


@pytest.mark.parametrize(
    ("method", "url"), [("get", UPLOAD_URL), ("post", UPLOAD_URL), ("post", CONFIRM_URL)]
)
def test_staff_without_curator_rights_are_forbidden(staff_client, upload_dir, method, url):
    before = row_counts()
    data = {"file": SimpleUploadedFile(LEMTRADA, source(LEMTRADA))} if url == UPLOAD_URL else {}
    response = getattr(staff_client, method)(url, data)
    assert response.status_code == 403
    assert row_counts() == before
    assert stored(upload_dir) == []


def test_staff_who_may_only_read_the_log_cannot_import(staff_client, django_user_model):
    user = django_user_model.objects.get(username="clerk")
    user.user_permissions.add(Permission.objects.get(codename="view_importlog"))
    changelist = staff_client.get(reverse("admin:imports_importlog_changelist"))
    assert changelist.status_code == 200
    assert "Import an RMP summary" not in changelist.content.decode()
    assert staff_client.get(UPLOAD_URL).status_code == 403


@pytest.mark.parametrize("who", ["curator_client", "superuser_client"])
def test_curators_and_superusers_get_the_upload_form(request, who):
    client = request.getfixturevalue(who)
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Import an RMP summary</h1>" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.txt"' in page
    assert "Match by name, or create a new product" in page


def test_the_import_log_and_the_imports_app_page_link_to_the_upload(curator_client):
    for url in [reverse("admin:imports_importlog_changelist"), "/admin/imports/"]:
        page = curator_client.get(url).content.decode()
        assert f'<a href="{UPLOAD_URL}" class="addlink">Import an RMP summary</a>' in page, url
    index = curator_client.get("/admin/").content.decode()
    assert 'href="/admin/imports/importlog/"' in index


def test_curators_group_may_read_the_log_and_tick_off_warnings():
    permissions = set(
        Group.objects.get(name="Curators")
        .permissions.filter(content_type__app_label="imports")
        .values_list("codename", flat=True)
    )
    assert permissions == {"view_importlog", "view_importwarning", "change_importwarning"}


# Upload, preview, confirm


def test_preview_of_lemtrada_lists_everything_and_writes_nothing(
    curator_client, seeded, upload_dir
):
    before = row_counts()
    response = upload(curator_client, LEMTRADA, source(LEMTRADA))

    assert response.status_code == 200
    assert response.templates[0].name == "admin/imports/preview.html"
    preview = response.context["preview"]
    assert preview.product == seeded["lemtrada"]
    assert preview.version == "2"
    page = response.content.decode()
    assert "A <strong>draft version 2</strong> of the existing product" in page
    concerns = response.context["concerns"]
    assert len(concerns) == 23
    assert [item["category"] for item in concerns].count("identified") == 17
    assert [item["category"] for item in concerns].count("potential") == 3
    assert [item["category"] for item in concerns].count("missing") == 3
    assert '<h2 id="concerns">23 safety concerns</h2>' in page
    for number, concern in enumerate(concerns, start=1):
        assert f"{number}. {escape(concern['name'])}</h3>" in page
    for subject, message in preview.warnings:
        assert f"<strong>{escape(subject)}:</strong> {escape(message)}" in page
    assert CONFIRM_BUTTON in page
    assert row_counts() == before
    assert stored(upload_dir) == [hashlib.sha256(source(LEMTRADA)).hexdigest()]


def test_preview_shows_section_references_measures_and_studies(curator_client, seeded):
    response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    page = response.content.decode()
    assert "SmPC 4.4" in page
    assert "Additional risk minimisation measures" in page
    for measure in response.context["measures"]:
        assert escape(measure["name"]) in page
    studies = response.context["studies"]
    assert len(studies) == 4
    assert [study["category"] for study in studies].count(1) == 2
    assert "OBS13434" in page
    assert "Q3 2024" in page


def test_confirm_creates_one_draft_plan_and_one_log_entry(
    curator_client, curator, seeded, upload_dir
):
    content = source(LEMTRADA)
    preview_response = upload(curator_client, LEMTRADA, content)
    preview = preview_response.context["preview"]
    before = row_counts()

    response = curator_client.post(CONFIRM_URL, confirm_data(preview_response))

    plan = RiskManagementPlan.objects.get(product=seeded["lemtrada"], version="2")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:risks_riskmanagementplan_change", args=[plan.pk])
    assert plan.status == PlanStatus.DRAFT
    assert plan.published_at is None
    assert plan.safety_concerns.count() == 23
    log = ImportLog.objects.get()
    assert (log.user, log.file_name, log.sha256, log.size) == (
        curator,
        LEMTRADA,
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    assert (log.plan, log.product) == (plan, seeded["lemtrada"])
    assert len(log.warnings) == len(preview.warnings)
    after = row_counts()
    assert after["RiskManagementPlan"] == before["RiskManagementPlan"] + 1
    assert after["Product"] == before["Product"]
    assert after["ImportLog"] == before["ImportLog"] + 1
    assert after["ImportWarning"] == len(preview.warnings)
    assert stored(upload_dir) == []

    page = curator_client.get(response["Location"]).content.decode()
    warnings = len(preview.warnings)
    assert f"Imported {LEMTRADA}: draft version 2 of Lemtrada (23 safety concerns, " in page
    assert f"; {warnings} warning{'s' if warnings != 1 else ''} to review)." in page


def test_the_draft_never_shows_on_the_public_site(curator_client, seeded):
    """A word that only the uploaded file contains reaches the draft, not the public pages."""
    content = source(LEMTRADA).replace(b"approximately 90% of", b"approximately 90% zebrafinch of")
    assert content != source(LEMTRADA)
    urls = ["/products/lemtrada/", "/risks/?q=zebrafinch", "/search/?q=zebrafinch"]
    # the search pages repeat the query; the word must not appear any more often than that
    echoes = {url: curator_client.get(url).content.decode().count("zebrafinch") for url in urls}
    assert echoes["/products/lemtrada/"] == 0
    preview_response = upload(curator_client, LEMTRADA, content)
    curator_client.post(CONFIRM_URL, confirm_data(preview_response))

    draft = RiskManagementPlan.objects.get(product=seeded["lemtrada"], status=PlanStatus.DRAFT)
    assert any("zebrafinch" in concern.risk_factors for concern in draft.safety_concerns.all())
    for url in urls:
        response = curator_client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("zebrafinch") == echoes[url], url
    product_page = curator_client.get("/products/lemtrada/").content.decode()
    assert "<dd>version 1, " in product_page
    assert "<dd>version 2, " not in product_page


def test_uploading_the_same_file_again_shows_the_earlier_import_and_no_confirm(
    curator_client, curator, seeded, upload_dir
):
    first = upload(curator_client, LEMTRADA, source(LEMTRADA))
    curator_client.post(CONFIRM_URL, confirm_data(first))
    plan = ImportLog.objects.get().plan
    before = row_counts()

    response = upload(curator_client, "renamed-copy.txt", source(LEMTRADA))

    assert response.status_code == 200
    page = response.content.decode()
    log = ImportLog.objects.get()
    assert response.context["preview"].duplicate == log
    assert "This file was already imported on " in page
    assert " by curator as draft version 2 of Lemtrada." in page
    assert reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]) in page
    assert CONFIRM_BUTTON not in page
    assert "confirm_form" not in response.context
    assert row_counts() == before
    assert stored(upload_dir) == []


def test_confirming_twice_creates_one_plan(curator_client, seeded):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    data = confirm_data(preview_response)
    curator_client.post(CONFIRM_URL, data)
    before = row_counts()

    response = curator_client.post(CONFIRM_URL, data)

    assert response.status_code == 400
    assert escape(UPLOAD_GONE) in response.content.decode()
    assert row_counts() == before


def test_confirm_after_someone_else_imported_the_file_points_to_their_plan(
    curator_client, seeded, upload_dir
):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    theirs = services.import_rmp_summary(source(LEMTRADA), LEMTRADA, reason="Theirs").plan
    before = row_counts()

    response = curator_client.post(CONFIRM_URL, confirm_data(preview_response))

    assert response["Location"] == reverse(
        "admin:risks_riskmanagementplan_change", args=[theirs.pk]
    )
    assert row_counts() == before
    assert stored(upload_dir) == []
    page = curator_client.get(response["Location"]).content.decode()
    assert "This file was already imported on " in page
    assert " from the command line as draft version 2 of Lemtrada." in page


def test_superuser_imports_uplizna_as_a_new_product(superuser_client, superuser):
    response = upload(superuser_client, UPLIZNA, source(UPLIZNA))
    assert response.context["preview"].product is None
    page = response.content.decode()
    assert "A <strong>new product UPLIZNA</strong>" in page
    assert "inebilizumab" in page
    assert len(response.context["concerns"]) == 9

    response = superuser_client.post(CONFIRM_URL, confirm_data(response))

    product = Product.objects.get(name="UPLIZNA")
    plan = product.plans.get()
    assert response["Location"] == reverse("admin:risks_riskmanagementplan_change", args=[plan.pk])
    assert (plan.version, plan.status) == ("1", PlanStatus.DRAFT)
    assert plan.safety_concerns.count() == 9
    assert list(product.substances.values_list("name", flat=True)) == ["inebilizumab"]
    assert ImportLog.objects.get().user == superuser


def test_curator_chooses_the_product_to_import_into(curator_client, seeded):
    response = upload(curator_client, LEMTRADA, source(LEMTRADA), product="lemtrada")
    assert response.status_code == 200
    assert response.context["preview"].product == seeded["lemtrada"]
    assert response.context["confirm_form"].initial["product"] == "lemtrada"


def test_an_unknown_product_is_a_form_error(curator_client, seeded, upload_dir):
    before = row_counts()
    response = upload(curator_client, LEMTRADA, source(LEMTRADA), product="no-such-product")
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert row_counts() == before
    assert stored(upload_dir) == []


def test_cancel_forgets_the_upload_and_writes_nothing(curator_client, seeded, upload_dir):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    before = row_counts()

    response = curator_client.post(CONFIRM_URL, confirm_data(preview_response, "cancel"))

    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL
    assert stored(upload_dir) == []
    assert row_counts() == before
    page = curator_client.get(UPLOAD_URL).content.decode()
    assert f"Cancelled: nothing was imported from {LEMTRADA}." in page


# Bad input: a form error, status 400, nothing written


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty.txt is empty."),
        ("summary.docx", b"Summary of risk management plan", "only .txt and .pdf files"),
        ("binary.txt", bytes(range(256)) * 8, "binary.txt is a binary file, not text"),
        ("latin1.txt", "Résumé du plan".encode("latin-1"), "latin1.txt is not UTF-8 text"),
        ("fake.pdf", b"Summary of risk management plan", "fake.pdf is not a PDF file"),
    ],
)
def test_unreadable_files_are_form_errors(
    curator_client, seeded, upload_dir, name, content, message
):
    before = row_counts()
    response = upload(curator_client, name, content)
    assert response.status_code == 400
    assert response.templates[0].name == "admin/imports/upload.html"
    assert message in response.content.decode()
    assert response.context["form"].errors["file"]
    assert row_counts() == before
    assert stored(upload_dir) == []


def test_a_docx_name_is_refused_even_with_summary_text(curator_client, seeded):
    before = row_counts()
    response = upload(curator_client, "lemtrada.docx", source(LEMTRADA))
    assert response.status_code == 400
    assert "lemtrada.docx: only .txt and .pdf files can be imported." in response.content.decode()
    assert row_counts() == before


def test_a_file_over_the_size_limit_is_refused_before_reading(curator_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    assert response.status_code == 400
    assert f"{LEMTRADA} is 66.1\xa0KB; the limit is 1.0\xa0KB." in response.content.decode()
    assert ImportLog.objects.count() == 0


def test_a_missing_file_is_a_form_error(curator_client):
    response = curator_client.post(UPLOAD_URL, {"product": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_text_that_is_not_an_rmp_summary_is_a_form_error(curator_client, seeded, upload_dir):
    before = row_counts()
    response = upload(curator_client, CLOLAR_US_PAGE, source(CLOLAR_US_PAGE))
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert row_counts() == before
    assert stored(upload_dir) == []


# Confirm with a forged or stale upload


@pytest.mark.parametrize(
    ("sha256", "message"),
    [
        (None, UPLOAD_UNKNOWN),
        ("", UPLOAD_UNKNOWN),
        ("not-a-hash", UPLOAD_UNKNOWN),
        ("../../../etc/passwd", UPLOAD_UNKNOWN),
        ("A" * 64, UPLOAD_UNKNOWN),
        ("0" * 64, UPLOAD_GONE),
    ],
)
def test_confirm_without_a_stored_upload_writes_nothing(curator_client, seeded, sha256, message):
    before = row_counts()
    data = {"file_name": LEMTRADA, "product": "", "action": "confirm"}
    if sha256 is not None:
        data["sha256"] = sha256
    response = curator_client.post(CONFIRM_URL, data)
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert row_counts() == before


def test_a_tampered_upload_is_not_imported(curator_client, seeded, upload_dir):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    data = confirm_data(preview_response)
    (upload_dir / data["sha256"]).write_bytes(source(UPLIZNA))
    before = row_counts()
    response = curator_client.post(CONFIRM_URL, data)
    assert response.status_code == 400
    assert escape(UPLOAD_GONE) in response.content.decode()
    assert row_counts() == before


def test_an_expired_upload_is_not_imported(curator_client, seeded, upload_dir):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    data = confirm_data(preview_response)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(upload_dir / data["sha256"], (two_days_ago, two_days_ago))
    before = row_counts()
    response = curator_client.post(CONFIRM_URL, data)
    assert response.status_code == 400
    assert escape(UPLOAD_GONE) in response.content.decode()
    assert row_counts() == before
    assert stored(upload_dir) == []


def test_confirm_into_a_product_that_does_not_exist_writes_nothing(
    curator_client, seeded, upload_dir
):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    data = {**confirm_data(preview_response), "product": "no-such-product"}
    before = row_counts()
    response = curator_client.post(CONFIRM_URL, data)
    assert response.status_code == 400
    assert escape("There is no product with the slug “no-such-product”.") in (
        response.content.decode()
    )
    assert row_counts() == before


def test_confirm_only_answers_post(curator_client):
    assert curator_client.get(CONFIRM_URL).status_code == 405


def test_confirm_without_a_reason_shows_the_preview_again_and_writes_nothing(
    curator_client, seeded
):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    before = row_counts()
    response = curator_client.post(CONFIRM_URL, {**confirm_data(preview_response), "reason": " "})
    assert response.status_code == 400
    assert response.context["preview"].version == "2"
    assert "Say why you import this file: it goes into the audit trail." in (
        response.content.decode()
    )
    assert row_counts() == before
    response = curator_client.post(CONFIRM_URL, confirm_data(preview_response))
    assert response.status_code == 302
    assert ImportLog.objects.get().reason == "New RMP summary published by EMA"

"""The admin import of several RMP summaries at once: each on its own, one table of results."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportLog
from imports.services import import_rmp_summary
from imports.tests.corpus import render
from risks.models import PlanStatus, RiskManagementPlan

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/imports/importlog/upload/"
REASON = "RMP summaries published by EMA this week"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def upload(client, *files, **fields):
    data = {"file": [SimpleUploadedFile(name, content) for name, content in files]}
    return client.post(UPLOAD_URL, {"product": "", **data, **fields})


def ravolix_imported_before():
    """Ravolix, imported from its text; its PDF (another file) says the same."""
    result = import_rmp_summary(
        render.render_text("ravolix").encode(), "ravolix.txt", reason="First import"
    )
    return result.plan


def table(response):
    return {row["outcome"].file_name: row for row in response.context["rows"]}


def test_several_files_are_each_imported_and_listed(curator_client, curator):
    earlier = ravolix_imported_before()
    response = upload(
        curator_client,
        ("menvaris.pdf", render.render_pdf("menvaris")),
        ("ravolix_cut.txt", render.render_text("ravolix_cut_in_b").encode()),
        ("ravolix.pdf", render.render_pdf("ravolix")),
        reason=REASON,
    )
    assert response.status_code == 200
    assert response.templates[0].name == "admin/imports/results.html"
    rows = table(response)
    assert list(rows) == ["menvaris.pdf", "ravolix_cut.txt", "ravolix.pdf"]

    new = RiskManagementPlan.objects.exclude(pk=earlier.pk).get()  # exactly one new draft
    assert (new.product.name, new.version, new.status) == ("Menvaris", "1", PlanStatus.DRAFT)
    menvaris = rows["menvaris.pdf"]
    assert menvaris["outcome"].status == "created"
    assert menvaris["outcome"].concerns_per_category == (2, 2, 2)
    assert menvaris["outcome"].study_count == 3
    assert menvaris["url"] == reverse("admin:risks_riskmanagementplan_change", args=[new.pk])
    log = ImportLog.objects.get(plan=new)
    assert (log.user, log.reason, log.file_name) == (curator, REASON, "menvaris.pdf")

    refused = rows["ravolix_cut.txt"]
    assert refused["outcome"].status == "refused"
    assert "Part II.C (post-authorisation development plan) is missing." in refused["message"]

    same = rows["ravolix.pdf"]
    assert same["outcome"].status == "nothing new"
    assert same["outcome"].concerns_per_category == (3, 2, 2)
    assert same["outcome"].version == earlier.version == "1"  # the version that says the same
    assert same["message"].startswith("Ravolix already has this content, imported from ravolix.txt")
    assert same["url"] == reverse("admin:risks_riskmanagementplan_change", args=[earlier.pk])

    page = response.content.decode()
    assert "3 files: 1 new draft, 1 nothing new, 1 refused." in page
    assert f'<a href="{menvaris["url"]}">version 1 of Menvaris</a>' in page
    assert f'<a href="{same["url"]}">Open the earlier version</a>' in page
    assert "Nothing new:</strong> Ravolix already has this content" in page
    assert "<strong>Refused:</strong> ravolix_cut.txt is incomplete: Part II.C" in page
    assert ImportLog.objects.count() == 2


def test_an_incomplete_file_is_imported_when_confirmed_and_its_gaps_are_warnings(curator_client):
    response = upload(
        curator_client,
        ("menvaris.txt", render.render_text("menvaris").encode()),
        ("ravolix_cut.txt", render.render_text("ravolix_cut_in_b").encode()),
        reason=REASON,
        accept_incomplete="on",
    )
    rows = table(response)
    assert [row["outcome"].status for row in rows.values()] == ["created", "created"]
    assert rows["ravolix_cut.txt"]["outcome"].warning_count >= 2
    assert RiskManagementPlan.objects.count() == 2


def test_no_file_is_a_bad_request_with_a_message(curator_client):
    response = curator_client.post(UPLOAD_URL, {"product": "", "reason": REASON})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This field is required."]
    assert "This field is required." in response.content.decode()


def test_several_files_need_a_reason_and_no_product(curator_client, seeded):
    files = [("a.txt", b"one"), ("b.txt", b"two")]
    response = upload(curator_client, *files, product="lemtrada")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Choose a product only for one file" in errors["product"][0]
    assert "Say why you import these files" in errors["reason"][0]
    assert not ImportLog.objects.exists()


def test_a_file_of_another_type_or_too_large_refuses_the_whole_upload(curator_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(
        curator_client,
        ("small.txt", b"Summary of risk management plan"),
        ("big.txt", b"Summary " * 256),
        ("notes.docx", b"Summary of risk management plan"),
        reason=REASON,
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "big.txt is 2.0\xa0KB; the limit is 1.0\xa0KB.",
        "notes.docx: only .txt and .pdf files can be imported.",
    ]
    assert not RiskManagementPlan.objects.exists()


def test_a_reviewer_cannot_import_several_files(reviewer_client):
    response = upload(
        reviewer_client,
        ("menvaris.txt", render.render_text("menvaris").encode()),
        ("ravolix.txt", render.render_text("ravolix").encode()),
        reason=REASON,
    )
    assert response.status_code == 403
    assert not RiskManagementPlan.objects.exists()


def test_one_file_still_goes_to_the_preview_with_the_reason_filled_in(curator_client):
    response = upload(
        curator_client, ("menvaris.txt", render.render_text("menvaris").encode()), reason=REASON
    )
    assert response.status_code == 200
    assert response.templates[0].name == "admin/imports/preview.html"
    assert response.context["confirm_form"].initial["reason"] == REASON
    assert not RiskManagementPlan.objects.exists()


def test_more_files_than_one_upload_takes_is_a_bad_request(curator_client, monkeypatch):
    monkeypatch.setattr("imports.forms.MAX_FILES", 2)
    files = [(f"{name}.txt", b"Summary of risk management plan") for name in ("a", "b", "c")]
    response = upload(curator_client, *files, reason=REASON)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "3 files chosen; at most 2 can be imported at once. Import a larger batch with the "
        "command import_rmp_summary DIR."
    ]
    assert not ImportLog.objects.exists()

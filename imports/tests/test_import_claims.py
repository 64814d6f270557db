"""One import of a file at a time: a second import while the first runs is told so.

These tests hold a claim as a running import would; the races themselves (two real
imports at once, against a live server) are in ``curation/tests/test_races.py``.
"""

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape

from imports.claims import ImportInProgress, claimed
from imports.models import ImportClaim, ImportKind, ImportLog
from imports.pi_drafts import draft_product_information, preview_product_information
from imports.services import import_rmp_summary
from imports.tests.test_admin import CONFIRM_URL, UPLIZNA, confirm_data, row_counts, source, upload
from products.tests.factories import ProductFactory, SubstanceFactory
from risks.models import RiskManagementPlan
from risks.seed import SEED_DIR

pytestmark = pytest.mark.django_db

REASON = "New RMP summary published by EMA"
BESPONSA_PI = SEED_DIR / "sources" / "002_346ef21d2727f894.txt"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


def running_import(content, kind=ImportKind.RMP_SUMMARY, *, user=None, minutes_ago=0):
    """The claim an import of ``content`` that is running now holds."""
    return ImportClaim.objects.create(
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        file_name="uplizna.txt",
        user=user,
        claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_a_file_being_imported_is_not_imported_again(curator):
    content = source(UPLIZNA)
    running_import(content, user=curator)
    before = row_counts()

    with pytest.raises(
        ImportInProgress, match=r"uplizna\.txt is already being imported by curator"
    ):
        import_rmp_summary(content, "uplizna.txt", user=curator, reason=REASON)

    assert row_counts() == before
    assert ImportClaim.objects.count() == 1  # the running import's claim stays


def test_the_claim_is_released_whatever_the_import_ends_with(curator):
    content = source(UPLIZNA)
    result = import_rmp_summary(content, "uplizna.txt", user=curator, reason=REASON)
    assert result.plan is not None
    assert not ImportClaim.objects.exists()

    again = import_rmp_summary(content, "uplizna.txt", user=curator, reason=REASON)
    assert again.is_duplicate
    assert not ImportClaim.objects.exists()

    with pytest.raises(Exception, match="Say why you import this file"):
        other = content.replace(b"Infusion reaction. ", b"Infusion reactions. ")
        assert other != content  # new content: the reason is asked for
        import_rmp_summary(other, "other.txt", user=curator, reason="")
    assert not ImportClaim.objects.exists()


def test_a_claim_left_by_a_crashed_import_is_ignored(curator, settings):
    settings.IMPORT_CLAIM_STALE_MINUTES = 30
    content = source(UPLIZNA)
    running_import(content, minutes_ago=31)
    result = import_rmp_summary(content, "uplizna.txt", user=curator, reason=REASON)
    assert result.plan is not None
    assert not ImportClaim.objects.exists()


def test_a_dry_run_needs_no_claim(curator):
    content = source(UPLIZNA)
    running_import(content)
    result = import_rmp_summary(content, "uplizna.txt", dry_run=True)
    assert result.log is None


def test_the_claim_is_unique_per_file_in_the_database():
    content = source(UPLIZNA)
    with claimed(ImportKind.RMP_SUMMARY, content, "a.txt"):
        with (
            pytest.raises(ImportInProgress, match="from the command line"),
            claimed(ImportKind.RMP_SUMMARY, content, "b.txt"),
        ):
            pass  # pragma: no cover
        # another kind of import of the same bytes is another claim
        with claimed(ImportKind.PRODUCT_INFORMATION, content, "c.txt"):
            assert ImportClaim.objects.count() == 2
    assert not ImportClaim.objects.exists()


def test_the_admin_answers_409_while_the_file_is_being_imported(curator_client, curator):
    content = source(UPLIZNA)
    preview = upload(curator_client, "uplizna.txt", content)
    running_import(content, user=curator)
    before = row_counts()

    response = curator_client.post(CONFIRM_URL, confirm_data(preview))

    assert response.status_code == 409
    assert escape("uplizna.txt is already being imported by curator since ") in (
        response.content.decode()
    )
    assert row_counts() == before

    ImportClaim.objects.all().delete()  # the first import ended without a draft
    response = curator_client.post(CONFIRM_URL, confirm_data(preview))
    assert response.status_code == 302
    assert ImportLog.objects.count() == 1


def test_the_command_fails_while_the_file_is_being_imported(tmp_path):
    path = tmp_path / "uplizna.txt"
    path.write_bytes(source(UPLIZNA))
    running_import(path.read_bytes())
    with pytest.raises(CommandError, match=r"uplizna\.txt is already being imported"):
        call_command("import_rmp_summary", str(path), "--reason", REASON)
    assert not RiskManagementPlan.objects.exists()


def test_product_information_is_claimed_too(curator):
    inotuzumab = SubstanceFactory(name="inotuzumab ozogamicin")
    product = ProductFactory(name="Besponsa", slug="besponsa", substances=[inotuzumab])
    content = BESPONSA_PI.read_bytes()
    preview = preview_product_information(content, "besponsa.txt", product)
    running_import(content, ImportKind.PRODUCT_INFORMATION)
    with pytest.raises(ImportInProgress):
        draft_product_information(preview, user=curator, reason=REASON)
    assert not product.changes.exists()
    ImportClaim.objects.all().delete()
    change = draft_product_information(preview, user=curator, reason=REASON)
    assert change.sections and not product.information_sections.exists()
    assert not ImportClaim.objects.exists()

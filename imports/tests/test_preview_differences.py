"""The import preview opens with how the file differs from the product's published version."""

import re

import pytest

from audit.models import DataVersion
from imports.differences import differences_from_published
from imports.services import preview_rmp_summary
from imports.tests.test_admin import LEMTRADA, UPLIZNA, row_counts, source, upload
from risks.models import RiskManagementPlan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_preview_compares_the_file_with_the_published_version(curator_client, seeded):
    before = row_counts()
    history = RiskManagementPlan.history.count()
    data_version = list(DataVersion.objects.values_list())
    response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    assert response.status_code == 200
    differences = response.context["differences"]
    published = RiskManagementPlan.objects.get(product__slug="lemtrada", status="published")
    assert differences.published == published
    comparison = differences.comparison
    assert comparison is not None
    assert comparison.new_plan.version == "2"
    assert [count.what for count in differences.counts][:2] == [
        "safety concerns",
        "routine measures",
    ]
    assert differences.counts[0].published == published.safety_concerns.count()
    page = response.content.decode()
    text = text_of(page)
    assert "How it differs from the published version" in text
    assert "Compared with version 1" in text
    if comparison.is_empty:
        assert "No differences: versions 1 and 2" in text
    else:
        assert f"In short: {'; '.join(comparison.summary)}." in text
    # The page opens with the summary, the warnings, the differences, then Confirm.
    order = [
        page.index('id="target"'),
        page.index('id="warnings"'),
        page.index('id="differences"'),
        page.index('id="confirm-import"'),
        page.index('id="concerns"'),
        page.index("Create the draft, with the reason given at the top"),
    ]
    assert order == sorted(order)
    # Nothing of the trial draft is kept.
    assert row_counts() == before
    assert RiskManagementPlan.history.count() == history
    assert list(DataVersion.objects.values_list()) == data_version


def test_a_concern_named_otherwise_reads_as_removed_and_added(seeded, curator):
    """An imported draft has fresh lineages: concerns are matched by normalised name."""
    preview = preview_rmp_summary(source(LEMTRADA), LEMTRADA)
    baseline = differences_from_published(preview, curator).comparison
    first = preview.data["plan"]["safety_concerns"][0]
    old_name = first["name"]
    first["name"] = "Something else entirely"
    comparison = differences_from_published(preview, curator).comparison
    added = {concern.name for concern in comparison.concerns_added}
    removed = {concern.name for concern in comparison.concerns_removed}
    assert added - {c.name for c in baseline.concerns_added} == {"Something else entirely"}
    assert removed - {c.name for c in baseline.concerns_removed} == {old_name}


def test_a_file_the_plan_refuses_falls_back_to_counts(seeded, curator):
    preview = preview_rmp_summary(source(LEMTRADA), LEMTRADA)
    preview.data["plan"]["safety_concerns"][0]["category"] = "no such category"
    differences = differences_from_published(preview, curator)
    assert differences.comparison is None
    concerns = differences.counts[0]
    assert (concerns.what, concerns.imported) == (
        "safety concerns",
        len(preview.data["plan"]["safety_concerns"]),
    )


def test_a_new_product_has_nothing_to_differ_from(curator_client):
    response = upload(curator_client, UPLIZNA, source(UPLIZNA))
    assert response.context["differences"] is None
    text = text_of(response.content.decode())
    assert "UPLIZNA is a new product: everything the import creates is new." in text

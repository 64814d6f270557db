"""Nothing lost silently: an incomplete summary is refused, or imported on confirmation with
warnings that block submission; the dry run, the preview and the draft show the same warnings."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imports.extract import ImportRejected
from imports.services import (
    INCOMPLETE,
    blocking_import_warnings,
    import_rmp_summary,
    preview_rmp_summary,
)
from imports.tests.corpus import render
from risks.models import RiskManagementPlan

REASON = "RMP summary published by EMA"


def document(name):
    return render.render_text(name).encode()


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("ravolix_no_list", ["II.A"]),
        ("ravolix_cut_in_b", ["II.C"]),
        ("sulverin_cut_in_list", ["II.B", "II.C"]),
        ("menvaris_cut", ["VI.2.5", "VI.2.6"]),
    ],
)
@pytest.mark.parametrize("route", ["txt", "pdf"])
@pytest.mark.django_db
def test_an_incomplete_summary_is_refused_naming_what_is_missing(name, missing, route):
    content = document(name) if route == "txt" else render.render_pdf(name)
    with pytest.raises(ImportRejected) as rejection:
        import_rmp_summary(content, f"{name}.{route}", reason=REASON)
    for part in missing:
        assert f"Part {part}" in str(rejection.value)
    assert "confirm an incomplete import" in str(rejection.value)
    assert not RiskManagementPlan.objects.exists()


@pytest.mark.django_db
def test_a_confirmed_incomplete_import_leaves_warnings_that_block_submission_until_resolved():
    content = document("ravolix_no_list")
    dry_run = import_rmp_summary(
        content, "ravolix.txt", reason=REASON, dry_run=True, accept_incomplete=True
    )
    preview = preview_rmp_summary(content, "ravolix.txt", accept_incomplete=True)
    result = import_rmp_summary(content, "ravolix.txt", reason=REASON, accept_incomplete=True)
    stored = [(w.subject, w.message) for w in result.plan.import_warnings.all()]
    assert dry_run.preview.warnings == preview.warnings == stored
    assert stored[0] == (
        INCOMPLETE,
        "Part II.A (list of important risks and missing information) is missing.",
    )
    blocking = blocking_import_warnings(result.plan)
    assert [w.message for w in blocking] == [stored[0][1]]
    blocking.update(resolved=True)
    assert not blocking_import_warnings(result.plan).exists()


@pytest.mark.django_db
def test_the_command_refuses_an_incomplete_summary_unless_told_to_accept_it(tmp_path):
    path = tmp_path / "ravolix.txt"
    path.write_bytes(document("ravolix_cut_in_b"))
    with pytest.raises(CommandError, match=r"Part II\.C"):
        call_command("import_rmp_summary", str(path), "--reason", REASON)
    out = StringIO()
    call_command(
        "import_rmp_summary", str(path), "--reason", REASON, "--accept-incomplete", stdout=out
    )
    assert f"{INCOMPLETE}: Part II.C (post-authorisation development plan) is missing." in (
        out.getvalue()
    )
    assert RiskManagementPlan.objects.get().status == "draft"

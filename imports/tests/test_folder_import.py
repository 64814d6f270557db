"""`import_rmp_summary DIR`: every summary of a folder, each on its own, and one table."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportLog
from imports.tests.corpus import render
from risks.models import RiskManagementPlan

REASON = "RMP summaries published by EMA"
DOCUMENTS = Path(__file__).parent / "documents"


def run(*args):
    out = StringIO()
    call_command("import_rmp_summary", *args, "--reason", REASON, stdout=out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a_ravolix.txt").write_text(render.render_text("ravolix"), encoding="utf-8")
    (tmp_path / "b_ravolix.pdf").write_bytes(render.render_pdf("ravolix"))  # the same content
    (tmp_path / "c_sulverin_cut.txt").write_text(
        render.render_text("sulverin_cut_in_list"), encoding="utf-8"
    )
    (tmp_path / "d_prose.txt").write_bytes((DOCUMENTS / "bad_prose.txt").read_bytes())
    (tmp_path / "e_menvaris.pdf").write_bytes(render.render_pdf("menvaris"))
    (tmp_path / "notes.md").write_text("not a summary", encoding="utf-8")
    return tmp_path


def rows(output):
    return {line.split()[0]: line for line in output.splitlines()[1:-1]}


@pytest.mark.django_db
def test_a_folder_imports_each_summary_on_its_own_and_prints_a_table(folder):
    output = run(str(folder))
    table = rows(output)
    assert output.splitlines()[0].split() == [
        "file", "product", "version", "identified/potential/missing", "studies", "warnings",
        "result",
    ]  # fmt: skip
    assert sorted(table) == [
        "a_ravolix.txt", "b_ravolix.pdf", "c_sulverin_cut.txt", "d_prose.txt", "e_menvaris.pdf",
    ]  # fmt: skip
    assert table["a_ravolix.txt"].split()[1:5] == ["Ravolix", "1", "3/2/2", "2"]
    assert "created draft" in table["a_ravolix.txt"]
    assert "nothing new: same content as a_ravolix.txt" in table["b_ravolix.pdf"]
    assert table["b_ravolix.pdf"].split()[1:3] == ["Ravolix", "1"]  # the version it matches
    assert "refused:" in table["c_sulverin_cut.txt"]
    assert "Part II.B (summary of important risks) is missing." in table["c_sulverin_cut.txt"]
    assert "refused: This does not look like an RMP summary" in table["d_prose.txt"]
    assert table["e_menvaris.pdf"].split()[1:5] == ["Menvaris", "1", "2/2/2", "3"]
    assert output.splitlines()[-1] == "5 files: 2 created draft, 1 nothing new, 2 refused."
    assert sorted(RiskManagementPlan.objects.values_list("product__name", flat=True)) == [
        "Menvaris",
        "Ravolix",
    ]
    assert ImportLog.objects.count() == 2


@pytest.mark.django_db
def test_the_same_content_for_the_same_product_is_nothing_new_whatever_the_file(folder):
    first = run(str(folder / "a_ravolix.txt"))
    again = run(str(folder / "b_ravolix.pdf"))
    assert "Created draft version 1 of Ravolix" in first
    assert "b_ravolix.pdf: nothing new. Ravolix already has this content" in again
    assert RiskManagementPlan.objects.count() == 1


@pytest.mark.django_db
def test_a_dry_run_of_a_folder_writes_nothing(folder):
    output = run(str(folder), "--dry-run")
    assert "dry run" in rows(output)["a_ravolix.txt"]
    assert not RiskManagementPlan.objects.exists()


@pytest.mark.django_db
def test_a_folder_without_summaries_or_with_a_product_is_an_error(tmp_path, folder):
    with pytest.raises(CommandError, match=r"holds no \.txt or \.pdf file"):
        run(str(_empty(tmp_path)))
    with pytest.raises(CommandError, match="one file, not a folder"):
        run(str(folder), "--product", "lemtrada")


def _empty(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    return empty


@pytest.mark.django_db
def test_a_folder_without_a_reason_imports_nothing(folder):
    with pytest.raises(CommandError, match="Say why you import this file"):
        call_command("import_rmp_summary", str(folder), stdout=StringIO())
    assert not RiskManagementPlan.objects.exists()

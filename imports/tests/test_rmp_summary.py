"""The RMP summary importer against the curated seed data, and its command-line behaviour."""

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db.models import Value
from django.db.models.functions import Replace

from imports.extract import ImportRejected
from imports.models import ImportLog, ImportWarning
from imports.rmp_summary import parse_rmp_summary
from imports.services import import_rmp_summary
from imports.tests.pdf import image_only_pdf, text_to_pdf
from products.models import Product
from risks.models import PlanStatus, RiskManagementPlan, SafetyConcern

REASON = "RMP summary published by EMA"
SEED_DATA = Path(__file__).resolve().parents[2] / "risks" / "seed_data"
SEEDS = SEED_DATA / "sources"  # the published documents the seed data was curated from
SUMMARIES = {
    "uplizna": "003_87823eff0a2665f8.txt",
    "lemtrada": "004_28828877f4a64970.txt",
    "ivozall": "000_64385f24a82e9a82.txt",
}


def source(slug):
    return (SEEDS / SUMMARIES[slug]).read_bytes()


def curated(slug):
    return yaml.safe_load((SEED_DATA / f"{slug}.yaml").read_text(encoding="utf-8"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def concern_view(plan_data, measures_by_key, studies_by_key):
    """Every curated field of every concern, with links resolved to names."""
    return [
        {
            "name": item["name"],
            "category": item["category"],
            "evidence": _strip(item["evidence"]),
            "risk_factors": _strip(item["risk_factors"]),
            "footnotes": _strip(item["footnotes"]),
            "routine_measures": [
                (measure["kind"], _strip(measure["text"]), list(measure["references"]))
                for measure in item["routine_measures"]
            ],
            "additional_measures": sorted(
                measures_by_key[key] for key in item["additional_measures"]
            ),
            "studies": sorted(studies_by_key[key] for key in item["studies"]),
        }
        for item in plan_data["safety_concerns"]
    ]


def plan_view(plan_data):
    measures = {item["key"]: item["name"] for item in plan_data["additional_measures"]}
    studies = {item["key"]: item["title"] for item in plan_data["studies"]}
    return {
        "concerns": concern_view(plan_data, measures, studies),
        "additional_measures": sorted(
            (item["kind"], item["name"], _strip(item["description"]))
            for item in plan_data["additional_measures"]
        ),
        "studies": [
            {
                "code": item["code"],
                "short_name": item["short_name"],
                "title": item["title"],
                "category": int(item["category"]),
                "design": item["design"],
                "purpose": _strip(item["purpose"]),
                "milestones": [(m["description"], str(m["due"])) for m in item["milestones"]],
            }
            for item in plan_data["studies"]
        ],
    }


@pytest.mark.parametrize("slug", ["uplizna", "lemtrada"])
def test_parsing_a_seed_summary_reproduces_the_curated_plan_field_by_field(slug):
    parsed = parse_rmp_summary(source(slug).decode())
    expected = plan_view(curated(slug)["plan"])
    actual = plan_view(parsed.plan)
    assert [c["name"] for c in actual["concerns"]] == [c["name"] for c in expected["concerns"]]
    for got, want in zip(actual["concerns"], expected["concerns"], strict=True):
        assert got == want, want["name"]
    assert actual["additional_measures"] == expected["additional_measures"]
    assert actual["studies"] == expected["studies"]


@pytest.mark.parametrize("slug", ["uplizna", "lemtrada", "ivozall"])
def test_parsing_a_seed_summary_reproduces_the_curated_product(slug):
    product = parse_rmp_summary(source(slug).decode()).product
    want = curated(slug)["product"]
    # the name as the summary writes it ("UPLIZNA"); the curated product spells it "Uplizna"
    assert product["name"].casefold() == want["name"].casefold()
    for field in ["substances", "authorisation_status", "route", "pharmaceutical_form"]:
        assert product[field] == want[field], field
    assert product["indication"] == want["indication"].strip()
    assert product["source_url"] == want["source_url"]


def test_the_scrambled_ivozall_list_is_rebuilt_and_every_concern_carries_a_warning():
    parsed = parse_rmp_summary(source("ivozall").decode())
    want = curated("ivozall")["plan"]["safety_concerns"]
    got = parsed.plan["safety_concerns"]
    assert [(c["name"], c["category"]) for c in got] == [(c["name"], c["category"]) for c in want]
    assert all(concern["warnings"] for concern in got)
    infection = got[0]
    assert "Name rebuilt from 3 fragments of the scrambled list: check it." in infection["warnings"]
    assert parsed.warnings[0][0] == "List of important risks"
    assert parsed.plan["studies"] == []


def test_clean_summaries_carry_no_concern_warnings_except_for_what_was_repaired():
    uplizna = parse_rmp_summary(source("uplizna").decode())
    assert [c["warnings"] for c in uplizna.plan["safety_concerns"]] == [[]] * 9
    lemtrada = parse_rmp_summary(source("lemtrada").decode())
    warned = {c["name"]: c["warnings"] for c in lemtrada.plan["safety_concerns"] if c["warnings"]}
    assert warned == {
        "Pulmonary alveolar haemorrhage (PAH)": [
            "A broken cross-reference of the source (“Error! Reference source not found.”) "
            "was removed."
        ]
    }


def snapshot(plan):
    """A plan as rows: every field a curator curates, in order, links by name."""
    concerns = []
    for concern in plan.safety_concerns.prefetch_related(
        "routine_measures__section_references", "additional_measures", "studies"
    ):
        concerns.append(
            (
                concern.position,
                concern.name,
                concern.category,
                concern.evidence,
                concern.risk_factors,
                concern.footnotes,
                [
                    (m.kind, m.text, [r.label for r in m.section_references.all()])
                    for m in concern.routine_measures.all()
                ],
                sorted(m.name for m in concern.additional_measures.all()),
                sorted(s.title for s in concern.studies.all()),
            )
        )
    studies = [
        (
            s.code,
            s.short_name,
            s.title,
            s.category,
            s.design,
            s.purpose,
            s.status,
            [(m.description, m.due, m.due_date, m.precision) for m in s.milestones.all()],
        )
        for s in plan.studies.prefetch_related("milestones")
    ]
    measures = [(m.kind, m.name, m.description) for m in plan.additional_measures.all()]
    return concerns, measures, studies


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["lemtrada", "uplizna"])
def test_importing_a_seed_summary_creates_a_draft_identical_to_the_curated_plan(
    seeded, curator, slug
):
    published = seeded[slug].plans.get()
    result = import_rmp_summary(source(slug), SUMMARIES[slug], user=curator, reason=REASON)

    draft = result.plan
    assert (draft.product, draft.status, draft.version) == (seeded[slug], PlanStatus.DRAFT, "2")
    assert draft.published_at is None
    assert snapshot(draft) == snapshot(published)
    log = ImportLog.objects.get()
    assert (log.user, log.file_name, log.product, log.plan) == (
        curator,
        SUMMARIES[slug],
        seeded[slug],
        draft,
    )
    assert len(log.sha256) == 64 and log.size == len(source(slug))
    assert log.summary.startswith(f"Draft plan: new version 2 of {seeded[slug].name} (")


@pytest.mark.django_db
def test_a_draft_is_never_public(seeded, client):
    result = import_rmp_summary(source("lemtrada"), "lemtrada.txt", reason=REASON)
    draft_concern = result.plan.safety_concerns.get(name="Serious infections")
    draft_concern.name = "Draft-only concern name"
    draft_concern.save()
    for url in [
        "/products/lemtrada/",
        "/risks/?q=Draft-only",
        "/search/?q=Draft-only",
        "/api/v1/products/lemtrada/",
        "/products/?format=csv",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Draft-only concern name" not in body.decode(), url


@pytest.mark.django_db
def test_a_summary_for_an_unknown_product_creates_a_new_product_that_stays_hidden(client):
    result = import_rmp_summary(source("uplizna"), "uplizna.txt", reason=REASON)

    product = result.plan.product
    # the name as the summary writes it, with a warning saying so
    assert (product.name, product.slug, product.region) == ("UPLIZNA", "uplizna", "EU")
    assert result.plan.import_warnings.filter(
        subject="Product", message__contains="written in capitals"
    ).exists()
    assert list(product.substances.values_list("name", flat=True)) == ["inebilizumab"]
    assert product.route == "intravenous"
    assert client.get("/products/uplizna/").status_code == 404
    assert client.get("/api/v1/products/uplizna/").status_code == 404


@pytest.mark.django_db
def test_the_withdrawn_marker_sets_the_status_of_a_new_product():
    result = import_rmp_summary(source("ivozall"), "ivozall.txt", reason=REASON)
    product = result.plan.product
    assert (product.name, product.authorisation_status) == ("Ivozall", "withdrawn")
    assert product.pharmaceutical_form == "concentrate for solution for infusion"


@pytest.mark.django_db
def test_warnings_are_attached_to_the_doubtful_items_of_the_draft():
    result = import_rmp_summary(source("ivozall"), "ivozall.txt", reason=REASON)
    plan = result.plan
    # the scrambled list, and II.B without a table for any concern
    assert plan.import_warnings.filter(safety_concern__isnull=True).count() == 2
    for concern in plan.safety_concerns.all():
        assert concern.import_warnings.exists(), concern.name
    cardiotoxicity = SafetyConcern.objects.get(plan=plan, name="Cardiotoxicity")
    assert [w.message for w in cardiotoxicity.import_warnings.all()] == [
        "Category inferred from its position before the first category label: the list is "
        "scrambled in the extracted text; check it."
    ]
    assert result.log.warnings == [f"{w.subject}: {w.message}" for w in plan.import_warnings.all()]


@pytest.mark.django_db
def test_reimporting_the_same_file_is_a_no_op_and_a_changed_file_a_new_version(seeded):
    first = import_rmp_summary(source("uplizna"), "uplizna.txt", reason=REASON)
    again = import_rmp_summary(source("uplizna"), "renamed.txt", reason=REASON)
    assert again.is_duplicate and again.plan is None
    assert again.preview.duplicate == first.log
    assert RiskManagementPlan.objects.filter(product=seeded["uplizna"]).count() == 2

    changed = source("uplizna").replace(b"Neutropenia.", b"Neutropenia and leukopenia.")
    third = import_rmp_summary(changed, "uplizna.txt", reason=REASON)
    assert third.plan.version == "3"
    assert third.plan.safety_concerns.filter(name="Neutropenia and leukopenia").exists()
    assert ImportLog.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["uplizna", "lemtrada"])
def test_a_pdf_summary_imports_like_its_text(seeded, slug):
    """pypdf's text has no blank lines at all: paragraphs come from line lengths alone."""
    pdf = text_to_pdf(source(slug).decode().replace("≥", ">="))
    result = import_rmp_summary(pdf, f"{slug}.pdf", reason=REASON)
    published = seeded[slug].plans.get(status=PlanStatus.PUBLISHED)
    published.safety_concerns.filter(name__contains="≥").update(
        name=Replace("name", Value("≥"), Value(">="))
    )
    assert snapshot(result.plan) == snapshot(published)


def database_counts():
    return (
        Product.objects.count(),
        RiskManagementPlan.objects.count(),
        SafetyConcern.objects.count(),
        ImportLog.objects.count(),
        ImportWarning.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "empty.txt is empty."),
        (b"\x00\x01\x02binary\x00", "data.txt", "data.txt is a binary file, not text"),
        ("Résumé".encode("latin-1"), "latin.txt", "latin.txt is not UTF-8 text"),
        (b"%PDF-1.4 nonsense", "broken.pdf", "broken.pdf is not a readable PDF"),
        (b"Summary", "notes.docx", "notes.docx: only .txt and .pdf files can be imported."),
        (
            b"SUMMARY OF PRODUCT CHARACTERISTICS\n\n4.4 Special warnings and precautions for use\n",
            "smpc.txt",
            "This does not look like an RMP summary",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(
    seeded, content, name, message
):
    before = database_counts()
    with pytest.raises(ImportRejected) as error:
        import_rmp_summary(content, name, reason=REASON)
    assert str(error.value).startswith(message)
    assert database_counts() == before


@pytest.mark.django_db
def test_a_pdf_without_a_text_layer_is_refused(seeded):
    before = database_counts()
    with pytest.raises(ImportRejected, match="has no text layer"):
        import_rmp_summary(image_only_pdf(), "scan.pdf", reason=REASON)
    assert database_counts() == before


# The command.


def run(*args):
    out = StringIO()
    if "--dry-run" not in args:
        args = (*args, "--reason", REASON)
    call_command("import_rmp_summary", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_imports_a_draft_and_reports_it(seeded, tmp_path):
    path = tmp_path / "lemtrada-summary.txt"
    path.write_bytes(source("lemtrada"))
    output = run(str(path))
    assert output.splitlines()[0] == (
        "Draft plan: new version 2 of Lemtrada (23 safety concerns, 130 routine measures, "
        "207 section references, 1 additional measure, 4 studies, 4 milestones)."
    )
    assert "1 warnings to review:" in output
    assert "Created draft version 2 of Lemtrada" in output
    assert run(str(path)).startswith("lemtrada-summary.txt was already imported on ")


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(seeded, tmp_path):
    path = tmp_path / "uplizna.txt"
    path.write_bytes(source("uplizna"))
    before = database_counts()
    output = run(str(path), "--dry-run", "--verbosity", "2")
    assert "  potential  Progressive multifocal leukoencephalopathy (PML)" in output
    assert output.rstrip().endswith("Dry run: nothing written.")
    assert database_counts() == before


@pytest.mark.django_db
def test_command_into_a_named_product_and_its_errors(seeded, tmp_path):
    path = tmp_path / "uplizna.txt"
    path.write_bytes(source("uplizna"))
    with pytest.raises(CommandError, match=re.escape("There is no product with the slug “nope”.")):
        run(str(path), "--product", "nope")
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.txt"):
        run(str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match=re.escape("There is no user “ghost”.")):
        run(str(path), "--user", "ghost")
    output = run(str(path), "--product", "ivozall")
    assert "The summary is for “UPLIZNA” and was imported into “Ivozall” as asked." in output
    assert seeded["ivozall"].plans.filter(status=PlanStatus.DRAFT).count() == 1


@pytest.mark.django_db
def test_an_import_without_a_reason_is_refused_and_writes_nothing(seeded, tmp_path):
    before = database_counts()
    with pytest.raises(ImportRejected, match="Say why you import this file"):
        import_rmp_summary(source("lemtrada"), "lemtrada.txt", reason="  ")
    path = tmp_path / "lemtrada.txt"
    path.write_bytes(source("lemtrada"))
    with pytest.raises(CommandError, match="Say why you import this file"):
        call_command("import_rmp_summary", str(path), stdout=StringIO())
    assert database_counts() == before


@pytest.mark.django_db
def test_everything_an_import_writes_is_in_the_audit_trail_with_its_user_and_reason(
    seeded, curator
):
    result = import_rmp_summary(
        source("uplizna"), "uplizna.txt", user=curator, reason="EMA published version 2"
    )
    plan = result.plan
    records = [
        *plan.history.all(),
        *SafetyConcern.history.filter(plan_id=plan.pk),
        *ImportWarning.history.filter(plan_id=plan.pk),
    ]
    assert len(records) == 1 + plan.safety_concerns.count() + plan.import_warnings.count()
    assert {(r.history_type, r.history_user, r.history_change_reason) for r in records} == {
        ("+", curator, "EMA published version 2")
    }
    assert result.log.reason == "EMA published version 2"
    assert plan.last_edited_by == curator


@pytest.mark.django_db
def test_a_reference_to_a_section_the_document_lacks_is_a_warning_on_its_concern():
    changed = source("uplizna").replace(
        b"SmPC Section 4.2, Section 4.4, Section 4.8, Section 5.1.",
        b"SmPC Section 4.2, Section 4.4, Section 4.99, Section 5.1.",
        1,
    )
    assert changed != source("uplizna")

    result = import_rmp_summary(changed, "uplizna.txt", reason=REASON)

    concern = SafetyConcern.objects.get(plan=result.plan, name__icontains="infusion")
    measure = concern.routine_measures.get(text__contains="Section 4.99")
    assert [r.label for r in measure.section_references.all()] == [
        "SmPC 4.2",
        "SmPC 4.4",
        "SmPC 5.1",
    ]
    [warning] = [w for w in concern.import_warnings.all() if "4.99" in w.message]
    assert "“SmPC 4.99” is not a section of the Summary of product characteristics" in (
        warning.message
    )
    assert "its sections are 1–12, 2.1, 2.2, 4.1–4.9" in warning.message
    assert "not stored as a reference" in warning.message

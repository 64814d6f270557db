"""The CSV exports of the public lists open in a spreadsheet as they read on the site.

Excel reads a CSV without a byte order mark in the computer's code page (cp1252 in Western
Europe), where "Still’s" becomes "Stillâ€™s": each export starts with the UTF-8 byte order
mark, which Excel (and Python's ``utf-8-sig``) reads as "this file is UTF-8". Cells that would
run as a formula are kept as text.
"""

import csv
import datetime
import io
import json

import pytest

from risks.models import ConcernCategory, RoutineMeasureKind, StudyCategory
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


def csv_body(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def csv_rows(response):
    """The rows as Excel reads the file: the byte order mark says UTF-8, and is not data."""
    body = csv_body(response)
    assert body.startswith(BOM)
    with io.TextIOWrapper(io.BytesIO(body), encoding="utf-8-sig", newline="") as text:
        return list(csv.DictReader(text))


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example","y")', "+1", "-2", "@SUM(A1)"])
def test_a_concern_name_that_looks_like_a_formula_is_exported_as_text(client, name):
    SafetyConcernFactory(name=name, plan__product__slug="drug")
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert row["Safety concern"] == f"'{name}"
    assert row["Product identifier"] == "drug"


def test_formula_text_in_the_new_columns_is_kept_as_text_too(client):
    SafetyConcernFactory(evidence="=1+1", risk_factors="@risk")
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert (row["Evidence"], row["Risk factors"]) == ("'=1+1", "'@risk")


def test_ordinary_text_is_exported_unchanged(client):
    SafetyConcernFactory(name="Serious infections (including PML)")
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert row["Safety concern"] == "Serious infections (including PML)"


@pytest.fixture
def still():
    """A product whose words Excel's default reading garbles: ’ and ≥."""
    plan = PlanFactory(
        product__name="Stillmab", product__slug="stillmab", version="2.1", product__region="EU"
    )
    concern = SafetyConcernFactory(
        plan=plan,
        name="Adult-onset Still’s disease",
        category=ConcernCategory.POTENTIAL,
        evidence="Seen in patients aged ≥65 years.",
        risk_factors="Age ≥65",
    )
    measure = RoutineMeasureFactory(safety_concern=concern, text="SmPC 4.4 warns of flares.")
    SectionReferenceFactory(routine_measure=measure, section="4.4")
    RoutineMeasureFactory(
        safety_concern=concern, kind=RoutineMeasureKind.LEGAL_STATUS, text="Prescription only."
    )
    card = AdditionalMeasureFactory(plan=plan, name="Still’s patient card")
    card.safety_concerns.add(concern)
    study = StudyFactory(
        plan=plan,
        code="STILL-1",
        short_name="Still’s registry",
        category=StudyCategory.REQUIRED,
    )
    study.safety_concerns.add(concern)
    MilestoneFactory(study=study, description="Interim report", due="Q2 2027")
    MilestoneFactory(study=study, description="Final report", due="6 months after the end")
    MilestoneFactory(study=study, description="Protocol ≥65 submission", due="31 January 2026")
    StudyFactory(plan=plan, code="STILL-2", title="A study with no milestone")
    plan.product.refresh_from_db()
    return plan


@pytest.mark.parametrize("url", ["/products/", "/risks/", "/studies/", "/compare/"])
def test_every_list_opens_in_excel_without_garbling(client, still, url):
    PlanFactory(product__slug="other", product__name="Other")
    query = "products=stillmab,other&format=csv" if url == "/compare/" else "format=csv"
    body = csv_body(client.get(f"{url}?{query}"))
    assert body.startswith(BOM)
    excel = body.decode("utf-8-sig")
    assert not excel.startswith("\ufeff")  # the mark is read as the encoding, not as text
    assert "Still’s" in excel or url == "/products/"
    assert "Stillmab" in excel
    # What Excel would show without the mark (cp1252): the mark itself and garbled quotes.
    assert body.decode("cp1252", errors="replace").startswith("ï»¿")
    if url == "/risks/":
        assert "≥65" in excel and "â‰¥65" in body.decode("cp1252", errors="replace")


def test_products_csv_has_titles_and_labels(client, still):
    (row,) = csv_rows(client.get("/products/?format=csv"))
    assert list(row) == [
        "Product",
        "Active substance",
        "Region",
        "Authorisation status",
        "Plan version",
        "Plan date",
        "Published here (UTC)",
        "Safety concerns",
        "Studies",
        "Address",
        "Identifier",
    ]
    assert row["Authorisation status"] == "Authorised"
    assert row["Plan version"] == "2.1"
    assert row["Address"] == "http://testserver/products/stillmab/"


def test_concerns_csv_has_every_column_a_reader_needs(client, still):
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert list(row) == [
        "Risk (grouped name)",
        "Safety concern",
        "Category",
        "Product",
        "Region",
        "Plan version",
        "Authorisation status",
        "Evidence",
        "Risk factors",
        "Routine measures",
        "SmPC/PL sections cited",
        "Additional measures",
        "Studies",
        "Address",
        "Product identifier",
    ]
    assert row["Category"] == "Important potential risk"
    assert row["Product"] == "Stillmab"
    assert (row["Plan version"], row["Authorisation status"]) == ("2.1", "Authorised")
    assert row["Evidence"] == "Seen in patients aged ≥65 years."
    assert row["Risk factors"] == "Age ≥65"
    assert row["Routine measures"] == (
        "Product information wording: SmPC 4.4 warns of flares.; Legal status: Prescription only."
    )
    assert row["SmPC/PL sections cited"] == "SmPC 4.4"
    assert row["Additional measures"] == "Still’s patient card"
    assert row["Studies"] == "STILL-1"
    assert row["Address"].startswith("http://testserver/products/stillmab/")


def test_concerns_json_keeps_its_keys_and_codes(client, still):
    body = b"".join(client.get("/risks/?format=json").streaming_content)
    assert not body.startswith(BOM)
    data = json.loads(body)
    (result,) = data["results"]
    assert set(result) == {
        "group",
        "product",
        "product_slug",
        "region",
        "category",
        "name",
        "url",
        "section_references",
        "additional_measures",
        "studies",
    }
    assert result["category"] == "potential"


def test_studies_csv_has_a_pair_of_columns_per_milestone(client, still):
    rows = csv_rows(client.get("/studies/?format=csv&sort=product"))
    titles = list(rows[0])
    assert titles[titles.index("Safety concerns") + 1 : titles.index("Overdue")] == [
        "Milestone 1",
        "Milestone 1 due",
        "Milestone 2",
        "Milestone 2 due",
        "Milestone 3",
        "Milestone 3 due",
    ]
    assert "milestones" not in titles and "More milestones" not in titles
    first, second = rows
    # In the order of the study's page: by due date, events (no date) last.
    assert [(first[f"Milestone {n}"], first[f"Milestone {n} due"]) for n in (1, 2, 3)] == [
        ("Protocol ≥65 submission: 31 January 2026", "2026-01-31"),
        ("Interim report: Q2 2027", "2027-06-30"),
        ("Final report: 6 months after the end", ""),
    ]
    datetime.date.fromisoformat(first["Milestone 2 due"])
    assert [second[f"Milestone {n}"] for n in (1, 2, 3)] == ["", "", ""]
    assert first["Category"] == StudyCategory.REQUIRED.label
    assert (first["Plan version"], first["Authorisation status"]) == ("2.1", "Authorised")
    assert first["Address"].startswith("http://testserver/")


def test_studies_json_keeps_its_milestones_list_and_category_code(client, still):
    data = json.loads(b"".join(client.get("/studies/?format=json&sort=product").streaming_content))
    result = data["results"][0]
    assert result["category"] == 3
    assert result["milestones"][0] == "Protocol ≥65 submission: 31 January 2026 (2026-01-31)"
    assert not any(key.startswith("milestone_") for key in result)
    assert "plan_version" not in result


def test_comparison_csv_names_products_and_labels_categories(client, still):
    other = PlanFactory(product__slug="other", product__name="Other")
    SafetyConcernFactory(plan=other, name="Adult-onset Still’s disease")
    (row,) = csv_rows(client.get("/compare/?products=stillmab,other&format=csv"))
    assert list(row)[:4] == ["Category", "Safety concern", "Listed by", "Stillmab"]
    assert row["Category"] == "Important identified risk"
    assert row["Listed by"] == "Stillmab; Other"
    assert row["Stillmab: category"] == "Important potential risk"
    assert row["Other: address"].startswith("http://testserver/products/other/")


def test_an_empty_studies_csv_has_no_milestone_columns(client):
    rows_text = csv_body(client.get("/studies/?format=csv")).decode("utf-8-sig")
    assert rows_text.splitlines()[0].startswith("Product,Study,Code,Title,Category")
    assert "Milestone" not in rows_text

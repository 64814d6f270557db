"""Every list's CSV and .xlsx as a spreadsheet user opens them (published data only)."""

import codecs
import csv
import datetime
import io
import re

import openpyxl
import pytest

from audit.models import DataVersion
from risks.models import SafetyConcern
from risks.tests.factories import next_version

pytestmark = pytest.mark.django_db

LIST_EXPORTS = [
    "/products/?region=EU",
    "/risks/?category=identified",
    "/studies/",
    "/search/?q=infection",
    "/compare/?products=ivozall,clolar",
]


def excel_reads(data):
    """The text as Excel's default CSV reading sees it: UTF-8 when the file starts with a
    byte order mark, else the Windows code page (cp1252 in western Europe)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    return data.decode("cp1252", errors="replace")


def with_format(url, fmt):
    return f"{url}{'&' if '?' in url else '?'}format={fmt}"


def csv_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = excel_reads(b"".join(response.streaming_content))
    return text, list(csv.DictReader(io.StringIO(text)))


def workbook_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = b"".join(response.streaming_content)
    # data_only: a formula's value as written (an address's HYPERLINK shows the address)
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def sheet_rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def about_of(book):
    return {label: value for label, value in book["About"].iter_rows(values_only=True)}


def test_concerns_csv_survives_excels_default_reading(client, seeded):
    text, rows = csv_of(client, "/risks/?product=lemtrada&format=csv")
    assert "Adult Onset Still’s Disease (AOSD)" in text
    assert "elderly patients aged ≥65 years" in text
    # Without the byte order mark the same bytes would be read as cp1252 and garbled.
    garbled = text.encode("utf-8").decode("cp1252", errors="replace")
    assert "Still’s" not in garbled
    still = next(row for row in rows if row["Safety concern"].startswith("Adult Onset Still"))
    assert still["Category"] in {
        "Important identified risk",
        "Important potential risk",
        "Missing information",
    }
    assert still["Product"] == "Lemtrada"
    assert still["Plan version"]
    assert still["Authorisation status"] == "Authorised"
    assert still["Address"].startswith("http://testserver/products/lemtrada/risks/")


def test_product_page_offers_its_concerns_as_csv_and_xlsx(client, seeded):
    page = client.get("/products/lemtrada/").content.decode()
    assert "/risks/?product=lemtrada&amp;format=csv" in page
    assert "/risks/?product=lemtrada&amp;format=xlsx" in page
    book = workbook_of(client, "/risks/?product=lemtrada&format=xlsx")
    rows = sheet_rows(book.worksheets[0])
    assert {row["Product"] for row in rows} == {"Lemtrada"}
    names = {row["Safety concern"] for row in rows}
    assert "Adult Onset Still’s Disease (AOSD)" in names
    current = SafetyConcern.objects.current().filter(plan__product__slug="lemtrada")
    assert len(rows) == current.count()


def test_studies_csv_has_a_due_date_column_per_milestone(client, seeded):
    _, rows = csv_of(client, "/studies/?format=csv")
    assert rows
    first = rows[0]
    for title in ("Product", "Study", "Category", "Plan version", "Authorisation status"):
        assert title in first
    assert "Milestone 1" in first and "Milestone 1 due" in first
    dated = [row for row in rows if row["Milestone 1 due"]]
    assert dated
    for row in dated:
        datetime.date.fromisoformat(row["Milestone 1 due"])
        assert ":" in row["Milestone 1"]  # "Final report: Q2 2027", the plan's own words
    assert all(row["Address"].startswith("http://testserver/products/") for row in rows)


def test_studies_xlsx_has_typed_due_dates_a_frozen_header_and_an_about_sheet(client, seeded):
    book = workbook_of(client, "/studies/?format=xlsx")
    assert book.sheetnames == ["Studies", "About"]
    sheet = book["Studies"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    due = header.index("Milestone 1 due") + 1
    dates = [row[due - 1] for row in sheet.iter_rows(min_row=2) if row[due - 1].value is not None]
    assert dates
    for cell in dates:
        assert cell.is_date
        assert isinstance(cell.value, datetime.datetime)
        assert cell.number_format == "yyyy-mm-dd"
    column = openpyxl.utils.get_column_letter(header.index("Study") + 1)
    assert 10 <= sheet.column_dimensions[column].width <= 62
    _csv_text, csv_rows = csv_of(client, "/studies/?format=csv")
    rows = sheet_rows(sheet)
    assert [row["Study"] for row in rows] == [row["Study"] for row in csv_rows]
    about = about_of(book)
    assert about["Page"] == "http://testserver/studies/"
    assert about["Shows"] == f"{len(rows)} studies"
    assert about["Filters"] == "none: every published row"
    version = DataVersion.current()
    assert about["Data version"].startswith(f"{version.public_counter}, published data as of ")
    assert about["Rows"] == len(rows)


def test_products_xlsx_keeps_the_filters_and_types_the_plan_date(client, seeded):
    book = workbook_of(client, "/products/?region=EU&format=xlsx")
    rows = sheet_rows(book.worksheets[0])
    assert rows and {row["Region"] for row in rows} == {"EU"}
    assert all(isinstance(row["Plan date"], datetime.datetime) for row in rows if row["Plan date"])
    with_plan = [row for row in rows if row["Plan version"]]
    assert with_plan
    for row in with_plan:
        assert isinstance(row["Published here (UTC)"], datetime.datetime)
    assert all(row["Published here (UTC)"] is None for row in rows if not row["Plan version"])
    assert all(row["Address"].startswith("http://testserver/products/") for row in rows)
    about = about_of(book)
    assert about["Filters"] == "region = EU"
    assert about["Page"] == "http://testserver/products/?region=EU"
    assert about["Shows"].endswith("· EU")
    _, csv_rows = csv_of(client, "/products/?region=EU&format=csv")
    for row in csv_rows:
        if row["Plan version"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["Published here (UTC)"])


@pytest.mark.parametrize("url", LIST_EXPORTS)
def test_every_list_answers_xlsx_with_the_csv_columns(client, seeded, url):
    book = workbook_of(client, with_format(url, "xlsx"))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    _, csv_rows = csv_of(client, with_format(url, "csv"))
    rows = sheet_rows(sheet)
    assert rows, url
    assert list(rows[0]) == list(csv_rows[0])
    assert len(rows) == len(csv_rows)
    assert about_of(book)["Rows"] == len(rows)


@pytest.mark.parametrize("url", LIST_EXPORTS)
def test_list_pages_offer_the_xlsx_beside_the_csv(client, seeded, url):
    page = client.get(url).content.decode()
    assert "format=csv" in page
    assert "format=xlsx" in page and "Excel (.xlsx)" in page


def test_a_bad_format_is_a_400_with_a_message(client, seeded):
    response = client.get("/studies/?format=xls")
    assert response.status_code == 400
    assert "csv, xlsx or json" in response.content.decode()


def test_a_draft_never_reaches_the_xlsx(client, seeded):
    plan = seeded["lemtrada"].plans.get()

    def edit(draft):
        SafetyConcern.objects.create(
            plan=draft, name="Secret draft concern", category="potential", position=99
        )

    next_version(plan, version="2-draft", publish=False, edit=edit)
    before = DataVersion.current().public_counter
    book = workbook_of(client, "/risks/?format=xlsx")
    names = {row["Safety concern"] for row in sheet_rows(book.worksheets[0])}
    assert "Secret draft concern" not in names
    assert about_of(book)["Data version"].startswith(f"{before}, ")

"""The CSV exports of the public lists cannot carry a spreadsheet formula."""

import csv
import io

import pytest

from risks.tests.factories import SafetyConcernFactory

pytestmark = pytest.mark.django_db


def csv_rows(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example","y")', "+1", "-2", "@SUM(A1)"])
def test_a_concern_name_that_looks_like_a_formula_is_exported_as_text(client, name):
    SafetyConcernFactory(name=name, plan__product__slug="drug")
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert row["name"] == f"'{name}"
    assert row["product_slug"] == "drug"


def test_ordinary_text_is_exported_unchanged(client):
    SafetyConcernFactory(name="Serious infections (including PML)")
    (row,) = csv_rows(client.get("/risks/?format=csv"))
    assert row["name"] == "Serious infections (including PML)"

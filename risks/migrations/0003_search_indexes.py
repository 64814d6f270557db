"""GIN indexes for the site search's full-text queries, on PostgreSQL only.

Each index is built on exactly the weighted search vector that risks/search.py queried
(risks.search.VECTORS), compiled by Django itself so the SQL matched the queries' and the
planner used it. On any other database (SQLite) this migration does nothing.

The vectors are a frozen copy of risks.search.VECTORS. Migration products/0004_search_vectors
replaced these indexes: it stores each vector in a generated column ``search_vector`` and
indexes that instead (and recreates these indexes when reversed).
"""

import functools
import operator

from django.db import migrations

CONFIG = "english"

INDEXES = [
    # (app label, model, index name, ((fields, ...), weight) ...)
    ("products", "Product", "product_search_idx", ((("name",), "A"), (("indication",), "B"))),
    ("products", "Substance", "substance_search_idx", ((("name",), "A"),)),
    (
        "risks",
        "SafetyConcern",
        "safetyconcern_search_idx",
        ((("name",), "A"), (("evidence", "risk_factors"), "B")),
    ),
    ("risks", "RoutineMeasure", "routinemeasure_search_idx", ((("text",), "B"),)),
    (
        "risks",
        "AdditionalMeasure",
        "additionalmeasure_search_idx",
        ((("name",), "A"), (("description",), "B")),
    ),
    (
        "risks",
        "Study",
        "study_search_idx",
        ((("code", "short_name", "title"), "A"), (("purpose",), "B")),
    ),
    (
        "products",
        "ProductInformationSection",
        "infosection_search_idx",
        ((("title",), "A"), (("text",), "B")),
    ),
]


def _indexes(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    for app_label, model_name, name, vector in INDEXES:
        expression = functools.reduce(
            operator.add,
            [SearchVector(*fields, config=CONFIG, weight=weight) for fields, weight in vector],
        )
        yield apps.get_model(app_label, model_name), GinIndex(expression, name=name)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
        ("risks", "0002_curators_group"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

"""Stored search vectors for the site search, on PostgreSQL only.

Each searched table (risks.search.VECTORS) gets a column ``search_vector``: a ``tsvector``
GENERATED ALWAYS AS the weighted search vector of its row and STORED, so PostgreSQL computes
it once when the row is written instead of on every search (ranking a few thousand long
product information sections by ``ts_rank`` over ``to_tsvector(text)`` took seconds). A GIN
index on the column replaces each expression index of risks/0003_search_indexes, dropped
here. On any other database (SQLite) this migration does nothing.

The column is not a model field: Django never reads or writes it (inserts and updates leave
it to PostgreSQL; the audit history's tables do not have it), and risks/search.py refers to
it by name. Keep that in mind when a migration changes a searched column: PostgreSQL refuses
to alter the type of a column a generated column uses, and dropping such a column drops
``search_vector`` with it (Django drops columns with CASCADE); replace the vector in the same
migration.

The vectors are those of risks/0003 (a frozen copy of risks.search.VECTORS), rendered as SQL
the way Django renders ``SearchVector``; risks/tests/test_search.py checks, on PostgreSQL,
that each stored vector equals the one risks.search computes. If risks.search.VECTORS
changes, add a migration replacing the affected column.
"""

import importlib

from django.db import migrations

expression_indexes = importlib.import_module("risks.migrations.0003_search_indexes")

CONFIG = expression_indexes.CONFIG
COLUMN = "search_vector"


def _vector_sql(groups, quote_name):
    """``setweight(to_tsvector('english'::regconfig, COALESCE("name", '')), 'A') || …``"""
    parts = []
    for fields, weight in groups:
        text = " || ' ' || ".join(f"COALESCE({quote_name(field)}, '')" for field in fields)
        parts.append(f"setweight(to_tsvector('{CONFIG}'::regconfig, {text}), '{weight}')")
    return " || ".join(parts)


def _tables(apps, schema_editor):
    """(quoted table, quoted new index name, vector SQL) of each searched model."""
    quote_name = schema_editor.quote_name
    for app_label, model_name, old_index, groups in expression_indexes.INDEXES:
        table = apps.get_model(app_label, model_name)._meta.db_table
        index = old_index.removesuffix("_idx") + "_vector_idx"
        yield quote_name(table), quote_name(index), _vector_sql(groups, quote_name)


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    expression_indexes.drop_indexes(apps, schema_editor)
    column = schema_editor.quote_name(COLUMN)
    for table, index, vector in _tables(apps, schema_editor):
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")
        # Statistics for the planner's estimate of how many rows a search matches.
        schema_editor.execute(f"ANALYZE {table} ({column})")


def remove_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    column = schema_editor.quote_name(COLUMN)
    for table, index, _ in _tables(apps, schema_editor):
        schema_editor.execute(f"DROP INDEX {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    expression_indexes.create_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_product_is_synthetic"),
        ("risks", "0005_reviewers_group"),
    ]

    operations = [migrations.RunPython(add_search_vectors, remove_search_vectors)]

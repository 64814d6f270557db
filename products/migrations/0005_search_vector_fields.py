"""The search vectors of products, active substances and product information sections, now
fields of their models (products.search_fields.SearchVectorGeneratedField, with a
SearchVectorIndex): added here like any field, a generated ``tsvector`` column with a GIN index
on PostgreSQL (an always-NULL column, unindexed, on SQLite).

A PostgreSQL database migrated before may hold the vectors' former forms, made by migrations
that now do nothing: an undeclared generated column of the same name, ``search_vector``, with
a GIN index ``*_search_vector_idx`` (products/0004_search_vectors), or an expression index
``*_search_idx`` (risks/0003_search_indexes). This migration first drops those from these
tables, if there, so the field adds its column in their place; risks/0008_search_vector_fields
does the same for the risks tables. Reversed, it only removes the fields.
"""

from django.db import migrations

import products.search_fields

# The indexes risks/0003 and products/0004 used to create on this app's tables.
LEGACY_INDEXES = {
    "Product": ["product_search_idx", "product_search_vector_idx"],
    "Substance": ["substance_search_idx", "substance_search_vector_idx"],
    "ProductInformationSection": ["infosection_search_idx", "infosection_search_vector_idx"],
}
COLUMN = "search_vector"


def drop_legacy_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # they were made on PostgreSQL only
    quote = schema_editor.quote_name
    for model_name, indexes in LEGACY_INDEXES.items():
        table = quote(apps.get_model("products", model_name)._meta.db_table)
        for index in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {quote(COLUMN)}")


def analyze_vectors(apps, schema_editor):
    """Statistics for the planner's estimate of how many rows a search matches."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for model_name in LEGACY_INDEXES:
        table = quote(apps.get_model("products", model_name)._meta.db_table)
        schema_editor.execute(f"ANALYZE {table} ({quote(COLUMN)})")


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0004_search_vectors'),
    ]

    operations = [
        migrations.RunPython(drop_legacy_vectors, migrations.RunPython.noop),
        migrations.AddField(
            model_name='product',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['name'], 'B': ['indication']}),
        ),
        migrations.AddField(
            model_name='productinformationsection',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['title'], 'B': ['text']}),
        ),
        migrations.AddField(
            model_name='substance',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['name']}),
        ),
        migrations.AddIndex(
            model_name='product',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='product_vector_idx'),
        ),
        migrations.AddIndex(
            model_name='productinformationsection',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='infosection_vector_idx'),
        ),
        migrations.AddIndex(
            model_name='substance',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='substance_vector_idx'),
        ),
        migrations.RunPython(analyze_vectors, migrations.RunPython.noop),
    ]

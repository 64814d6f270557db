"""The search vectors of safety concerns, routine and additional measures and studies, now
fields of their models (products.search_fields.SearchVectorGeneratedField, with a
SearchVectorIndex): added here like any field, a generated ``tsvector`` column with a GIN index
on PostgreSQL (an always-NULL column, unindexed, on SQLite).

A PostgreSQL database migrated before may hold the vectors' former forms, made by migrations
that now do nothing: an undeclared generated column of the same name, ``search_vector``, with
a GIN index ``*_search_vector_idx`` (products/0004_search_vectors), or an expression index
``*_search_idx`` (risks/0003_search_indexes). This migration first drops those from these
tables, if there, so the field adds its column in their place;
products/0005_search_vector_fields does the same for the products tables. Reversed, it only
removes the fields.
"""

from django.db import migrations

import products.search_fields

# The indexes risks/0003 and products/0004 used to create on this app's tables.
LEGACY_INDEXES = {
    "SafetyConcern": ["safetyconcern_search_idx", "safetyconcern_search_vector_idx"],
    "RoutineMeasure": ["routinemeasure_search_idx", "routinemeasure_search_vector_idx"],
    "AdditionalMeasure": ["additionalmeasure_search_idx", "additionalmeasure_search_vector_idx"],
    "Study": ["study_search_idx", "study_search_vector_idx"],
}
COLUMN = "search_vector"


def drop_legacy_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # they were made on PostgreSQL only
    quote = schema_editor.quote_name
    for model_name, indexes in LEGACY_INDEXES.items():
        table = quote(apps.get_model("risks", model_name)._meta.db_table)
        for index in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {quote(COLUMN)}")


def analyze_vectors(apps, schema_editor):
    """Statistics for the planner's estimate of how many rows a search matches."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for model_name in LEGACY_INDEXES:
        table = quote(apps.get_model("risks", model_name)._meta.db_table)
        schema_editor.execute(f"ANALYZE {table} ({quote(COLUMN)})")


class Migration(migrations.Migration):

    dependencies = [
        ('risks', '0007_safetyconcern_group_key_index'),
    ]

    operations = [
        migrations.RunPython(drop_legacy_vectors, migrations.RunPython.noop),
        migrations.AddField(
            model_name='additionalmeasure',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['name'], 'B': ['description']}),
        ),
        migrations.AddField(
            model_name='routinemeasure',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'B': ['text']}),
        ),
        migrations.AddField(
            model_name='safetyconcern',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['name'], 'B': ['evidence', 'risk_factors']}),
        ),
        migrations.AddField(
            model_name='study',
            name='search_vector',
            field=products.search_fields.SearchVectorGeneratedField(config='english', weights={'A': ['code', 'short_name', 'title'], 'B': ['purpose']}),
        ),
        migrations.AddIndex(
            model_name='additionalmeasure',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='additionalmeasure_vector_idx'),
        ),
        migrations.AddIndex(
            model_name='routinemeasure',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='routinemeasure_vector_idx'),
        ),
        migrations.AddIndex(
            model_name='safetyconcern',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='safetyconcern_vector_idx'),
        ),
        migrations.AddIndex(
            model_name='study',
            index=products.search_fields.SearchVectorIndex(fields=['search_vector'], name='study_vector_idx'),
        ),
        migrations.RunPython(analyze_vectors, migrations.RunPython.noop),
    ]

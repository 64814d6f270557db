"""The FTS5 index of the published data on SQLite (risks/search_index.py): its tables, the
triggers that keep it in step with every write, and its rows for the data already there.
Nothing on PostgreSQL, which searches the stored vectors (0008). Reversed, it drops them.
"""

from django.db import migrations

from risks import search_index


def install(apps, schema_editor):
    search_index.install(schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    search_index.uninstall(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0005_search_vector_fields"),
        ("risks", "0010_history_hash_chain"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]

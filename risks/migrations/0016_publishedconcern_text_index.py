"""The trigram index of the read model's concern text (risks/published.py): pg_trgm's GIN
index on PostgreSQL, an FTS5 table with the trigram tokenizer and its triggers on SQLite."""

from django.db import migrations

from risks import published


def install(apps, schema_editor):
    published.install_text_index(schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    published.uninstall_text_index(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("risks", "0015_publication_summary")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]

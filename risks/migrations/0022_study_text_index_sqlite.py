"""The studies' text index on SQLite (risks/study_text.py): an FTS5 table with the trigram
tokenizer over code, short name, title and purpose, and its triggers. PostgreSQL has its
trigram indexes from 0021."""

from django.db import migrations

from risks import study_text


def install(apps, schema_editor):
    study_text.install(schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    study_text.uninstall(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("risks", "0021_study_text_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]

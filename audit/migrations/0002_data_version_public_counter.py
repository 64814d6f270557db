from django.db import migrations, models
from django.db.models import F


def start_from_the_data_version(apps, schema_editor):
    """The public counter starts where the data version is, so no ETag given so far repeats."""
    DataVersion = apps.get_model("audit", "DataVersion")
    DataVersion.objects.update(public_counter=F("counter"), public_changed_at=F("changed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="public_changed_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="dataversion",
            name="public_counter",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(start_from_the_data_version, migrations.RunPython.noop),
    ]

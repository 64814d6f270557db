"""Each safety concern keeps its name's grouping key (``risks.normalise.concern_key``).

The /risks/ page and its export group, count and page the concerns of all products by this
key; stored with the row, the database does that work. The key is derived from the name and
filled on every save and bulk create; it is not part of the audit history.
"""

from django.db import migrations, models
from django.db.models import Q

BATCH = 2000


def fill_group_keys(apps, schema_editor):
    from risks.normalise import concern_key

    SafetyConcern = apps.get_model("risks", "SafetyConcern")
    concerns = SafetyConcern.objects.only("pk", "name").order_by("pk")
    batch = []
    for concern in concerns.iterator(chunk_size=BATCH):
        concern.group_key = concern_key(concern.name) or concern.name.casefold()
        batch.append(concern)
        if len(batch) == BATCH:
            SafetyConcern.objects.bulk_update(batch, ["group_key"])
            batch = []
    SafetyConcern.objects.bulk_update(batch, ["group_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0005_reviewers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="safetyconcern",
            name="group_key",
            field=models.CharField(
                default="",
                editable=False,
                help_text=(
                    "The name's grouping key (risks.normalise.concern_key), kept with the row "
                    "so the concerns of all products are grouped, counted and paged by the "
                    "database."
                ),
                max_length=400,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_group_keys, migrations.RunPython.noop, elidable=True),
    ]

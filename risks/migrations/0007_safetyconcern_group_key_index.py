"""The grouping key of 0006, now filled: indexed and never empty.

Apart from 0006 so that, on PostgreSQL, the rows are updated and the table altered in
separate transactions.
"""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0006_safetyconcern_group_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="safetyconcern",
            name="group_key",
            field=models.CharField(
                db_index=True,
                editable=False,
                help_text=(
                    "The name's grouping key (risks.normalise.concern_key), kept with the row "
                    "so the concerns of all products are grouped, counted and paged by the "
                    "database."
                ),
                max_length=400,
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyconcern",
            constraint=models.CheckConstraint(
                condition=~Q(group_key=""), name="concern_group_key_set"
            ),
        ),
    ]

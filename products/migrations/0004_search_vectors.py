"""Formerly the site search's stored vectors, on PostgreSQL only: an undeclared generated
column ``search_vector`` and a GIN index ``*_search_vector_idx`` on each searched table, the
risks app's included (and it dropped the expression indexes of risks/0003_search_indexes).
Now nothing.

The search vectors are fields of the models they index (products.search_fields), each app
migrating its own: products/0005_search_vector_fields and risks/0008_search_vector_fields,
which also drop this migration's columns and indexes from databases that still have them.
So a new database gets the vectors from those migrations alone, and none from another app's;
and this app's migrations no longer depend on the risks app's.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_product_is_synthetic"),
    ]

    operations = []

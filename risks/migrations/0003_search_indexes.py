"""Formerly GIN expression indexes for the site search, on PostgreSQL only: one on the
weighted search vector of each searched model, the products app's tables included. Now
nothing.

The search vectors are fields of the models they index (products.search_fields), each app
migrating its own: products/0005_search_vector_fields and risks/0008_search_vector_fields,
which also drop these indexes (``*_search_idx``) from databases that still have them. So a
new database gets the vectors from those migrations alone, and none from another app's.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
        ("risks", "0002_curators_group"),
    ]

    operations = []

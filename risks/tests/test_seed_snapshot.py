"""The ``seeded`` fixture holds exactly what loading the seed products writes.

conftest.py loads the seed once per test session and copies its rows into each test that
asks for ``seeded`` (SeedSnapshot). This checks the copy against a real load, table by
table, so a table the copy missed (or a row it changed) fails here rather than weakening
the tests that read the seed.
"""

import pytest
from django.apps import apps
from django.db import models, transaction

from audit.models import DataVersion
from risks.seed import load_seed, read_seed, seed_files

pytestmark = pytest.mark.django_db


def contents():
    """Every table's rows, sorted, as the values that do not depend on the load.

    Ids and the ids that refer to rows (foreign keys, and the copies of ids in historical
    rows) are those the database handed out; timestamps and UUIDs (a concern's lineage)
    are the clock's and chance's, and so are the audit trail's hashes (over all of those)
    and the chain heads' last ids. The rest (names, texts, categories, positions, dates
    from the seed files, reasons of the history, the chain heads' row counts) must be the
    same; that the copied hashes chain is checked by audit/tests/test_chain.py.
    """
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model is DataVersion:
            continue
        names = [field.attname for field in model._meta.concrete_fields if _stable(field)]
        if count := model._base_manager.count():
            rows = model._base_manager.values_list(*names) if names else [()] * count
            tables[model._meta.db_table] = sorted(map(repr, rows))
    return tables


def _stable(field):
    return not (
        field.primary_key
        or field.is_relation
        or field.name in {"id", "history_hash", "last_hash", "last_id"}
        or isinstance(field, models.DateTimeField | models.UUIDField)
    )


def test_the_copied_seed_is_what_a_load_writes(seed_snapshot):
    with transaction.atomic():
        before = DataVersion.current().counter
        seed_snapshot.restore()
        copied, copied_moves = contents(), DataVersion.current().counter - before
        transaction.set_rollback(True)

    before = DataVersion.current().counter
    slugs = [load_seed(read_seed(path)).product.slug for path in seed_files()]
    loaded, loaded_moves = contents(), DataVersion.current().counter - before

    assert slugs == seed_snapshot.slugs
    assert copied.keys() == loaded.keys()
    for table in loaded:
        assert copied[table] == loaded[table], table
    assert copied_moves == loaded_moves == len(slugs)  # one recorded change per product
    assert apps.get_model("products", "Product").objects.count() == len(slugs)


def test_a_test_without_seeded_has_no_seed_data(seed_snapshot):
    assert not apps.get_model("products", "Product").objects.exists()

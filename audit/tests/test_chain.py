"""The audit trail is hash-chained: a rewritten, removed or forged row is found and named.

Each attack here is made as the owner of the tables could make it (the owner can drop the
triggers that stop the application's role): the chain must show it.
"""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from audit.chain import GENESIS, canonical, hashed_fields, link_hash, verify
from audit.context import recorded_change
from audit.models import HistoryChain
from audit.protection import protect_history_tables, unprotect_history_tables
from imports.models import ImportWarning
from risks.models import SafetyConcern
from risks.tests.factories import PlanFactory, SafetyConcernFactory

Concern = SafetyConcern.history.model
TABLE = Concern._meta.db_table


def verify_command():
    out, err = StringIO(), StringIO()
    call_command("verify_audit_trail", stdout=out, stderr=err)
    return out.getvalue()


def broken(match):
    """The verification fails, naming ``match`` in its first break."""
    with pytest.raises(CommandError, match=match) as error:
        verify_command()
    return str(error.value)


def rows(model=Concern):
    return list(model.objects.order_by("pk").values_list("pk", "history_hash"))


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def owner_lifts_the_triggers(seeded):
    """The owner's first step of any rewrite: the append-only triggers are dropped."""
    unprotect_history_tables()
    yield seeded
    protect_history_tables()


def test_the_seed_trail_verifies_and_says_so_in_one_line(seeded):
    output = verify_command()
    total = sum(report.rows for report in verify())
    assert total > 600
    assert output == (
        f"Audit trail intact: 18 chained tables, {total} rows, every hash and chain head matches.\n"
    )


def test_each_row_hash_is_the_documented_recipe(seeded):
    """An inspector recomputes the first two links from the rows alone (SECURITY.md)."""
    fields = hashed_fields(Concern)
    assert [field.column for field in fields] == sorted(field.column for field in fields)
    assert "history_id" not in [field.column for field in fields]
    first, second = Concern.objects.order_by("pk")[:2]
    content = canonical((field.column, getattr(first, field.attname)) for field in fields)
    assert content.startswith('{"category":')
    assert '"history_date":"' in content and content.count("Z") >= 1
    assert first.history_hash == link_hash(TABLE, GENESIS, content)
    following = canonical((field.column, getattr(second, field.attname)) for field in fields)
    assert second.history_hash == link_hash(TABLE, first.history_hash, following)
    head = HistoryChain.objects.get(pk=TABLE)
    assert (head.rows, head.last_id, head.last_hash) == (
        Concern.objects.count(),
        rows()[-1][0],
        rows()[-1][1],
    )


def test_a_rewritten_row_is_named_with_expected_and_found_hashes(owner_lifts_the_triggers):
    victim, stored = rows()[10]
    execute(
        f"UPDATE {TABLE} SET history_change_reason = 'rewritten' WHERE history_id = %s", [victim]
    )
    message = broken(f"{TABLE} row {victim}: the stored hash does not follow")
    assert f"found {stored})" in message
    assert "expected " in message and "expected -" not in message


def test_a_rewrite_with_a_recomputed_hash_breaks_the_next_link(owner_lifts_the_triggers):
    """Recomputing the rewritten row's own hash is not enough: the next row still links to
    the old one, and so on to the chain head."""
    (victim, _), (after, _) = rows()[10], rows()[11]
    row = Concern.objects.get(pk=victim)
    previous = rows()[9][1]
    fields = hashed_fields(Concern)
    row.history_change_reason = "rewritten"
    forged = link_hash(
        TABLE, previous, canonical((f.column, getattr(row, f.attname)) for f in fields)
    )
    execute(
        f"UPDATE {TABLE} SET history_change_reason = 'rewritten', history_hash = %s "
        "WHERE history_id = %s",
        [forged, victim],
    )
    broken(f"{TABLE} row {after}: the stored hash does not follow")


def test_a_deleted_row_breaks_the_link_of_the_row_after_it(owner_lifts_the_triggers):
    (victim, _), (after, _) = rows()[5], rows()[6]
    execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [victim])
    broken(f"{TABLE} row {after}: the stored hash does not follow")


def test_rows_deleted_from_the_end_differ_from_the_chain_head(owner_lifts_the_triggers):
    last, _ = rows()[-1]
    count = len(rows())
    execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [last])
    message = broken(f"{TABLE}: the chain head does not match the table")
    assert f"{count} rows ending at row {last}" in message
    assert f"{count - 1} rows ending at row {rows()[-1][0]}" in message


def test_an_emptied_table_differs_from_the_chain_head(owner_lifts_the_triggers):
    count = len(rows())
    empty_table(TABLE)
    message = broken(f"{TABLE}: the chain head does not match the table")
    assert f"{count} rows ending at row" in message and "(expected" in message
    assert "found no rows in the table" in message


def empty_table(table):
    """TRUNCATE on PostgreSQL (after the rows the test wrote are checked), DELETE on SQLite."""
    if connection.vendor == "postgresql":
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute(f"TRUNCATE {table}")
    else:
        execute(f"DELETE FROM {table}")


def forge(model, **changes):
    """Insert a copy of the last row with ``changes``, hashed by the recipe, as raw SQL."""
    last = model.objects.order_by("pk").last()
    fields = hashed_fields(model)
    for name, value in changes.items():
        setattr(last, name, value)
    head = HistoryChain.objects.get(pk=model._meta.db_table)
    values = [(f.column, getattr(last, f.attname)) for f in fields]
    pk = changes.get("pk")
    digest = link_hash(model._meta.db_table, head.last_hash, canonical(values))
    columns = [f.column for f in fields] + ["history_hash"]
    params = [f.get_db_prep_save(getattr(last, f.attname), connection) for f in fields]
    params.append(digest)
    if pk is not None:
        columns.append(model._meta.pk.column)
        params.append(pk)
    execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(params))})",
        params,
    )


def test_a_back_dated_row_is_found_even_with_a_correct_hash(seeded):
    """The triggers are in place: the forger may insert, as the application's role may."""
    last = Concern.objects.order_by("pk").last()
    forge(
        Concern,
        history_date=last.history_date - datetime.timedelta(days=400),
        history_change_reason="Approved by the committee",
    )
    forged_id = rows()[-1][0]
    message = broken(f"{TABLE} row {forged_id}: dated before the row it follows")
    assert "(a back-dated row)" in message


def test_a_row_forged_into_a_gap_of_the_ids_is_found(owner_lifts_the_triggers):
    (before, _), (after, _) = rows()[3], rows()[4]
    execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [after])  # leaves a gap
    last = rows()[-1][0]
    assert before < after < last
    forge(Concern, pk=after, history_change_reason="Inserted later")
    broken(f"{TABLE} row ")


def test_the_database_refuses_a_row_before_the_end_of_the_chain(seeded):
    first = rows()[0][0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        forge(Concern, pk=first - 1 if first > 1 else 0)
    if connection.vendor == "sqlite":
        # INSERT OR REPLACE would delete the row it replaces without its delete trigger.
        table_rows = rows()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(
                f"INSERT OR REPLACE INTO {TABLE} SELECT * FROM {TABLE} WHERE history_id = %s",
                [first],
            )
        assert rows() == table_rows
    verify_command()


def test_the_chain_heads_cannot_be_moved_back_or_removed(seeded):
    for statement in (
        "UPDATE audit_historychain SET rows = 0, last_id = NULL",
        "UPDATE audit_historychain SET last_hash = 'x'",
        "DELETE FROM audit_historychain",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(statement)
    verify_command()


def test_a_rolled_back_savepoint_leaves_the_chain_whole(seeded):
    plan = seeded["lemtrada"].plans.get()
    ImportWarning.objects.create(plan=plan, subject="A", message="Kept.")
    with pytest.raises(RuntimeError), transaction.atomic():
        ImportWarning.objects.create(plan=plan, subject="B", message="Rolled back.")
        raise RuntimeError
    ImportWarning.objects.create(plan=plan, subject="C", message="Kept too.")
    ImportWarning.objects.bulk_create([])
    assert verify_command().startswith("Audit trail intact")


def test_many_to_many_snapshots_and_bulk_writes_are_chained(seeded):
    reports = {report.table: report for report in verify()}
    assert reports["risks_historicalstudy_safety_concerns"].rows > 0
    assert reports["products_historicalproduct_substances"].rows > 0
    assert not any(report.breaks for report in reports.values())


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_take_turns_on_the_chain():
    """Writers in separate transactions and connections, writing two history tables in
    opposite orders: each row links to the one before, and no writer deadlocks.

    On SQLite the writers queue for the database lock; on PostgreSQL for the audit trail's
    advisory lock, taken before a chain head is read.
    """
    with recorded_change("Test data"):
        plan = PlanFactory()
    errors = []

    def write(number):
        def warning(step):
            ImportWarning.objects.create(plan=plan, subject=f"{number}-{step}")

        def concern(step):
            SafetyConcernFactory(plan=plan, name=f"Risk {number}-{step}")

        order = (warning, concern) if number % 2 else (concern, warning)
        try:
            for step in range(4):
                with recorded_change(f"Writer {number}"), transaction.atomic():
                    for write_one in order:
                        write_one(step)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if connection.vendor == "sqlite":
        errors = [error for error in errors if "locked" not in str(error)]
    assert not errors
    reports = {report.table: report for report in verify()}
    assert reports["imports_historicalimportwarning"].rows == ImportWarning.objects.count()
    assert reports[TABLE].rows == SafetyConcern.objects.count()
    assert not any(report.breaks for report in reports.values())


def test_an_inspector_recomputes_the_chain_from_raw_rows_with_the_documented_recipe(seeded):
    """SECURITY.md's recipe, with nothing of the application: raw rows, hashlib and json."""
    import hashlib
    import json
    import uuid

    def canonical_value(value, kind):
        if value is None:
            return None
        if kind == "timestamp":
            if isinstance(value, str):  # SQLite keeps UTC, without a zone
                value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.UTC)
            return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if kind == "date":
            return value if isinstance(value, str) else value.isoformat()
        if kind == "boolean":
            return bool(value)
        if kind == "uuid":
            return str(uuid.UUID(str(value)))
        return value

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT name, type FROM pragma_table_info('{TABLE}')")
            kinds = {
                name: {"datetime": "timestamp", "date": "date", "bool": "boolean"}.get(
                    kind, "uuid" if kind == "char(32)" else "plain"
                )
                for name, kind in cursor.fetchall()
            }
        else:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s",
                [TABLE],
            )
            kinds = {
                name: {
                    "timestamp with time zone": "timestamp",
                    "date": "date",
                    "boolean": "boolean",
                    "uuid": "uuid",
                }.get(kind, "plain")
                for name, kind in cursor.fetchall()
            }
        assert "uuid" in kinds.values() and "timestamp" in kinds.values()
        cursor.execute(f"SELECT * FROM {TABLE} ORDER BY history_id")
        names = [column[0] for column in cursor.description]
        previous = "0" * 64
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            stored = row.pop("history_hash")
            row.pop("history_id")
            content = json.dumps(
                {
                    name: canonical_value(value, kinds[name])
                    for name, value in row.items()
                    if value is not None and value != ""  # NULL and empty text left out
                },
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
            )
            digest = hashlib.sha256(f"{TABLE}\n{previous}\n{content}".encode()).hexdigest()
            assert digest == stored
            previous = stored


def test_a_column_added_later_leaves_the_hashes_of_earlier_rows_as_they_were():
    """A migration that adds a column to an audited model gives the rows written before it
    NULL (or "" for text): they are left out of the canonical row, so the chain verifies."""
    row = [("history_change_reason", "Reviewed"), ("name", "PML"), ("plan_id", 3)]
    before = link_hash(TABLE, GENESIS, canonical(row))
    for added in (None, ""):
        assert link_hash(TABLE, GENESIS, canonical([*row, ("new_column", added)])) == before
    # ... while any value a row really holds is covered, False and 0 included.
    for held in ("x", 0, False):
        assert link_hash(TABLE, GENESIS, canonical([*row, ("new_column", held)])) != before

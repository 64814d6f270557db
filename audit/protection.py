"""The database refuses to rewrite the audit trail, whoever asks, and keeps its chain heads.

Triggers on every chained table (each history table, its many-to-many snapshots, and the
restore log; created after each ``migrate``):

- UPDATE or DELETE of a row is an error (a row-level trigger), and so is TRUNCATE
  (PostgreSQL: a statement-level trigger; SQLite has no TRUNCATE, and its DELETE fires the
  row trigger);
- an inserted row must come after the rows the table has: a row whose id is already taken
  (SQLite's ``INSERT OR REPLACE``) or lower than the end of the chain is an error;
- each insert moves the table's chain head (``audit_historychain``: rows, last id,
  last hash, last date), which ``verify_audit_trail`` compares with the table. On SQLite a
  row-level trigger moves it by each row. On PostgreSQL a statement-level trigger moves it
  once per INSERT statement, by all its rows (a transition table): a row-level one updates
  the head row once per history row, and every update of one row inside one transaction
  leaves a dead version that the next update must step over, so a bulk load of N rows cost
  N² (an hour for the history of 1,500 products). Its function runs with its owner's rights
  (SECURITY DEFINER): the web application's role may read the heads, never write them
  (``grant_app_role``).
- the chain heads themselves cannot be deleted, emptied or moved other than forward (on
  SQLite one row at a time).

Only ``flush`` (which empties the whole database, refused under the production settings)
lifts them for its own duration. What the owner of the tables can still do, and how the
hash chain shows it, is in SECURITY.md.
"""

from django.apps import apps
from django.db import connections
from simple_history.models import HistoricalChanges

from .chain import GENESIS, chained_models, date_field, seal_rows

MESSAGE = "History is append-only: rows of %s cannot be changed or deleted."
ORDER_MESSAGE = (
    "History is append-only: a row of %s cannot replace a row or come before the end of its chain."
)
HEAD_MESSAGE = "History is append-only: the chain heads only move forward."
HEADS = "audit_historychain"


def history_tables():
    """Every append-only table: the history tables and the restore log."""
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) and not model._meta.proxy
    }
    return sorted(tables | {model._meta.db_table for model in chained_models()})


def _models():
    return {model._meta.db_table: model for model in chained_models()}


def protect_history_tables(using="default", **kwargs):
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        if HEADS not in existing:
            return
        if connection.vendor == "postgresql":
            for statement in _postgresql_functions():
                cursor.execute(statement)
        models = _models()
        for table in history_tables():
            if table not in existing:
                continue
            model = models.get(table)
            for statement in _create_statements(connection, table, model):
                cursor.execute(statement)
        for statement in _head_statements(connection):
            cursor.execute(statement)
    for table, model in _models().items():
        if table in existing:
            _start_head(connection, model, using)


def unprotect_history_tables(using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in history_tables():
            if table not in existing:
                continue
            if connection.vendor == "postgresql":
                for name in (f"{table}_append_only", "audit_no_truncate", "audit_chain"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                for name in _sqlite_trigger_names(table):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if HEADS in existing:
            if connection.vendor == "postgresql":
                for name in ("audit_head_guard", "audit_no_truncate"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {HEADS}")
            else:
                for name in _sqlite_head_trigger_names():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def protected_tables(using="default"):
    """Historical tables that carry the append-only triggers."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE '%_append_only'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE '%_append_only_%'"
            )
        return sorted(row[0] for row in cursor.fetchall())


def _start_head(connection, model, using):
    """Give a chained table its head row, if it has none (a new table, or after ``flush``).

    A table that already has rows (chained by a migration) starts from its last row; the
    verification still recomputes every row before it.
    """
    table = model._meta.db_table
    heads = apps.get_model("audit", "HistoryChain").objects.using(using)
    if heads.filter(pk=table).exists():
        return
    pk = model._meta.pk.attname
    rows = model._default_manager.using(using)
    last = rows.order_by(pk).values_list(pk, "history_hash").last()
    dated = date_field(model)
    heads.create(
        table=table,
        rows=rows.count(),
        last_id=last[0] if last else None,
        last_hash=last[1] if last else GENESIS,
        last_date=(rows.order_by(pk).values_list(dated, flat=True).last() if dated else None),
    )


def seal_existing_rows(model, using="default"):
    """Chain the rows a table had before it was chained (the migration adding the hash).

    The update triggers are dropped for the purpose; ``migrate`` creates them again when it
    ends (``protect_history_tables``), with the table's head starting from its last row.
    """
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in (f"{table}_append_only", "audit_no_truncate", "audit_chain"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name in _sqlite_trigger_names(table):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    seal_rows(model, using)


def _sqlite_trigger_names(table):
    return [
        f"{table}_append_only_update",
        f"{table}_append_only_delete",
        f"{table}_chain_order",
        f"{table}_chain_head",
    ]


def _sqlite_head_trigger_names():
    return [f"{HEADS}_guard_delete", f"{HEADS}_guard_update"]


def _postgresql_functions():
    return [
        "CREATE OR REPLACE FUNCTION audit_history_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'History is append-only: rows of % cannot be changed "
        "or deleted.', TG_TABLE_NAME; END $$ LANGUAGE plpgsql",
        # A statement-level trigger over the statement's new rows (``new_rows``). TG_ARGV:
        # the primary key column, the date column ('' for none).
        "CREATE OR REPLACE FUNCTION audit_history_chain() RETURNS trigger "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
        "DECLARE "
        "  added bigint; "
        "  first_id bigint; "
        "  last_row jsonb; "
        "  end_id bigint; "
        "BEGIN "
        "  SELECT count(*), min((to_jsonb(r) ->> TG_ARGV[0])::bigint) INTO added, first_id "
        "    FROM new_rows r; "
        "  IF added = 0 THEN RETURN NULL; END IF; "
        "  SELECT to_jsonb(r) INTO last_row FROM new_rows r "
        "    ORDER BY (to_jsonb(r) ->> TG_ARGV[0])::bigint DESC LIMIT 1; "
        f"  SELECT last_id INTO end_id FROM {HEADS} WHERE table_name = TG_TABLE_NAME "
        "    FOR UPDATE; "
        "  IF NOT FOUND THEN "
        f"    INSERT INTO {HEADS} (table_name, rows, last_id, last_hash, last_date) "
        f"    VALUES (TG_TABLE_NAME, 0, NULL, '{GENESIS}', NULL); "
        "  ELSIF end_id IS NOT NULL AND first_id <= end_id THEN "
        "    RAISE EXCEPTION 'History is append-only: a row of % cannot replace a row or "
        "come before the end of its chain (row % after row %).', TG_TABLE_NAME, first_id, "
        "end_id; "
        "  END IF; "
        f"  UPDATE {HEADS} SET rows = rows + added, "
        "    last_id = (last_row ->> TG_ARGV[0])::bigint, "
        "    last_hash = last_row ->> 'history_hash', "
        "    last_date = CASE WHEN TG_ARGV[1] = '' THEN last_date "
        "      ELSE (last_row ->> TG_ARGV[1])::timestamptz END "
        "    WHERE table_name = TG_TABLE_NAME; "
        "  RETURN NULL; "
        "END $$",
        "CREATE OR REPLACE FUNCTION audit_history_head_guard() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "  IF TG_OP = 'UPDATE' AND NEW.table_name = OLD.table_name "
        "    AND NEW.rows > OLD.rows THEN RETURN NEW; END IF; "
        f"  RAISE EXCEPTION '{HEAD_MESSAGE}'; "
        "END $$",
    ]


def _create_statements(connection, table, model):
    pk = model._meta.pk.column if model else "history_id"
    dated = date_field(model) if model else "history_date"
    dated_column = model._meta.get_field(dated).column if model and dated else (dated or "")
    if connection.vendor == "postgresql":
        return [
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_history_append_only()",
            f"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_history_append_only()",
            f"CREATE OR REPLACE TRIGGER audit_chain AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION audit_history_chain('{pk}', '{dated_column}')",
        ]
    message = (MESSAGE % table).replace("'", "''")
    order_message = (ORDER_MESSAGE % table).replace("'", "''")
    update, delete, order, head = _sqlite_trigger_names(table)
    new_date = f"NEW.{dated_column}" if dated_column else "NULL"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {update} BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        # A row without an id of its own has NEW.id -1 here; one given an id must be new.
        f"CREATE TRIGGER IF NOT EXISTS {order} BEFORE INSERT ON {table} "
        f"WHEN NEW.{pk} >= 0 AND (EXISTS (SELECT 1 FROM {table} WHERE {pk} = NEW.{pk}) "
        f"OR NEW.{pk} <= (SELECT last_id FROM {HEADS} WHERE table_name = '{table}')) "
        f"BEGIN SELECT RAISE(ABORT, '{order_message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {head} AFTER INSERT ON {table} BEGIN "
        f"INSERT OR IGNORE INTO {HEADS} (table_name, rows, last_id, last_hash, last_date) "
        f"VALUES ('{table}', 0, NULL, '{GENESIS}', NULL); "
        f"UPDATE {HEADS} SET rows = rows + 1, last_id = NEW.{pk}, "
        f"last_hash = NEW.history_hash, last_date = COALESCE({new_date}, last_date) "
        f"WHERE table_name = '{table}'; END",
    ]


def _head_statements(connection):
    if connection.vendor == "postgresql":
        return [
            f"CREATE OR REPLACE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON {HEADS} "
            "FOR EACH ROW EXECUTE FUNCTION audit_history_head_guard()",
            f"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {HEADS} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_history_append_only()",
        ]
    delete, update = _sqlite_head_trigger_names()
    return [
        f"CREATE TRIGGER IF NOT EXISTS {delete} BEFORE DELETE ON {HEADS} "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {update} BEFORE UPDATE ON {HEADS} "
        "WHEN NEW.table_name != OLD.table_name OR NEW.rows != OLD.rows + 1 "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END",
    ]


def seal_existing_history(app_label):
    """A migration's RunPython: chain the history rows of ``app_label`` written before."""

    def run(apps, schema_editor):
        for model in apps.get_app_config(app_label).get_models():
            if any(field.column == "history_hash" for field in model._meta.concrete_fields):
                seal_existing_rows(model, schema_editor.connection.alias)

    return run

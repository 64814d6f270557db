"""The database refuses to update or delete history rows, whoever asks.

Triggers on every historical table (created after each ``migrate``) turn an UPDATE or
DELETE into an error, so neither the admin, the API, a shell nor a stray query can
rewrite the audit trail. Only ``flush`` (which empties the whole database) lifts them
for its own duration.
"""

from django.apps import apps
from django.db import connections
from simple_history.models import HistoricalChanges

MESSAGE = "History is append-only: rows of %s cannot be changed or deleted."


def history_tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) and not model._meta.proxy
    )


def protect_history_tables(using="default", **kwargs):
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION audit_history_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'History is append-only: rows of % cannot be changed "
                "or deleted.', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
            )
        for table in history_tables():
            for statement in _create_statements(connection, table):
                cursor.execute(statement)


def unprotect_history_tables(using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in history_tables():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            else:
                for name in _sqlite_trigger_names(table):
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


def _sqlite_trigger_names(table):
    return [f"{table}_append_only_update", f"{table}_append_only_delete"]


def _create_statements(connection, table):
    if connection.vendor == "postgresql":
        return [
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_history_append_only()"
        ]
    message = (MESSAGE % table).replace("'", "''")
    update, delete = _sqlite_trigger_names(table)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {update} BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]

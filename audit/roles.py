"""The PostgreSQL role the web application runs as: it may add to the audit trail, never rewrite it.

Migrations run as the owner of the tables (``MIGRATE_DATABASE_URL`` in docker/start.sh);
the site connects as another role (``DATABASE_URL``) that ``grant_app_role`` gives exactly:

- on every chained table (the history tables, their many-to-many snapshots, the restore
  log): SELECT and INSERT; not UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER;
- on the chain heads (``audit_historychain``) and ``django_migrations``: SELECT only (the
  heads are moved by the database's SECURITY DEFINER trigger, not by the application);
- on every other table of the schema: SELECT, INSERT, UPDATE, DELETE;
- USAGE of the schema and its sequences.

A role that is not the owner cannot ALTER, DROP or disable the triggers of a table, so the
append-only rules hold for it whatever SQL it sends. The restore log is written by
``restore_database``, which runs as the owner.
"""

from django.db import connections

from .protection import HEADS, history_tables

READ_ONLY = {HEADS, "django_migrations", "audit_restorerecord"}


class RoleError(Exception):
    pass


def privileges(table):
    """The privileges the application role gets on ``table``."""
    if table in READ_ONLY:
        return "SELECT"
    if table in set(history_tables()):
        return "SELECT, INSERT"
    return "SELECT, INSERT, UPDATE, DELETE"


def grant_statements(role, using="default"):
    """The statements that give ``role`` exactly the application's rights, after a migrate."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleError(
            "Database roles are PostgreSQL's: on SQLite the web application and the "
            "migrations use the same file, protected by its triggers only."
        )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise RoleError(f"There is no role {role!r}: create it first (CREATE ROLE ... LOGIN).")
        if any(found):
            raise RoleError(
                f"{role!r} is a superuser (or bypasses row security): the append-only rules "
                "cannot hold against it; the application needs an ordinary role."
            )
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(
            "SELECT tablename, tableowner = %s FROM pg_tables WHERE schemaname = %s "
            "ORDER BY tablename",
            [role, schema],
        )
        tables = cursor.fetchall()
    owned = [table for table, owns in tables if owns]
    if owned:
        raise RoleError(
            f"{role!r} owns {len(owned)} tables ({', '.join(owned[:3])}, …): the owner can "
            "alter them and drop their triggers. Run the migrations as another role and give "
            "this one the application's rights."
        )
    name, space = quote(role), quote(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {space} FROM {name}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {space} FROM {name}",
        f"REVOKE CREATE ON SCHEMA {space} FROM {name}",
        f"GRANT USAGE ON SCHEMA {space} TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {space} TO {name}",
    ]
    statements += [
        f"GRANT {privileges(table)} ON {space}.{quote(table)} TO {name}" for table, _ in tables
    ]
    return statements


def grant_app_role(role, using="default"):
    """Give ``role`` the application's rights (and only those); the statements run."""
    statements = grant_statements(role, using)
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements

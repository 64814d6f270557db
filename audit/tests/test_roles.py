"""The web application's database role adds to the audit trail and cannot rewrite it.

PostgreSQL: a role made here (inside the test's transaction, so it goes with it) gets the
application's rights from ``grant_app_role``; the tables belong to the suite's role, as they
belong to the owner role that runs the migrations in production. Each statement an attacker
holding the application's connection could send is tried as that role. ``flush`` is tried
under the production settings, on either database.
"""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from audit.context import recorded_change
from audit.protection import history_tables
from imports.models import ImportWarning
from risks.models import SafetyConcern

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles are PostgreSQL's; tested when DATABASE_URL names a PostgreSQL server",
)
TABLE = SafetyConcern.history.model._meta.db_table


@pytest.fixture
def app_role(seeded):
    role = f"rmp_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_app_role", role, stdout=StringIO())
    return role


@contextmanager
def acting_as(role):
    """Statements as ``role`` (SET ROLE), in a savepoint: a refusal rolls back to it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
        yield cursor
        cursor.execute("RESET ROLE")


def refused(role, statement, match="permission denied|must be owner"):
    with pytest.raises(DatabaseError, match=match), acting_as(role) as cursor:
        cursor.execute(statement)


@POSTGRESQL_ONLY
@pytest.mark.parametrize(
    "statement",
    [
        f"TRUNCATE {TABLE}",
        f"UPDATE {TABLE} SET history_change_reason = 'rewritten'",
        f"DELETE FROM {TABLE}",
        f"ALTER TABLE {TABLE} ALTER COLUMN history_change_reason TYPE text USING 'rewritten'",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
        f"DROP TRIGGER {TABLE}_append_only ON {TABLE}",
        f"CREATE TRIGGER sneaky BEFORE INSERT ON {TABLE} FOR EACH ROW "
        "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
        "UPDATE audit_historychain SET rows = 0",
        "DELETE FROM audit_historychain",
        "INSERT INTO audit_historychain (table_name, rows, last_hash) VALUES ('x', 0, '')",
        "INSERT INTO audit_restorerecord (restored_at, operator, os_user, host, reason, "
        "backup_file, backup_sha256, backup_signature, backup_created_at, backup_database, "
        "history_rows, data_version, history_hash) "
        "VALUES (now(), 'x', '', '', 'x', 'x', 'x', 'x', '', '', 0, 0, '')",
        "SET session_replication_role = replica",
    ],
    ids=lambda statement: " ".join(statement.split()[:3]),
)
def test_the_application_role_cannot_rewrite_the_trail(app_role, statement):
    before = list(SafetyConcern.history.values_list("history_id", "history_hash"))
    refused(app_role, statement)
    assert list(SafetyConcern.history.values_list("history_id", "history_hash")) == before


@POSTGRESQL_ONLY
def test_the_application_role_works_and_its_writes_are_chained(app_role, seeded):
    plan = seeded["lemtrada"].plans.get()
    with acting_as(app_role) as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        with recorded_change("Checked by the application's role"):
            concern = plan.safety_concerns.order_by("pk").first()
            concern.curator_note = "Written as the application."
            concern.save()
            ImportWarning.objects.create(plan=plan, subject="Product", message="As the app.")
    assert concern.history.latest().history_change_reason == "Checked by the application's role"
    out = StringIO()
    call_command("verify_audit_trail", stdout=out)
    assert out.getvalue().startswith("Audit trail intact")


@POSTGRESQL_ONLY
def test_the_granted_rights_are_exactly_the_applications(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE grantee = %s GROUP BY table_name",
            [app_role],
        )
        granted = dict(cursor.fetchall())
    for table in history_tables():
        expected = "SELECT" if table == "audit_restorerecord" else "INSERT,SELECT"
        assert granted.pop(table) == expected, table
    assert granted.pop("audit_historychain") == "SELECT"
    assert granted.pop("django_migrations") == "SELECT"
    assert set(granted.values()) == {"DELETE,INSERT,SELECT,UPDATE"}


@POSTGRESQL_ONLY
def test_grant_app_role_refuses_the_owner_and_superusers(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=r"superuser|owns"):
        call_command("grant_app_role", owner)
    with pytest.raises(CommandError, match="There is no role 'nobody_here'"):
        call_command("grant_app_role", "nobody_here")


def test_grant_app_role_explains_itself_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite message")
    with pytest.raises(CommandError, match="Database roles are PostgreSQL's"):
        call_command("grant_app_role", "anyone")


def test_flush_is_refused_where_the_settings_do_not_allow_it(seeded):
    before = SafetyConcern.history.count()
    with override_settings(AUDIT_ALLOW_FLUSH=False), pytest.raises(CommandError) as error:
        call_command("flush", interactive=False, verbosity=0)
    assert str(error.value).startswith("flush would delete the audit trail: refused")
    assert SafetyConcern.history.count() == before


def test_flush_is_refused_under_the_production_settings(tmp_path):
    """The real production settings, with .env.example's values and a database of its own."""
    environment = {**os.environ, **_env_example()}
    environment.update(
        DJANGO_SETTINGS_MODULE="rmpsite.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "flush", "--noinput"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert (
        "CommandError: flush would delete the audit trail: refused under these settings "
        "(rmpsite.settings.production)."
    ) in result.stderr


def _env_example():
    values = {}
    for line in (Path(settings.BASE_DIR) / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values

"""Backups restore whole: every row of every table, history included, with its triggers.

The backup runs in this process against the test database; the restore runs
``manage.py restore_database`` in a subprocess against a new, empty database (a SQLite file,
or a PostgreSQL database created for the test), as an operator would run it. The tests are
transactional: pg_dump, another process, sees committed data only.
"""

import getpass
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.test import override_settings

from audit.backup import BackupError, file_sha256, find_pg_tool, manifest_path, quote_name, sign
from audit.chain import seal_rows
from audit.models import DataVersion
from audit.protection import history_tables, protect_history_tables, unprotect_history_tables
from imports.models import ImportWarning
from products import review
from risks.models import SafetyConcern
from risks.tests.factories import next_version

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "a-test-backup-signing-key-of-forty-characters"
# What a restore adds to the restored data: its record, the chain head and data version.
RESTORE_TABLES = {"audit_restorerecord", "audit_historychain", "audit_dataversion"}

SQLITE_ONLY = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the suite runs on PostgreSQL (DATABASE_URL); SQLite backups are tested on SQLite",
)
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL backups are tested when DATABASE_URL names a PostgreSQL server (as in CI)",
)


@pytest.fixture(autouse=True)
def signing_key(monkeypatch):
    """Backups are signed with BACKUP_SIGNING_KEY; the restore processes inherit it."""
    monkeypatch.setenv("BACKUP_SIGNING_KEY", KEY)
    return KEY


def resign(backup, change):
    """Change the manifest as a holder of the signing key could, and sign it again."""
    manifest = json.loads(manifest_path(backup).read_text())
    change(manifest)
    manifest["signature"] = sign(manifest, KEY)
    manifest_path(backup).write_text(json.dumps(manifest))
    return manifest


def one_more_group(manifest):
    manifest["tables"]["auth_group"] += 1


@pytest.fixture
def curated(seeded, curator):
    """The seed products with more history: a published edit of Lemtrada, an Uplizna draft."""

    def edit(draft):
        concern = draft.safety_concerns.order_by("pk").first()
        concern.curator_note = "Checked against the new summary."
        concern.save()

    next_version(seeded["lemtrada"].plans.get(), edit=edit)
    draft = next_version(seeded["uplizna"].plans.get(), publish=False, edit=edit)
    ImportWarning.objects.create(plan=draft, subject="Product", message="Checked by hand.")
    review.propose_values(
        seeded["besponsa"],
        {"indication": "Indication as the new label words it."},
        user=curator,
        reason="New label",
    )
    return seeded


@pytest.fixture
def empty_database(tmp_path):
    """(DATABASE_URL, NAME) of a new, empty database of the suite's kind; dropped afterwards."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", str(path)
        return
    import psycopg
    from psycopg import sql

    name = f"rmp_restore_{uuid.uuid4().hex[:12]}"
    with _maintenance_connection(psycopg) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _postgresql_url(name), name
    finally:
        with _maintenance_connection(psycopg) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _maintenance_connection(psycopg):
    params = connection.settings_dict
    keys = {"USER": "user", "PASSWORD": "password", "HOST": "host", "PORT": "port"}
    options = {keys[key]: params[key] for key in keys if params.get(key)}
    return psycopg.connect(dbname="postgres", autocommit=True, **options)


def _postgresql_url(name):
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params.get("PASSWORD") else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{user}{password}@{params.get('HOST') or ''}{port}/{name}"


def restore_command(url, *args, reason="Restore test"):
    """``manage.py restore_database ARGS`` against DATABASE_URL=url, in a new process."""
    reason = ["--reason", reason] if reason else []
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "rmpsite.settings.test",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore_database", *map(str, args), *reason],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def open_database(name):
    """A connection like the suite's, to database ``name``: rows read back the same way."""
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    return wrapper({**connection.settings_dict, "NAME": name}, alias="restored")


def table_rows(database, table):
    with database.cursor() as cursor:
        keys = database.introspection.get_primary_key_columns(cursor, table)
        order = ", ".join(map(quote_name, keys)) if keys else "1"
        cursor.execute(f"SELECT * FROM {quote_name(table)} ORDER BY {order}")
        rows = [tuple(row) for row in cursor.fetchall()]
    return rows if keys else sorted(rows, key=repr)


def everything(database, but=RESTORE_TABLES):
    """Every row of every table, except those a restore adds to (``but``)."""
    with database.cursor() as cursor:
        tables = database.introspection.table_names(cursor)
    return {
        table: table_rows(database, table)
        for table in tables
        if table not in but and not table.startswith("sqlite_")  # SQLite's planner statistics
    }


def back_up(tmp_path, name="backup"):
    path = tmp_path / f"{name}.{'sqlite3' if connection.vendor == 'sqlite' else 'dump'}"
    call_command("backup_database", str(path), stdout=StringIO())
    return path


def assert_restores_whole(tmp_path, empty_database):
    before = everything(connection, but=())
    for table in set(history_tables()) - RESTORE_TABLES:
        assert before[table], f"no rows in {table}: the test would prove nothing about it"
    backup = back_up(tmp_path)

    manifest = json.loads(manifest_path(backup).read_text())
    assert manifest["tables"] == {table: len(rows) for table, rows in before.items()}
    assert manifest["history_tables"] == history_tables()
    assert manifest["migrations"] == sorted(
        [app, name] for _, app, name, _ in before["django_migrations"]
    )

    url, name = empty_database
    result = restore_command(url, backup)
    assert result.returncode == 0, result.stderr
    assert (
        f"{len(before)} tables, {sum(map(len, before.values()))} rows: every count matches "
        f"the manifest; {len(history_tables())} history tables are append-only."
    ) in result.stdout
    printed = [line.split() for line in result.stdout.splitlines()]
    assert {row[0]: row[1:] for row in printed if row and row[0] in before} == {
        table: [str(len(rows))] * 2 for table, rows in before.items()
    }

    restored = open_database(name)
    try:
        assert everything(restored) == {
            table: rows for table, rows in before.items() if table not in RESTORE_TABLES
        }
        before = everything(restored)
        for table in history_tables():
            with pytest.raises(DatabaseError, match="append-only"), restored.cursor() as cursor:
                cursor.execute(f"DELETE FROM {quote_name(table)}")
        assert everything(restored) == before
    finally:
        restored.close()


@SQLITE_ONLY
def test_a_sqlite_backup_restores_every_row_and_history_entry(curated, tmp_path, empty_database):
    assert_restores_whole(tmp_path, empty_database)


@POSTGRESQL_ONLY
def test_a_postgresql_backup_restores_every_row_and_history_entry(
    curated, tmp_path, empty_database
):
    assert_restores_whole(tmp_path, empty_database)


@SQLITE_ONLY
def test_a_sqlite_restore_into_a_non_empty_file_needs_force(tmp_path):
    backup = back_up(tmp_path)
    target = tmp_path / "in-use.sqlite3"
    with sqlite3.connect(target) as database:
        database.execute("CREATE TABLE notes (text)")
    database.close()
    url = f"sqlite:///{target}"

    refused = restore_command(url, backup)
    assert refused.returncode == 1
    assert (
        f"CommandError: {target} already holds 1 tables (notes, …): restore into a new or empty "
        "database file, or pass --force to replace everything it holds by the backup."
    ) in refused.stderr
    with sqlite3.connect(target) as database:
        assert database.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    database.close()

    forced = restore_command(url, backup, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "every count matches the manifest" in forced.stdout
    restored = open_database(str(target))
    try:
        assert everything(restored) == everything(connection)
    finally:
        restored.close()


@POSTGRESQL_ONLY
def test_a_postgresql_restore_into_a_database_with_tables_is_refused(tmp_path):
    backup = back_up(tmp_path)
    before = everything(connection)
    with pytest.raises(CommandError, match=r"already has \d+ tables \(public\.") as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value).endswith(
        "restore into a new, empty database (createdb NAME) and point DATABASE_URL at it."
    )
    with pytest.raises(CommandError, match="--force applies to SQLite only"):
        call_command("restore_database", "--reason=Test restore", str(backup), "--force")
    assert everything(connection) == before


@POSTGRESQL_ONLY
def test_a_postgresql_restore_that_does_not_match_its_manifest_exits_non_zero(
    tmp_path, empty_database
):
    backup = back_up(tmp_path)
    manifest = resign(backup, one_more_group)
    groups = manifest["tables"]["auth_group"] - 1

    result = restore_command(empty_database[0], backup)
    assert result.returncode == 1
    assert (
        "CommandError: The restored database does not match the backup's manifest: "
        f"auth_group has {groups} rows, the backup {groups + 1}."
    ) in result.stderr
    assert "MISMATCH" in result.stdout


@SQLITE_ONLY
def test_a_sqlite_backup_that_does_not_match_its_manifest_is_not_restored(tmp_path):
    backup = back_up(tmp_path)
    resign(backup, one_more_group)
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value) == (
        f"{backup} does not hold the row counts its manifest records: nothing restored."
    )


def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path):
    other = tmp_path / "other"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        message = (
            f"{other} is a PostgreSQL backup (pg_dump archive), but the database to restore "
            "into is SQLite: restore it into PostgreSQL (set DATABASE_URL to an empty "
            "PostgreSQL database)."
        )
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        message = (
            f"{other} is a SQLite database file, but the database to restore into is "
            "PostgreSQL: restore it into SQLite (DATABASE_URL=sqlite:///path/to/new.sqlite3)."
        )
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(other))
    assert str(error.value) == message


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Not a database.")
    kind = "a SQLite database file" if connection.vendor == "sqlite" else "a pg_dump"
    with pytest.raises(CommandError, match=f"is not a backup: it is not {kind}"):
        call_command("restore_database", "--reason=Test restore", str(notes))
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(tmp_path / "missing.dump"))
    assert str(error.value) == f"{tmp_path / 'missing.dump'} does not exist."


def test_restore_refuses_a_backup_without_its_manifest_or_changed_since(tmp_path):
    backup = back_up(tmp_path)
    manifest = manifest_path(backup)
    text = manifest.read_text()

    manifest.unlink()
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value).startswith(f"{manifest} is missing: a backup is restored with")

    manifest.write_text(text)
    with backup.open("ab") as file:
        file.write(b"\x00")
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value).startswith(f"{backup} does not match its manifest")


def test_a_backup_never_overwrites_a_file(tmp_path):
    backup = back_up(tmp_path)
    content = backup.read_bytes()
    with pytest.raises(CommandError) as error:
        back_up(tmp_path)
    assert str(error.value) == f"{backup} exists already: back up to a new file name."
    assert backup.read_bytes() == content


def test_a_backup_into_a_folder_is_named_by_the_time(tmp_path):
    call_command("backup_database", f"{tmp_path}/backups/", stdout=StringIO())
    [backup, manifest] = sorted((tmp_path / "backups").iterdir())
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert re.fullmatch(rf"rmp-\d{{8}}-\d{{6}}\{suffix}", backup.name)
    assert manifest == manifest_path(backup)


def test_postgresql_programs_are_found_in_the_folder_named_or_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("PG_BIN", raising=False)
    with pytest.raises(BackupError) as error:
        find_pg_tool("pg_dump", str(tmp_path))
    assert str(error.value) == f"There is no pg_dump in {tmp_path} (given by --pg-bin or PG_BIN)."
    program = tmp_path / "pg_dump"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert find_pg_tool("pg_dump", str(tmp_path)) == str(program)
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    assert find_pg_tool("pg_dump") == str(program)


# Signed backups, verified restores, the restore log and the data version


def test_a_backup_needs_a_signing_key_of_its_own(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKUP_SIGNING_KEY")
    with pytest.raises(CommandError, match=r"^Set BACKUP_SIGNING_KEY \(32 or more"):
        back_up(tmp_path)
    monkeypatch.setenv("BACKUP_SIGNING_KEY", "short")
    with pytest.raises(CommandError, match="BACKUP_SIGNING_KEY is too short"):
        back_up(tmp_path)
    monkeypatch.setenv("BACKUP_SIGNING_KEY", settings.SECRET_KEY.ljust(40, "x"))
    with (
        override_settings(SECRET_KEY=settings.SECRET_KEY.ljust(40, "x")),
        pytest.raises(CommandError, match="must not be the site's SECRET_KEY"),
    ):
        back_up(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unsigned_backup_is_refused(tmp_path, empty_database):
    backup = back_up(tmp_path)
    manifest = json.loads(manifest_path(backup).read_text())
    del manifest["signature"]
    manifest_path(backup).write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value) == (
        f"{manifest_path(backup)} is not signed: only a backup whose manifest is "
        "signed with BACKUP_SIGNING_KEY is restored (an unsigned one could have been forged)."
    )
    manifest["format"] = "rmp-browser-backup/1"  # made before backups were signed
    manifest_path(backup).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="is not signed"):
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert_nothing_restored(empty_database)


def test_a_backup_signed_with_another_key_is_refused(tmp_path, monkeypatch):
    backup = back_up(tmp_path)
    monkeypatch.setenv("BACKUP_SIGNING_KEY", "another-key-of-forty-characters-0123456789")
    before = everything(connection, but=())
    with pytest.raises(CommandError) as error:
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert str(error.value) == (
        f"{manifest_path(backup)} has a wrong signature: the backup or its manifest was changed "
        "after it was signed, or it was signed with another BACKUP_SIGNING_KEY. Nothing restored."
    )
    assert everything(connection, but=()) == before


@SQLITE_ONLY
def test_a_forged_backup_with_a_recomputed_file_hash_is_refused(curated, tmp_path):
    """The forger rewrites a history row in the backup file and fixes the manifest's SHA-256
    and size, as the unsigned manifest once allowed: the signature no longer matches."""
    backup = back_up(tmp_path)
    table = SafetyConcern.history.model._meta.db_table
    forged = sqlite3.connect(backup)
    for name in (f"{table}_append_only_update",):
        forged.execute(f"DROP TRIGGER {name}")
    forged.execute(f"UPDATE {table} SET history_change_reason = 'Approved' WHERE history_id = 3")
    forged.commit()
    forged.close()
    manifest = json.loads(manifest_path(backup).read_text())
    manifest.update(size=backup.stat().st_size, sha256=file_sha256(backup))
    manifest_path(backup).write_text(json.dumps(manifest))

    before = everything(connection, but=())
    with pytest.raises(CommandError, match="has a wrong signature"):
        call_command("restore_database", "--reason=Test restore", str(backup))
    assert everything(connection, but=()) == before


def rewrite_a_history_row():
    """The owner of the tables rewrites a reason (the triggers lifted, then put back)."""
    table = SafetyConcern.history.model._meta.db_table
    unprotect_history_tables()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(history_id) FROM {table}")
        victim = cursor.fetchone()[0] + 2
        cursor.execute(
            f"UPDATE {table} SET history_change_reason = 'Approved' WHERE history_id = %s",
            [victim],
        )
    protect_history_tables()
    return table, victim


def test_a_signed_backup_of_a_rewritten_trail_is_refused_and_undone(
    curated, tmp_path, empty_database
):
    """Signed by the key holder, yet the rows themselves do not verify: nothing is kept."""
    table, victim = rewrite_a_history_row()
    backup = back_up(tmp_path)
    result = restore_command(empty_database[0], backup)
    assert result.returncode == 1
    assert (
        "CommandError: The audit trail of the restored data does not verify, so the restore "
        f"was undone (the database is as it was): {table} row {victim}: the stored hash does "
        "not follow"
    ) in result.stderr
    assert_nothing_restored(empty_database)


@SQLITE_ONLY
def test_an_undone_restore_puts_back_what_the_file_held(curated, tmp_path):
    rewrite_a_history_row()
    backup = back_up(tmp_path, "rewritten")
    target = tmp_path / "in-use.sqlite3"
    with sqlite3.connect(target) as database:
        database.execute("CREATE TABLE notes (text)")
        database.execute("INSERT INTO notes VALUES ('kept')")
    database.close()
    result = restore_command(f"sqlite:///{target}", backup, "--force")
    assert result.returncode == 1
    assert "the restore was undone" in result.stderr
    with sqlite3.connect(target) as database:
        assert database.execute("SELECT * FROM notes").fetchall() == [("kept",)]
        assert database.execute("SELECT COUNT(*) FROM sqlite_master").fetchone() == (1,)
    database.close()
    assert [path.name for path in tmp_path.iterdir() if path.suffix == ".kept"] == []


def test_a_good_restore_verifies_is_recorded_and_moves_the_data_version_past(
    curated, tmp_path, empty_database
):
    live_version = DataVersion.current().counter
    backup = back_up(tmp_path)
    manifest = json.loads(manifest_path(backup).read_text())
    url, name = empty_database
    started = time.time_ns() // 1000
    result = restore_command(url, backup, "--operator", "j.doe", reason="Server replaced")
    assert result.returncode == 0, result.stderr
    restored = open_database(name)
    try:
        with restored.cursor() as cursor:
            cursor.execute(
                "SELECT operator, os_user, reason, backup_file, backup_sha256, "
                "backup_signature, backup_created_at, history_rows, data_version, restored_at "
                "FROM audit_restorerecord"
            )
            [record] = cursor.fetchall()
            cursor.execute("SELECT counter, public_counter FROM audit_dataversion")
            [(counter, public_counter)] = cursor.fetchall()
    finally:
        restored.close()
    operator, os_user, reason, file, sha256, signature, created, history, version, _ = record
    assert (operator, reason) == ("j.doe", "Server replaced")
    assert os_user == getpass.getuser()
    assert (file, sha256, signature) == (str(backup), manifest["sha256"], manifest["signature"])
    assert created == manifest["created_at"]
    assert history == sum(manifest["tables"][table] for table in manifest["history_tables"])
    assert version == counter
    # Past any number this database or the live one ever gave out, never an earlier one.
    assert counter > live_version and counter >= started
    assert public_counter == counter  # no ETag given out before the restore matches after it
    assert "Recorded as restore 1 by j.doe at " in result.stdout
    assert f"the data version is now {counter}." in result.stdout
    assert "The audit trail verifies." in result.stdout

    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_trail"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "rmpsite.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Audit trail intact: 18 chained tables")


def test_restore_needs_a_reason(tmp_path):
    backup = back_up(tmp_path)
    with pytest.raises(CommandError, match="the following arguments are required: --reason"):
        call_command("restore_database", str(backup))
    with pytest.raises(CommandError, match=r"Give the reason for the restore \(--reason\)"):
        call_command("restore_database", str(backup), "--reason", "  ")


def test_a_consistent_rewrite_by_the_owner_is_found_against_a_signed_manifest(curated, tmp_path):
    """The owner may recompute every hash after a rewrite, head included: the chain alone
    then verifies, but not through the heads a signed backup recorded before."""
    backup = back_up(tmp_path)
    model = SafetyConcern.history.model
    table, _ = rewrite_a_history_row()
    unprotect_history_tables()
    seal_rows(model)
    last_id, last_hash = model.objects.order_by("pk").values_list("pk", "history_hash").last()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_historychain SET last_hash = %s WHERE table_name = %s",
            [last_hash, table],
        )
    protect_history_tables()
    assert "Audit trail intact" in verify_output()
    with pytest.raises(CommandError) as error:
        verify_output("--anchors", str(manifest_path(backup)))
    assert f"{table} row {last_id}: differs from the chain head the signed backup" in str(
        error.value
    )


def verify_output(*args):
    out = StringIO()
    call_command("verify_audit_trail", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def assert_nothing_restored(empty_database):
    name = empty_database[1]
    if connection.vendor == "sqlite":
        path = Path(name)
        assert not path.exists() or path.stat().st_size == 0
        return
    restored = open_database(name)
    try:
        with restored.cursor() as cursor:
            assert restored.introspection.table_names(cursor) == []
            cursor.execute(
                "SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE nspname = 'public'"
            )
            assert cursor.fetchall() == []
    finally:
        restored.close()

"""Backups of the whole database, and their restore into an empty one.

SQLite: the online backup API copies the live database (safe while the site serves) into a
new file. PostgreSQL: ``pg_dump --format=custom`` of a snapshot, restored by ``pg_restore``
in one transaction. Either way the history tables keep their append-only triggers: the
SQLite copy is the whole file, and pg_restore creates the triggers after loading the rows.

Each backup has a manifest beside it, ``<file>.manifest.json``: the row count of every table
(the historical ones included, as of the moment copied), the applied migrations, and the
file's size and SHA-256. A restore checks the file against its manifest before it writes
anything, and the restored database against it afterwards.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.db import DatabaseError, connections, transaction
from django.db.backends.sqlite3._functions import register as register_sqlite_functions
from django.db.migrations.executor import MigrationExecutor

from .protection import history_tables, protected_tables

MANIFEST_FORMAT = "rmp-browser-backup/1"
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
PG_LIB = Path("/usr/lib/postgresql")
PG_ENVIRONMENT = {
    "HOST": "PGHOST",
    "PORT": "PGPORT",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "NAME": "PGDATABASE",
}
PG_OPTION_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


@dataclass
class Manifest:
    vendor: str
    database: str
    file: str
    size: int
    sha256: str
    tables: dict  # {table: row count}, every table of the database
    history_tables: list
    migrations: list  # [[app, name]] as recorded in django_migrations
    created_at: str = ""
    format: str = MANIFEST_FORMAT

    @property
    def rows(self):
        return sum(self.tables.values())

    @property
    def history_rows(self):
        return sum(self.tables.get(table, 0) for table in self.history_tables)

    def write(self, path):
        manifest_path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path):
        location = manifest_path(path)
        try:
            data = json.loads(location.read_text())
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            return cls(**data)
        except FileNotFoundError:
            raise BackupError(
                f"{location} is missing: a backup is restored with the manifest written beside "
                "it, which the restored database is checked against."
            ) from None
        except (ValueError, TypeError) as error:
            raise BackupError(f"{location} is not a backup manifest ({error}).") from None


@dataclass
class RestoreReport:
    manifest: Manifest
    database: str
    tables: dict  # {table: rows}, as restored
    protected: list  # historical tables that carry the append-only triggers
    notes: list = field(default_factory=list)

    @property
    def mismatches(self):
        """(table, rows in the backup, rows restored) wherever the two differ."""
        names = sorted(set(self.manifest.tables) | set(self.tables))
        return [
            (name, self.manifest.tables.get(name), self.tables.get(name))
            for name in names
            if self.manifest.tables.get(name) != self.tables.get(name)
        ]

    @property
    def unprotected(self):
        return sorted(set(self.manifest.history_tables) - set(self.protected))

    @property
    def ok(self):
        return not self.mismatches and not self.unprotected


def manifest_path(path):
    return Path(f"{path}.manifest.json")


def vendor_of(using):
    vendor = connections[using].vendor
    if vendor not in VENDORS:
        raise BackupError(f"Backups cover SQLite and PostgreSQL, not {vendor}.")
    return vendor


def default_file_name(using):
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"rmp-{stamp}{SUFFIXES[vendor_of(using)]}"


# Backup


def backup(path, *, using="default", pg_bin=None):
    """Copy database ``using`` to ``path`` and write the manifest beside it.

    ``path`` may name a folder (an existing one, or ending in "/"): the file is then
    rmp-<UTC time>.sqlite3 or .dump in it. Returns the path written and the manifest.
    """
    vendor = vendor_of(using)
    if str(path).endswith(("/", os.sep)) or Path(path).is_dir():
        Path(path).mkdir(parents=True, exist_ok=True)
        path = Path(path) / default_file_name(using)
    path = Path(path)
    for target in (path, manifest_path(path)):
        if target.exists():
            raise BackupError(f"{target} exists already: back up to a new file name.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.part")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "sqlite":
            tables, migrations = _backup_sqlite(connections[using], partial)
        else:
            tables, migrations = _backup_postgresql(connections[using], partial, pg_bin)
        manifest = Manifest(
            vendor=vendor,
            database=describe_database(using),
            file=path.name,
            size=partial.stat().st_size,
            sha256=file_sha256(partial),
            tables=tables,
            history_tables=[name for name in history_tables() if name in tables],
            migrations=migrations,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest.write(path)
    return path, manifest


def _backup_sqlite(connection, partial):
    connection.ensure_connection()
    target = _open_sqlite(partial)
    try:
        # One step: a consistent copy, however many pages, while other connections go on.
        connection.connection.backup(target)
        _check_sqlite_integrity(target, partial)
        return _contents(target.cursor(), "sqlite")
    finally:
        target.close()


def _backup_postgresql(connection, partial, pg_bin):
    """pg_dump of a snapshot exported by a transaction that counts the rows of the same state."""
    pg_dump = find_pg_tool("pg_dump", pg_bin)
    if connection.in_atomic_block:
        raise BackupError("Back up outside a transaction: the backup takes its own snapshot.")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        contents = _contents(cursor, "postgresql")
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                "--file",
                str(partial),
            ],
            connection.settings_dict,
        )
    return contents


# Restore


def restore(path, *, using="default", force=False, pg_bin=None) -> RestoreReport:
    """Restore the backup at ``path`` into database ``using``, which must be empty.

    ``force`` (SQLite only) replaces whatever the target database file holds.
    Everything about the backup is checked before anything is written.
    """
    vendor = vendor_of(using)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is a folder." if path.is_dir() else f"{path} does not exist.")
    _check_format(path, vendor)
    manifest = Manifest.read(path)
    if manifest.vendor != vendor:
        raise BackupError(
            f"{manifest_path(path)} describes a {VENDORS.get(manifest.vendor, manifest.vendor)} "
            f"backup, but {path} is for {VENDORS[vendor]}."
        )
    if manifest.size != path.stat().st_size or manifest.sha256 != file_sha256(path):
        raise BackupError(
            f"{path} does not match its manifest (size or SHA-256 differ): the file was changed "
            "or truncated after the backup, or the manifest belongs to another backup."
        )
    if vendor == "sqlite":
        _restore_sqlite(path, manifest, connections[using], force)
    else:
        if force:
            raise BackupError(
                "--force applies to SQLite only: restore a PostgreSQL backup into a new, empty "
                "database (createdb NAME) and point DATABASE_URL at it."
            )
        _restore_postgresql(path, connections[using], pg_bin)
    return _report(manifest, using)


def _check_format(path, vendor):
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    database = "database to restore into"
    if header.startswith(PG_DUMP_HEADER):
        if vendor == "postgresql":
            return
        raise BackupError(
            f"{path} is a PostgreSQL backup (pg_dump archive), but the {database} is SQLite: "
            "restore it into PostgreSQL (set DATABASE_URL to an empty PostgreSQL database)."
        )
    if header == SQLITE_HEADER:
        if vendor == "sqlite":
            return
        raise BackupError(
            f"{path} is a SQLite database file, but the {database} is PostgreSQL: restore it "
            "into SQLite (DATABASE_URL=sqlite:///path/to/new.sqlite3)."
        )
    kind = "a SQLite database file" if vendor == "sqlite" else "a pg_dump custom-format archive"
    raise BackupError(f"{path} is not a backup: it is not {kind}.")


def _restore_sqlite(path, manifest, connection, force):
    target = Path(connection.settings_dict["NAME"])
    source = _open_sqlite(path, read_only=True)
    try:
        _check_sqlite_integrity(source, path)
        tables, _ = _contents(source.cursor(), "sqlite")
        if tables != manifest.tables:
            raise BackupError(
                f"{path} does not hold the row counts its manifest records: nothing restored."
            )
        if str(target) == ":memory:" or "mode=memory" in str(target):
            raise BackupError("The database is in memory: restore into a database file.")
        if target.exists() and target.resolve() == path.resolve():
            raise BackupError(f"{path} is the database itself: restore into another file.")
        existing = _sqlite_tables(target)
        if existing and not force:
            raise BackupError(
                f"{target} already holds {len(existing)} tables ({', '.join(existing[:3])}, …): "
                "restore into a new or empty database file, or pass --force to replace "
                "everything it holds by the backup."
            )
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = _open_sqlite(target)
        try:
            # The destination's pages are replaced by the backup's, in one transaction.
            source.backup(destination)
            _check_sqlite_integrity(destination, target)
        finally:
            destination.close()
    finally:
        source.close()


def _sqlite_tables(target):
    if not target.exists() or target.stat().st_size == 0:
        return []
    database = _open_sqlite(target, read_only=True)
    try:
        return _table_names(database.cursor(), "sqlite")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{target} exists and is not a SQLite database ({error}).") from None
    finally:
        database.close()


def _restore_postgresql(path, connection, pg_bin):
    pg_restore = find_pg_tool("pg_restore", pg_bin)
    name = connection.settings_dict["NAME"]
    _run([pg_restore, "--list", str(path)], connection.settings_dict, what=f"{path} is unreadable")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
            )
            existing = [row[0] for row in cursor.fetchall()]
    except DatabaseError as error:
        raise BackupError(
            f"Cannot connect to the database {name!r} (create it first: createdb NAME): "
            f"{str(error).strip()}"
        ) from None
    finally:
        connection.close()
    if existing:
        raise BackupError(
            f"The database {name!r} already has {len(existing)} tables "
            f"({', '.join(existing[:3])}, …): restore into a new, empty database "
            "(createdb NAME) and point DATABASE_URL at it."
        )
    conninfo = "dbname='{}'".format(name.replace("\\", "\\\\").replace("'", "\\'"))
    _run(
        [
            pg_restore,
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            "--dbname",
            conninfo,
            str(path),
        ],
        connection.settings_dict,
    )


def _report(manifest, using):
    connection = connections[using]
    with connection.cursor() as cursor:
        tables, migrations = _contents(cursor, connection.vendor)
    report = RestoreReport(
        manifest=manifest,
        database=describe_database(using),
        tables=tables,
        protected=protected_tables(using),
    )
    if migrations != manifest.migrations:
        report.notes.append("The applied migrations differ from those the manifest records.")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        report.notes.append(
            f"The backup predates {len(pending)} migrations of this code: run "
            "`manage.py migrate` before serving it."
        )
    return report


# Shared


def find_pg_tool(name, pg_bin=None):
    """``name`` from --pg-bin or PG_BIN, else PATH, else the newest /usr/lib/postgresql/*/bin."""
    folder = pg_bin or os.environ.get("PG_BIN")
    if folder:
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK) and candidate.is_file():
            return str(candidate)
        raise BackupError(f"There is no {name} in {folder} (given by --pg-bin or PG_BIN).")
    found = shutil.which(name)
    if found:
        return found
    folders = sorted(PG_LIB.glob("*/bin"), key=_version_key, reverse=True)
    for folder in folders:
        if os.access(folder / name, os.X_OK):
            return str(folder / name)
    raise BackupError(
        f"{name} was found neither on PATH nor in {PG_LIB}/*/bin: install the PostgreSQL "
        "client programs (Debian: postgresql-client), or name their folder with --pg-bin "
        "or PG_BIN."
    )


def _version_key(folder):
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


def _run(command, settings_dict, what=None):
    """Run a PostgreSQL client program; its connection (password included) via the environment."""
    environment = {**os.environ}
    for key, variable in PG_ENVIRONMENT.items():
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    for key, variable in PG_OPTION_ENVIRONMENT.items():
        if (settings_dict.get("OPTIONS") or {}).get(key):
            environment[variable] = str(settings_dict["OPTIONS"][key])
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        program = Path(command[0]).name
        message = result.stderr.strip() or f"exit status {result.returncode}"
        if "version mismatch" in message:
            message += " (name the newer client's folder with --pg-bin or PG_BIN)"
        raise BackupError(f"{what or program + ' failed'}: {message}")
    return result.stdout


def _open_sqlite(path, read_only=False):
    """A plain connection with the SQL functions Django's schema uses (REGEXP in checks)."""
    if read_only:
        database = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
    else:
        database = sqlite3.connect(path)
    register_sqlite_functions(database)
    return database


def _check_sqlite_integrity(database, path):
    try:
        result = [row[0] for row in database.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable SQLite database ({error}).") from None
    if result != ["ok"]:
        raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(result[:5])}")


def _contents(cursor, vendor):
    """({table: rows} for every table, [[app, migration]] applied), read through ``cursor``."""
    tables = {name: _count(cursor, name) for name in _table_names(cursor, vendor)}
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return tables, migrations


def _table_names(cursor, vendor):
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND substr(name, 1, 7) != 'sqlite_' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) "
            "ORDER BY tablename"
        )
    return [row[0] for row in cursor.fetchall()]


def _count(cursor, table):
    cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")
    return cursor.fetchone()[0]


def quote_name(name):
    return '"{}"'.format(name.replace('"', '""'))


def describe_database(using):
    """The database in words, without its password."""
    settings_dict = connections[using].settings_dict
    if connections[using].vendor == "sqlite":
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "local socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"PostgreSQL {settings_dict['NAME']} on {host}{port}"


def file_sha256(path):
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

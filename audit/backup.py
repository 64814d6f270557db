"""Backups of the whole database, and their restore into an empty one.

SQLite: the online backup API copies the live database (safe while the site serves) into a
new file. PostgreSQL: ``pg_dump --format=custom`` of a snapshot, restored by ``pg_restore``
in one transaction. Either way the history tables keep their append-only triggers: the
SQLite copy is the whole file, and pg_restore creates the triggers after loading the rows.

Each backup has a manifest beside it, ``<file>.manifest.json``: the row count of every table
(the historical ones included, as of the moment copied), the head of every audit-trail hash
chain, the applied migrations, and the file's size and SHA-256; the manifest is signed
with HMAC-SHA256 under ``BACKUP_SIGNING_KEY``, a key from the environment that is kept
apart from the data (and is not ``SECRET_KEY``). A restore checks the signature and then
the file against its manifest before it writes anything; after loading, it recomputes
every hash chain (which must end at the heads the manifest records), and undoes the
restore if one is broken. A restore that passes is recorded in the restore log
(``audit.models.RestoreRecord``: who, when, which backup, why), and moves the data version
past any number issued before.
"""

import getpass
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.backends.sqlite3._functions import register as register_sqlite_functions
from django.db.migrations.executor import MigrationExecutor

from .chain import GENESIS, verify
from .models import DataVersion, RestoreRecord
from .protection import history_tables, protected_tables

MANIFEST_FORMAT = "rmp-browser-backup/2"
UNSIGNED_FORMATS = {"rmp-browser-backup/1"}
SIGNING_KEY = "BACKUP_SIGNING_KEY"
MIN_KEY_LENGTH = 32
HEADS = "audit_historychain"
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
    chains: dict = field(default_factory=dict)  # {table: {rows, last_id, last_hash}}
    signature: str = ""  # HMAC-SHA256 of the rest, hex, under BACKUP_SIGNING_KEY

    @property
    def rows(self):
        return sum(self.tables.values())

    @property
    def history_rows(self):
        return sum(self.tables.get(table, 0) for table in self.history_tables)

    def write(self, path, key):
        self.signature = sign(asdict(self), key)
        manifest_path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path, key):
        """The manifest of the backup at ``path``, once its signature is checked."""
        location = manifest_path(path)
        try:
            data = json.loads(location.read_text())
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            raise BackupError(
                f"{location} is missing: a backup is restored with the manifest written beside "
                "it, which the restored database is checked against."
            ) from None
        except ValueError as error:
            raise BackupError(f"{location} is not a backup manifest ({error}).") from None
        if data.get("format") in UNSIGNED_FORMATS or not data.get("signature"):
            raise BackupError(
                f"{location} is not signed: only a backup whose manifest is signed with "
                f"{SIGNING_KEY} is restored (an unsigned one could have been forged)."
            )
        if not hmac.compare_digest(str(data["signature"]), sign(data, key)):
            raise BackupError(
                f"{location} has a wrong signature: the backup or its manifest was changed "
                f"after it was signed, or it was signed with another {SIGNING_KEY}. Nothing "
                "restored."
            )
        try:
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            return cls(**data)
        except (ValueError, TypeError) as error:
            raise BackupError(f"{location} is not a backup manifest ({error}).") from None


@dataclass
class RestoreReport:
    manifest: Manifest
    database: str
    tables: dict  # {table: rows}, as restored
    protected: list  # historical tables that carry the append-only triggers
    notes: list = field(default_factory=list)
    record: object = None  # the RestoreRecord written, once every count matched

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


def signing_key():
    """The key backups are signed with: ``BACKUP_SIGNING_KEY`` from the environment."""
    key = os.environ.get(SIGNING_KEY, "")
    if not key:
        raise BackupError(
            f"Set {SIGNING_KEY} (32 or more random characters, kept apart from the database "
            "and its backups): backups are signed with it, and a restore checks the signature."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(f"{SIGNING_KEY} is too short: use {MIN_KEY_LENGTH} or more characters.")
    if key == getattr(settings, "SECRET_KEY", None):
        raise BackupError(
            f"{SIGNING_KEY} must not be the site's SECRET_KEY: use a key of its own, so that "
            "whoever reads the site's settings cannot sign a backup."
        )
    return key


def sign(data, key):
    """HMAC-SHA256 (hex) of a manifest's content: its JSON, keys sorted, without "signature"."""
    content = {name: value for name, value in data.items() if name != "signature"}
    message = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def read_signed_manifest(path):
    """The manifest of a backup (``PATH`` or ``PATH.manifest.json``), its signature checked."""
    path = str(path)
    suffix = ".manifest.json"
    return Manifest.read(path[: -len(suffix)] if path.endswith(suffix) else path, signing_key())


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
    key = signing_key()
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
            tables, migrations, chains = _backup_sqlite(connections[using], partial)
        else:
            tables, migrations, chains = _backup_postgresql(connections[using], partial, pg_bin)
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
            chains=chains,
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest.write(path, key)
    return path, manifest


def _backup_sqlite(connection, partial):
    connection.ensure_connection()
    target = _open_sqlite(partial)
    try:
        # One step: a consistent copy, however many pages, while other connections go on.
        connection.connection.backup(target)
        _check_sqlite_integrity(target, partial)
        cursor = target.cursor()
        return (*_contents(cursor, "sqlite"), _chain_heads(cursor))
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
        contents = (*_contents(cursor, "postgresql"), _chain_heads(cursor))
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


def restore(
    path, *, reason, operator=None, using="default", force=False, pg_bin=None
) -> RestoreReport:
    """Restore the backup at ``path`` into database ``using``, which must be empty.

    ``force`` (SQLite only) replaces whatever the target database file holds. Everything
    about the backup (its signature first) is checked before anything is written; a restored
    database whose audit trail does not verify is undone. A restore whose every count
    matches is recorded (``RestoreRecord``: ``operator``, or the OS user, and ``reason``) and
    moves the data version past any number issued before.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise BackupError(
            "Give the reason for the restore (--reason): it is recorded with the restore."
        )
    key = signing_key()
    vendor = vendor_of(using)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is a folder." if path.is_dir() else f"{path} does not exist.")
    _check_format(path, vendor)
    manifest = Manifest.read(path, key)
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
        undo, version_before = _restore_sqlite(path, manifest, connections[using], force)
    else:
        if force:
            raise BackupError(
                "--force applies to SQLite only: restore a PostgreSQL backup into a new, empty "
                "database (createdb NAME) and point DATABASE_URL at it."
            )
        undo, version_before = _restore_postgresql(path, connections[using], pg_bin), 0
    try:
        _check_restored_trail(manifest, using)
    except BackupError:
        undo()
        raise
    undo.forget()
    report = _report(manifest, using)
    if report.ok:
        report.record = _record(path, manifest, using, reason, operator, version_before)
    return report


def _check_restored_trail(manifest, using):
    """Every hash chain of the restored data verifies and ends where the manifest says."""
    try:
        reports = verify(using=using, anchors=manifest.chains)
    except DatabaseError as error:
        connections[using].close()
        raise BackupError(
            f"The restored audit trail cannot be verified ({str(error).strip()}): the restore "
            "was undone."
        ) from None
    problems = [str(report.breaks[0]) for report in reports if report.breaks]
    for report in reports:
        recorded = manifest.chains.get(report.table)
        if not report.breaks and recorded is not None and report.rows != recorded["rows"]:
            problems.append(
                f"{report.table}: {report.rows} rows in the chain, the signed manifest "
                f"{recorded['rows']}"
            )
    missing = sorted(set(manifest.chains) - {report.table for report in reports})
    problems += [f"{table}: no such chained table in this code" for table in missing]
    if problems:
        raise BackupError(
            "The audit trail of the restored data does not verify, so the restore was undone "
            f"(the database is as it was): {'; '.join(problems)}."
        )


def _record(path, manifest, using, reason, operator, version_before):
    """Record the restore, and move the data version past every number issued before.

    The version becomes the larger of the restored one and the live one this database had
    (SQLite with --force), plus one, and at least the time in microseconds since 1970:
    counting one per change, no earlier version can have reached that, so no page cached or
    validated (ETag) before the restore can match one after it.
    """
    os_user = _os_user()
    now = datetime.now(UTC)
    with transaction.atomic(using=using):
        versions = DataVersion.objects.using(using)
        restored = versions.filter(pk=1).values_list("counter", flat=True).first() or 0
        counter = max(restored + 1, version_before + 1, time.time_ns() // 1000)
        versions.update_or_create(
            pk=1,
            defaults={
                "counter": counter,
                "changed_at": now,
                # The public validators (ETag, Last-Modified) move past every earlier one too.
                "public_counter": counter,
                "public_changed_at": now,
            },
        )
        record = RestoreRecord.objects.using(using).create(
            restored_at=now,
            operator=(operator or os_user or "unknown")[:150],
            os_user=os_user[:150],
            host=socket.gethostname()[:255],
            reason=reason,
            backup_file=str(path.resolve())[:1000],
            backup_sha256=manifest.sha256,
            backup_signature=manifest.signature,
            backup_created_at=manifest.created_at,
            backup_database=manifest.database[:1000],
            history_rows=manifest.history_rows,
            data_version=counter,
        )
    DataVersion.forget_recent()
    return record


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


class _Undo:
    """How to take a restore back; ``forget`` once it stands (drops what it kept)."""

    def __init__(self, undo=None, forget=None):
        self._undo, self._forget = undo, forget

    def __call__(self):
        if self._undo:
            self._undo()
        self.forget()

    def forget(self):
        if self._forget:
            self._forget()
        self._undo = self._forget = None


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
        version_before = _sqlite_data_version(target) if existing else 0
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        kept = _keep_sqlite(target) if existing else None
        destination = _open_sqlite(target)
        try:
            # The destination's pages are replaced by the backup's, in one transaction.
            source.backup(destination)
            _check_sqlite_integrity(destination, target)
        finally:
            destination.close()
    finally:
        source.close()

    def undo():
        connection.close()
        if kept is None:
            target.write_bytes(b"")
            return
        previous = _open_sqlite(kept, read_only=True)
        destination = _open_sqlite(target)
        try:
            previous.backup(destination)
        finally:
            destination.close()
            previous.close()

    return _Undo(undo, lambda: kept and kept.unlink(missing_ok=True)), version_before


def _keep_sqlite(target):
    """A copy of what the target file holds, to put back if the restore is undone."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".kept", dir=target.parent)
    os.close(handle)
    source, copy = _open_sqlite(target, read_only=True), _open_sqlite(name)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return Path(name)


def _sqlite_data_version(target):
    database = _open_sqlite(target, read_only=True)
    try:
        return database.execute("SELECT counter FROM audit_dataversion WHERE id = 1").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return 0
    finally:
        database.close()


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
    contents = _run(
        [pg_restore, "--list", str(path)], connection.settings_dict, what=f"{path} is unreadable"
    )
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

    def undo():
        # The database had no table before: drop every table and function the archive made.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in _drop_statements(contents):
                cursor.execute(statement)
        connection.close()

    return _Undo(undo)


TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (TABLE|FUNCTION|SEQUENCE|VIEW) (\S+) (\S+(?: \S+)*) \S+$")
TOC_EXTENSION = re.compile(r"^\d+; \d+ \d+ EXTENSION - (\S+)\s*$")


def _drop_statements(contents):
    """DROP statements for the tables, views, sequences, functions and extensions of a
    pg_restore list."""
    statements = []
    order = {"VIEW": 0, "TABLE": 1, "SEQUENCE": 2, "FUNCTION": 3}
    entries = [match.groups() for match in map(TOC_ENTRY.match, contents.splitlines()) if match]
    for kind, schema, name in sorted(entries, key=lambda entry: order[entry[0]]):
        if kind == "FUNCTION":
            function, _, arguments = name.partition("(")
            target = f"{quote_name(schema)}.{quote_name(function)}({arguments}"
        else:
            target = f"{quote_name(schema)}.{quote_name(name)}"
        statements.append(f"DROP {kind} IF EXISTS {target} CASCADE")
    # Extensions the archive created (pg_trgm for the concerns' text index), with their
    # functions, after the tables whose indexes use them.
    for match in filter(None, map(TOC_EXTENSION.match, contents.splitlines())):
        statements.append(f"DROP EXTENSION IF EXISTS {quote_name(match.group(1))} CASCADE")
    return statements


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


def _chain_heads(cursor):
    """{table: {rows, last_id, last_hash}}: the head of every audit-trail chain."""
    cursor.execute(f"SELECT table_name, rows, last_id, last_hash FROM {HEADS} ORDER BY table_name")
    return {
        table: {"rows": rows, "last_id": last_id, "last_hash": last_hash or GENESIS}
        for table, rows, last_id, last_hash in cursor.fetchall()
    }

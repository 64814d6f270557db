"""The hash chain of the audit trail: every history row seals the one before it.

Each chained table (the history table of every audited model, its many-to-many snapshot
tables, and the restore log) is a chain in the order of its primary key. A row's
``history_hash`` is::

    sha256( "<table>\\n<previous row's history_hash>\\n<canonical JSON of the row>" )

as lower-case hex, where the first row's previous hash is ``GENESIS`` (64 zeros) and the
canonical JSON is the object {column: value} of every column of the row except the primary
key, ``history_hash`` itself and the columns that are NULL or empty text, keys sorted, no
whitespace (``separators=(",", ":")``), UTF-8 without escaping; values as true/false,
integers, or strings: a
timestamp as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, a date as ``YYYY-MM-DD``, a UUID in its
hyphenated form, anything else as its text. SECURITY.md gives the recipe with an example an
inspector can run.

The hash is computed when the row is written, in the transaction that writes it (``seal``):
the writer first takes the audit trail's lock (PostgreSQL: a transaction-level advisory lock,
so concurrent writers take turns; every writer already queues for the data version's row
within the same transaction) and reads the chain heads (``HistoryChain``, which the
database's own trigger moves on every insert, see ``audit.protection``), then hashes its rows
one after the other. Within one transaction the heads are read once: the rows the
transaction writes later continue from the hashes it computed, for as long as its last
sealed row is still part of the transaction (a savepoint rolled back takes it out, see
``_Held``).

``verify`` recomputes every chain and compares each with its head.
"""

import datetime
import hashlib
import json
import uuid
import zlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, transaction
from django.utils import timezone

GENESIS = "0" * 64
HASH_FIELD = "history_hash"


def chained_models():
    return sorted(
        (
            model
            for model in apps.get_models()
            if getattr(model, "audit_chained", False) and not model._meta.proxy
        ),
        key=lambda model: model._meta.db_table,
    )


def hashed_fields(model):
    """The fields a row's hash covers: every column but the primary key and the hash."""
    return sorted(
        (f for f in model._meta.concrete_fields if not f.primary_key and f.column != HASH_FIELD),
        key=lambda f: f.column,
    )


def date_field(model):
    name = getattr(model, "chain_date_field", None)
    names = {f.name for f in model._meta.concrete_fields}
    return name if name in names else None


def canonical_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def canonical(columns_values):
    """The canonical JSON of a row, from [(column, value), ...].

    A column whose value is NULL or empty text is left out: a column added to a history table
    later (NULL or "" in the rows written before it) leaves the hashes of those rows as they
    were, so the chain still verifies after such a migration.
    """
    return json.dumps(
        {
            column: canonical_value(value)
            for column, value in columns_values
            if value is not None and value != ""
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def link_hash(table, previous, canonical_json):
    message = f"{table}\n{previous}\n{canonical_json}".encode()
    return hashlib.sha256(message).hexdigest()


def _heads_model():
    return apps.get_model("audit", "HistoryChain")


# The advisory lock of the audit trail: one for every chain, a stable signed 64-bit number.
# One lock rather than one per table: a transaction writes several history tables, in any
# order, and per-table locks taken in different orders by two writers would deadlock.
LOCK_KEY = zlib.crc32(b"rmp-browser audit trail") - 2**31


# Sealing rows as they are written


class _Held:
    """The chain heads as this transaction holds them: read once, then moved by its own rows.

    After taking the lock a transaction reads every head in one query; the rows it seals
    then continue from the hashes it computed. ``marker`` is an on_commit callback registered
    with the last row sealed: it stays in ``connection.run_on_commit`` exactly as long as that
    row is part of the open transaction, so a savepoint rolled back (and the end of the
    transaction) makes the heads be read again, with the lock taken again if it went too.
    """

    def __init__(self, heads):
        self.heads = heads  # {table: (last hash, last date)}
        self.marker, self.position = None, -1

    def valid(self, connection):
        if not connection.in_atomic_block or self.marker is None:
            return False
        waiting = connection.run_on_commit
        if self.position < len(waiting) and waiting[self.position][1] is self.marker:
            return True
        return any(entry[1] is self.marker for entry in waiting)

    def moved(self, connection, using):
        self.marker = _Marker()
        transaction.on_commit(self.marker, using=using)
        self.position = len(connection.run_on_commit) - 1


class _Marker:
    def __call__(self):
        pass


def seal(model, rows, using):
    """Give each of ``rows`` (unsaved, in insert order) its ``history_hash``."""
    if not rows:
        return
    connection = connections[using]
    table = model._meta.db_table
    held = connection.__dict__.get("_audit_chain_heads")
    if held is None or not held.valid(connection):
        held = connection.__dict__["_audit_chain_heads"] = _read_heads(connection, using)
    fields = hashed_fields(model)
    dated = date_field(model)
    previous, last_date = held.heads.get(table, (GENESIS, None))
    for row in rows:
        if dated:
            when = getattr(row, dated)
            if when is not None and last_date is not None and when < last_date:
                # A writer that waited for the lock carries the time it started: the chain
                # never goes back in time, so its rows take the time of the row before.
                setattr(row, dated, last_date)
            last_date = getattr(row, dated)
        values = [(f.column, f.to_python(getattr(row, f.attname))) for f in fields]
        previous = link_hash(table, previous, canonical(values))
        setattr(row, HASH_FIELD, previous)
    held.heads[table] = (previous, last_date)
    held.moved(connection, using)


def forget_heads(using="default"):
    """Read the chain heads afresh at the next row: rows were inserted behind the ORM's back
    (raw SQL, as the test suite's seed snapshot does) in the open transaction."""
    connections[using].__dict__.pop("_audit_chain_heads", None)


def _read_heads(connection, using):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    heads = _heads_model().objects.using(using).values_list("table", "last_hash", "last_date")
    return _Held(
        {table: (last_hash or GENESIS, last_date) for table, last_hash, last_date in heads}
    )


def seal_rows(model, using="default"):
    """Hash the rows a table already has, in id order (a table chained after the fact)."""
    table = model._meta.db_table
    fields = hashed_fields(model)
    pk = model._meta.pk.attname
    manager = model._base_manager.using(using)
    previous = GENESIS
    for row in manager.order_by(pk).iterator(chunk_size=2000):
        values = [(f.column, getattr(row, f.attname)) for f in fields]
        previous = link_hash(table, previous, canonical(values))
        manager.filter(pk=getattr(row, pk)).update(**{HASH_FIELD: previous})


# Verifying


@dataclass
class Break:
    table: str
    row: object  # the primary key of the first row that does not follow, or None (the head)
    problem: str
    expected: str = ""
    found: str = ""

    def __str__(self):
        where = f"{self.table} row {self.row}" if self.row is not None else self.table
        text = f"{where}: {self.problem}"
        if self.expected or self.found:
            text += f" (expected {self.expected or '-'}, found {self.found or '-'})"
        return text


@dataclass
class ChainReport:
    table: str
    rows: int = 0
    last_id: object = None
    last_hash: str = GENESIS
    breaks: list = field(default_factory=list)


def verify_table(model, using="default", anchor=None, chunk_size=2000):
    """Recompute the chain of ``model``'s table; the report lists its first break, if any.

    ``anchor`` ({"last_id", "last_hash", "rows"} from a signed backup manifest) is a point
    the chain must still pass through: rows written since may follow it, none may change it.
    """
    table = model._meta.db_table
    report = ChainReport(table)
    fields = hashed_fields(model)
    dated = date_field(model)
    pk = model._meta.pk.attname
    names = [pk, HASH_FIELD, *[f.attname for f in fields]]
    columns = [f.column for f in fields]
    date_index = names.index(model._meta.get_field(dated).attname) if dated else None
    rows = model._default_manager.using(using).order_by(pk).values_list(*names)
    previous, last_date = GENESIS, None
    anchored = anchor is None or not anchor.get("rows")
    for values in rows.iterator(chunk_size=chunk_size):
        row_id, found = values[0], values[1]
        expected = link_hash(table, previous, canonical(zip(columns, values[2:], strict=True)))
        if found != expected:
            report.breaks.append(
                Break(
                    table,
                    row_id,
                    "the stored hash does not follow from this row and the one before "
                    "(the row was changed, or a row before it was removed or inserted)",
                    expected,
                    found,
                )
            )
            return report
        if date_index is not None:
            when = values[date_index]
            if last_date is not None and when is not None and when < last_date:
                report.breaks.append(
                    Break(
                        table,
                        row_id,
                        "dated before the row it follows (a back-dated row)",
                        f"{canonical_value(last_date)} or later",
                        canonical_value(when),
                    )
                )
                return report
            last_date = when if when is not None else last_date
        if anchor and row_id == anchor.get("last_id"):
            if found != anchor.get("last_hash") or report.rows + 1 != anchor.get("rows"):
                report.breaks.append(
                    Break(
                        table,
                        row_id,
                        "differs from the chain head the signed backup manifest records",
                        f"{anchor.get('last_hash')} after {anchor.get('rows')} rows",
                        f"{found} after {report.rows + 1} rows",
                    )
                )
                return report
            anchored = True
        previous = found
        report.rows += 1
        report.last_id, report.last_hash = row_id, found
    if not anchored:
        report.breaks.append(
            Break(
                table,
                None,
                f"the row {anchor.get('last_id')} the signed backup manifest ends the chain "
                "with is missing",
                f"{anchor.get('rows')} rows ending {anchor.get('last_hash')}",
                f"{report.rows} rows ending {report.last_hash}",
            )
        )
        return report
    head = _heads_model().objects.using(using).filter(pk=table).first()
    expected_head = (report.rows, report.last_id, report.last_hash)
    found_head = (
        (head.rows, head.last_id, head.last_hash or GENESIS) if head else (0, None, GENESIS)
    )
    if found_head != expected_head:
        report.breaks.append(
            Break(
                table,
                None,
                "the chain head does not match the table (rows were deleted from its end, "
                "the table was emptied, or the head was changed)",
                _describe_head(*found_head) + " as the head records",
                _describe_head(*expected_head) + " in the table",
            )
        )
    return report


def _describe_head(rows, last_id, last_hash):
    if not rows:
        return "no rows"
    return f"{rows} rows ending at row {last_id} with {last_hash}"


def verify(using="default", anchors=None):
    """Reports of every chained table, in table order."""
    anchors = anchors or {}
    return [
        verify_table(model, using, anchor=anchors.get(model._meta.db_table))
        for model in chained_models()
    ]


def heads(using="default"):
    """{table: {"rows", "last_id", "last_hash"}} of every chain, as its head records it."""
    recorded = {
        head.table: {"rows": head.rows, "last_id": head.last_id, "last_hash": head.last_hash}
        for head in _heads_model().objects.using(using)
    }
    return {
        model._meta.db_table: recorded.get(
            model._meta.db_table, {"rows": 0, "last_id": None, "last_hash": GENESIS}
        )
        for model in chained_models()
    }

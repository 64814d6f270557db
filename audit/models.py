import threading

from django.db import models, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from .chain import seal
from .versions import KeptVersion


class DataVersion(models.Model):
    """How many changes have been recorded to curated data, and how many of them were public.

    A single row with two counters. ``counter`` moves with every recorded change
    (``audit.context``: once per ``recorded_change`` block and transaction, more often when a
    reader could otherwise tell), a draft saved by a curator included. ``public_counter``
    moves only with a change the public can see: a plan version published or superseded, a
    product record changed (``AuditedHistory(public=...)`` says which rows are public).
    Public pages are cached and validated (ETag, Last-Modified) against the public counter
    only, so their validators tell nobody when drafts are saved. A change, once committed,
    shows on the next request of the worker that made it, and within
    ``settings.DATA_VERSION_TTL`` seconds on every other worker (``audit.versions``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    counter = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)
    public_counter = models.PositiveBigIntegerField(default=0)
    public_changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "data version"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_dataversion_one_row")]

    def __str__(self):
        return f"Data version {self.counter}"

    @classmethod
    def current(cls):
        """The version now; an unsaved version 0 before the first recorded change."""
        _reads.count()
        return cls.objects.filter(pk=1).first() or cls(counter=0)

    @classmethod
    def reads(cls):
        """How many times this process has read the version (``current``) so far."""
        return _reads.value

    @classmethod
    def recent(cls):
        """The version as this process last read it, if that was under the TTL ago."""
        return _kept.get()

    @classmethod
    def forget_recent(cls):
        """Read the version afresh next time (after data was reset behind its back)."""
        _kept.forget()

    @classmethod
    def advance(cls, public=False):
        """Count one more change (inside the writer's transaction); ``public``: a public one.

        Returns the callback this move left to run when its transaction commits: it is
        still waiting in ``connection.run_on_commit`` exactly as long as the move is
        pending in an open transaction (a savepoint rolled back takes it out, the end of
        the transaction empties the list), which ``audit.context`` asks.
        """
        now = timezone.now()
        _kept.forget()

        def forget_on_commit():
            _kept.forget()

        transaction.on_commit(forget_on_commit)
        moves = {"counter": F("counter") + 1, "changed_at": now}
        if public:
            moves |= {"public_counter": F("public_counter") + 1, "public_changed_at": now}
        if not cls.objects.filter(pk=1).update(**moves):
            first = {"counter": 1, "changed_at": now}
            if public:
                first |= {"public_counter": 1, "public_changed_at": now}
            cls.objects.get_or_create(pk=1, defaults=first)
        return forget_on_commit


class _ReadCounter:
    """Counts reads of the data version, so a writer can tell whether anyone looked."""

    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def count(self):
        with self._lock:
            self.value += 1


_reads = _ReadCounter()
_kept = KeptVersion(read=DataVersion.current)


class HistoryChain(models.Model):
    """The head of one chained table: how many rows it has and the hash of the last one.

    Moved by the database itself, in the trigger that refuses an out-of-order row
    (``audit.protection``), never by the application: the web application's role may read
    it only. ``verify_audit_trail`` compares each table with its head, so rows removed from
    the end of a table, or a table emptied, do not go unnoticed.
    """

    table = models.CharField(max_length=63, primary_key=True, db_column="table_name")
    rows = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, default="")
    last_date = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "audit trail chain head"

    def __str__(self):
        return f"{self.table}: {self.rows} rows"


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            seal(self.model, objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class ChainedModel(models.Model):
    """An append-only table whose rows are hash-chained (``audit.chain``).

    The base of every history table (``audit.context.AuditedHistory``) and of the restore
    log. ``chain_date_field`` names the column that never goes back in time along the chain
    (a many-to-many snapshot has none).
    """

    history_hash = models.CharField(max_length=64, default="", editable=False)

    objects = ChainedQuerySet.as_manager()

    audit_chained = True
    chain_date_field = "history_date"

    class Meta:
        abstract = True

    def save(self, *args, using=None, **kwargs):
        if not self._state.adding:
            return super().save(*args, using=using, **kwargs)
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            seal(type(self), [self], using=using)
            return super().save(*args, using=using, **kwargs)


class RestoreRecord(ChainedModel):
    """One restore of a backup into this database: who, when, which backup, why.

    Written by ``restore_database`` once the restored data has passed the audit-trail
    verification; append-only and hash-chained like the history tables.
    """

    restored_at = models.DateTimeField()
    operator = models.CharField(max_length=150)
    os_user = models.CharField(max_length=150, blank=True)
    host = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    backup_file = models.CharField(max_length=1000)
    backup_sha256 = models.CharField(max_length=64)
    backup_signature = models.CharField(max_length=64)
    backup_created_at = models.CharField(max_length=40, blank=True)
    backup_database = models.CharField(max_length=1000, blank=True)
    history_rows = models.BigIntegerField(default=0)
    data_version = models.PositiveBigIntegerField(help_text="the data version after the restore")

    chain_date_field = "restored_at"

    class Meta:
        verbose_name = "restore of a backup"
        ordering = ["-restored_at", "-id"]

    def __str__(self):
        return f"Restore of {self.backup_file} by {self.operator}"

import threading

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

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

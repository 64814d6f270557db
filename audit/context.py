"""Who changes curated data and why: every write happens inside a recorded change.

Curated models keep their history with ``AuditedHistory`` (django-simple-history). Each
historical row takes its user and reason from the ``recorded_change`` block the write
runs in; a write outside one fails, so no change is ever recorded without a reason.

Each change moves the data version (``audit.models.DataVersion``): once per block and
transaction, not once per historical row (see ``_VersionMove``). A change to a row the
public can see moves its public counter too, which public pages are cached against:
``AuditedHistory(public=...)`` says which rows those are.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.signals import pre_save
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from .models import ChainedModel, DataVersion


class MissingChangeReason(RuntimeError):
    """Curated data was written outside a ``recorded_change`` block."""


@dataclass(frozen=True)
class Change:
    reason: str
    user: object = None  # the user model instance, or None for the system


_public_rows = {}  # model: whether a row of it is public (AuditedHistory's ``public``)
_current = ContextVar("recorded_change", default=None)
_move = ContextVar("data_version_move", default=None)


@contextmanager
def recorded_change(reason, user=None):
    """Record every write in the block as made by ``user`` for ``reason``."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise MissingChangeReason("A change needs a reason.")
    token = _current.set(Change(reason, user if user and user.is_authenticated else None))
    move_token = _move.set(_VersionMove())
    try:
        yield
    finally:
        _move.reset(move_token)
        _current.reset(token)


def current_change():
    change = _current.get()
    if change is None:
        raise MissingChangeReason(
            "Curated data was changed without a reason: wrap the write in "
            "audit.context.recorded_change(reason, user)."
        )
    return change


class AuditedHistory(HistoricalRecords):
    """django-simple-history whose user and reason come from the recorded change.

    Every historical row carries ``history_hash``, the link of its table's hash chain
    (``audit.chain``), computed as it is written.

    The history keeps no generated field (``GeneratedField``, such as the search vectors of
    products.search_fields): the database derives it from columns the history keeps, and
    simple-history would otherwise copy it as a column of the historical table.
    """

    def __init__(self, *, public=False, **kwargs):
        """``public``: whether a change of a row is visible to the public, so that public
        pages must change with it: True, False, or a function of the instance (the row as
        saved, or as it was before its deletion)."""
        kwargs.setdefault("history_change_reason_field", models.TextField())
        kwargs.setdefault("excluded_fields", [])
        # Every history row, and every many-to-many snapshot row, is hash-chained.
        kwargs.setdefault("bases", [ChainedModel])
        kwargs.setdefault("m2m_bases", [ChainedModel])
        super().__init__(**kwargs)
        self.public = public if callable(public) else (lambda instance: public)

    def fields_included(self, model):
        return [field for field in super().fields_included(model) if not field.generated]

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            _public_rows[sender] = self.public
            pre_save.connect(_require_recorded_change, sender=sender, weak=False)

    def get_change_reason_for_object(self, instance, history_type, using):
        return current_change().reason

    def get_history_user(self, instance):
        return current_change().user

    def create_historical_record(self, instance, history_type, using=None):
        super().create_historical_record(instance, history_type, using=using)
        _move_data_version(public=self.public(instance))


def _require_recorded_change(sender, raw=False, **kwargs):
    """Refuse a save before it writes: in autocommit, post_save would come too late."""
    if not raw:
        current_change()


def bulk_create_audited(model, objs):
    """``bulk_create`` that records one historical row per object, like ``save()``."""
    change = current_change()
    objs = list(objs)
    created = bulk_create_with_history(
        objs, model, default_user=change.user, default_change_reason=change.reason
    )
    is_public = _public_rows.get(model, lambda instance: False)
    _move_data_version(public=any(is_public(obj) for obj in objs))
    return created


class _VersionMove:
    """The data version move of one ``recorded_change`` block, while it is still pending.

    (A block whose rows were all drafts so far moved only the version's counter: its first
    public row moves both counters, and every later move of the block is public too.)

    A block often writes many historical rows in one transaction (loading the five seed
    products wrote 531, so 531 of its 3,855 queries were UPDATEs of the version row), and
    nobody can tell the extra moves apart. So the block's first row moves the version and
    later rows do not, unless a reader could tell:

    - the move was undone or is over: a savepoint rolled back took it out, or its
      transaction ended (a later write is then in a new transaction, or in autocommit);
    - the version was read since (say a page was rendered and cached under it within
      the transaction): the next row must move it again, or that page would go stale.

    Django keeps a transaction's ``on_commit`` callbacks until it commits, drops them with
    a savepoint rolled back and clears them when the transaction ends, so the move is
    pending exactly while its callback is still waiting in ``connection.run_on_commit``.
    """

    def __init__(self):
        self._callback = None
        self._reads = None
        self.public = False

    def pending(self, public):
        if self._callback is None or self._reads != DataVersion.reads():
            return False
        if public and not self.public:
            return False
        waiting = transaction.get_connection().run_on_commit
        return any(entry[1] is self._callback for entry in waiting)

    def moved(self, callback, public):
        self._callback, self._reads = callback, DataVersion.reads()
        self.public = self.public or public


def _move_data_version(public):
    """Move the data version for a historical row, unless its block's move is pending."""
    move = _move.get()
    if move is not None:
        if move.pending(public):
            return
        public = public or move.public
    callback = DataVersion.advance(public=public)
    if move is not None:
        move.moved(callback, public)

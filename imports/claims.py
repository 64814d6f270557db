"""One import of a file at a time: a second import of the same file waits for nobody.

``claimed(kind, content, file_name, user)`` wraps an import. It first claims the file: an
``ImportClaim`` row, unique per file (SHA-256) and kind of import, inserted and committed
in a transaction of its own, so every other process sees it at once. A second import of
the same file while the first runs fails to insert its own row and is refused with
``ImportInProgress`` ("already being imported") before it reads or writes anything, on
SQLite and PostgreSQL alike. The claim is deleted when the import ends, whether it wrote
a draft, found the file imported before, or failed. A claim older than
``IMPORT_CLAIM_STALE_MINUTES`` (a process killed mid-import) is taken as abandoned.
"""

import hashlib
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .extract import ImportRejected
from .models import ImportClaim


class ImportInProgress(ImportRejected):
    """The same file is being imported right now; nothing was read or written."""


@contextmanager
def claimed(kind, content, file_name, user=None):
    """Hold the claim on ``content`` for the block; ImportInProgress if someone else does.

    Call it outside any transaction: the claim must be committed before the import's
    own transaction starts, or nobody else could see it.
    """
    sha256 = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    stale = now - timedelta(minutes=settings.IMPORT_CLAIM_STALE_MINUTES)
    with transaction.atomic():
        ImportClaim.objects.filter(kind=kind, sha256=sha256, claimed_at__lt=stale).delete()
        try:
            with transaction.atomic():
                claim = ImportClaim.objects.create(
                    kind=kind,
                    sha256=sha256,
                    file_name=file_name[:300],
                    user=user if user is not None and user.is_authenticated else None,
                    claimed_at=now,
                )
        except IntegrityError:
            holder = (
                ImportClaim.objects.filter(kind=kind, sha256=sha256).select_related("user").first()
            )
            raise ImportInProgress(in_progress_message(file_name, holder)) from None
    try:
        yield claim
    finally:
        ImportClaim.objects.filter(pk=claim.pk).delete()


def in_progress_message(file_name, holder):
    who, since = "", ""
    if holder is not None:
        who = f" by {holder.user.get_username()}" if holder.user else " from the command line"
        since = f" since {format_date(timezone.localtime(holder.claimed_at), 'H:i:s')}"
    return (
        f"{file_name} is already being imported{who}{since}. Nothing was done: wait for that "
        "import to finish; its draft then appears in the import log, and importing the file "
        "again changes nothing."
    )

"""The data version as this process last read it, kept for a moment.

Every public request is validated against the data version (``rmpsite/page_cache.py``).
Reading it costs a database round trip, more than serving the cached page itself, so each
process keeps the version it last read for ``settings.DATA_VERSION_TTL`` seconds:

- a change committed by this process shows at once: ``DataVersion.advance`` forgets the
  kept version when it writes and again when its transaction commits;
- a change committed by another process shows within the TTL (one second by default);
- a version read inside a transaction is never kept: that transaction may have advanced it
  and roll back, and pages cached under a number that is later reused would be stale.
"""

import threading
import time

from django.conf import settings
from django.db import connection


class KeptVersion:
    def __init__(self, read):
        self._read = read
        self._lock = threading.Lock()
        self._version = None
        self._read_at = 0.0
        self._generation = 0  # moves on every forget(): a read that raced one is not kept

    def get(self):
        ttl = settings.DATA_VERSION_TTL
        with self._lock:
            started = time.monotonic()
            if self._version is not None and started - self._read_at < ttl:
                return self._version
            generation = self._generation
        version = self._read()
        if ttl > 0 and not connection.in_atomic_block:
            with self._lock:
                if generation == self._generation:
                    self._version, self._read_at = version, started
        return version

    def forget(self):
        with self._lock:
            self._version = None
            self._generation += 1

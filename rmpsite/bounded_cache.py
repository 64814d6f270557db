"""A per-process memory cache bounded in bytes as well as in entries.

Django's ``LocMemCache`` bounds only the number of entries, and a rendered page weighs from
a few kilobytes to two megabytes: 2,000 entries could hold 4 GB. ``BoundedLocMemCache``
counts the bytes it holds (the pickled values, which is what it stores) and, before storing
a value, evicts the least recently used entries until the value fits under
``OPTIONS["MAX_BYTES"]``. A value larger than the whole bound is not stored.
"""

import pickle
from threading import Lock

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

_sizes = {}  # cache name: its _Sizes, shared like LocMemCache's own stores
_sizes_lock = Lock()


class _Sizes:
    def __init__(self):
        self.of = {}  # key: bytes
        self.total = 0

    def put(self, key, size):
        self.drop(key)
        self.of[key] = size
        self.total += size

    def drop(self, key):
        self.total -= self.of.pop(key, 0)

    def clear(self):
        self.of.clear()
        self.total = 0


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", 64 * 1024 * 1024))
        with _sizes_lock:
            self._sizes = _sizes.setdefault(name, _Sizes())

    @property
    def stored_bytes(self):
        """The bytes of the values held now."""
        return self._sizes.total

    def __len__(self):
        return len(self._cache)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if len(pickle.dumps(value, self.pickle_protocol)) > self.max_bytes:
            return False
        return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        pickled = pickle.dumps(value, self.pickle_protocol)
        with self._lock:
            if len(pickled) > self.max_bytes:
                self._delete(key)
                return
            self._set(key, pickled, timeout)

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        while self._cache and self._sizes.total + len(value) > self.max_bytes:
            oldest, _ = self._cache.popitem()  # the least recently used (LocMemCache's order)
            self._expire_info.pop(oldest, None)
            self._sizes.drop(oldest)
        super()._set(key, value, timeout)
        self._sizes.put(key, len(value))

    def _cull(self):
        """LocMemCache's cull by entry count, keeping the byte count."""
        before = set(self._cache)
        super()._cull()
        for culled in before.difference(self._cache):
            self._sizes.drop(culled)

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        with self._lock:
            stored = self.make_and_validate_key(key, version=version)
            if stored in self._cache:
                self._sizes.put(stored, len(self._cache[stored]))
        return value

    def _delete(self, key):
        self._sizes.drop(key)
        return super()._delete(key)

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()

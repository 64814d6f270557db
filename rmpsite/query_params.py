"""Which query parameters a public page reads, so that the others do not make it a new page.

The page cache (``rmpsite/page_cache.py``) keys a page by its canonical parameters: those
its view reads, sorted by name. A view reads its parameters through its Form or FilterSet,
which reads every field it declares whatever the values, so the names one route reads are
the same on every request. This module learns them by watching: while a page renders,
``request.GET`` is a ``WatchedQueryDict`` that notes each name looked up, and each route
(the URL pattern the request resolved to) keeps the names it was seen to read and the names
it was seen to leave unread.

- A name the route reads is part of the cache key (``?q=pml`` and ``?q=PML`` are two pages).
- A name the route was seen to leave unread is dropped from the key: ``?x=1`` is the same
  page and the same cache entry as the address without it.
- A name the route has not been seen with yet makes the request a miss: the page renders,
  and the render says which of the two the name is. So no page is ever served for an address
  whose parameters it did not read.

A view that reads the whole query (iterates it, copies it, encodes it, counts it) makes every
name it holds part of the key: never wrong, only less shared. Whether the query is empty at
all (``bool(request.GET)``, as django-filter asks) is not noted. Each route remembers at most
``MAX_NAMES`` unread names; beyond them a request with a new name still renders (and is
rate-limited as every render is) but teaches nothing.
"""

import threading

from django.http import QueryDict

MAX_NAMES = 500


class WatchedQueryDict(QueryDict):
    """A QueryDict that notes the names looked up in it (``read``), or that all were."""

    def __init__(self, *args, **kwargs):
        self.read, self.read_all = set(), False
        super().__init__(*args, **kwargs)
        self.read, self.read_all = set(), False  # parsing the query is not reading it

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def _getlist(self, key, default=None, force_list=False):
        self.read.add(key)
        return super()._getlist(key, default, force_list)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def __bool__(self):
        # Not noted: FilterSets ask ``data or QueryDict()``, whose answer does not depend on
        # which parameters there are (an empty query reads as no parameters either way).
        return dict.__len__(self) > 0

    def _whole(name):
        def method(self, *args, **kwargs):
            self.read_all = True
            return getattr(QueryDict, name)(self, *args, **kwargs)

        method.__name__ = name
        return method

    for _name in (
        "items",
        "lists",
        "values",
        "keys",
        "dict",
        "urlencode",
        "copy",
        "__iter__",
        "__len__",
        "__copy__",
        "__deepcopy__",
        "__getstate__",
        "__eq__",
    ):
        locals()[_name] = _whole(_name)
    del _name, _whole
    __hash__ = None


def watched(request):
    """Give ``request`` a watched copy of its query; return it."""
    query = WatchedQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)
    request.GET = query
    return query


class _Route:
    def __init__(self):
        self.read = set()
        self.unread = set()


class RouteParameters:
    """What each route was seen to read, per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._routes = {}

    def canonical(self, route, query):
        """The sorted (name, values) the page depends on, or None if a name is new to it."""
        with self._lock:
            known = self._routes.get(route)
            if known is None and query:
                return None
            canonical = []
            for name in sorted(query):
                if name in known.read:
                    canonical.append((name, tuple(query.getlist(name))))
                elif name not in known.unread:
                    return None
            return tuple(canonical)

    def learn(self, route, query, watched_query):
        """Note what a render read of ``query``; return the sorted (name, values) it read."""
        names = set(query)
        read = names if watched_query.read_all else names & watched_query.read
        with self._lock:
            known = self._routes.setdefault(route, _Route())
            known.read |= read
            room = MAX_NAMES - len(known.unread)
            if room > 0:
                known.unread |= set(sorted(names - known.read)[:room])
        return tuple((name, tuple(query.getlist(name))) for name in sorted(read))

    def forget(self):
        with self._lock:
            self._routes.clear()

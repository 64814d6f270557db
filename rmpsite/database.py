"""Time limits on the database work of a request, and what counts as the database failing.

Every request that reaches the database runs under a limit (``DatabaseLimitsMiddleware``):

- public requests ``settings.DB_PUBLIC_STATEMENT_TIMEOUT`` seconds (5 by default): a page
  that would take longer is answered 503 rather than tying up a worker;
- the admin (curation, imports, the audit trail) ``settings.DB_STATEMENT_TIMEOUT`` seconds
  (120). Management commands never pass through here.

On PostgreSQL the limit is the server's ``statement_timeout``: the server cancels the
statement itself, so a canceled query ends on the server too. Every connection opens with
``connect_timeout`` and ``lock_timeout`` (``rmpsite.settings.base.database_from_env``); a
request's first query sets ``statement_timeout`` to its limit and
``idle_in_transaction_session_timeout`` when the connection has other values (at most once
per connection while the same kind of request follows). Management commands (migrate,
imports from the command line, backups) keep no statement limit: they are an operator's.
A watchdog thread also shuts the connection's socket when a query overruns its limit by
``DB_CLIENT_GRACE`` seconds, so a frozen server (which cancels nothing) still gets an
answer in bounded time.

On SQLite the limit is a progress handler (``sqlite3.Connection.set_progress_handler``)
that interrupts the request's query once the request has spent its limit: a budget for
the whole request rather than per statement. The connection's busy timeout (how long it
waits for another process's lock) is cut to what the request has left, and put back after.

A query canceled, interrupted or refused for want of a database raises
``django.db.OperationalError`` (or ``InterfaceError``); ``rmpsite.views.server_error``
answers those 503 with ``Retry-After`` (``database_unavailable``).
"""

import os
import socket
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

ADMIN_PREFIX = "/admin/"
SQLITE_PROGRESS_STEPS = 5_000  # virtual machine instructions between two checks of the time


def database_unavailable(error):
    """Whether ``error`` means the database did not answer in time or at all."""
    return isinstance(error, OperationalError | InterfaceError)


def request_limit(request):
    """The seconds of database work ``request`` may use."""
    if request.path.startswith(ADMIN_PREFIX):
        return settings.DB_STATEMENT_TIMEOUT
    return settings.DB_PUBLIC_STATEMENT_TIMEOUT


@receiver(connection_created)
def _note_connection_limit(sender, connection, **kwargs):
    """A new connection has no request's limit yet."""
    connection.rmp_statement_timeout = None


class DatabaseLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = request_limit(request)
        guards = [_RequestGuard(connections[alias], limit) for alias in connections]
        with _installed(guards):
            return self.get_response(request)


class _installed:
    def __init__(self, guards):
        self.guards = guards

    def __enter__(self):
        for guard in self.guards:
            guard.connection.execute_wrappers.append(guard)
            guard.start()

    def __exit__(self, *exc):
        for guard in self.guards:
            guard.connection.execute_wrappers.remove(guard)
            guard.finish()


class _RequestGuard:
    """An execute wrapper that holds one request's queries on one connection to its limit."""

    def __init__(self, connection, limit):
        self.connection = connection
        self.limit = limit
        self.started = time.monotonic()
        self.prepared = False
        self.sqlite_handler = False
        self.first_watch = None

    def start(self):
        """Watch a persistent PostgreSQL connection until the first query: the health check
        Django makes of it (``CONN_HEALTH_CHECKS``, a ``SELECT 1``) runs before any execute
        wrapper. It gets the grace only: a connection that fails it is replaced, and the new
        one has ``connect_timeout``."""
        if self.connection.vendor == "postgresql" and self.connection.connection is not None:
            self.first_watch = _watchdog.watching(self.connection, settings.DB_CLIENT_GRACE)
            self.first_watch.__enter__()

    def __call__(self, execute, sql, params, many, context):
        if self.connection.vendor != "postgresql":
            self._prepare_once()
            return execute(sql, params, many, context)
        self._end_first_watch()
        with _watchdog.watching(self.connection, self.limit + settings.DB_CLIENT_GRACE):
            self._prepare_once()
            return execute(sql, params, many, context)

    def _end_first_watch(self):
        if self.first_watch is not None:
            self.first_watch.__exit__(None, None, None)
            self.first_watch = None

    def _prepare_once(self):
        if not self.prepared:
            self.prepared = True
            self._prepare()

    def _prepare(self):
        connection = self.connection
        if connection.vendor == "postgresql":
            if getattr(connection, "rmp_statement_timeout", None) != self.limit:
                idle = int(settings.DB_IDLE_IN_TRANSACTION_TIMEOUT * 1000)
                with connection.connection.cursor() as cursor:  # not through the wrappers
                    cursor.execute(
                        f"SET statement_timeout = {int(self.limit * 1000)}; "
                        f"SET idle_in_transaction_session_timeout = {idle}"
                    )
                # A SET inside a transaction that rolls back is undone: then set it again.
                in_transaction = connection.in_atomic_block
                connection.rmp_statement_timeout = None if in_transaction else self.limit
        elif connection.vendor == "sqlite":
            raw = connection.connection
            deadline = self.started + self.limit
            raw.set_progress_handler(lambda: time.monotonic() > deadline, SQLITE_PROGRESS_STEPS)
            # Waiting for another process's lock is no progress: wait no longer than the
            # request has left, then answer (503), rather than the connection's busy timeout.
            (self.busy_timeout,) = raw.execute("PRAGMA busy_timeout").fetchone()
            left = max(1, int((deadline - time.monotonic()) * 1000))
            raw.execute(f"PRAGMA busy_timeout = {min(self.busy_timeout, left)}")
            self.sqlite_handler = True

    def finish(self):
        self._end_first_watch()
        raw = self.connection.connection
        if self.sqlite_handler and raw is not None:
            raw.set_progress_handler(None, SQLITE_PROGRESS_STEPS)
            raw.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout)}")


class _Watchdog:
    """One thread per process that cuts off a PostgreSQL query its server never answers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watched = {}  # token: (deadline, connection)
        self._pid = None

    def watching(self, connection, seconds):
        return _Watch(self, connection, time.monotonic() + seconds)

    def arm(self, token, deadline, connection):
        with self._lock:
            if self._pid != os.getpid():  # first use in this process (gunicorn forks)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()
            self._watched[token] = (deadline, connection)

    def disarm(self, token):
        with self._lock:
            self._watched.pop(token, None)

    def _run(self):
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            with self._lock:
                overdue = [
                    (token, connection)
                    for token, (deadline, connection) in self._watched.items()
                    if deadline <= now
                ]
                for token, _ in overdue:
                    del self._watched[token]
            for _, connection in overdue:
                _cut_off(connection)


class _Watch:
    def __init__(self, watchdog, connection, deadline):
        self.watchdog, self.connection, self.deadline = watchdog, connection, deadline

    def __enter__(self):
        self.watchdog.arm(self, self.deadline, self.connection)

    def __exit__(self, *exc):
        self.watchdog.disarm(self)


def _cut_off(connection):
    """Shut the socket under a query the server does not answer: the query then fails."""
    raw = connection.connection
    try:
        fileno = raw.pgconn.socket
        with socket.socket(fileno=os.dup(fileno)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed, or closing: nothing left to cut off
        pass


_watchdog = _Watchdog()

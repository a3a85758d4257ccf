"""Django's PostgreSQL backend, with a health check that costs no round trip when nothing is wrong.

With CONN_HEALTH_CHECKS, Django checks a kept connection before a request's first query by
sending `SELECT 1` and waiting for the answer: a round trip to the server on every request,
about a twentieth of an uncached article page's time. A server that ends a connection (a
restart, `pg_terminate_backend`, an idle timeout, a proxy going away) says so on the socket:
its farewell and the close make the socket readable. So an open, idle connection whose socket
has nothing to read is healthy as far as `SELECT 1` could tell quickly; anything else (data
waiting, another state) gets Django's own check.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus, TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is not None and self._quietly_open():
            return True
        # Something arrived unasked (the server's farewell, a notice, a notification), the
        # connection is not idle, or there is none: Django's own check decides.
        return super().is_usable()

    def _quietly_open(self):
        """True when the connection is open and idle and its socket has nothing to read."""
        pgconn = self.connection.pgconn
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)
        except (AttributeError, OSError, psycopg.Error):  # no poll() on Windows; a lost socket
            return False

"""Django's PostgreSQL backend, with a kept connection's health checked by its first read of
a request instead of a `SELECT 1` sent before it.

Django's health check (`CONN_HEALTH_CHECKS`) asks the server `SELECT 1` before a kept
connection's first query of each request, so that a connection the server or the network
has ended is replaced before a reader's query meets it. That round trip is about 4% of the
CPU an article page costs the app server and PostgreSQL together. Here the request's first
statement, when it is a read in autocommit (a public page's always is), is the check: if it
fails because the connection is gone, the connection is replaced and the read sent again.
That is safe because a read changes nothing and nothing else ran on the connection in this
request. A first statement that may write, or one in a transaction, is checked first, as
Django checks it.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The outermost wrapper: it sees each statement before any other wrapper does.
        self.execute_wrappers.append(self._checked_by_first_statement)

    def close_if_health_check_failed(self):
        # Out of a transaction, `health_check_done` stays False until the request's first
        # statement checks the connection (_checked_by_first_statement).
        if self.health_check_done or self.connection is None:
            return
        if self.in_atomic_block or not self.get_autocommit() or self.pool:
            super().close_if_health_check_failed()

    def set_autocommit(self, autocommit, *args, **kwargs):
        if not autocommit:
            # A transaction begins: a connection that is gone is replaced before it, as Django
            # does, since its statements cannot be sent again on a new connection one by one.
            super().close_if_health_check_failed()
        return super().set_autocommit(autocommit, *args, **kwargs)

    def _checked_by_first_statement(self, execute, sql, params, many, context):
        cursor = context["cursor"]
        if self._made_on_a_replaced_connection(cursor.cursor):
            self._move(cursor)
        if self.health_check_done or not self.health_check_enabled:
            return execute(sql, params, many, context)
        self.health_check_done = True
        if many or self.in_atomic_block or not self.get_autocommit() or not _reads_only(sql):
            if not self.is_usable():
                self._reconnect(cursor)
            return execute(sql, params, many, context)
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError):
            if not self._connection_lost():
                raise
            logger.info("The database connection was gone; reconnected and read again.")
            self._reconnect(cursor)
            return execute(sql, params, many, context)

    def _made_on_a_replaced_connection(self, driver_cursor):
        """Whether a cursor was made on a connection since replaced: Django checks before it
        makes a cursor, and here the check may come after."""
        made_on = getattr(driver_cursor, "connection", None)
        return (
            made_on is not None
            and self.connection is not None
            and made_on is not self.connection
            and made_on.closed
        )

    def _connection_lost(self):
        return self.connection is None or self.connection.closed or self.connection.broken

    def _reconnect(self, cursor):
        """A new connection, and `cursor` (Django's wrapper) moved onto it."""
        self.close()
        self.ensure_connection()
        self._move(cursor)

    def _move(self, cursor):
        name = getattr(cursor.cursor, "name", None)  # a server-side cursor's (iterator())
        with self.wrap_database_errors:
            cursor.cursor = self.create_cursor(name)


# What may change something though its statement begins with SELECT.
_NOT_ONLY_READING = (
    " for update",
    " for no key update",
    " for share",
    " for key share",
    " into ",
    "nextval(",
    "setval(",
    "pg_advisory",
    "pg_notify(",
    "set_config(",
)


def _reads_only(sql):
    """Whether a statement only reads, so that sent twice in autocommit it changes nothing: a
    SELECT (not a WITH, which may write) that locks no rows, fills no table and calls none of
    PostgreSQL's functions that change something. A function of one's own that writes is not
    seen here; the ORM's reads call none."""
    if not isinstance(sql, str):  # psycopg's composed SQL: checked first
        return False
    text = sql.lstrip().lower()
    return text.startswith("select ") and not any(part in text for part in _NOT_ONLY_READING)

"""PostgreSQL's date-times read by psycopg's C loader, where Django's loader gives the same.

Django reads each `timestamptz` through its own loader, a Python subclass of psycopg's
pure-Python one that labels the value with the connection's time zone: about 8 µs a value,
and an article page reads about 25 (its story, related stories and comments). Where the
connection's zone is UTC, psycopg's C loader (in psycopg's binary or C build) gives the same
datetime, already in UTC with `datetime.timezone.utc`, in well under a microsecond.
"""

import datetime
from functools import cache

import psycopg
from django.db.backends.signals import connection_created
from psycopg.pq import Format

TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
UTC = datetime.timezone.utc


def _c_loader():
    """psycopg's own timestamptz loader when it is the C one, else None."""
    loader = psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    return None if loader.__module__.startswith("psycopg.") else loader


@cache
def utc_loader(django_loader, c_loader):
    """A loader that Django takes for its own (it checks `timezone` on each cursor, and
    registers its loader again when that differs) and that loads with `c_loader`."""

    class UTCTimestamptzLoader(django_loader):
        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # An instance attribute: psycopg calls `load` on each value.
            self.load = c_loader(oid, context).load

    return UTCTimestamptzLoader


def use_c_loader(sender, connection, **kwargs):
    if connection.vendor != "postgresql" or connection.timezone is not UTC:
        return
    c_loader = _c_loader()
    if c_loader is None:
        return
    adapters = connection.connection.adapters
    django_loader = adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    if getattr(django_loader, "timezone", None) is not UTC:
        return  # not Django's loader for UTC: left as it is
    adapters.register_loader(TIMESTAMPTZ, utc_loader(django_loader, c_loader))


def connect():
    connection_created.connect(use_c_loader, dispatch_uid="timestamptz-c-loader")

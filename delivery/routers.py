"""Public reads from a PostgreSQL replica when DATABASE_REPLICA_URL is set.

Only an anonymous reader's GET is routed to the replica (PageCacheMiddleware marks it); the
desk, every write and anything read inside a write stay on the primary. Just after a change
(NEWSROOM_REPLICA_LAG_SECONDS) readers are served from the primary too, so that a replica
that lags cannot put old text into a freshly emptied page cache.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_public_read = ContextVar("newsroom_public_read", default=False)


@contextmanager
def public_reads():
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _public_read.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"

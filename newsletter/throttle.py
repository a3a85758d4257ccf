"""Fixed-window limits kept in the cache (local memory or Redis), shared by all forms."""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(scope, identity):
    # Hashed, so cache keys never hold an address and always have safe characters.
    return f"throttle:{scope}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"


def hit(scope, identity, *, limit, window):
    """Count one attempt; False once `limit` attempts fell in the current `window` seconds.

    A cache outage lets the attempt through: the form keeps working without its limit.
    """
    key = _key(scope, identity)
    try:
        cache.add(key, 0, timeout=window)
        return cache.incr(key) <= limit
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return True
    except Exception:
        logger.warning("Rate limit %s unavailable; letting the attempt through", scope)
        return True

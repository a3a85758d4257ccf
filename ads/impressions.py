"""Impression counts kept in the cache and written to the database in batches.

A page view only increments a cache counter. The count reaches the ``Ad`` row when it passes
``ADS_IMPRESSIONS_FLUSH_EVERY`` (so a per-process local-memory cache loses at most one batch)
or when ``manage.py flush_ad_impressions`` runs (for a shared cache such as Redis).
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from ads.models import Ad

logger = logging.getLogger(__name__)


def counter_key(ad_id):
    return f"ads:impressions:{ad_id}"


def record_impression(ad_id, showings=1):
    """Count showings of the ad. A cache outage costs the count, never the page."""
    key = counter_key(ad_id)
    try:
        try:
            count = cache.incr(key, showings)
        except ValueError:  # no counter yet: create it; add() keeps a concurrent one
            cache.add(key, 0, timeout=None)
            count = cache.incr(key, showings)
    except Exception:
        logger.warning("Could not count an impression of ad %s", ad_id, exc_info=True)
        return
    if count >= settings.ADS_IMPRESSIONS_FLUSH_EVERY:
        flush_impressions([ad_id])


def pending_impressions(ad_ids):
    """Impressions counted in the cache but not yet written, by ad id."""
    keys = {counter_key(ad_id): ad_id for ad_id in ad_ids}
    try:
        counts = cache.get_many(keys)
    except Exception:
        logger.warning("Could not read pending ad impressions", exc_info=True)
        return {}
    return {keys[key]: count for key, count in counts.items() if count}


def flush_impressions(ad_ids=None):
    """Add pending counts to the ads' rows; returns how many impressions were written."""
    if ad_ids is None:
        ad_ids = list(Ad.objects.values_list("pk", flat=True))
    written = 0
    for ad_id, count in pending_impressions(ad_ids).items():
        with transaction.atomic():
            Ad.objects.filter(pk=ad_id).update(impressions=F("impressions") + count)
            # Subtract what was written, so showings counted meanwhile stay pending;
            # if the cache refuses, the row update is rolled back and nothing is counted twice.
            cache.decr(counter_key(ad_id), count)
        written += count
    return written

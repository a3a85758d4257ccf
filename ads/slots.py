"""The ad shown in a slot, chosen and counted for each response, even on a cached page."""

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from ads.impressions import record_impression
from ads.models import Ad, pick_weighted
from delivery.versioned import PerVersion

logger = logging.getLogger(__name__)

CANDIDATES_KEY = "ads:candidates"


@dataclass(frozen=True)
class SlotAd:
    """An ad as a slot shows it, rendered once for as long as no ad changes."""

    pk: int
    weight: int
    starts_at: datetime | None
    ends_at: datetime | None
    html: str

    def is_live(self, now):
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or self.ends_at > now
        )


def candidates_by_slot(request):
    """Active ads that have not ended, by slot key: one query when an ad changes.

    Kept with the content version they were read under (which every ad change replaces): in
    this process, and in the cache, from which the page cache fetches them in the same round
    trip as the page. Kept on the request too.
    """
    if hasattr(request, "newsroom_ad_candidates"):
        return request.newsroom_ad_candidates
    version = getattr(request, "newsroom_content_version", None)
    cached = getattr(request, "newsroom_prefetched", {}).get(CANDIDATES_KEY)
    if version and cached and cached["version"] == version:
        candidates = cached["slots"]
    else:
        candidates = _candidates.get(request)
        version = getattr(request, "newsroom_content_version", None)
        # For the page cache's next round trip; without it nothing would read them there.
        if version and hasattr(request, "newsroom_prefetched"):
            try:
                cache.set(CANDIDATES_KEY, {"version": version, "slots": candidates}, 300)
            except Exception:
                logger.warning("Could not cache ad candidates", exc_info=True)
    if request is not None:
        request.newsroom_ad_candidates = candidates
    return candidates


def read_candidates():
    candidates = {}
    for ad in Ad.objects.not_ended(timezone.now()).select_related("slot"):
        candidates.setdefault(ad.slot.key, []).append(
            SlotAd(
                pk=ad.pk,
                weight=ad.weight,
                starts_at=ad.starts_at,
                ends_at=ad.ends_at,
                html=render_to_string("ads/_slot.html", {"ad": ad}),
            )
        )
    return candidates


_candidates = PerVersion(read_candidates)


def render_slot(request, slot_key):
    """One live ad for the slot by weight, counted as shown; empty when none is live."""
    now = timezone.now()
    live = [ad for ad in candidates_by_slot(request).get(slot_key, []) if ad.is_live(now)]
    ad = pick_weighted(live)
    if ad is None:
        return ""
    impressions.add(ad.pk)
    return ad.html


class ImpressionBuffer:
    """Showings counted in this process and added to the cache counters at most once per
    NEWSROOM_ADS_IMPRESSIONS_BUFFER_SECONDS (0: every showing at once).

    On a busy site this saves two cache round trips per slot per page view; a process that
    stops loses at most that many seconds of counts.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.flushed_at = time.monotonic()

    def add(self, ad_id):
        window = settings.ADS_IMPRESSIONS_BUFFER_SECONDS
        if window <= 0:
            record_impression(ad_id)
            return
        with self.lock:
            self.counts[ad_id] += 1
            now = time.monotonic()
            if now - self.flushed_at < window:
                return
            due, self.counts, self.flushed_at = self.counts, Counter(), now
        for pending_id, showings in due.items():
            record_impression(pending_id, showings)


impressions = ImpressionBuffer()

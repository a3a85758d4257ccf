"""The ad shown in a slot, chosen and counted for each response, even on a cached page."""

import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from ads.impressions import record_impression
from ads.models import Ad, pick_weighted

logger = logging.getLogger(__name__)


def candidates_by_slot(request):
    """Active ads that have not ended, by slot key: one query, cached until an ad changes.

    Kept on the request too, so that a page with several slots asks the cache once.
    """
    if hasattr(request, "newsroom_ad_candidates"):
        return request.newsroom_ad_candidates
    version = getattr(request, "newsroom_content_version", None)
    key = f"ads:candidates:{version}"
    candidates = None
    if version:
        try:
            candidates = cache.get(key)
        except Exception:
            logger.warning("Could not read cached ad candidates", exc_info=True)
            version = None
    if candidates is None:
        candidates = {}
        for ad in Ad.objects.not_ended(timezone.now()).select_related("slot"):
            candidates.setdefault(ad.slot.key, []).append(ad)
        if version:
            try:
                cache.set(key, candidates, timeout=300)
            except Exception:
                logger.warning("Could not cache ad candidates", exc_info=True)
    if request is not None:
        request.newsroom_ad_candidates = candidates
    return candidates


def render_slot(request, slot_key):
    """One live ad for the slot by weight, counted as shown; empty when none is live."""
    now = timezone.now()
    live = [ad for ad in candidates_by_slot(request).get(slot_key, []) if ad.is_live(now)]
    ad = pick_weighted(live)
    if ad is None:
        return ""
    record_impression(ad.pk)
    return render_to_string("ads/_slot.html", {"ad": ad})

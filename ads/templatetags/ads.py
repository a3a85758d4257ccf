from django import template

from ads.impressions import record_impression
from ads.models import Ad

register = template.Library()


@register.inclusion_tag("ads/_slot.html")
def ad_slot(key):
    """One ad for the slot, counted as shown; nothing at all when the slot has no live ad."""
    ad = Ad.objects.pick_for(key)
    if ad is not None:
        record_impression(ad.pk)
    return {"ad": ad}

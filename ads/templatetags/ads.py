from django import template

from ads.models import Ad, AdSlot

register = template.Library()


@register.inclusion_tag("ads/_slot.html")
def ad_slot(key):
    ad = Ad.objects.pick_for(key)
    slot = ad.slot if ad else AdSlot.objects.filter(key=key).first()
    return {"ad": ad, "slot": slot, "key": key}

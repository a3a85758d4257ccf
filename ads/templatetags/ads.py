from django import template
from django.utils.safestring import mark_safe

from ads.slots import render_slot
from delivery.holes import per_response

register = template.Library()


@register.simple_tag(takes_context=True)
def ad_slot(context, key):
    """The slot's ad, chosen by weight and counted as shown (ads.slots.render_slot).

    In a page served to a request it is a hole that every response fills, so a cached page
    still rotates its ads and counts every showing; elsewhere it is the ad itself.
    """
    if context.get("request") is None:
        return mark_safe(render_slot(None, key))  # noqa: S308 - rendered by a template
    return per_response("ad_slot", key)

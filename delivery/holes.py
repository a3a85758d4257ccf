"""Parts of a cached page that are filled in for each response, such as the ad in a slot.

A template writes a hole (`per_response("ad_slot", "header")`); the page is cached with it,
and PageCacheMiddleware fills every hole in every response it sends, hit or miss.
"""

import re

from django.utils.safestring import mark_safe

HOLE = re.compile(rb"<!--newsroom-hole:([a-z_]+):([A-Za-z0-9_-]*)-->")
_renderers = {}


def register(name, renderer):
    """renderer(request, argument) returns the HTML for the hole."""
    _renderers[name] = renderer


def per_response(name, argument):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", argument):
        raise ValueError(f"hole arguments are slugs, not {argument!r}")
    return mark_safe(f"<!--newsroom-hole:{name}:{argument}-->")  # noqa: S308 - a slug only


def fill(request, content):
    def render(match):
        renderer = _renderers[match.group(1).decode()]
        return renderer(request, match.group(2).decode()).encode()

    return HOLE.sub(render, content)

"""Parts of a cached page that are filled in for each response, such as the ad in a slot.

A template writes a hole (`per_response("ad_slot", "header")`); the page is cached with it,
and every response is sent with every hole filled: by PageCacheMiddleware, hit or miss, and
by the WSGI hit path (delivery/wsgi.py), which splits a page at its holes once.
"""

import re

from django.utils.safestring import mark_safe

HOLE = re.compile(rb"<!--newsroom-hole:([a-z_]+):([A-Za-z0-9_-]*)-->")
_renderers = {}
_prefetch = []


def register(name, renderer, prefetch=None):
    """renderer(request, argument) returns the HTML for the hole.

    `prefetch` names a cache key the renderer reads: the page cache fetches it in the same
    round trip as the page and leaves it in request.newsroom_prefetched. Its value is a dict
    with the "version" (content version) it was made under.
    """
    _renderers[name] = renderer
    if prefetch and prefetch not in _prefetch:
        _prefetch.append(prefetch)


def prefetch_keys():
    return list(_prefetch)


def per_response(name, argument):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", argument):
        raise ValueError(f"hole arguments are slugs, not {argument!r}")
    return mark_safe(f"<!--newsroom-hole:{name}:{argument}-->")  # noqa: S308 - a slug only


def fill(request, content):
    def render(match):
        renderer = _renderers[match.group(1).decode()]
        return renderer(request, match.group(2).decode()).encode()

    return HOLE.sub(render, content)


def has_holes(content):
    return HOLE.search(content) is not None


def split(content):
    """The page as bytes between holes, with (renderer name, argument) for each hole."""
    pieces = HOLE.split(content)
    parts = []
    for index in range(0, len(pieces), 3):
        parts.append(pieces[index])
        if index + 2 < len(pieces):
            parts.append((pieces[index + 1].decode(), pieces[index + 2].decode()))
    return parts


def join(request, parts):
    """The page from split(), with every hole filled for this response."""
    return b"".join(
        part if isinstance(part, bytes) else _renderers[part[0]](request, part[1]).encode()
        for part in parts
    )

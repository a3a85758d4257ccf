"""Public paths of stories, sections and authors, without a reverse() for each.

A page links dozens of them, and reverse() tries the URL patterns and checks its result on
every call. Here each named URL is reversed once, with marker arguments, into a pattern that
the values are then put into. A value that is not plainly a slug or a number goes through
reverse() itself, which refuses what the pattern would not match.
"""

import re
from functools import cache, lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

from newsroom.rendering import script_prefix

PLAIN = re.compile(r"[-a-zA-Z0-9_]+\Z")
# Digits, so that a number, a slug and a str converter all take it.
MARKER = 7_310_000_000


@cache
def _pattern(viewname, names):
    markers = {name: str(MARKER + i) for i, name in enumerate(names)}
    prefix = get_script_prefix()
    path = reverse(viewname, kwargs=markers).removeprefix(prefix)
    pattern = path.replace("{", "{{").replace("}", "}}")
    for name, marker in markers.items():
        pattern = pattern.replace(marker, "{" + name + "}")
    return pattern


@cache
def _fixed_path(viewname):
    return _pattern(viewname, ()).format()


def public_path(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), the same path at a fraction of the cost."""
    if not kwargs:  # the home page, the feeds, search: the same path on every page
        return script_prefix() + _fixed_path(viewname)
    path = _plain_path(viewname, tuple(kwargs), tuple(map(str, kwargs.values())))
    if path is None:
        return reverse(viewname, kwargs=kwargs)
    return script_prefix() + path


# A page links two dozen paths, most of them on the page before (sections, authors, tags and
# the day's stories): each is put together once, and a few thousand are kept.
@lru_cache(maxsize=4096)
def _plain_path(viewname, names, values):
    """The path after the script prefix, or None when a value is not plainly a slug or a
    number."""
    if not all(PLAIN.match(value) for value in values):
        return None
    return _pattern(viewname, names).format_map(dict(zip(names, values, strict=True)))


@receiver(setting_changed)
def _forget_patterns(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _pattern.cache_clear()
        _fixed_path.cache_clear()
        _plain_path.cache_clear()

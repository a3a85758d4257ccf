"""The time zone, language and script prefix of a reader's page, read once per render.

Django keeps each of them in an asgiref `Local`, and every read costs 3-7 µs: for the zone and
the language, usually not activated, asgiref raises and catches an exception each time. An
article page read them about 55 times, for its dates, month names and links. None of them
changes during a render. So the reader's Jinja2 backend (newsroom.templating) reads them
once, when a render starts. Dates and links made during that render use this copy, and
Django's own functions anywhere else.
"""

import contextvars
import datetime
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.urls import get_script_prefix
from django.utils import timezone, translation


class RenderedFor(NamedTuple):
    zone: datetime.tzinfo | None  # None without USE_TZ: times are printed as they are
    language: str | None
    script_prefix: str


# A context variable rather than a thread's: an async view's render is its task's own.
_rendered_for = contextvars.ContextVar("rendered_for", default=None)


@contextmanager
def rendering():
    """Within it, `local_time`, `language` and `script_prefix` answer what Django's functions
    answered when it began."""
    token = _rendered_for.set(
        RenderedFor(
            zone=timezone.get_current_timezone() if settings.USE_TZ else None,
            language=translation.get_language(),
            script_prefix=get_script_prefix(),
        )
    )
    try:
        yield
    finally:
        _rendered_for.reset(token)


def local_time(value):
    """Django's `template_localtime(value)`: an aware date-time in the active time zone."""
    rendered_for = _rendered_for.get()
    if rendered_for is None:
        return timezone.template_localtime(value)
    if (
        rendered_for.zone is not None
        and isinstance(value, datetime.datetime)
        and value.utcoffset() is not None
        and getattr(value, "convert_to_local_time", True)
    ):
        return value.astimezone(rendered_for.zone)
    return value


def language():
    """Django's `translation.get_language()`."""
    rendered_for = _rendered_for.get()
    return translation.get_language() if rendered_for is None else rendered_for.language


def script_prefix():
    """Django's `get_script_prefix()`."""
    rendered_for = _rendered_for.get()
    return get_script_prefix() if rendered_for is None else rendered_for.script_prefix

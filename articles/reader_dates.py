"""The dates of the reader's pages, as `date:"c"`, `date:"j F Y"`, `date:"j F Y, H:i"` and
`date:"j F Y, H:i T"` print them, made directly: Django's date filter takes 50-140 µs a call,
story lists and comment threads print two for each item, and a story page six or more."""

from datetime import datetime
from functools import cache

from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.timezone import get_default_timezone

from newsroom import rendering


@cache
def _month_names(language):
    """The months' names in `language`, translated once (each lazy name is translated again
    every time it is printed)."""
    with translation.override(language):
        return {number: str(name) for number, name in MONTHS.items()}


def month_name(number):
    return _month_names(rendering.language())[number]


def iso_time(value):
    """`value|date:"c"`."""
    return value.isoformat() if value else ""


def day_month_year(value):
    """`value|date:"j F Y"`: 24 February 2022."""
    return f"{value.day} {month_name(value.month)} {value.year:04}" if value else ""


def day_month_year_time(value):
    """`value|date:"j F Y, H:i"`: 24 February 2022, 09:05."""
    if not value:
        return ""
    return f"{day_month_year(value)}, {value.hour:02}:{value.minute:02}"


def day_month_year_time_zone(value):
    """`value|date:"j F Y, H:i T"`: 24 February 2022, 09:05 EET."""
    if not value:
        return ""
    return f"{day_month_year_time(value)} {_zone_name(value)}"


def _zone_name(value):
    """What the date filter prints for "T": the zone's name; none for a date, or for a time
    that a change of clocks makes ambiguous or skips; the default zone's for a naive time."""
    if not isinstance(value, datetime):
        return ""
    zone = value.tzinfo or get_default_timezone()
    if zone.utcoffset(value.replace(fold=not value.fold)) != zone.utcoffset(value):
        return ""
    return zone.tzname(value) or ""

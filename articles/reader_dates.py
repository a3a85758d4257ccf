"""The dates of teasers and comments, as `date:"c"`, `date:"j F Y"` and `date:"j F Y, H:i"`
print them, made directly: Django's date filter takes 50-140 µs a call, and story lists and
comment threads print two for each item."""

from django.utils.dates import MONTHS


def iso_time(value):
    """`value|date:"c"`."""
    return value.isoformat() if value else ""


def day_month_year(value):
    """`value|date:"j F Y"`: 24 February 2022."""
    return f"{value.day} {MONTHS[value.month]} {value.year:04}" if value else ""


def day_month_year_time(value):
    """`value|date:"j F Y, H:i"`: 24 February 2022, 09:05."""
    if not value:
        return ""
    return f"{day_month_year(value)}, {value.hour:02}:{value.minute:02}"

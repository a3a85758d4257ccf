"""Teasers' and comments' dates (articles/reader_dates.py, filters of the reader's pages' Jinja2
templates) print exactly as Django's date filter prints them."""

from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

MOMENTS = [
    datetime(2022, 2, 24, 4, 5, 6, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(999, 7, 1, 0, 0, tzinfo=UTC),
]
PAIRS = [
    ("iso_time", "c"),
    ("day_month_year", "j F Y"),
    ("day_month_year_time", "j F Y, H:i"),
    ("day_month_year_time_zone", "j F Y, H:i T"),
]


def render(text, value):
    """Ours through the reader's pages' engine."""
    return engines["jinja2"].from_string(text).render({"value": value})


def render_django(text, value):
    return engines["django"].from_string(text).render({"value": value})


@pytest.mark.parametrize("zone", ["UTC", "Europe/Minsk", "America/St_Johns"])
@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize(("ours", "django_format"), PAIRS)
def test_the_dates_are_those_of_the_date_filter(ours, django_format, moment, zone):
    with timezone.override(zone):
        expected = render_django(f'{{{{ value|date:"{django_format}" }}}}', moment)
        assert render(f"{{{{ value|{ours} }}}}", moment) == expected
    assert expected  # the comparison is of something


@pytest.mark.parametrize(("ours", "django_format"), PAIRS)
def test_no_date_prints_nothing(ours, django_format):
    assert render(f"{{{{ value|{ours} }}}}", None) == ""
    assert render_django(f'{{{{ value|date:"{django_format}" }}}}', None) == ""


def test_a_day_without_a_time():
    day = date(2022, 2, 24)
    assert render("{{ value|day_month_year }}", day) == "24 February 2022"
    assert render("{{ value|iso_time }}", day) == render_django('{{ value|date:"c" }}', day)


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns"])
@pytest.mark.parametrize("django_format", ["c", "j F Y, H:i T", "Y"])
def test_the_reader_pages_date_filter_is_djangos(django_format, zone):
    moment = MOMENTS[0]
    with timezone.override(zone):
        expected = render_django(f'{{{{ value|date:"{django_format}" }}}}', moment)
        assert render(f'{{{{ value|date("{django_format}") }}}}', moment) == expected
    assert expected


@pytest.mark.parametrize("language", ["de", "uk", "en-gb"])
def test_month_names_are_the_active_languages(language):
    moment = MOMENTS[0]
    with translation.override(language):
        expected = render_django('{{ value|date:"j F Y" }}', moment)
        assert render("{{ value|day_month_year }}", moment) == expected
    assert expected.split()[1] != "February" or language == "en-gb"


@pytest.mark.parametrize(
    "moment",
    [
        # 01:30 in London happens twice on 25 October 2026: the filter names no zone then.
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    ],
)
def test_the_zone_name_around_a_change_of_clocks_is_the_date_filters(moment):
    with timezone.override("Europe/London"):
        expected = render_django('{{ value|date:"j F Y, H:i T" }}', moment)
        assert render("{{ value|day_month_year_time_zone }}", moment) == expected


def test_a_naive_time_is_named_by_the_default_zone_as_the_date_filter_names_it():
    naive = datetime(2026, 7, 1, 12, 0)
    expected = render_django('{{ value|date:"j F Y, H:i T" }}', naive)
    assert render("{{ value|day_month_year_time_zone }}", naive) == expected

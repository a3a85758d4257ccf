"""PostgreSQL's date-times read by psycopg's C loader (delivery/timestamps.py): the same values
as Django's own loader gives, and Django's loader wherever the two could differ."""

import datetime

import psycopg
import pytest
from django.db import DataError, connection, connections
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.test import override_settings
from psycopg.pq import Format

from articles.models import Article
from delivery.timestamps import TIMESTAMPTZ
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TIMES = [
    "2022-02-24 05:00:00+02",
    "2026-12-06 03:33:25.984697+00",
    "2026-03-29 00:59:59.5-01:30",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
SELECT = "SELECT " + ", ".join(["%s::timestamptz"] * len(TIMES)) + ", NULL::timestamptz"


@pytest.fixture
def c_build():
    if psycopg.pq.__impl__ == "python":
        pytest.skip("psycopg's pure-Python build has no C loader: Django's own is kept")


def read(cursor):
    cursor.execute(SELECT, TIMES)
    return cursor.fetchone()


def test_date_times_read_as_django_reads_them(c_build):
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert loader.__name__ == "UTCTimestamptzLoader"
    with connection.cursor() as cursor:
        fast = read(cursor)
    # Django's own loader, on a cursor of its own.
    with connection.connection.cursor() as django_cursor:
        register_tzloader(connection.timezone, django_cursor)
        django_loader = django_cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
        assert django_loader.__name__ == "SpecificTzLoader"
        expected = read(django_cursor)

    assert fast == expected
    assert [value.tzinfo for value in fast[:-1]] == [datetime.timezone.utc] * len(TIMES)
    assert fast[0] == datetime.datetime(2022, 2, 24, 3, tzinfo=datetime.timezone.utc)
    assert fast[-1] is None


def test_stories_keep_their_times(c_build, django_assert_num_queries):
    moment = datetime.datetime(2022, 2, 24, 5, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    article = ArticleFactory(published=True, publish_at=moment)
    with django_assert_num_queries(1):
        story = Article.objects.get(pk=article.pk)
    assert story.publish_at == moment and story.publish_at.tzinfo is datetime.timezone.utc


def test_a_time_out_of_range_is_refused_as_before(c_build):
    with connection.cursor() as cursor, pytest.raises(DataError, match="after year 10K"):
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()


def test_without_time_zones_django_keeps_its_own_loader(c_build):
    with override_settings(USE_TZ=False):
        other = connections.create_connection("default")
        try:
            other.ensure_connection()
            loader = other.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
            assert loader.__name__ != "UTCTimestamptzLoader" and loader.timezone is None
        finally:
            other.close()

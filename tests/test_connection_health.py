"""A kept PostgreSQL connection that the server has ended is replaced before a request's
statement needs it (newsroom/postgresql): a read is itself the check and is sent again on a
new connection; a write or a transaction is checked first, as Django checks it."""

import psycopg
import psycopg.sql
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper as DjangosWrapper

from articles.models import Section
from newsroom.postgresql.base import _reads_only


@pytest.fixture
def checks(monkeypatch):
    """How many times a connection was asked `SELECT 1` (Django's health check)."""
    asked = []
    real = DjangosWrapper.is_usable

    def is_usable(self):
        asked.append(self.alias)
        return real(self)

    monkeypatch.setattr(DjangosWrapper, "is_usable", is_usable)
    return asked


def next_request():
    """What Django does for each request (the request_started signal)."""
    connection.close_if_unusable_or_obsolete()


def end_connection_from_the_server():
    """The server ends this process's connection, as a restart or an administrator does."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    database = connection.settings_dict
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kept_connection_is_not_asked_select_1_before_each_request(checks):
    Section.objects.create(name="World", slug="world")
    for _ in range(3):
        next_request()
        assert Section.objects.get(slug="world").name == "World"
    assert checks == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_on_a_connection_the_server_ended_is_sent_again_on_a_new_one(checks):
    Section.objects.create(name="World", slug="world")
    next_request()
    ended = end_connection_from_the_server()
    next_request()
    assert Section.objects.get(slug="world").name == "World"
    assert connection.connection.info.backend_pid != ended
    assert checks == []  # the read itself found out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_through_a_server_side_cursor_is_sent_again_too(checks):
    for position in range(3):
        Section.objects.create(name=f"Section {position}", slug=f"section-{position}")
    next_request()
    end_connection_from_the_server()
    next_request()
    names = [section.name for section in Section.objects.order_by("slug").iterator(chunk_size=2)]
    assert names == ["Section 0", "Section 1", "Section 2"]
    assert checks == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_on_a_connection_the_server_ended_is_checked_first_and_made_once(checks):
    next_request()
    end_connection_from_the_server()
    next_request()
    Section.objects.create(name="World", slug="world")  # an INSERT first: never sent twice
    assert checks == ["default"]
    assert Section.objects.filter(slug="world").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_on_a_connection_the_server_ended_begins_on_a_new_one(checks):
    next_request()
    ended = end_connection_from_the_server()
    next_request()
    with transaction.atomic():
        assert not Section.objects.exists()
        Section.objects.create(name="World", slug="world")
    assert checks == ["default"]
    assert connection.connection.info.backend_pid != ended
    assert Section.objects.filter(slug="world").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_that_fails_on_a_live_connection_is_not_sent_again(checks):
    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 50")
    pid = connection.connection.info.backend_pid
    next_request()
    try:
        with (
            connection.execute_wrapper(count),
            pytest.raises(OperationalError),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(1)")  # cancelled by the server: not a lost link
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    assert sent == ["SELECT pg_sleep(1)"]
    assert connection.connection.info.backend_pid == pid
    assert checks == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cursor_made_before_the_connection_was_replaced_moves_to_the_new_one():
    Section.objects.create(name="World", slug="world")
    next_request()
    end_connection_from_the_server()
    next_request()
    with connection.cursor() as cursor:
        assert Section.objects.get(slug="world").name == "World"  # replaces the connection
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    next_request()
    end_connection_from_the_server()
    next_request()
    with connection.cursor() as cursor, transaction.atomic():  # checked as it begins
        cursor.execute("SELECT 3")
        assert cursor.fetchone() == (3,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_ended_in_the_middle_of_a_request_is_an_error_as_before():
    next_request()
    Section.objects.create(name="World", slug="world")  # the request's first statement
    end_connection_from_the_server()
    with pytest.raises(DatabaseError):
        Section.objects.get(slug="world")  # only a request's first statement is sent again
    next_request()  # the next request finds the error and replaces the connection
    assert Section.objects.get(slug="world").name == "World"


@pytest.mark.parametrize(
    ("sql", "reads"),
    [
        ('SELECT "articles_section"."id" FROM "articles_section"', True),
        ("  SELECT 1", True),
        ('SELECT "id" FROM "articles_article" FOR UPDATE', False),
        ('SELECT "id" FROM "articles_article" FOR SHARE', False),
        ('INSERT INTO "articles_section" ("name") VALUES (%s)', False),
        ('UPDATE "articles_section" SET "name" = %s', False),
        ('WITH "gone" AS (DELETE FROM "articles_section" RETURNING "id") SELECT 1', False),
        ("SELECTED", False),
        ("select nextval('articles_section_id_seq')", False),
        ("SELECT setval('articles_section_id_seq', 1)", False),
        ("SELECT pg_advisory_lock(1)", False),
        ('SELECT * INTO "copy" FROM "articles_section"', False),
        ('SELECT "id" FROM "articles_article" FOR NO KEY UPDATE', False),
        (psycopg.sql.SQL("SELECT 1"), False),
    ],
)
def test_what_counts_as_a_read(sql, reads):
    assert _reads_only(sql) is reads

"""The health check of kept PostgreSQL connections (newsroom/postgresql): no round trip for a
healthy idle connection, and a connection the server ended is found out and replaced."""

import select

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.postgres,
    # Outside a test's transaction, so that NOTIFY is sent and pg_stat_activity is read afresh;
    # the rows of the data migrations are put back after each test, as elsewhere.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def kept():
    """A second connection to the test database, as a worker keeps one between requests."""
    wrapper = type(connections["default"])(dict(connection.settings_dict), alias="kept")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def server_view(pid):
    """What the server last saw the connection `pid` do, from another connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT query, state_change FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()


def start_of_next_request(wrapper):
    # What Django does when a request begins (close_old_connections) with CONN_HEALTH_CHECKS.
    wrapper.close_if_unusable_or_obsolete()
    assert wrapper.health_check_enabled and not wrapper.health_check_done


def test_a_healthy_idle_connection_is_kept_without_asking_the_server(kept):
    pid = backend_pid(kept)
    before = server_view(pid)
    start_of_next_request(kept)
    kept.close_if_health_check_failed()  # what the request's first query does first
    assert kept.health_check_done and kept.connection is not None
    assert server_view(pid) == before  # no query reached the server
    assert backend_pid(kept) == pid


def test_a_connection_the_server_ended_is_replaced_before_the_request_queries(kept):
    pid = backend_pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert wait_for_input(kept)
    assert not kept.is_usable()
    start_of_next_request(kept)
    with kept.cursor() as cursor:  # no error reaches the request
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_message_waiting_on_a_healthy_connection_is_left_to_the_server_to_answer(kept):
    with kept.cursor() as cursor:
        cursor.execute("LISTEN newsroom_health")
    pid = backend_pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("NOTIFY newsroom_health")
    assert wait_for_input(kept)
    assert kept.is_usable()
    assert server_view(pid)[0] == "SELECT 1"  # Django's own check ran


def wait_for_input(wrapper, seconds=10):
    """True once the server has sent the connection something unasked."""
    poller = select.poll()
    poller.register(wrapper.connection.pgconn.socket, select.POLLIN)
    return bool(poller.poll(seconds * 1000))

"""The pool's check before it lends a connection (gazette.core.db_pool): no round trip for a
connection that sat idle and healthy, and a connection the server ended is never lent."""

import time
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg_pool import ConnectionPool

from gazette.core.db_pool import check_connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection pool"),
]


@pytest.fixture
def pool():
    # The test database's own address, whether over TCP or a Unix socket (make test-postgres).
    params = {**connection.get_connection_params(), "autocommit": True}
    params.pop("cursor_factory", None)  # Django's own cursor class; psycopg's default here
    pool = ConnectionPool(
        kwargs=params,
        min_size=1,
        max_size=1,
        check=check_connection,
        open=True,
    )
    pool.wait()
    yield pool
    pool.close()


def test_the_sites_pool_lends_connections_through_this_check():
    if not settings.DATABASES["default"]["OPTIONS"].get("pool"):
        pytest.skip("no pool")
    assert connection.pool._check is check_connection  # psycopg_pool keeps it there
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_an_idle_healthy_connection_is_lent_without_a_round_trip(pool):
    with pool.connection() as conn:
        conn.execute("SELECT 1")
    round_trip = mock.patch.object(ConnectionPool, "check_connection")
    with round_trip as checked, pool.connection() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    checked.assert_not_called()


def test_a_connection_the_server_ended_is_not_lent(pool):
    with pool.connection() as conn:
        ended = conn.info.backend_pid
    with psycopg.connect(**pool.kwargs) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [ended])
    time.sleep(0.2)  # the server's goodbye reaches the socket
    with pool.connection() as conn:
        assert conn.info.backend_pid != ended
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_connection_with_something_to_read_is_asked(pool):
    with pool.connection() as conn:
        conn.execute("LISTEN gazette_pool_check")
        conn.execute("NOTIFY gazette_pool_check")  # read back later, as a stray notice would be
        kept = conn.info.backend_pid
    with psycopg.connect(**pool.kwargs) as other:
        other.execute("NOTIFY gazette_pool_check")
    time.sleep(0.2)
    round_trip = mock.patch.object(
        ConnectionPool, "check_connection", wraps=ConnectionPool.check_connection
    )
    with round_trip as checked, pool.connection() as conn:
        assert conn.info.backend_pid == kept
    checked.assert_called_once()


def test_a_closed_connection_fails_the_check():
    closed = mock.Mock(closed=True, broken=False)
    with pytest.raises(psycopg.OperationalError):
        check_connection(closed)

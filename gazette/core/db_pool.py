"""How the PostgreSQL connection pool checks a connection before lending it.

psycopg_pool's own check (what Django's ``CONN_HEALTH_CHECKS`` installs) sends an empty
query and waits for its answer: one round trip to PostgreSQL for every request that uses the
database, before its first statement. A comment post makes one statement; the check was the
other of its two round trips (docs/benchmarks.md, issue 17, branch ``comment10``).

A connection that went bad while it sat in the pool (a restart, a failover, an administrator
terminating it) has said so on its socket: the server sent its last error and closed, so the
socket is readable, or psycopg already saw the connection break. An idle connection with
nothing to read is lent without a round trip; any other is checked as psycopg_pool checks it,
which reads what the server said and fails the connection if it is gone (the pool then
discards it and lends or opens another).
"""

from __future__ import annotations

import select

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool


def check_connection(conn: psycopg.Connection) -> None:
    """Raise if ``conn`` cannot be lent; a round trip only when its socket has news."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    if conn.info.transaction_status == pq.TransactionStatus.IDLE and not _has_news(conn):
        return
    ConnectionPool.check_connection(conn)


def _has_news(conn: psycopg.Connection) -> bool:
    """Whether the server sent something (an error, its goodbye, a notice) or closed."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))

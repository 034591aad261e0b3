"""The cache's Redis connections notice a Redis that was restarted, whichever process connects.

Redis restarted with its data (``appendonly``) holds the entries and generations of before its
outage, while the writes that would have retired them (a new generation, a comment's new list
version) were dropped. A process that found the cache away makes up for them once it answers
again (``generational.cache_away``). One that neither read nor wrote during the outage (no
request reached it: nginx sent them to the other app server) learnt nothing, and redis-py
replaces its pooled connections, closed by the restart, without an error: it would serve
what Redis kept (seen on the stack, ``tests/stack/test_faults.py``).

So every new connection of the cache's pool (``RestartNoticingPool``, django-redis's
``CONNECTION_POOL_CLASS``) asks the server's ``run_id``, which a restart changes. A run other
than the last this process connected to, or than the one recorded in Redis by the last
connection of any process (a process started since: its first connection), is a restart:
noticed as an outage, so this process's next generational read retires every generational
cache first. Connections are kept in the pool: one round trip more per connection, not per
request.
"""

from __future__ import annotations

from django.core.cache import cache
from redis.connection import ConnectionPool
from redis.exceptions import BusyLoadingError, ResponseError

from .generational import cache_away

RUN_KEY_NAME = "generational:redis-run"  # the run the last connection found, raw (no pickle)

_last_run: str | None = None  # the run this process's last new connection found


def _text(reply) -> str | None:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _run_id(connection) -> str | None:
    connection.send_command("INFO", "server")
    for line in (_text(connection.read_response()) or "").splitlines():
        if line.startswith("run_id:"):
            return line.partition(":")[2].strip()
    return None


def connected(connection) -> None:
    """redis-py's hook for a new connection (``redis_connect_func``): its handshake, then
    whether the server was restarted since this process or the last one connected."""
    global _last_run
    connection.on_connect()
    try:
        run = _run_id(connection)
    except ResponseError:  # INFO refused (a managed Redis): nothing to tell by
        return
    if run is None:
        return
    seen, _last_run = _last_run, run
    try:
        connection.send_command("GETSET", cache.make_key(RUN_KEY_NAME), run)
        recorded = _text(connection.read_response())
    except BusyLoadingError:  # just started, its data still loading: a restart
        recorded = ""
    except ResponseError:
        recorded = None
    if (seen is not None and seen != run) or (recorded is not None and recorded != run):
        cache_away.notice()


class RestartNoticingPool(ConnectionPool):
    """django-redis's pool, its connections made with ``connected`` as their hook."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("redis_connect_func", connected)
        super().__init__(*args, **kwargs)

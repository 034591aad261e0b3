"""Reads from PostgreSQL streaming replicas, everything else from the primary.

``DATABASE_REPLICA_URLS`` adds the aliases ``replica_0``, ``replica_1``...; without it no
router is installed and this module does nothing. The rule is "primary unless proven safe":

- outside a request (management commands, the task worker, tests) every query goes to the
  primary;
- a reader's GET or HEAD reads from a replica, chosen at random per request;
- the admin (``/admin/``), previews and every non-safe method (form posts, the beacon) read
  from the primary;
- once a request changes data, the rest of it reads from the primary (read-after-write);
- a client that wrote is pinned to the primary for ``DATABASE_REPLICA_PIN_SECONDS`` more:
  the next page it loads shows what it just did, even while a replica lags. The pin lives in
  the shared cache under a key derived from the session cookie, or the client's address when
  it has none, so it needs no cookie of its own and keeps anonymous pages cacheable;
- a pinned reader's page that fails because the primary cannot be reached is served once
  more from a replica (a page a replica can serve never answers 5xx for the primary's sake):
  read-your-writes gives way to availability while the primary is down.
"""

from __future__ import annotations

import hashlib
import random
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from gazette.core.client import client_ip

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
PIN_KEY_PREFIX = "db-pin:"

# None: primary for everything (outside a request, or a request that must not use a replica).
# A string: the replica this request reads from.
_read_alias: ContextVar[str | None] = ContextVar("gazette_read_alias", default=None)
_wrote: ContextVar[bool] = ContextVar("gazette_request_wrote", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class PrimaryReplicaRouter:
    """Send a request's reads to its replica, if the middleware chose one; all else to the
    primary.

    ``db_for_write`` also answers for reads that intend to write (``get_or_create``, which
    Wagtail's site settings call on every page, ``select_for_update``): those go to the
    primary without ending the request's use of the replica. What ends it is a statement
    that changes data (see ``_watch_writes``)."""

    def db_for_read(self, model, **hints):
        return _read_alias.get() or PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the same rows as the primary: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")


def _watch_writes(execute, sql, params, many, context):
    """Execute wrapper on the primary's connection during a request: after the first
    statement that changes data, the rest of the request reads from the primary."""
    statement = sql.lstrip()[:6].upper() if isinstance(sql, str) else ""
    if statement.startswith(_WRITES) or (statement.startswith("WITH") and _writes_in(sql)):
        _wrote.set(True)
        _read_alias.set(None)
    return execute(sql, params, many, context)


def _writes_in(sql: str) -> bool:
    upper = sql.upper()
    return any(f"{word} " in upper for word in _WRITES)


def pin_key(request, response=None) -> str:
    """Who the client is, for its pin: its session (the one this response starts, after a
    login), else its address."""
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    started = response.cookies.get(settings.SESSION_COOKIE_NAME) if response is not None else None
    if started is not None and started.value:
        session = started.value
    identity = f"session:{session}" if session else f"ip:{client_ip(request)}"
    return PIN_KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()[:32]


def reads_from_a_replica() -> bool:
    """This request's reads go to a replica, which may lag behind a publish: HTML of listings
    it builds is not kept for other readers under the new generation (it could miss the story
    that retired the old one)."""
    return _read_alias.get() is not None


def must_use_primary(request) -> bool:
    return needs_primary(request) or is_pinned(request)


def needs_primary(request) -> bool:
    """Requests no replica may serve: writes, the admin, previews."""
    if request.method not in ("GET", "HEAD"):
        return True
    return request.path_info.startswith(tuple(settings.DATABASE_PRIMARY_PATH_PREFIXES))


def is_pinned(request) -> bool:
    return bool(cache.get(pin_key(request)))


class ReplicaRoutingMiddleware:
    """Choose the database a request reads from, and pin a client that wrote.

    Sits before the session middleware, so that the session is read from the same place as
    everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        if not replicas:
            return self.get_response(request)
        pinned = False
        if needs_primary(request):
            alias = None
        elif is_pinned(request):
            alias, pinned = None, True
            # It wrote a moment ago: parts a replica's reader may have cached are not for it
            # (gazette.core.shared_parts builds them afresh from the primary).
            request.reads_own_writes = True
        else:
            alias = random.choice(replicas)
        read_token = _read_alias.set(alias)
        wrote_token = _wrote.set(False)
        try:
            with connections[PRIMARY].execute_wrapper(_watch_writes):
                response = self.get_response(request)
            if pinned and getattr(response, "database_unavailable", False) and not _wrote.get():
                # The primary is down: a GET that wrote nothing is read again from a replica.
                _read_alias.set(random.choice(replicas))
                response = self.get_response(request)
            # Only a request that wrote to the database pins: the view beacon, which counts in
            # Redis, must not cost a cache write per view.
            if _wrote.get():
                cache.set(pin_key(request, response), 1, settings.DATABASE_REPLICA_PIN_SECONDS)
            return response
        finally:
            _read_alias.reset(read_token)
            _wrote.reset(wrote_token)


class read_from:
    """Context manager for code outside a request that may read from a replica, e.g. a
    report: ``with read_from("replica_0"): ...``. Tests use it too."""

    def __init__(self, alias: str | None) -> None:
        self.alias = alias

    def __enter__(self):
        self._token = _read_alias.set(self.alias)
        return self

    def __exit__(self, *exc):
        _read_alias.reset(self._token)

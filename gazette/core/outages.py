"""Long-running workers outlive a lost database or Redis: they wait, reconnect with backoff,
log once per outage, and take up their queue again (issue 24). A supervisor (supervisord in
`make stack`, systemd in production) restarts a worker that dies anyway; this keeps them from
dying of an outage in the first place, which a supervisor's start limit would turn into a
worker given up on.

- ``is_outage(exc)``: is this error a lost connection (not a bug, not bad data)?
- ``Outage``: the backoff and the log lines of one worker's outages.
- ``wait_for_database(outage, ...)``: block until the database answers again.
- ``stop_on_signals()`` and ``run_rounds(...)``: the loop of a worker that works in rounds
  (the scheduler, the views flush, the beacon log counter) until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is installed with the app
        return ()
    return (RedisConnectionError, RedisTimeoutError)


REDIS_ERRORS = _redis_errors()
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_redis_outage(exc: BaseException) -> bool:
    return isinstance(exc, REDIS_ERRORS)


def database_answers(alias: str = "default") -> bool:
    """One round trip on a fresh connection: does the database answer now?"""
    connection = connections[alias]
    if connection.in_atomic_block:  # not ours to close: ask the one it has
        return connection.connection is not None and connection.is_usable()
    with contextlib.suppress(DatabaseError):  # a broken connection: dropped anyway
        connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        # Nothing held across the wait: a pooled connection goes back to its pool.
        with contextlib.suppress(DatabaseError):
            connection.close()


def is_database_outage(exc: BaseException, alias: str = "default") -> bool:
    """A connection error while the database does not answer. An OperationalError with the
    database answering (a deadlock, a statement timeout) is the task's own failure."""
    return isinstance(exc, DATABASE_ERRORS) and not database_answers(alias)


def is_outage(exc: BaseException, alias: str = "default") -> bool:
    return is_redis_outage(exc) or is_database_outage(exc, alias)


class Outage:
    """One worker's view of its outages: exponential backoff from ``first_delay`` up to
    ``max_delay`` seconds, one warning when an outage starts and one when it ends."""

    def __init__(
        self,
        what: str,
        *,
        first_delay: float = 0.5,
        max_delay: float = 10.0,
        log: logging.Logger = logger,
    ) -> None:
        self.what = what
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.log = log
        self.started: float | None = None  # monotonic time the outage began
        self.attempts = 0
        self.outages = 0

    @property
    def ongoing(self) -> bool:
        return self.started is not None

    def failed(self, exc: BaseException) -> float:
        """Note one failed attempt; the seconds to wait before the next."""
        if self.started is None:
            self.started = time.monotonic()
            self.attempts = 0
            self.outages += 1
            self.log.warning(
                "%s: lost its connection (%s: %s); retrying with backoff until it is back",
                self.what,
                exc.__class__.__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            )
        delay = min(self.max_delay, self.first_delay * 2**self.attempts)
        self.attempts += 1
        return delay

    def recovered(self) -> None:
        if self.started is None:
            return
        self.log.warning(
            "%s: connection back after %.1f s; carrying on",
            self.what,
            time.monotonic() - self.started,
        )
        self.started = None
        self.attempts = 0


def wait_for_database(
    outage: Outage,
    exc: BaseException,
    *,
    alias: str = "default",
    sleep: Callable[[float], object] | None = None,
    stopping: threading.Event | None = None,
) -> bool:
    """Block until the database answers, with ``outage``'s backoff. False if ``stopping`` was
    set meanwhile (the worker is asked to stop)."""
    error: BaseException = exc
    while True:
        delay = outage.failed(error)
        if stopping is not None:
            if stopping.wait(delay):
                return False
        else:
            (sleep or time.sleep)(delay)
        if database_answers(alias):
            outage.recovered()
            return True
        error = OperationalError("the database does not answer")


def stop_on_signals() -> threading.Event:
    """An event SIGTERM and SIGINT set: the worker ends the round it is in, then stops."""
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopping


def retry_after(
    seconds: float, write: Callable[[str], object], failed: str
) -> Callable[[Exception], float]:
    """A ``run_rounds`` ``on_error`` that writes "<failed>, will retry: <the error>" and waits
    ``seconds``."""

    def report(exc: Exception) -> float:
        write(f"{failed}, will retry: {exc.__class__.__name__}: {exc}")
        return seconds

    return report


def run_rounds(
    work: Callable[[], float],
    *,
    outage: Outage,
    stopping: threading.Event,
    on_error: Callable[[Exception], float],
    outage_wait_at_least: float = 0.0,
) -> None:
    """Call ``work`` round after round until ``stopping`` is set. ``work`` returns the seconds
    from its start to the next round's. A lost database or Redis waits with ``outage``'s
    backoff (at least ``outage_wait_at_least``), said once per outage; any other error is
    ``on_error``'s to report, and it returns the seconds to wait. Each round starts on a
    usable connection, so one lost meanwhile is opened afresh."""
    while not stopping.is_set():
        started = time.monotonic()
        close_old_connections()
        try:
            wait = work()
        except Exception as exc:
            if is_outage(exc):
                wait = max(outage_wait_at_least, outage.failed(exc))
            else:
                wait = on_error(exc)
        else:
            outage.recovered()
        stopping.wait(max(0.0, wait - (time.monotonic() - started)))

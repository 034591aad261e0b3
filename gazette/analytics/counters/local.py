"""``LocalViewCounter``: views wait in this process's memory (embedded default: SQLite, no Redis).

A dictionary in the process's memory, flushed by a background thread every
``GAZETTE_VIEWS_FLUSH_INTERVAL`` seconds (2 by default) and once more at exit (``atexit``;
SIGTERM is turned into a normal exit so a graceful stop flushes too,
``stop_gracefully_on_sigterm``). What ``kill -9`` can lose is bounded: the views that process
counted since its last flush, that is at most one interval (about 2 seconds) of that one
process. The readers seen in the last 30 minutes (``first_sighting``) are a dictionary of expiry
times; the stored totals are mirrored in a dictionary trusted for ``STORED_SECONDS`` (another
embedded process may flush into the same database unseen). It is also ``ResilientViewCounter``'s
fallback while Redis cannot be reached.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable

from .base import ApplyBatch, Batch, IsLive, Tally

logger = logging.getLogger(__name__)

# Where the live-articles version lives without Redis (live_articles.py).
LIVE_VERSION_CACHE_KEY = "analytics:live-articles-version"
# How long a mirrored stored total is trusted where another process may write the database
# unseen.
STORED_SECONDS = 30


class LocalViewCounter:
    """Views counted in this process and not yet written; see the module docstring."""

    SEEN_PURGE_FROM = 10_000
    MAX_SEEN = 1_000_000
    MAX_STORED = 100_000  # mirrored totals before the expired ones are dropped
    SHARED_CACHE_RECHECK = 1.0  # seconds; see live_version

    def __init__(
        self, *, flush_in_background: bool, interval: float, apply: ApplyBatch | None = None
    ):
        self.flush_in_background = flush_in_background
        self.interval = interval
        self._apply = apply  # what the flusher thread and the exit flush write with
        self._reset_state()
        os.register_at_fork(after_in_child=self._reset_state)

    def _reset_state(self) -> None:
        # After a fork the child starts empty: the parent still owns (and flushes) its views,
        # and a lock some other thread held at the fork would never be released.
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: Counter[tuple[int, int]] = Counter()
        self._pending_by_article: Counter[int] = Counter()
        self._in_flight_by_article: Counter[int] = Counter()
        self._seen: dict[str, float] = {}  # reader key -> when to forget it (time.time)
        self._purge_above = self.SEEN_PURGE_FROM
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        # Mirrored stored totals: article id -> (views, until when to trust them, monotonic).
        self._stored: dict[int, tuple[int, float]] = {}
        self._generation = 0  # one more after every flush that wrote
        self._flushing = False
        self._live_version: str | None = None
        self._live_version_recheck_at = 0.0
        self._live_bumps = 0

    def first_sighting(self, key: str, seconds: int) -> bool:
        """True the first time ``key`` is seen in ``seconds``; remembers it that long.

        Memory grows with the readers of the last ``seconds`` only: expired keys are purged
        whenever the dictionary has doubled since the last purge. Past MAX_SEEN (far more
        readers in 30 minutes than one embedded process serves) the oldest are forgotten.
        """
        now = time.time()
        with self._lock:
            forget_at = self._seen.get(key)
            if forget_at is not None and forget_at > now:
                return False
            self._seen.pop(key, None)  # re-inserted last: the dict stays oldest first
            self._seen[key] = now + seconds
            if len(self._seen) > self._purge_above:
                self._purge_seen(now)
            return True

    def seen_recently(self, key: str) -> bool:
        """Whether ``first_sighting`` would refuse ``key`` now (it remembers nothing)."""
        with self._lock:
            forget_at = self._seen.get(key)
        return forget_at is not None and forget_at > time.time()

    def _purge_seen(self, now: float) -> None:
        self._seen = {key: at for key, at in self._seen.items() if at > now}
        while len(self._seen) > self.MAX_SEEN:
            del self._seen[next(iter(self._seen))]
        self._purge_above = max(self.SEEN_PURGE_FROM, 2 * len(self._seen))

    def add(self, article_id: int, hour: int) -> None:
        with self._lock:
            self._pending[(article_id, hour)] += 1
            self._pending_by_article[article_id] += 1
        if self.flush_in_background and self._flusher is None:
            self._start_flusher()

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]:
        with self._lock:
            return {
                article_id: self._pending_by_article[article_id]
                + self._in_flight_by_article[article_id]
                for article_id in article_ids
            }

    def flush(self, apply: ApplyBatch) -> int:
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, Counter()
                by_article, self._pending_by_article = self._pending_by_article, Counter()
                # Still shown on pages while the database write is under way.
                self._in_flight_by_article = by_article
                self._flushing = bool(batch)
            if not batch:
                return 0
            try:
                apply(batch, None)
            except BaseException:
                with self._lock:
                    self._pending.update(batch)
                    self._pending_by_article.update(by_article)
                    self._in_flight_by_article = Counter()
                    self._flushing = False
                raise
            with self._lock:
                # The written views move from pending to the mirrored totals in one step.
                for article_id, views in by_article.items():
                    known = self._stored.get(article_id)
                    if known is not None:
                        self._stored[article_id] = (known[0] + views, known[1])
                self._generation += 1
                self._in_flight_by_article = Counter()
                self._flushing = False
            return sum(batch.values())

    def is_empty(self) -> bool:
        """Nothing waits in this buffer, nor is being written."""
        with self._lock:
            return not self._pending and not self._flushing

    def live_version(self) -> str:
        """The live-articles version, from the Django cache (shared by the processes that share
        it). A cache in this process's memory is read on every call; one that costs a round
        trip (the database cache) at most once a second. This process's own changes show at
        once, even with a cache that keeps nothing (DummyCache)."""
        now = time.monotonic()
        if self._live_version is None or now >= self._live_version_recheck_at:
            from django.core.cache import caches
            from django.core.cache.backends.locmem import LocMemCache

            shared = caches["default"]
            version = shared.get(LIVE_VERSION_CACHE_KEY)
            if version is None:
                shared.add(LIVE_VERSION_CACHE_KEY, uuid.uuid4().hex, None)
                version = shared.get(LIVE_VERSION_CACHE_KEY)
            recheck = 0.0 if isinstance(shared, LocMemCache) else self.SHARED_CACHE_RECHECK
            self._live_version_recheck_at = now + recheck
            self._live_version = f"{version}:{self._live_bumps}"
        return self._live_version

    def bump_live_version(self) -> None:
        from django.core.cache import caches

        self._live_bumps += 1
        self._live_version = None
        caches["default"].set(LIVE_VERSION_CACHE_KEY, uuid.uuid4().hex, None)

    def tally(
        self, *, article_id: int, hour: int, seen_key: str | None, seconds: int, is_live: IsLive
    ) -> Tally | None:
        """The beacon's counting: None when no live article has this id (nothing counted)."""
        if not is_live(article_id, self.live_version()):
            return None
        counted = seen_key is not None and self.first_sighting(seen_key, seconds)
        if counted:
            self.add(article_id, hour)
        with self._lock:
            waiting = self._pending_by_article[article_id] + self._in_flight_by_article[article_id]
            known = self._stored.get(article_id)
            stored = known[0] if known is not None and known[1] > time.monotonic() else None
            return Tally(counted, waiting, stored, self._generation)

    def remember_stored(self, article_id: int, views: int, generation: object) -> None:
        """Mirror a stored total read from the database, unless a flush wrote meanwhile (the
        total read may or may not hold its batch)."""
        with self._lock:
            if generation != self._generation or self._flushing:
                return
            now = time.monotonic()
            if len(self._stored) >= self.MAX_STORED:
                self._stored = {key: known for key, known in self._stored.items() if known[1] > now}
            self._stored[article_id] = (views, now + STORED_SECONDS)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self._pending.clear()
            self._pending_by_article.clear()
            self._in_flight_by_article.clear()
            self._stored.clear()
            self._generation += 1
            self._live_version = None

    def _start_flusher(self) -> None:
        with self._lock:
            if self._flusher is not None:
                return
            self._flusher = threading.Thread(
                target=self._flush_forever, name="gazette-views-flusher", daemon=True
            )
            self._flusher.start()
        atexit.register(self._flush_at_exit)

    def _write(self, batch: Batch, batch_id: str | None) -> object:
        if self._apply is not None:
            return self._apply(batch, batch_id)
        from ..services import write_batch

        return write_batch(batch, batch_id)

    def _flush_forever(self) -> None:
        from django.db import close_old_connections

        while not self._stop.wait(self.interval):
            close_old_connections()
            try:
                self.flush(self._write)
            except Exception:
                # The views went back into the buffer; the next round tries again.
                logger.exception("Flushing views failed; will retry")

    def _flush_at_exit(self) -> None:
        self._stop.set()
        try:
            flushed = self.flush(self._write)
        except Exception:
            logger.exception("Flushing views at exit failed; %s views lost", self.pending_total)
        else:
            if flushed:
                logger.info("Flushed %s views at exit", flushed)

    @property
    def pending_total(self) -> int:
        with self._lock:
            return sum(self._pending.values())


def stop_gracefully_on_sigterm() -> None:
    """Make SIGTERM a normal exit, so ``atexit`` flushes the in-process buffer on a graceful
    stop. Only where nobody else handles SIGTERM (gunicorn and friends install their own) and
    only from the main thread, as Python requires."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)

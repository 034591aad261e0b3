"""``ResilientViewCounter`` (production): Redis, with this process's memory behind it.

While Redis cannot be reached, each app process counts in its own memory
(``LocalViewCounter``) and flushes that to the database itself every
``GAZETTE_VIEWS_FLUSH_INTERVAL`` seconds, so a Redis outage loses no view. What degrades
meanwhile: the 30-minute repeat check is per process (a reader whose beacons reach both app
servers may be counted once on each), and ``kill -9`` of an app process loses what it buffered
since its last flush (about 2 seconds of its views). A beacon in flight at the very moment Redis
dies may be counted twice (the increment reached Redis but its answer did not). Redis is tried
again after ``RETRY_AFTER`` seconds; once it answers, it is told what it missed (the memory
buffer's flushes wrote behind its mirrored totals, a live-articles change).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from gazette.core.generational import RedisRead

from .base import ApplyBatch, IsLive, Tally
from .local import LocalViewCounter
from .redis import RedisViewCounter

logger = logging.getLogger(__name__)


class ResilientViewCounter:
    """Redis, and this process's memory while Redis cannot be reached; see the module
    docstring. The memory buffer flushes itself (a thread), whatever the settings say."""

    RETRY_AFTER = 1.0  # seconds without trying Redis after it failed

    def __init__(self, redis_counter: RedisViewCounter, local_counter: LocalViewCounter):
        import redis

        self.remote = redis_counter
        self.local = local_counter
        self._errors = (redis.RedisError, OSError)
        self._skip_until = 0.0
        # What Redis must hear once it answers again: views the memory buffer wrote to the
        # database behind the mirrored totals, a live-articles change it missed.
        self._stored_out_of_date = False
        self._live_version_missed = False

    def _try(self, action: Callable[[], object]) -> tuple[bool, object]:
        """Run ``action`` against Redis unless it failed a moment ago: (reached, result)."""
        if time.monotonic() < self._skip_until:
            return False, None
        try:
            return True, action()
        except self._errors as exc:
            self._skip_until = time.monotonic() + self.RETRY_AFTER
            logger.warning("Redis unreachable (%s): counting views in this process", exc)
            return False, None

    def pending(
        self, article_ids: Iterable[int], *, read: dict[int, int] | None = None
    ) -> dict[int, int]:
        """``read``: Redis's pending views of these articles, read already (``pending_read``)."""
        ids = list(article_ids)
        waiting = self.local.pending(ids)
        if read is not None and all(article_id in read for article_id in ids):
            reached, remote = True, read
        else:
            reached, remote = self._try(lambda: self.remote.pending(ids))
        if reached:
            for article_id, views in remote.items():
                waiting[article_id] = waiting.get(article_id, 0) + views
        return waiting

    def pending_read(self, article_ids: Iterable[int], keep: Callable[[dict], None]):
        """Redis's pending views of these articles as a ``generational.RedisRead`` (sent in
        the page's cache round trip; ``keep`` gets them), or None while Redis is not tried."""
        if time.monotonic() < self._skip_until:
            return None
        ids = list(article_ids)
        return RedisRead(
            self.remote.redis,
            self.remote.pending_commands(ids),
            lambda replies: keep(self.remote.pending_from(ids, replies)),
        )

    def flush(self, apply: ApplyBatch) -> int:
        """This process's fallback buffer, then Redis's (which raises while Redis is down: the
        flush worker logs it and tries again)."""
        return self.local.flush(apply) + self.remote.flush(apply)

    def reset(self) -> None:
        self.local.reset()
        self.remote.reset()
        self._stored_out_of_date = self._live_version_missed = False

    def tally(
        self, *, article_id: int, hour: int, seen_key: str | None, seconds: int, is_live: IsLive
    ) -> Tally | None:
        """Redis's one round trip; while Redis cannot be reached, the database checks the
        article and this process's memory counts (its stored total is read afresh)."""
        self._catch_up()
        reached, tallied = self._try(
            lambda: self.remote.tally(
                article_id=article_id,
                hour=hour,
                seen_key=seen_key,
                seconds=seconds,
                is_live=is_live,
            )
        )
        if reached:
            if tallied is not None:  # views this process counted during an outage, not written
                tallied.pending += self.local.pending([article_id])[article_id]
            return tallied
        if not is_live(article_id, None):
            return None
        counted = seen_key is not None and self.local.first_sighting(seen_key, seconds)
        if counted:
            self.local.add(article_id, hour)
            self._stored_out_of_date = True
        return Tally(counted, self.local.pending([article_id])[article_id], None, None)

    def _catch_up(self) -> None:
        if self._stored_out_of_date and self.local.is_empty():
            reached, _ = self._try(self.remote.forget_stored)
            self._stored_out_of_date = not reached
        if self._live_version_missed:
            reached, _ = self._try(self.remote.bump_live_version)
            self._live_version_missed = not reached

    def remember_stored(self, article_id: int, views: int, generation: object) -> None:
        if generation is not None and not self._stored_out_of_date:
            self._try(lambda: self.remote.remember_stored(article_id, views, generation))

    def bump_live_version(self) -> None:
        reached, _ = self._try(self.remote.bump_live_version)
        self._live_version_missed = not reached

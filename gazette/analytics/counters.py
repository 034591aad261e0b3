"""Where counted views wait until a flush writes them to the database in one batch.

Two backends, chosen by the environment:

``RedisViewCounter`` (production: ``REDIS_URL`` set)
    Each view is one ``HINCRBY`` (with its per-article twin, in one MULTI) into a *pending*
    hash shared by every app server. A flush renames *pending* to *flushing* atomically
    (a Lua script, so no increment lands in between), writes *flushing* to the database in one
    transaction that also records the batch id, then deletes it. A killed app process loses
    nothing: the views are in Redis the moment the beacon returns. A flusher killed after its
    commit leaves *flushing* behind; the next flush sees the batch id already applied and only
    deletes it, so no view is counted twice. The worker runs
    ``manage.py flush_views --loop --interval 2``. Redis must not evict these keys (they have
    no TTL, so any ``volatile-*`` or ``noeviction`` policy keeps them).

``LocalViewCounter`` (embedded default: SQLite, no Redis)
    A dictionary in the process's memory, flushed by a background thread every
    ``GAZETTE_VIEWS_FLUSH_INTERVAL`` seconds (2 by default) and once more at exit (``atexit``;
    SIGTERM is turned into a normal exit so a graceful stop flushes too). What ``kill -9``
    can lose is bounded: the views that process counted since its last flush, that is at most
    one interval (about 2 seconds) of that one process.

``ResilientViewCounter`` (production) is the first with the second behind it: while Redis
    cannot be reached, each app process counts in its own memory and flushes that to the
    database itself every ``GAZETTE_VIEWS_FLUSH_INTERVAL`` seconds, so a Redis outage loses no
    view. What degrades meanwhile: the 30-minute repeat check is per process (a reader whose
    beacons reach both app servers may be counted once on each), and ``kill -9`` of an app
    process loses what it buffered since its last flush (about 2 seconds of its views).
    A beacon in flight at the very moment Redis dies may be counted twice (the increment
    reached Redis but its answer did not). Redis is tried again after ``RETRY_AFTER`` seconds.

Both keep a per-article count of what is not yet in the database, so the page can show
"database total + pending" and a view appears at once rather than after the next flush. Both
also remember which readers they saw in the last 30 minutes (``first_sighting``): an atomic
``SET NX EX`` shared by every process in Redis, a dictionary of expiry times in memory.

The beacon (``tally``) does its whole counting in one step: in Redis one Lua script checks the
live-articles version (live_articles.py), takes the reader's first sighting, counts, and reads
back the pending count and the article's *stored total*. The stored totals are mirrored where
the views wait (a Redis hash, a dictionary in memory) for the articles beacons asked about:
the flush adds its batch to the mirror in the same atomic step that releases the batch, so
"stored + pending" never counts a view twice nor misses one. A total not yet mirrored is read
from the database once and remembered, unless a flush ran meanwhile (``generation``). Where
the database changes behind the mirror's back (the memory buffer of a Redis outage flushed
on its own, another embedded process's flush), the mirror is dropped or expires
(``STORED_SECONDS``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from django.conf import settings
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger(__name__)

# (article id, start of the hour as a Unix timestamp) -> views
Batch = Mapping[tuple[int, int], int]
# Writes a batch to the database in one transaction; batch_id makes a retry a no-op.
ApplyBatch = Callable[[Batch, str | None], object]
# Whether a live article has this id, as of a live-articles version (None: ask the database).
IsLive = Callable[[int, str | None], bool]

# Where the live-articles version lives without Redis (live_articles.py).
LIVE_VERSION_CACHE_KEY = "analytics:live-articles-version"
# How long a mirrored stored total is trusted where another process may write the database
# unseen (in memory), and how long the Redis mirror lives before it is read afresh.
STORED_SECONDS = 30
REDIS_STORED_SECONDS = 600


@dataclass
class Tally:
    """What one beacon did and what the article's count now is."""

    counted: bool  # the reader's first sighting in the window: one more view
    pending: int  # views counted and not yet written to the database
    stored: int | None  # the stored total, None when not mirrored yet (read the database)
    generation: object = None  # give it back to ``remember_stored`` with the stored total


def hour_of(moment: datetime) -> int:
    """The start of the UTC hour holding ``moment``, as a Unix timestamp."""
    return int(moment.timestamp()) // 3600 * 3600


def hour_start(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


class ViewCounter(Protocol):
    def first_sighting(self, key: str, seconds: int) -> bool: ...

    def add(self, article_id: int, hour: int) -> None: ...

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]: ...

    def flush(self, apply: ApplyBatch) -> int: ...

    def reset(self) -> None: ...

    def tally(
        self, *, article_id: int, hour: int, seen_key: str | None, seconds: int, is_live: IsLive
    ) -> Tally | None: ...

    def remember_stored(self, article_id: int, views: int, generation: object) -> None: ...

    def bump_live_version(self) -> None: ...


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
        from .services import write_batch

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


# Atomically move the pending hashes aside, unless an earlier flush left its batch there
# (it died before deleting it): then that batch is taken again. Returns the batch id.
_TAKE_BATCH = """
if redis.call('exists', KEYS[3]) == 0 then
  if redis.call('exists', KEYS[1]) == 0 then return false end
  redis.call('rename', KEYS[1], KEYS[3])
  if redis.call('exists', KEYS[2]) == 1 then redis.call('rename', KEYS[2], KEYS[4]) end
  redis.call('hset', KEYS[3], '~batch', ARGV[1])
end
return redis.call('hget', KEYS[3], '~batch')
"""
_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# After the batch is in the database: add it to the mirrored stored totals and drop it, in one
# step, so no reader of "stored + pending" sees it twice or not at all. Then a new generation.
_RELEASE_BATCH = """
if redis.call('exists', KEYS[3]) == 1 then
  local counts = redis.call('hgetall', KEYS[2])
  for i = 1, #counts, 2 do
    if redis.call('hexists', KEYS[3], counts[i]) == 1 then
      redis.call('hincrby', KEYS[3], counts[i], counts[i + 1])
    end
  end
end
redis.call('del', KEYS[1], KEYS[2])
return redis.call('incr', KEYS[4])
"""
# The beacon's one round trip. KEYS: live version, reader's seen key, pending,
# pending-by-article, flushing-by-article, stored totals, generation. ARGV: the live version the
# caller checked the article against ('*': checked in the database), a fresh version in case
# none is set, 1 to count (0: answer only), the seen key's seconds, 'article:hour', article.
# Returns {-1, version} when the caller's version is out of date (nothing counted), else
# {counted, pending, stored total or -1, generation}.
_BEACON = """
local version = redis.call('get', KEYS[1])
if not version then
  redis.call('set', KEYS[1], ARGV[2])
  version = ARGV[2]
end
if ARGV[1] ~= '*' and version ~= ARGV[1] then return {-1, version} end
local counted = 0
if ARGV[3] == '1' and redis.call('set', KEYS[2], 1, 'NX', 'EX', ARGV[4]) then
  counted = 1
  redis.call('hincrby', KEYS[3], ARGV[5], 1)
  redis.call('hincrby', KEYS[4], ARGV[6], 1)
end
local waiting = tonumber(redis.call('hget', KEYS[4], ARGV[6]) or '0')
  + tonumber(redis.call('hget', KEYS[5], ARGV[6]) or '0')
local stored = tonumber(redis.call('hget', KEYS[6], ARGV[6]) or '-1')
return {counted, waiting, stored, redis.call('get', KEYS[7]) or '0'}
"""
# Mirror a stored total read from the database, unless a flush is under way or finished since
# the beacon read the generation (the total read may or may not hold that batch).
_REMEMBER_STORED = """
if (redis.call('get', KEYS[2]) or '0') ~= ARGV[3] then return 0 end
if redis.call('exists', KEYS[3]) == 1 then return 0 end
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], ARGV[4]) end
return 1
"""


class RedisViewCounter:
    """Views pending in Redis, shared by every app process; see the module docstring."""

    LOCK_MILLISECONDS = 60_000

    def __init__(self, url: str, *, prefix: str = "gazette:views", timeout: float = 0.5):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Fail fast: one immediate retry (a pooled connection Redis closed on a restart), short
        # timeouts. redis-py's default (ten retries with backoff) holds a beacon for seconds.
        self.redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            retry=Retry(NoBackoff(), 1),
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
        )
        self.pending_key = f"{prefix}:pending"
        self.pending_by_article_key = f"{prefix}:pending-by-article"
        self.flushing_key = f"{prefix}:flushing"
        self.flushing_by_article_key = f"{prefix}:flushing-by-article"
        self.lock_key = f"{prefix}:flush-lock"
        self.seen_prefix = f"{prefix}:seen:"
        self.stored_key = f"{prefix}:stored"
        self.generation_key = f"{prefix}:generation"
        self.live_version_key = f"{prefix}:live-version"
        self._take_batch = self.redis.register_script(_TAKE_BATCH)
        self._release_lock = self.redis.register_script(_RELEASE_LOCK)
        self._release_batch = self.redis.register_script(_RELEASE_BATCH)
        self._beacon = self.redis.register_script(_BEACON)
        self._remember_stored = self.redis.register_script(_REMEMBER_STORED)
        self._live_version: str | None = None

    def first_sighting(self, key: str, seconds: int) -> bool:
        """An atomic add (SET NX EX) shared by every app process; Redis forgets it itself."""
        return bool(self.redis.set(self.seen_prefix + key, 1, nx=True, ex=seconds))

    def add(self, article_id: int, hour: int) -> None:
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.pending_key, f"{article_id}:{hour}", 1)
            pipe.hincrby(self.pending_by_article_key, str(article_id), 1)
            pipe.execute()

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]:
        ids = list(article_ids)
        if not ids:
            return {}
        fields = [str(article_id) for article_id in ids]
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self.pending_by_article_key, fields)
            pipe.hmget(self.flushing_by_article_key, fields)
            waiting, flushing = pipe.execute()
        return {
            article_id: int(waiting[index] or 0) + int(flushing[index] or 0)
            for index, article_id in enumerate(ids)
        }

    def flush(self, apply: ApplyBatch) -> int:
        token = uuid.uuid4().hex
        if not self.redis.set(self.lock_key, token, nx=True, px=self.LOCK_MILLISECONDS):
            return 0  # another flusher is at work; it takes these views too
        try:
            # A batch an earlier flush left behind first, then what is pending now.
            return sum(self._flush_one(apply) for _ in range(2))
        finally:
            self._release_lock(keys=[self.lock_key], args=[token])

    def _flush_one(self, apply: ApplyBatch) -> int:
        keys = [
            self.pending_key,
            self.pending_by_article_key,
            self.flushing_key,
            self.flushing_by_article_key,
        ]
        batch_id = self._take_batch(keys=keys, args=[uuid.uuid4().hex])
        if not batch_id:
            return 0
        batch: dict[tuple[int, int], int] = {}
        for field, views in self.redis.hgetall(self.flushing_key).items():
            if field.startswith("~"):
                continue
            article_id, hour = field.split(":")
            batch[(int(article_id), int(hour))] = int(views)
        apply(batch, batch_id)
        self._release_batch(
            keys=[
                self.flushing_key,
                self.flushing_by_article_key,
                self.stored_key,
                self.generation_key,
            ]
        )
        return sum(batch.values())

    def tally(
        self, *, article_id: int, hour: int, seen_key: str | None, seconds: int, is_live: IsLive
    ) -> Tally | None:
        """The beacon's counting in one round trip (the Lua script above); None when no live
        article has this id. The article is checked against the live ids of the version this
        process last saw; the script refuses to count when the version has changed since, and
        the article is checked again against the new one."""
        version = self._live_version
        if version is None:
            version = self._live_version = self._read_live_version()
        keys = [
            self.live_version_key,
            self.seen_prefix + seen_key if seen_key is not None else self.seen_prefix,
            self.pending_key,
            self.pending_by_article_key,
            self.flushing_by_article_key,
            self.stored_key,
            self.generation_key,
        ]
        counting = "1" if seen_key is not None else "0"
        for attempt in range(4):
            if attempt == 3:  # the version keeps changing: the database decides
                live, version = is_live(article_id, None), "*"
            else:
                live = is_live(article_id, version)
            if not live:
                return None
            fresh = uuid.uuid4().hex
            args = [version, fresh, counting, seconds, f"{article_id}:{hour}", article_id]
            result = self._beacon(keys=keys, args=args)
            if result[0] == -1:
                version = self._live_version = result[1]
                continue
            counted, waiting, stored, generation = result
            return Tally(bool(counted), int(waiting), stored if stored >= 0 else None, generation)
        raise AssertionError("unreachable: the fourth attempt does not check the version")

    def _read_live_version(self) -> str:
        fresh = uuid.uuid4().hex
        self.redis.set(self.live_version_key, fresh, nx=True)
        return self.redis.get(self.live_version_key) or fresh

    def remember_stored(self, article_id: int, views: int, generation: object) -> None:
        self._remember_stored(
            keys=[self.stored_key, self.generation_key, self.flushing_key],
            args=[article_id, views, generation, REDIS_STORED_SECONDS],
        )

    def forget_stored(self) -> None:
        """Drop the mirrored totals (the database changed behind their back)."""
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.stored_key)
            pipe.incr(self.generation_key)
            pipe.execute()

    def bump_live_version(self) -> None:
        self.redis.set(self.live_version_key, uuid.uuid4().hex)

    def reset(self) -> None:
        self.redis.delete(
            self.pending_key,
            self.pending_by_article_key,
            self.flushing_key,
            self.flushing_by_article_key,
            self.lock_key,
            self.stored_key,
            self.live_version_key,
        )
        self.redis.incr(self.generation_key)
        self._live_version = None


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

    def first_sighting(self, key: str, seconds: int) -> bool:
        reached, first = self._try(lambda: self.remote.first_sighting(key, seconds))
        return bool(first) if reached else self.local.first_sighting(key, seconds)

    def add(self, article_id: int, hour: int) -> None:
        reached, _ = self._try(lambda: self.remote.add(article_id, hour))
        if not reached:
            self.local.add(article_id, hour)

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]:
        ids = list(article_ids)
        waiting = self.local.pending(ids)
        reached, remote = self._try(lambda: self.remote.pending(ids))
        if reached:
            for article_id, views in remote.items():
                waiting[article_id] = waiting.get(article_id, 0) + views
        return waiting

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


def _make_counter() -> ViewCounter:
    url = getattr(settings, "GAZETTE_VIEWS_REDIS_URL", "")
    interval = getattr(settings, "GAZETTE_VIEWS_FLUSH_INTERVAL", 2.0)
    if url:
        return ResilientViewCounter(
            RedisViewCounter(url, timeout=getattr(settings, "REDIS_TIMEOUT", 0.5)),
            LocalViewCounter(flush_in_background=True, interval=interval),
        )
    return LocalViewCounter(
        flush_in_background=getattr(settings, "GAZETTE_VIEWS_FLUSH_IN_PROCESS", True),
        interval=interval,
    )


counter: ViewCounter = SimpleLazyObject(_make_counter)  # type: ignore[assignment]


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

"""``RedisViewCounter``: views wait in Redis, shared by every app server (production).

Each view is one ``HINCRBY`` (with its per-article twin), made by the beacon's script, into a
*pending* hash. A flush renames *pending* to *flushing* atomically (lua/take_batch.lua, so no
increment lands in between), writes *flushing* to the database in one transaction that also
records the batch id, then deletes it. A killed app process loses nothing: the views are in
Redis the moment the beacon returns. A flusher killed after its commit leaves *flushing*
behind; the next flush sees the batch id already applied and only deletes it, so no view is
counted twice. The worker runs ``manage.py flush_views --loop --interval 2``. Redis must not
evict these keys (they have no TTL, so any ``volatile-*`` or ``noeviction`` policy keeps them).

The readers seen in the last 30 minutes are an atomic ``SET NX EX`` that Redis forgets itself.
The beacon (``tally``) is one round trip, lua/beacon.lua: it checks the live-articles version,
takes the reader's first sighting, counts, and reads back the pending count and the article's
mirrored stored total. The flush adds its batch to that mirror in the same atomic step that
releases the batch (lua/release_batch.lua); the mirror expires after ``stored_seconds``
(setting ``GAZETTE_VIEWS_STORED_SECONDS``). A beacon that finds it expired while the database
is down still counts: services.record_beacon answers with the total its process last saw.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from importlib.resources import files

from .base import ApplyBatch, IsLive, Tally

# How long the Redis mirror of the stored totals lives before it is read afresh.
REDIS_STORED_SECONDS = 600


def _script(name: str) -> str:
    """A Lua script shipped beside this module (lua/NAME.lua)."""
    return files(__package__).joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")


# Read once, at import; redis-py sends each by its SHA (EVALSHA) after the first call.
_TAKE_BATCH = _script("take_batch")
_RELEASE_LOCK = _script("release_lock")
_RELEASE_BATCH = _script("release_batch")
_BEACON = _script("beacon")
_REMEMBER_STORED = _script("remember_stored")
_COUNT_LOGGED = _script("count_logged")


class RedisViewCounter:
    """Views pending in Redis, shared by every app process; see the module docstring."""

    LOCK_MILLISECONDS = 60_000

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "gazette:views",
        timeout: float = 0.5,
        stored_seconds: int = REDIS_STORED_SECONDS,
    ):
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
        self.stored_seconds = stored_seconds
        self.pending_key = f"{prefix}:pending"
        self.pending_by_article_key = f"{prefix}:pending-by-article"
        self.flushing_key = f"{prefix}:flushing"
        self.flushing_by_article_key = f"{prefix}:flushing-by-article"
        self.lock_key = f"{prefix}:flush-lock"
        self.seen_prefix = f"{prefix}:seen:"
        self.stored_key = f"{prefix}:stored"
        self.generation_key = f"{prefix}:generation"
        self.live_version_key = f"{prefix}:live-version"
        self.position_prefix = f"{prefix}:beacon-log-position:"
        self._take_batch = self.redis.register_script(_TAKE_BATCH)
        self._release_lock = self.redis.register_script(_RELEASE_LOCK)
        self._release_batch = self.redis.register_script(_RELEASE_BATCH)
        self._beacon = self.redis.register_script(_BEACON)
        self._remember_stored = self.redis.register_script(_REMEMBER_STORED)
        self._count_logged = self.redis.register_script(_COUNT_LOGGED)
        self._live_version: str | None = None

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]:
        ids = list(article_ids)
        if not ids:
            return {}
        with self.redis.pipeline(transaction=False) as pipe:
            for command in self.pending_commands(ids):
                pipe.execute_command(*command)
            return self.pending_from(ids, pipe.execute())

    def pending_commands(self, ids: list[int]) -> list[tuple]:
        """The commands that read ``ids``' pending views (``pending_from`` reads their
        replies): a page may send them in a round trip of its own to this Redis."""
        fields = [str(article_id) for article_id in ids]
        return [
            ("HMGET", self.pending_by_article_key, *fields),
            ("HMGET", self.flushing_by_article_key, *fields),
        ]

    @staticmethod
    def pending_from(ids: list[int], replies: list) -> dict[int, int]:
        waiting, flushing = replies
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
        """The beacon's counting in one round trip (lua/beacon.lua); None when no live
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

    def count_logged(
        self,
        views: list[tuple[int, int, str]],
        *,
        position_key: str,
        saved: str,
        end: str,
        seconds: int,
        is_live: IsLive,
    ) -> int | None:
        """Count views from the beacon log, (article, hour, reader key) each, and save the log's
        position ``end``, in one atomic script (lua/count_logged.lua): the beacon's counting
        (live check, repeat window, pending hashes) for a batch. None, counting nothing, when
        the position saved is not ``saved`` (the batch was counted already). Views of an id no
        live article has are dropped; a reader's repeat within the batch counts once."""
        version = self._read_live_version()
        for _ in range(4):
            live_ids = {
                article_id
                for article_id in {view[0] for view in views}
                if is_live(article_id, version)
            }
            live = [view for view in views if view[0] in live_ids]
            keys = [
                self.live_version_key,
                self.pending_key,
                self.pending_by_article_key,
                position_key,
                *(self.seen_prefix + seen_key for _, _, seen_key in live),
            ]
            args = [version, saved, end, seconds]
            for article_id, hour, _ in live:
                args += [f"{article_id}:{hour}", article_id]
            counted, answer = self._count_logged(keys=keys, args=args)
            if counted == -1:
                version = self._live_version = answer
                continue
            return None if counted == -2 else int(counted)
        raise RuntimeError("The live articles keep changing: the batch is tried again")

    def _read_live_version(self) -> str:
        fresh = uuid.uuid4().hex
        self.redis.set(self.live_version_key, fresh, nx=True)
        return self.redis.get(self.live_version_key) or fresh

    def remember_stored(self, article_id: int, views: int, generation: object) -> None:
        self._remember_stored(
            keys=[self.stored_key, self.generation_key, self.flushing_key],
            args=[article_id, views, generation, self.stored_seconds],
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

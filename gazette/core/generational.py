"""Caches whose entries are all forgotten at once: each entry is stored with the generation
it was computed in, and ``retire()`` starts a new generation. An entry of an older one is
never used again, so there is nothing to find and delete: one cache write forgets a million
entries.

Used by the parts every reader page shares (``gazette.core.shared_parts``), You May Also
Like and Popular Now::

    POPULAR = GenerationalCache("analytics:popular-now", timeout=60)
    articles = POPULAR.get("list", compute)   # cached, else computed and cached
    POPULAR.retire()                          # a story left the readers: forget it all

A request may read several entries and the generation in one cache round trip
(``preload``); later reads of that request need none.

``retire`` writes a new generation at once and again when the transaction commits: a read in
another process between the two sees the database as it was and may cache that under the
first new generation; the second one retires it. On the local memory cache (the one-process
embedded default) other processes cannot see the generation at all, so entries also expire
after their ``timeout``.

Redis away (django-redis ignores its errors: every read a miss, every write dropped) may come
back with its data (``appendonly``): the entries built before the outage, and the generations
they were built in, while a retirement (or a comment's list version) written meanwhile was
dropped. A process that found no generation at all (``cache_away``) retires every
generational cache the first time the cache answers it again, and reads again, before it
uses an entry (``_read``); so does one whose new connection finds Redis restarted
(``gazette.core.redis_restarts``), although it saw nothing of the outage. And an entry is
never kept under no generation: ``None`` is the one generation every outage repeats.

Nothing about the reader goes in: these hold what every reader sees.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

_MISSING = object()


@functools.cache
def models_fingerprint() -> str:
    """A short digest of every model's stored fields. Entries may hold model instances
    (pickled, in Redis): a release whose models differ reads none of the last release's,
    which would unpickle with fields missing or left over."""
    from django.apps import apps

    fields = sorted(
        f"{model._meta.label}:{','.join(field.attname for field in model._meta.concrete_fields)}"
        for model in apps.get_models()
    )
    return hashlib.blake2b("|".join(fields).encode(), digest_size=6).hexdigest()


class _Outage:
    """Whether this process found the cache away since it last answered (see the module's
    docstring): then every generational cache is retired once it answers again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.noticed = False

    def notice(self) -> None:
        self.noticed = True

    def over(self) -> bool:
        """True once per outage, for the one read that retires everything."""
        with self._lock:
            noticed, self.noticed = self.noticed, False
        return noticed


cache_away = _Outage()


class GenerationalCache:
    _all: weakref.WeakSet[GenerationalCache] = weakref.WeakSet()

    def __init__(self, namespace: str, *, timeout: int | Callable[[], int]):
        GenerationalCache._all.add(self)
        self.namespace = namespace
        self.generation_key = f"{namespace}:generation"
        self._timeout = timeout
        self._request_attribute = f"_gazette_generational_{namespace}"

    def key(self, name: str) -> str:
        return self.key_prefix() + name

    def key_prefix(self) -> str:
        # Entries may be HTML in the page's language: a site switched to another language
        # (GAZETTE_LANGUAGE) never reads the old one's. The generation is shared by all.
        return f"{self.namespace}:{models_fingerprint()}:{get_language() or ''}:"

    @property
    def timeout(self) -> int:
        return self._timeout() if callable(self._timeout) else self._timeout

    # -- forgetting ----------------------------------------------------------------------------

    def retire(self) -> None:
        """Forget every entry: now, and again once the current transaction commits."""
        self._new_generation()
        transaction.on_commit(self._new_generation)

    def retire_now(self) -> None:
        """Forget every entry, now only: for a change already committed."""
        self._new_generation()

    def _new_generation(self) -> None:
        cache.set(self.generation_key, time.time_ns(), None)

    @classmethod
    def retire_all_now(cls) -> None:
        """Forget the entries of every generational cache: after the cache was away."""
        cache.set_many({owner.generation_key: time.time_ns() for owner in cls._all}, None)

    def forget(self, names: Iterable[str]) -> None:
        """Forget these entries only."""
        cache.delete_many([self.key(name) for name in names])

    # -- reading -------------------------------------------------------------------------------

    def preload(self, request, names: Iterable[str]) -> None:
        """Read these entries and the generation in one round trip, for this request's later
        ``get`` calls."""
        self._reads(request).load(names)

    def generation(self, request=None) -> int | None:
        """The current generation, as this request has read it (one round trip at most)."""
        reads = self._reads(request)
        reads.load([])
        return reads.generation

    def get(
        self,
        name: str,
        build: Callable[[], Any],
        *,
        request=None,
        keep_if: Callable[[Any], bool] | None = None,
        keep_as: Callable[[Any], Any] | None = None,
    ) -> Any:
        """The entry called ``name`` of the current generation: cached, else built and cached
        (unless ``keep_if(value)`` says not to; as ``keep_as(value)`` when given: what later
        reads need of it, while this one gets the value built). With a request, what it has
        read already (``preload``) costs no round trip."""
        reads = self._reads(request)
        reads.load([name])
        value = reads.entries[name]
        if value is _MISSING:
            value = build()
            if reads.generation is not None and (keep_if is None or keep_if(value)):
                kept = value if keep_as is None else keep_as(value)
                cache.set(self.key(name), (reads.generation, kept), self.timeout)
            reads.entries[name] = value
        return value

    def _reads(self, request) -> _Reads:
        if request is None:
            return _Reads(self)
        reads = getattr(request, self._request_attribute, None)
        if reads is None:
            reads = _Reads(self)
            setattr(request, self._request_attribute, reads)
        return reads


class _Reads:
    """What one request has read of a cache: the generation and the entries."""

    def __init__(self, owner: GenerationalCache) -> None:
        self.owner = owner
        self.generation: int | None = None
        self.entries: dict[str, Any] = {}

    def load(self, names: Iterable[str]) -> None:
        wanted, keys = self.keys_to_read(names)
        if keys:
            self.take(wanted, keys, _read(keys, [self.owner.generation_key]))

    def keys_to_read(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """The names not read yet, and the cache keys to read for them, in the same order
        (then the generation's when it is not known yet)."""
        wanted = [name for name in names if name not in self.entries]
        # The language is asked once per read, not once per key (a page reads dozens).
        prefix = self.owner.key_prefix() if wanted else ""
        keys = [prefix + name for name in wanted]
        if self.generation is None:
            keys.append(self.owner.generation_key)
        return wanted, keys

    def take(self, wanted: list[str], keys: list[str], found: dict) -> None:
        """What a read of ``keys_to_read``'s keys found."""
        if self.generation is None:
            self.generation = found.get(self.owner.generation_key)
            if self.generation is None:
                cache.add(self.owner.generation_key, time.time_ns(), None)
                self.generation = cache.get(self.owner.generation_key)
            if self.generation is None:  # neither read nor written: the cache is away
                cache_away.notice()
        for name, key in zip(wanted, keys, strict=False):
            entry = found.get(key)
            current = entry is not None and self.generation is not None
            current = current and entry[0] == self.generation
            self.entries[name] = entry[1] if current else _MISSING


def _read(
    keys: list[str], generation_keys: list[str], redis_reads: Iterable[RedisRead] = ()
) -> dict:
    """``cache.get_many(keys)`` (with ``redis_reads`` in its round trip); read again after every
    generational cache is retired when this is the first answer since this process found the
    cache away (a generation found). The plain reads are no cache entries: not read again."""
    found = _get_many_with(keys, list(redis_reads))
    answered = any(key in found for key in generation_keys)
    if answered and cache_away.noticed and cache_away.over():
        # What was found may predate a retirement (or a list version) dropped meanwhile.
        GenerationalCache.retire_all_now()
        found = cache.get_many(keys)
    return found


_PLAIN_READS = "_gazette_plain_cache_reads"


class RedisRead:
    """Commands to a Redis that are no cache entry (a view counter's hashes): sent in the
    cache's round trip by ``preload_together`` when the cache is that same Redis, their
    replies handed to ``take`` in order. Else nothing is sent: the reader asks on its own."""

    def __init__(self, redis, commands: list[tuple], take: Callable[[list], None]) -> None:
        self.redis = redis
        self.commands = commands
        self.take = take


def _cache_redis():
    """The cache's own Redis client (django-redis), or None for any other cache."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return None if get_client is None else get_client(write=False)


def _same_server(one, other) -> bool:
    named = ("host", "port", "db", "path", "username")
    mine, theirs = (c.connection_pool.connection_kwargs for c in (one, other))
    return all(mine.get(name) == theirs.get(name) for name in named)


def _get_many_with(keys: list[str], redis_reads: list[RedisRead]) -> dict:
    """``cache.get_many(keys)``, with the commands of ``redis_reads`` that share the cache's
    Redis sent in the same pipeline (one round trip)."""
    client = _cache_redis() if redis_reads else None
    shared = [
        read for read in redis_reads if client is not None and _same_server(client, read.redis)
    ]
    if not shared:
        return cache.get_many(keys) if keys else {}
    import redis

    backend = cache.client
    made = {backend.make_key(key): key for key in keys}
    try:
        with client.pipeline(transaction=False) as pipe:
            if made:
                pipe.mget(list(made))
            for read in shared:
                for command in read.commands:
                    pipe.execute_command(*command)
            replies = pipe.execute()
    except (redis.RedisError, OSError):
        # Misses, as django-redis's own get_many gives (IGNORE_EXCEPTIONS), without a second
        # wait for a Redis that did not answer; the reads not taken ask on their own.
        return {}
    found = {}
    if made:
        values = replies.pop(0)
        found = {
            made[key]: backend.decode(value)
            for key, value in zip(made, values, strict=True)
            if value is not None
        }
    for read in shared:
        read.take(replies[: len(read.commands)])
        del replies[: len(read.commands)]
    return found


def preload_together(
    request,
    wanted: Iterable[tuple[GenerationalCache, Iterable[str]]],
    plain_keys: Iterable[str] = (),
    redis_reads: Iterable[RedisRead] = (),
) -> None:
    """Entries of several generational caches (with their generations) and plain cache keys
    (``get_many_read``), in one round trip, for this request's later reads: a page that reads
    the parts of several apps asks the cache once rather than once per app. ``redis_reads``
    join that round trip when the cache is their Redis."""
    if request is None:
        return
    plain = getattr(request, _PLAIN_READS, None)
    if plain is None:
        plain = {}
        setattr(request, _PLAIN_READS, plain)
    reads = []
    keys: list[str] = [key for key in dict.fromkeys(plain_keys) if key not in plain]
    for owner, names in wanted:
        owner_reads = owner._reads(request)
        names_wanted, owner_keys = owner_reads.keys_to_read(names)
        reads.append((owner_reads, names_wanted, owner_keys))
        keys += owner_keys
    generation_keys = [owner_reads.owner.generation_key for owner_reads, _, _ in reads]
    found = _read(keys, generation_keys, list(redis_reads))
    for owner_reads, names_wanted, owner_keys in reads:
        if names_wanted or owner_reads.generation is None:
            owner_reads.take(names_wanted, owner_keys, found)
    for key in plain_keys:
        plain.setdefault(key, found.get(key, _MISSING))


def get_many_read(request, keys: list[str]) -> dict:
    """``cache.get_many(keys)``, answered from what ``preload_together`` read for the request
    where it can (once: a later read asks the cache again, as one after a write must)."""
    plain = getattr(request, _PLAIN_READS, None) or {}
    found: dict = {}
    missing = []
    for key in keys:
        value = plain.pop(key, None)
        if value is None:
            missing.append(key)
        elif value is not _MISSING:
            found[key] = value
    if missing:
        found.update(cache.get_many(missing))
    return found

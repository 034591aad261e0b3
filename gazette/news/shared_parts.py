"""The parts of a reader page that are the same on every article: the section menu,
Must-Reads, the newest stories of each section, the site's comment settings.

They are read from the database once per change instead of once per render: each is cached
under the current *version*, and every change that could alter one of them makes a new
version (``bump``, from signals.py): a page saved, published, unpublished, moved or deleted, a
view restriction, a curated list, a site or a site setting saved or deleted. An entry of an
older version is never used, so the next render shows the change.

The version is bumped at once and again when the transaction commits: a render in another
process between the two reads the database as it was and may cache it under the first new
version; the second one retires that entry.

On the local memory cache (the one-process embedded default) another process cannot reach
this one's version, so entries also expire after ``SHARED_PARTS_SECONDS``: a change made by a
management command or a worker shows within that time there, at once everywhere else.

Nothing about the reader goes in: these are read only from live, public content.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

VERSION_KEY = "news:shared-parts:version"
_KEY = "news:shared-parts:{}"
SHARED_PARTS_SECONDS = 60
_REQUEST_ATTRIBUTE = "_gazette_shared_parts"
_MISSING = object()


def bump() -> None:
    """Retire every cached part: now, and again once the current transaction commits."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)


class _RequestParts:
    """What one request has read: the version and the entries, from one cache round trip."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.entries: dict[str, Any] = {}

    def load(self, names: Iterable[str]) -> None:
        wanted = [name for name in names if name not in self.entries]
        keys = [_KEY.format(name) for name in wanted]
        if self.version is None:
            keys.append(VERSION_KEY)
        if not keys:
            return
        found = cache.get_many(keys)
        if self.version is None:
            self.version = found.get(VERSION_KEY)
            if self.version is None:
                cache.add(VERSION_KEY, time.time_ns(), None)
                self.version = cache.get(VERSION_KEY)
        for name in wanted:
            entry = found.get(_KEY.format(name))
            current = entry is not None and entry[0] == self.version
            self.entries[name] = entry[1] if current else _MISSING


def _parts(request: HttpRequest | None) -> _RequestParts:
    if request is None:
        return _RequestParts()
    parts = getattr(request, _REQUEST_ATTRIBUTE, None)
    if parts is None:
        parts = _RequestParts()
        setattr(request, _REQUEST_ATTRIBUTE, parts)
    return parts


def preload(request: HttpRequest | None, names: Iterable[str]) -> None:
    """Read these parts, and the version, in one cache round trip: the page knows what it
    will show, so later ``shared`` calls of this request need no round trip of their own."""
    _parts(request).load(names)


def shared(request: HttpRequest | None, name: str, build: Callable[[], Any]) -> Any:
    """The part called ``name`` of the current version: cached, else built and cached."""
    parts = _parts(request)
    parts.load([name])
    value = parts.entries[name]
    if value is _MISSING:
        value = build()
        cache.set(_KEY.format(name), (parts.version, value), SHARED_PARTS_SECONDS)
        parts.entries[name] = value
    return value

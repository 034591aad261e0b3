"""Views counted from nginx's beacon log (production): ``manage.py count_beacon_log``.

In the production stack nginx answers the beacon (204) and the no-script pixel itself and
writes each to a log of its own (deploy/nginx.conf, ``gazette_beacon``: one JSON object a
line with the time, status, path, client address and the headers the crawler verdict reads).
This module reads that log in batches and counts each line with the beacon's own code
(services.countable_view: the crawler and prefetch verdict, the reader key of the address, user
agent and the logged time's day; the live check; the 30-minute repeat window; the buffered
counter). Nothing is lost or counted twice, whenever the process dies:

- Redis (``REDIS_URL``): a batch's views and the new position of the log go to Redis in one
  script (``RedisViewCounter.count_logged``), which first checks that the position it starts
  from is the one saved: a batch whose answer was lost is never applied again. The views wait
  in Redis's pending hash for the flush worker, as the Django beacon's do.
- Without Redis: a batch's views are written to the database (``write_batch``) in the same
  transaction as the position (``BeaconLogPosition``). The repeat window is this process's
  memory (a restart forgets who was seen, as an app process's restart does).

A position is the log file's identity (device and inode) and an offset: after a rotation
(logrotate renames the log and tells nginx to reopen it) the renamed file is read to its end
until it has been still for ``ROTATION_GRACE`` seconds (nginx writes to it until it reopens),
then the new file from its start. A position whose file is no longer at the log's path is
looked for among the rotated files beside it (``beacon.log.1``...). A line not yet finished
(nginx writing it) is left for the next batch; a malformed one is skipped with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .counters import hour_of

logger = logging.getLogger(__name__)

# Longer lines are no beacon's (a user agent is refused past 512 characters, readers.py; a
# logged one may be escaped six times over): skipped whole.
MAX_LINE = 64 * 1024
READ_CHUNK = 256 * 1024
ROTATION_GRACE = 5.0  # seconds the rotated file must be still before it is left
# What nginx answered when it counted the request: the beacon's 204, the pixel's GIF.
ANSWERED = {"POST": 204, "GET": 200}


@dataclass(frozen=True)
class Position:
    device: int
    inode: int
    offset: int

    def __str__(self) -> str:
        return f"{self.device}:{self.inode}:{self.offset}"

    @classmethod
    def parse(cls, text: str | None) -> Position | None:
        if not text:
            return None
        try:
            device, inode, offset = (int(part) for part in text.split(":"))
        except ValueError:
            logger.warning("Beacon log position %r unreadable: counting from the start", text)
            return None
        return cls(device, inode, offset)


@dataclass(frozen=True)
class LoggedBeacon:
    """One answered beacon as nginx logged it, as the Django view would see its request."""

    at: datetime
    article_id: int
    meta: dict[str, str]


# The logged field -> the WSGI header it stands for (what readers.classify reads).
_HEADERS = {
    "ua": "HTTP_USER_AGENT",
    "sec_purpose": "HTTP_SEC_PURPOSE",
    "purpose": "HTTP_PURPOSE",
    "x_purpose": "HTTP_X_PURPOSE",
    "x_moz": "HTTP_X_MOZ",
    "dest": "HTTP_SEC_FETCH_DEST",
    "site": "HTTP_SEC_FETCH_SITE",
}


def beacon_path() -> re.Pattern:
    """The beacon's and the pixel's paths (as nginx logs ``$uri``), the article id captured."""
    from .middleware import _beacon_prefix

    prefix = _beacon_prefix()
    return re.compile(rf"^{re.escape(prefix)}(?P<article_id>[0-9]{{1,18}})/(?P<pixel>pixel\.gif)?$")


class MalformedLine(ValueError):
    pass


def parse_line(line: bytes, path: re.Pattern) -> LoggedBeacon | None:
    """A complete log line (without its newline) as the request it logged; None for a request
    nginx did not answer as a counted beacon (a 429, a HEAD). MalformedLine if it is no line
    of ours.

    Decoded as Latin-1, byte for byte, as the app server decodes headers into ``META``: a user
    agent with bytes outside ASCII reads the same on both paths (nginx's ``escape=json``
    escapes quotes, backslashes and control characters, and writes other bytes as they are).
    """
    try:
        record = json.loads(line.decode("latin-1"))
    except ValueError as exc:
        raise MalformedLine(f"not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise MalformedLine("not a JSON object")
    try:
        method, status, uri = record["method"], record["status"], record["uri"]
        moment = float(record["time"])
        address = record["remote"]
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedLine(f"missing or bad field: {exc}") from None
    if not all(isinstance(value, str) for value in (method, uri, address)):
        raise MalformedLine("a field is not a string")
    found = path.match(uri)
    if found is None:
        raise MalformedLine(f"not a beacon's path: {uri[:100]!r}")
    if method != ("GET" if found["pixel"] else "POST") or status != ANSWERED[method]:
        return None
    try:
        at = datetime.fromtimestamp(moment, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedLine(f"bad time: {moment!r}") from None
    # The address as the app sees it behind nginx (X-Real-IP from its own proxy): client_ip
    # takes the same address whichever path the beacon took.
    meta = {"REMOTE_ADDR": address, "HTTP_X_REAL_IP": address}
    for field, header in _HEADERS.items():
        value = record.get(field, "")
        if not isinstance(value, str):
            raise MalformedLine(f"{field} is not a string")
        if value:
            meta[header] = value
    return LoggedBeacon(at=at, article_id=int(found["article_id"]), meta=meta)


@dataclass
class Batch:
    start: Position  # where the batch begins (the position last saved)
    end: Position  # where the next batch begins
    beacons: list[LoggedBeacon]
    skipped: int  # malformed lines


class LogReader:
    """Complete lines of the log from a position on, across rotations (module docstring)."""

    def __init__(self, path: str | os.PathLike, *, grace: float = ROTATION_GRACE):
        self.path = Path(path)
        self.grace = grace
        self._file = None
        self._position: Position | None = None
        self._still_since: float | None = None  # the rotated file's first read at its end
        self._beacon_path = beacon_path()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def seek(self, position: Position | None) -> None:
        """Start from a saved position (None: the log's start)."""
        self.close()
        self._still_since = None
        if position is not None:
            for candidate in self._candidates():
                try:
                    handle = open(candidate, "rb")  # noqa: SIM115 - kept open across batches
                except OSError:
                    continue
                stat = os.fstat(handle.fileno())
                if (stat.st_dev, stat.st_ino) == (position.device, position.inode):
                    if stat.st_size < position.offset:
                        logger.warning("Beacon log %s is shorter than its position", candidate)
                        position = Position(position.device, position.inode, 0)
                    self._file, self._position = handle, position
                    return
                handle.close()
            logger.warning(
                "Beacon log position %s: no such file at %s or beside it; counting %s "
                "from its start",
                position,
                self.path,
                self.path,
            )
        self._open_current()

    def _candidates(self) -> list[Path]:
        rotated = sorted(self.path.parent.glob(self.path.name + ".*"))
        return [self.path, *(path for path in rotated if not path.name.endswith(".gz"))]

    def _open_current(self) -> bool:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - kept open across batches
        except FileNotFoundError:
            self._file, self._position = None, None
            return False
        stat = os.fstat(handle.fileno())
        self._file, self._position = handle, Position(stat.st_dev, stat.st_ino, 0)
        self._still_since = None
        return True

    def read(self, max_lines: int = 5000) -> Batch | None:
        """The next batch of complete lines (parsed) from the current position, or None when
        none is ready. Does not move the position: ``advance`` does, once the batch is
        counted."""
        if self._file is None and not self._open_current():
            return None
        start = self._position
        self._file.seek(start.offset)
        data = self._file.read(READ_CHUNK)
        end_of_lines = data.rfind(b"\n") + 1
        if end_of_lines == 0:
            if len(data) >= MAX_LINE:
                # A line too long to be a beacon's: skipped up to its end, once written.
                return self._skip_long_line(start, data)
            if self._rotated():
                return Batch(start, self._next_file_position(), [], 0)
            return None
        self._still_since = None
        beacons: list[LoggedBeacon] = []
        skipped = 0
        offset = start.offset
        for line in data[:end_of_lines].split(b"\n")[:-1]:
            offset += len(line) + 1
            if len(line) > MAX_LINE:
                logger.warning("Beacon log: a line of %d bytes skipped", len(line))
                skipped += 1
            elif line.strip():
                try:
                    beacon = parse_line(line, self._beacon_path)
                except MalformedLine as exc:
                    at = offset - len(line) - 1
                    logger.warning("Beacon log: line at %d skipped (%s)", at, exc)
                    skipped += 1
                else:
                    if beacon is not None:
                        beacons.append(beacon)
            if len(beacons) >= max_lines:
                break
        return Batch(start, Position(start.device, start.inode, offset), beacons, skipped)

    def _skip_long_line(self, start: Position, data: bytes) -> Batch | None:
        offset = start.offset + len(data)
        while True:
            more = self._file.read(READ_CHUNK)
            if not more:
                return None  # still being written: its end is skipped next time
            newline = more.find(b"\n")
            if newline >= 0:
                logger.warning("Beacon log: a line of over %d bytes skipped", MAX_LINE)
                end = Position(start.device, start.inode, offset + newline + 1)
                return Batch(start, end, [], 1)
            offset += len(more)

    def _rotated(self) -> bool:
        """At the end of a file no longer at the log's path, and still for the grace time
        (nginx writes to it until it reopens its logs)."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return False  # renamed, the new one not yet made: keep reading the old
        if (stat.st_dev, stat.st_ino) == (self._position.device, self._position.inode):
            if os.fstat(self._file.fileno()).st_size < self._position.offset:
                logger.warning("Beacon log %s was truncated: counting it from its start", self.path)
                return True
            return False
        now = time.monotonic()
        if self._still_since is None:
            self._still_since = now
            return False
        return now - self._still_since >= self.grace

    def _next_file_position(self) -> Position:
        stat = os.stat(self.path)
        return Position(stat.st_dev, stat.st_ino, 0)

    def advance(self, batch: Batch) -> None:
        """The batch is counted: read on from its end."""
        if (batch.end.device, batch.end.inode) != (batch.start.device, batch.start.inode) or (
            batch.end.offset < batch.start.offset
        ):
            self.close()
            try:
                handle = open(self.path, "rb")  # noqa: SIM115 - kept open across batches
            except FileNotFoundError:
                return
            stat = os.fstat(handle.fileno())
            if (stat.st_dev, stat.st_ino) != (batch.end.device, batch.end.inode):
                handle.close()
                self.seek(batch.end)
                return
            self._file = handle
            self._still_since = None
        self._position = batch.end


@dataclass(frozen=True)
class View:
    """A countable view: the article, its hour, the reader's key for the repeat window."""

    article_id: int
    hour: int
    seen_key: str


def views_of(beacons: Iterable[LoggedBeacon]) -> list[View]:
    """The beacons a reader's browser sent (services.countable_view, the Django view's own
    check), as views to count."""
    from .services import countable_view

    views = []
    for beacon in beacons:
        seen = countable_view(beacon.meta, article_id=beacon.article_id, when=beacon.at)
        if seen is not None:
            views.append(View(beacon.article_id, hour_of(beacon.at), seen))
    return views


class StaleBatch(Exception):
    """The position saved is not where the batch starts: it was counted already (its answer
    was lost), or another process counts this log. Read again from the saved position."""


class RedisPositionStore:
    """Counts a batch into Redis with its position, in one script (module docstring)."""

    def __init__(self, counter, log: str):
        self.counter = counter  # a RedisViewCounter
        self.key = f"{counter.position_prefix}{log}"
        self._saved = ""  # the position this process last loaded or saved

    def load(self) -> Position | None:
        self._saved = self.counter.redis.get(self.key) or ""
        return Position.parse(self._saved)

    def count(self, batch: Batch, views: list[View]) -> int:
        from .live_articles import live_articles

        counted = self.counter.count_logged(
            [(view.article_id, view.hour, view.seen_key) for view in views],
            position_key=self.key,
            saved=self._saved,
            end=str(batch.end),
            seconds=_repeat_seconds(),
            is_live=live_articles.is_live,
        )
        if counted is None:
            raise StaleBatch(self._saved)
        self._saved = str(batch.end)
        return counted


class DatabasePositionStore:
    """Writes a batch's views to the database with its position, in one transaction. The
    repeat window is the process's memory counter's (``LocalViewCounter``, as the Django
    beacon's without Redis), told only once the batch is committed."""

    def __init__(self, log: str, seen=None):
        from .counters import LocalViewCounter, counter

        self.log = log
        self._saved: str | None = None  # the position this process last loaded or saved
        if seen is None:
            seen = counter if isinstance(counter, LocalViewCounter) else None
        self.seen = seen or LocalViewCounter(flush_in_background=False, interval=2.0)

    def load(self) -> Position | None:
        from .models import BeaconLogPosition

        found = BeaconLogPosition.objects.filter(log=self.log).values_list("position", flat=True)
        self._saved = next(iter(found), None)
        return Position.parse(self._saved)

    def count(self, batch: Batch, views: list[View]) -> int:
        from django.db import transaction

        from .live_articles import live_in_database_of
        from .models import BeaconLogPosition
        from .services import write_batch

        live = live_in_database_of({view.article_id for view in views})
        first: dict[str, View] = {}
        for view in views:
            if (
                view.article_id in live
                and view.seen_key not in first
                and not self.seen.seen_recently(view.seen_key)
            ):
                first[view.seen_key] = view
        counts: Counter[tuple[int, int]] = Counter(
            (view.article_id, view.hour) for view in first.values()
        )
        with transaction.atomic():
            found = (
                BeaconLogPosition.objects.select_for_update()
                .filter(log=self.log)
                .values_list("position", flat=True)
            )
            if next(iter(found), None) != self._saved:
                raise StaleBatch(self._saved)
            if counts:
                write_batch(counts)
            BeaconLogPosition.objects.update_or_create(
                log=self.log, defaults={"position": str(batch.end)}
            )
        self._saved = str(batch.end)
        # Only once committed: a batch rolled back is counted again, its readers too.
        window = _repeat_seconds()
        for key in first:
            self.seen.first_sighting(key, window)
        return len(first)


def _repeat_seconds() -> int:
    from .services import REPEAT_WINDOW

    return int(REPEAT_WINDOW.total_seconds())


def position_store(log: str):
    """Redis's when the views are counted in Redis, else the database's."""
    from django.conf import settings

    from .counters import counter

    if getattr(settings, "GAZETTE_VIEWS_REDIS_URL", ""):
        return RedisPositionStore(counter.remote, log)
    return DatabasePositionStore(log)


class BeaconLogCounter:
    """Reads, counts and saves the position, batch after batch (``count_beacon_log``)."""

    def __init__(self, path: str | os.PathLike, store=None, *, grace: float = ROTATION_GRACE):
        self.path = str(Path(path).resolve())
        self.reader = LogReader(self.path, grace=grace)
        # Every nginx host has its log at the same path: the position is the host's and the
        # path's.
        name = f"{socket.gethostname()}:{self.path}"
        self.store = store if store is not None else position_store(name)
        self._synced = False

    def sync(self) -> None:
        """Read on from the position saved (at start, and after a batch found stale)."""
        self.reader.seek(self.store.load())
        self._synced = True

    def step(self, max_lines: int = 5000) -> tuple[int, int] | None:
        """Count one batch: (lines read, views counted), or None when no line is ready. Raises
        what Redis or the database raise (nothing is saved then: the batch is read again)."""
        if not self._synced:
            self.sync()
        batch = self.reader.read(max_lines)
        if batch is None:
            return None
        try:
            counted = self.store.count(batch, views_of(batch.beacons))
        except StaleBatch:
            logger.warning("Beacon log: the saved position moved; reading on from it")
            self._synced = False
            return (0, 0)
        except BaseException:
            self._synced = False  # saved or not: the store's saved position says
            raise
        self.reader.advance(batch)
        return (len(batch.beacons), counted)

    def sync_later(self) -> None:
        """After a failure (nothing saved): the next step reads from the saved position."""
        self._synced = False

    def drain(self) -> int:
        """Count every line ready now; returns the views counted (tests, the bench)."""
        total = 0
        while (done := self.step()) is not None:
            total += done[1]
        return total

    def close(self) -> None:
        self.reader.close()

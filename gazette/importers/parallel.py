"""A source's items imported by several worker processes at once (PostgreSQL only).

The parent process reads the source (the parser streams) and hands each item over in order;
the workers, forked with the run's state (``lifecycle.publications_deferred``,
``indexing.index_updates_deferred`` and the run's lookups), import one item at a time,
each in its own transaction as a serial run does, and send back its report. The parent
reports them in the source's order, and the run's end (announcements, index updates,
purges) is done once, by the parent, from the rows the workers' items left.

What a serial run decides by seeing the items one after the other, the parent decides, in
the same order, before handing an item over:

- its section, authors and tags, found or made (``upsert.shared_rows``): unique by the
  importer's lookups, not by the database, so two workers could make each twice;
- a new article's slug in its section (unique by Wagtail's validation only) and its
  treebeard path (``compat.ChildPaths``): the worker saves the page there and raises the
  section's child count as its transaction's last statement, so that items of one section
  are not queued behind each other's lock of the section's row until their commits;
- an item whose source key is still being imported by a worker waits for it (a serial run
  would update the article the first made).

Pictures and old addresses two items share are made under a lock of their key
(``upsert._hold``). A slug or path handed to an item that fails is not handed again: the
next items are numbered as if it had been imported (treebeard allows gaps in paths).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait

from asgiref.local import Local
from django.db import connection, connections

from gazette.core import compat
from gazette.news.models import ArticlePage

from .items import FailedItem, ImportItem, ParsedEntry, SkippedItem
from .upsert import ImportOptions, ItemPlan, make_slug, shared_rows, wanted_slug

__all__ = ["MAX_JOBS", "import_in_parallel", "jobs_for"]

MAX_JOBS = 4
# Items handed to a worker and not reported yet: one being imported, one waiting, so that a
# worker never waits for the parent.
PER_WORKER = 2
# Items whose source keys are looked up together, in one query.
LOOKUP_BATCH = 32
SLUG_MAX_LENGTH = 80
# A worker that has reported nothing for this long while it holds an item is stuck (waiting
# for something that will not come): it is stopped and its items reported failed, so that
# one item cannot hold up the run, nor its end wait for ever.
ITEM_TIMEOUT = 600.0


def jobs_for(asked: int | None) -> tuple[int, str]:
    """How many worker processes a run may use, and why fewer than asked (else ""). On
    PostgreSQL the machine's cores, at most ``MAX_JOBS``, unless asked; SQLite has one
    writer at a time, so its runs are serial."""
    if connection.vendor != "postgresql":
        if asked is not None and asked > 1:
            return 1, (
                f"--jobs {asked}: {connection.vendor} takes one writer at a time, "
                "so the import runs in one process"
            )
        return 1, ""
    if asked is None:
        return max(1, min(os.cpu_count() or 1, MAX_JOBS)), ""
    return max(1, asked), ""


@dataclass
class _Worker:
    process: object
    conn: Connection
    held: dict[int, ParsedEntry] = field(default_factory=dict)  # sequence number: item
    sent: set = field(default_factory=set)  # lookups' entries it has, by (store, key)
    heard_at: float = field(default_factory=time.monotonic)  # its last report, or first item

    def overdue(self, now: float) -> bool:
        return bool(self.held) and now - self.heard_at > ITEM_TIMEOUT


class _SectionPlans:
    """Each section's slugs taken and next child path, read once per run."""

    def __init__(self):
        self._slugs: dict[int, set[str]] = {}
        self._paths: dict[int, compat.ChildPaths] = {}

    def plan(self, section, item: ImportItem) -> ItemPlan:
        if section.pk not in self._slugs:
            self._slugs[section.pk] = set(section.get_children().values_list("slug", flat=True))
            self._paths[section.pk] = compat.ChildPaths(section)
        taken = self._slugs[section.pk]
        # upsert.unique_child_slug's numbering, against the slugs known and handed out.
        base = make_slug(wanted_slug(item)) or "story"
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base[: SLUG_MAX_LENGTH - 6]}-{number}"
        taken.add(slug)
        return ItemPlan(section_id=section.pk, slug=slug, path=self._paths[section.pk].next())


def import_in_parallel(
    entries: Iterable[ParsedEntry], *, source: str, options: ImportOptions, jobs: int, apply
) -> Iterator:
    """The reports of ``entries``' items, in their order, each imported by ``apply(entry,
    source=, options=)`` in one of ``jobs`` worker processes. Called inside the run's
    deferral blocks, outside any transaction."""
    if connection.in_atomic_block:
        raise RuntimeError("a parallel import starts outside any transaction")
    _close_connections()  # each process opens its own connections; none is shared
    context = get_context("fork")
    workers: list[_Worker] = []
    for _ in range(jobs):
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, source, options, apply), daemon=True)
        process.start()
        theirs.close()
        workers.append(_Worker(process, ours))
    run = _Run(workers, options, source)
    try:
        yield from run.dispatch(entries, source=source)
    finally:
        run.stop()


class _Run:
    def __init__(self, workers: list[_Worker], options: ImportOptions, source: str):
        self.source = source
        self.workers = workers
        self.options = options
        self.plans = _SectionPlans()
        self.done: dict[int, object] = {}  # reports not yet given, by sequence number
        self.next_to_give = 0
        self.in_flight_keys: dict[str, int] = {}  # source key: sequence number

    def dispatch(self, entries: Iterable[ParsedEntry], *, source: str) -> Iterator:
        from .run import ItemReport

        sequence = 0
        for batch in _batches(entries, LOOKUP_BATCH):
            keys = [entry.source_key for entry in batch if isinstance(entry, ImportItem)]
            existing = set(
                ArticlePage.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
            )
            handed: set[str] = set()
            for entry in batch:
                if isinstance(entry, SkippedItem | FailedItem):
                    status = "skipped" if isinstance(entry, SkippedItem) else "failed"
                    self.done[sequence] = ItemReport(
                        source, entry.position, entry.source_key, status, entry.reason
                    )
                else:
                    # An earlier item of the batch with this key may have made its article.
                    known = existing if entry.source_key not in handed else None
                    yield from self._hand_over(sequence, entry, known, source=source)
                    handed.add(entry.source_key)
                sequence += 1
                yield from self._given()
        while any(worker.held for worker in self.workers):
            self._receive()
            yield from self._given()
        yield from self._given()

    def _hand_over(self, sequence: int, item: ImportItem, existing: set[str] | None, *, source):
        """``existing``: the batch's source keys that have an article, or None (ask)."""
        from .run import ItemReport

        key = item.source_key
        while key in self.in_flight_keys:  # the same key earlier in the source: wait for it
            existing = None  # and ask again once it is done
            self._receive()
            yield from self._given()
        if existing is None:
            existing_now = ArticlePage.objects.filter(source_key=key).exists()
        else:
            existing_now = key in existing
        try:
            section, entries = shared_rows(item, self.options)
            plan = None if existing_now else self.plans.plan(section, item)
        except Exception as exc:  # the item's section, authors or tags: reported as its failure
            reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
            self.done[sequence] = ItemReport(
                source, item.position, key, "failed", reason, headline=item.headline
            )
            return
        worker = self._free_worker()
        if worker is None:
            self.done[sequence] = ItemReport(
                source, item.position, key, "failed", "no worker process is left: not imported",
                headline=item.headline,
            )  # fmt: skip
            return
        missing = {
            (store, name): value
            for store, values in entries.items()
            for name, value in values.items()
            if (store, name) not in worker.sent
        }
        if not worker.held:
            worker.heard_at = time.monotonic()
        worker.conn.send((sequence, item, plan, missing))
        worker.sent.update(missing)
        worker.held[sequence] = item
        self.in_flight_keys[key] = sequence

    def _free_worker(self) -> _Worker | None:
        while True:
            alive = [worker for worker in self.workers if worker.process.is_alive() or worker.held]
            if not alive:
                return None
            free = [
                worker
                for worker in alive
                if len(worker.held) < PER_WORKER and worker.process.is_alive()
            ]
            if free:
                return min(free, key=lambda worker: len(worker.held))
            self._receive()

    def _receive(self) -> None:
        """Wait for a report from any worker, a worker's death, or a worker to be overdue."""
        by_conn = {worker.conn: worker for worker in self.workers if worker.held}
        by_sentinel = {worker.process.sentinel: worker for worker in self.workers if worker.held}
        if not by_conn:
            return
        first_due = min(worker.heard_at for worker in by_conn.values()) + ITEM_TIMEOUT
        ready_ones = wait([*by_conn, *by_sentinel], timeout=max(0.0, first_due - time.monotonic()))
        now = time.monotonic()
        for worker in [worker for worker in by_conn.values() if worker.overdue(now)]:
            if not worker.conn.poll():
                worker.process.kill()
                self._lost(worker, f"no answer from its worker process in {ITEM_TIMEOUT:.0f} s")
        for ready in ready_ones:
            worker = by_conn.get(ready)
            if worker is not None:
                try:
                    sequence, report = worker.conn.recv()
                except (EOFError, OSError):
                    self._lost(worker)
                    continue
                self._finished(worker, sequence, report)
            elif (worker := by_sentinel[ready]).held and not worker.conn.poll():
                self._lost(worker)

    def _finished(self, worker: _Worker, sequence: int, report) -> None:
        worker.heard_at = time.monotonic()
        item = worker.held.pop(sequence)
        if self.in_flight_keys.get(item.source_key) == sequence:
            del self.in_flight_keys[item.source_key]
        self.done[sequence] = report

    def _lost(self, worker: _Worker, why: str = "") -> None:
        """A worker died, or was stopped (``why``): what it held is reported failed (its last
        item may have been imported before it died: a rerun finds it)."""
        from .run import ItemReport

        worker.process.join(timeout=5)
        why = why or f"the worker process died (exit code {worker.process.exitcode})"
        for sequence, item in sorted(worker.held.items()):
            self.done[sequence] = ItemReport(
                self.source, item.position, item.source_key, "failed",
                f"{why}: run the import again", headline=item.headline,
            )  # fmt: skip
            if self.in_flight_keys.get(item.source_key) == sequence:
                del self.in_flight_keys[item.source_key]
        worker.held.clear()
        self.workers.remove(worker)

    def _given(self) -> Iterator:
        while self.next_to_give in self.done:
            report = self.done.pop(self.next_to_give)
            self.next_to_give += 1
            yield report

    def stop(self) -> None:
        """Each worker finishes what it holds, then exits; the run's end waits for their
        commits (after Ctrl-C too: the workers ignore it, the parent stops handing over)."""
        for worker in self.workers:
            with contextlib.suppress(OSError):  # a worker that died
                worker.conn.send(None)
        for worker in self.workers:
            worker.process.join(ITEM_TIMEOUT)
            if worker.process.is_alive():  # stuck: the run's end does not wait for it
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


# What a worker inherited of the parent's connections: kept, never used nor closed here.
_INHERITED: list = []


def _forget_inherited_connections() -> None:
    """In a forked worker, before its first query: leave alone every connection and pool the
    parent had at the fork. The parent closed its own, but another of its threads may hold
    one (closing psycopg's pool leaves a lent connection open), and a socket two processes
    read from gives each the other's answers: the worker then waits for ever. Closing them
    here would end the parent's sessions, so they are kept, unused, until this process
    exits (multiprocessing ends it with os._exit: no finalizer runs)."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    _INHERITED.append(connections._connections)
    connections._connections = Local(connections.thread_critical)
    _INHERITED.append(dict(DatabaseWrapper._connection_pools))
    DatabaseWrapper._connection_pools.clear()


def _close_connections() -> None:
    """Close this process's connections, and its connection pools (psycopg's pool keeps
    connections open and has threads, which a forked child would share or lack): each
    process makes its own pool when it first asks for a connection."""
    connections.close_all()
    for alias in connections:
        close_pool = getattr(connections[alias], "close_pool", None)
        if close_pool is not None:
            close_pool()


def _batches(entries: Iterable, size: int) -> Iterator[list]:
    batch = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _work(conn: Connection, source: str, options: ImportOptions, apply) -> None:
    """A worker: items in, reports out, until told to stop (or the parent is gone)."""
    # Ctrl-C reaches every process of the terminal's group: the parent alone decides to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _forget_inherited_connections()
    lookups = options.lookups
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if message is None:
                break
            sequence, item, plan, missing = message
            for (store, key), value in missing.items():
                if store == "home":
                    lookups.home = value
                else:
                    getattr(lookups, store)[key] = value
            item_options = replace(options, concurrent=True, plan=plan)
            report = apply(item, source=source, options=item_options)
            conn.send((sequence, report))
    finally:
        _close_connections()
        conn.close()

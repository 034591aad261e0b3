"""A bulk run's search and reference index updates, done at its end.

Each item of an import saves its article and pictures; ``compat.index_updates_batched``
already indexes each object once per item, with a task per index and object (about five task
rows a post). Inside ``index_updates_deferred`` (an import run) an item writes one
``PendingIndexUpdate`` row per object instead, in its own transaction: kept with the item,
gone with it if it fails. When the run ends the rows become one task per ``CHUNK`` objects,
which does what the frameworks' own tasks do. A run that dies leaves its rows: the next run
starts by queueing them, and the periodic job queues those older than ``STALE_AFTER``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import PendingIndexUpdate

CHUNK = 500
# A run's rows older than this belong to a run that died, or one going for that long.
STALE_AFTER = timedelta(minutes=30)

_deferring: ContextVar[bool] = ContextVar("gazette_index_updates_deferred", default=False)


@contextmanager
def index_updates_deferred() -> Iterator[None]:
    """A bulk run: its items' index updates are noted, and queued together when it ends
    (however it ends), with what an earlier run left."""
    token = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(token)
        queue_pending_index_updates()


def deferred_target() -> Callable[[list[tuple]], None] | None:
    """What ``compat.index_updates_batched`` hands an item's updates to: inside a bulk run,
    ``note``; else None (queued at once, as the frameworks do)."""
    return note if _deferring.get() else None


def note(updates: list[tuple]) -> None:
    """In the item's transaction: one row per object saved (a rerun's object again: once)."""
    PendingIndexUpdate.objects.bulk_create(
        [
            PendingIndexUpdate(
                app_label=app_label,
                model_name=model_name,
                object_id=pk,
                references=references,
                search=search,
            )
            for app_label, model_name, pk, references, search in updates
        ],
        ignore_conflicts=True,
    )


def queue_pending_index_updates(*, noted_before=None) -> int:
    """Queue the noted updates (those noted before ``noted_before``, if given), one task per
    ``CHUNK``, and forget them; returns how many. A row goes in the transaction that queues
    its task: with the database task backend, both or neither are written."""
    rows = PendingIndexUpdate.objects.order_by("pk")
    if noted_before is not None:
        rows = rows.filter(noted_at__lt=noted_before)
    fields = ("pk", "app_label", "model_name", "object_id", "references", "search")
    queued, last_pk = 0, 0
    while chunk := list(rows.filter(pk__gt=last_pk).values_list(*fields)[:CHUNK]):
        from .tasks import run_index_updates

        last_pk = chunk[-1][0]
        with transaction.atomic():
            run_index_updates.enqueue([list(row[1:]) for row in chunk])
            PendingIndexUpdate.objects.filter(pk__in=[row[0] for row in chunk]).delete()
        queued += len(chunk)
    return queued


def queue_stale_index_updates() -> None:
    """The periodic job: updates noted by a run that did not finish are queued."""
    if PendingIndexUpdate.objects.filter(noted_at__lt=timezone.now() - STALE_AFTER).exists():
        queue_pending_index_updates(noted_before=timezone.now() - STALE_AFTER)

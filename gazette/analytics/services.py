"""Counting views: decide whether a beacon is a countable view, buffer it, flush batches.

answer = record_beacon(article_id=article_id, meta=request.META)   # the beacon: check, count, read
flushed = flush_views()          # the worker, or the in-process flusher thread
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gazette.core.generational import GenerationalCache
from gazette.core.shared_parts import SHARED_PARTS_SECONDS

from .counters import Batch, counter, hour_of, hour_start
from .live_articles import live_articles
from .models import AppliedBatch, HourlyViews, TotalViews
from .readers import Verdict, classify, reader_key

REPEAT_WINDOW = timedelta(minutes=30)
# Applied batch ids are kept long enough to recognise a retried flush, then pruned.
APPLIED_BATCH_MEMORY = timedelta(days=2)
# Rows per INSERT statement: well under SQLite's limit on bound parameters.
UPSERT_CHUNK = 500

logger = logging.getLogger(__name__)

# The stored totals the article page shows, kept per article until the next flush that wrote
# views (``write_batch``, the only writer of TotalViews): a query per render was the heaviest
# part of the view count. On the local memory cache, which a flush in another process cannot
# reach, they also expire.
STORED_VIEWS = GenerationalCache("analytics:stored-views", timeout=SHARED_PARTS_SECONDS)


@dataclass(frozen=True)
class BeaconAnswer:
    verdict: Verdict  # READER when this beacon counted a view
    views: int  # the article's views so far: stored and pending


def record_beacon(
    *, article_id: int, meta: Mapping[str, str], now: datetime | None = None
) -> BeaconAnswer | None:
    """The view beacon: count the view if it is a reader's and answer the article's views so
    far; None, counting nothing, when no live article has this id.

    Writes nothing to the database: the view goes to the counter's buffer. The same reader
    (salted hash of address and user agent) is counted once per article per ``REPEAT_WINDOW``,
    remembered by the counter with an atomic add (in Redis, or this process's memory).

    In the steady state this makes no query and one Redis round trip (or none, without
    Redis): the live check reads this process's set of live ids (live_articles.py) and the
    stored total is mirrored by the counter. A total not mirrored yet costs one query.
    """
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise ValueError(f"article_id must be an integer, not {article_id!r}")
    verdict = classify(meta)
    now = now or timezone.now()
    seen = reader_key(meta, article_id=article_id, day=now.date()) if verdict.countable else None
    return _tally(article_id=article_id, verdict=verdict, seen=seen, now=now)


def countable_view(meta: Mapping[str, str], *, article_id: int, when: datetime) -> str | None:
    """The reader's key for the repeat window when this request is a reader's view to count,
    else None: ``record_beacon``'s verdict, for a beacon nginx logged (beacon_log.py)."""
    if not classify(meta).countable:
        return None
    return reader_key(meta, article_id=article_id, day=when.date())


def _tally(
    *, article_id: int, verdict: Verdict, seen: str | None, now: datetime | None
) -> BeaconAnswer | None:
    now = now or timezone.now()
    tally = counter.tally(
        article_id=article_id,
        hour=hour_of(now),
        seen_key=seen,
        seconds=int(REPEAT_WINDOW.total_seconds()),
        is_live=live_articles.is_live,
    )
    if tally is None:
        return None
    stored = tally.stored
    if stored is None:
        try:
            stored = stored_total_of(article_id)
        except DatabaseError:
            # The view is counted already; an outage of the database (past the mirror's
            # expiry, however long) must not turn it into an error. The total this process
            # last saw stands in; an article it never saw shows its pending views alone.
            stored = _last_stored.get(article_id, 0)
        else:
            counter.remember_stored(article_id, stored, tally.generation)
    _remember_locally(article_id, stored)
    if verdict.countable and not tally.counted:
        verdict = Verdict.REPEAT
    return BeaconAnswer(verdict=verdict, views=stored + tally.pending)


def article_views(article_id: int) -> int | None:
    """The article's views so far (stored and pending), counting nothing; None when no live
    article has this id. What the count endpoint answers: the beacon's own round trip, asked
    not to count."""
    answer = _tally(article_id=article_id, verdict=Verdict.NOT_A_BEACON, seen=None, now=None)
    return None if answer is None else answer.views


# The stored totals this process last saw, by article: the stand-in while the database cannot be
# read. Bounded: a process serves the live articles, far fewer than this.
_last_stored: dict[int, int] = {}
LAST_STORED_LIMIT = 50_000


def _remember_locally(article_id: int, stored: int) -> None:
    if article_id not in _last_stored and len(_last_stored) >= LAST_STORED_LIMIT:
        _last_stored.clear()
    _last_stored[article_id] = stored


def stored_total_of(article_id: int) -> int:
    """The article's stored total (0 before its first flush). One query."""
    found = TotalViews.objects.filter(article_id=article_id).values_list("views", flat=True)
    return next(iter(found[:1]), 0)


def flush_views() -> int:
    """Write the views waiting in the buffer to the database in one batch; returns how many."""
    return counter.flush(write_batch)


def write_batch(batch: Batch, batch_id: str | None = None) -> int:
    """Add a batch of views to the hourly buckets and totals: one upsert each, one transaction.

    Views of articles deleted meanwhile are dropped. With a ``batch_id`` (Redis flushes), a
    batch already applied is not applied again. Returns the number of views written.
    """
    from gazette.news.models import ArticlePage

    with transaction.atomic():
        if batch_id is not None and AppliedBatch.objects.filter(batch=batch_id).exists():
            return 0
        article_ids = {article_id for article_id, _ in batch}
        existing = set(ArticlePage.objects.filter(pk__in=article_ids).values_list("pk", flat=True))
        hourly = [
            (article_id, hour_start(hour), views)
            for (article_id, hour), views in sorted(batch.items())
            if article_id in existing and views > 0
        ]
        totals: dict[int, int] = defaultdict(int)
        for article_id, _, views in hourly:
            totals[article_id] += views
        _upsert_adding(HourlyViews, ("article_id", "hour"), hourly)
        _upsert_adding(TotalViews, ("article_id",), sorted(totals.items()))
        written = sum(totals.values())
        if batch_id is not None:
            now = timezone.now()
            AppliedBatch.objects.create(batch=batch_id, views=written, applied_at=now)
            AppliedBatch.objects.filter(applied_at__lt=now - APPLIED_BATCH_MEMORY).delete()
    if written:
        forget_stored_totals()
    return written


def forget_stored_totals() -> None:
    """The stored totals changed: the pages' kept ones are not used again. After the commit
    (an entry carries the generation read before its query, so one built meanwhile is never
    used; inside an outer transaction, now and again when it commits), and never failing the
    flush: its views are in the database already, and a flush reported failed would be
    written again."""

    def retire() -> None:
        try:
            STORED_VIEWS.retire_now()
        except Exception:  # the cache unreachable: the entries expire on their own
            logger.warning("Could not forget the kept view totals", exc_info=True)

    retire()
    if connection.in_atomic_block:
        transaction.on_commit(retire, robust=True)


def _upsert_adding(model, key_columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT rows of (*key, views); where the key exists, add to its views instead.

    One statement per chunk, the same SQL on SQLite (3.24+) and PostgreSQL.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_columns, "views"]
    fields = [model._meta.get_field(column.removesuffix("_id")) for column in key_columns]
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    views = quote("views")
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        params = []
        for row in chunk:
            for field, value in zip(fields, row[:-1], strict=True):
                params.append(field.get_db_prep_value(value, connection))
            params.append(row[-1])
        # Only quoted names of our own tables and columns are formatted in; values are bound.
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([row_sql] * len(chunk))} "
            f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) "
            f"DO UPDATE SET {views} = {table}.{views} + EXCLUDED.{views}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def shown_views(article_id: int, request=None) -> int:
    """The article's views so far as its page shows them: the stored total, kept until the
    next flush (``STORED_VIEWS``, no query on a warm cache), plus the views not yet flushed."""
    stored = STORED_VIEWS.get(str(article_id), lambda: stored_total_of(article_id), request=request)
    read = getattr(request, _PENDING_READ, None)
    if read is not None and article_id in read:
        return stored + counter.pending([article_id], read=read).get(article_id, 0)
    return stored + counter.pending([article_id]).get(article_id, 0)


_PENDING_READ = "_gazette_pending_views_read"


def pending_views_read(request, article_id: int):
    """The article's views not yet flushed, as a read for the page's cache round trip
    (``generational.RedisRead``, kept on the request for ``shown_views``): Redis's pending
    hashes were a round trip of their own on every uncached article page. None when the
    counter is not Redis's (or not tried just now)."""
    pending_read = getattr(counter, "pending_read", None)
    if request is None or pending_read is None:
        return None
    return pending_read([article_id], lambda found: setattr(request, _PENDING_READ, found))


def views_of(article_ids: Iterable[int]) -> dict[int, int]:
    """What readers have seen so far: stored totals plus views not yet flushed. One query."""
    ids = list(article_ids)
    totals = dict(TotalViews.objects.filter(article_id__in=ids).values_list("article_id", "views"))
    pending = counter.pending(ids)
    return {
        article_id: totals.get(article_id, 0) + pending.get(article_id, 0) for article_id in ids
    }

"""Counting a view, buffering it and flushing batches into hourly buckets and totals. Views are
counted as the beacon counts them (``record_beacon``). These run against whichever counter the
environment picks: in-process on SQLite, Redis with REDIS_URL."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gazette.analytics.counters import counter, hour_of
from gazette.analytics.live_articles import live_articles
from gazette.analytics.models import AppliedBatch, HourlyViews, TotalViews
from gazette.analytics.readers import Verdict, reader_key
from gazette.analytics.services import flush_views, record_beacon, views_of, write_batch
from tests.factories import ArticleFactory, SectionFactory

from .common import BOTS, PREFETCHES, reader

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def articles(home):
    section = SectionFactory(parent=home)
    return [ArticleFactory(parent=section) for _ in range(3)]


def _stored(article) -> tuple[int, dict]:
    total = TotalViews.objects.filter(article=article).values_list("views", flat=True).first()
    hourly = dict(HourlyViews.objects.filter(article=article).values_list("hour", "views"))
    return total or 0, hourly


def _verdict(article_id, meta) -> Verdict:
    answer = record_beacon(article_id=article_id, meta=meta)
    assert answer is not None, "the article is live: the beacon answers"
    return answer.verdict


def test_a_reader_is_counted_once_per_article_per_30_minutes(articles):
    first, second, _ = articles
    with time_machine.travel(NOON, tick=False) as clock:
        assert _verdict(first.pk, reader(1)) is Verdict.READER
        assert _verdict(first.pk, reader(1)) is Verdict.REPEAT
        assert _verdict(second.pk, reader(1)) is Verdict.READER
        assert _verdict(first.pk, reader(2)) is Verdict.READER
        assert views_of([first.pk, second.pk]) == {first.pk: 2, second.pk: 1}

        if settings.GAZETTE_VIEWS_REDIS_URL:
            # Redis expires keys on its own clock: check the expiry it was given.
            seen = reader_key(reader(1), article_id=first.pk, day=NOON.date())
            ttl = counter.remote.redis.ttl(counter.remote.seen_prefix + seen)
            assert 1790 <= ttl <= 1800
        else:
            clock.shift(timedelta(minutes=29, seconds=59))
            assert _verdict(first.pk, reader(1)) is Verdict.REPEAT
            clock.shift(timedelta(seconds=2))
            assert _verdict(first.pk, reader(1)) is Verdict.READER
            assert views_of([first.pk]) == {first.pk: 3}


def test_the_reader_key_changes_at_midnight_utc(articles):
    article = articles[0]
    with time_machine.travel(NOON.replace(hour=23, minute=59), tick=False) as clock:
        assert _verdict(article.pk, reader(1)) is Verdict.READER
        clock.shift(timedelta(minutes=2))
        # A new day's salt: yesterday's reader cannot be recognised, so they count again.
        assert _verdict(article.pk, reader(1)) is Verdict.READER


def test_bots_and_prefetches_are_not_counted(articles):
    article = articles[0]
    for number, user_agent in enumerate(BOTS):
        assert _verdict(article.pk, reader(number, user_agent)) is Verdict.BOT
    for number, headers in enumerate(PREFETCHES):
        assert _verdict(article.pk, reader(100 + number, **headers)) is Verdict.PREFETCH
    assert views_of([article.pk]) == {article.pk: 0}
    assert flush_views() == 0


def test_counting_writes_nothing_to_the_database(articles, monkeypatch):
    # Reload the live ids at once, however recently the previous test loaded them.
    monkeypatch.setattr(live_articles, "MIN_RELOAD_INTERVAL", 0)
    with CaptureQueriesContext(connection) as queries:
        # The first beacon reads the live ids and the article's stored total...
        assert _verdict(articles[0].pk, reader(1)) is Verdict.READER
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    with CaptureQueriesContext(connection) as queries:
        # ...and counting makes no query at all.
        assert _verdict(articles[0].pk, reader(2)) is Verdict.READER
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert views_of([articles[0].pk]) == {articles[0].pk: 2}


def test_bad_article_ids_are_refused(articles):
    for bad in ("12", None, True):
        with pytest.raises(ValueError, match="must be an integer"):
            record_beacon(article_id=bad, meta=reader(1))
    for bad in (0, -1, 2**63):  # no article has it: nothing counted, the view answers 404
        assert record_beacon(article_id=bad, meta=reader(1)) is None
    assert flush_views() == 0


def test_flush_writes_hourly_buckets_and_totals_and_empties_the_buffer(articles):
    first, second, _ = articles
    with time_machine.travel(NOON + timedelta(minutes=59), tick=False) as clock:
        for number in range(3):
            record_beacon(article_id=first.pk, meta=reader(number))
        clock.shift(timedelta(minutes=2))  # 13:01, the next hour
        record_beacon(article_id=first.pk, meta=reader(10))
        record_beacon(article_id=second.pk, meta=reader(10))
        assert views_of([first.pk]) == {first.pk: 4}  # shown before any flush

        assert flush_views() == 5
    assert counter.pending([first.pk, second.pk]) == {first.pk: 0, second.pk: 0}
    assert _stored(first) == (4, {NOON: 3, NOON + timedelta(hours=1): 1})
    assert _stored(second) == (1, {NOON + timedelta(hours=1): 1})
    assert views_of([first.pk, second.pk]) == {first.pk: 4, second.pk: 1}
    assert flush_views() == 0


def test_later_flushes_add_to_the_stored_rows(articles):
    article = articles[0]
    with time_machine.travel(NOON, tick=False):
        record_beacon(article_id=article.pk, meta=reader(1))
        flush_views()
        record_beacon(article_id=article.pk, meta=reader(2))
        record_beacon(article_id=article.pk, meta=reader(3))
        assert views_of([article.pk]) == {article.pk: 3}
        flush_views()
    assert _stored(article) == (3, {NOON: 3})
    assert HourlyViews.objects.count() == 1


def test_one_flush_is_one_upsert_per_table_whatever_the_number_of_views(articles):
    with time_machine.travel(NOON, tick=False):
        for number in range(200):
            record_beacon(article_id=articles[number % 3].pk, meta=reader(number))
        with CaptureQueriesContext(connection) as queries:
            assert flush_views() == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    upserts = [sql for sql in writes if "ON CONFLICT" in sql]
    assert len(upserts) == 2, writes
    assert updates == []
    assert sum(views for views in TotalViews.objects.values_list("views", flat=True)) == 200


def test_views_of_deleted_articles_are_dropped(articles):
    kept, deleted, _ = articles
    record_beacon(article_id=kept.pk, meta=reader(1))
    record_beacon(article_id=deleted.pk, meta=reader(1))
    deleted_pk = deleted.pk
    deleted.delete()
    assert flush_views() == 2  # both left the buffer
    assert TotalViews.objects.get().article_id == kept.pk
    assert not HourlyViews.objects.filter(article_id=deleted_pk).exists()


def test_a_batch_applied_before_is_not_applied_again(articles):
    article = articles[0]
    batch = {(article.pk, hour_of(NOON)): 5}
    with time_machine.travel(NOON, tick=False):
        assert write_batch(batch, "batch-1") == 5
        assert write_batch(batch, "batch-1") == 0
        assert write_batch(batch, "batch-2") == 5
    assert _stored(article) == (10, {NOON: 10})
    assert AppliedBatch.objects.count() == 2


def test_applied_batch_ids_are_forgotten_after_two_days(articles):
    batch = {(articles[0].pk, hour_of(NOON)): 1}
    with time_machine.travel(NOON, tick=False) as clock:
        write_batch(batch, "old")
        clock.shift(timedelta(days=2, seconds=1))
        write_batch(batch, "new")
    assert list(AppliedBatch.objects.values_list("batch", flat=True)) == ["new"]


def test_a_failed_flush_keeps_the_views_for_the_next_one(articles, monkeypatch):
    article = articles[0]
    record_beacon(article_id=article.pk, meta=reader(1))
    record_beacon(article_id=article.pk, meta=reader(2))

    def broken(batch, batch_id=None):
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        counter.flush(broken)
    assert views_of([article.pk]) == {article.pk: 2}
    record_beacon(article_id=article.pk, meta=reader(3))
    assert flush_views() == 3
    assert _stored(article)[0] == 3
    assert views_of([article.pk]) == {article.pk: 3}

"""The two buffers views wait in: this process's memory (embedded SQLite default) and Redis."""

import os
import threading
import time
import uuid
from datetime import datetime, timezone
from importlib.resources import files

import pytest
import time_machine
from django.conf import settings
from redis.commands.core import Script

from deploy.local_services import free_port
from gazette.analytics.counters import (
    LocalViewCounter,
    RedisViewCounter,
    ResilientViewCounter,
    counter,
)
from gazette.analytics.models import TotalViews
from gazette.analytics.services import record_beacon, write_batch

from .common import reader

HOUR = 1_772_452_800  # 2026-03-02 12:00 UTC


def count(buffer, article_id: int, seen_key: str | None = None):
    """One reader's view of a live article, as the beacon hands it to the counter (``tally``):
    a new reader each time unless ``seen_key`` names one."""
    return buffer.tally(
        article_id=article_id,
        hour=HOUR,
        seen_key=seen_key or uuid.uuid4().hex,
        seconds=1800,
        is_live=lambda *_: True,
    )


class Recorder:
    """An apply function that remembers the batches it was given."""

    def __init__(self):
        self.batches = []
        self.lock = threading.Lock()

    def __call__(self, batch, batch_id=None):
        with self.lock:
            self.batches.append(dict(batch))

    @property
    def views(self) -> int:
        return sum(sum(batch.values()) for batch in self.batches)


def test_local_counter_keeps_per_article_pending_counts_until_flushed():
    local = LocalViewCounter(flush_in_background=False, interval=60)
    local.add(1, HOUR)
    local.add(1, HOUR)
    local.add(1, HOUR + 3600)
    local.add(2, HOUR)
    assert local.pending([1, 2, 3]) == {1: 3, 2: 1, 3: 0}
    recorder = Recorder()
    assert local.flush(recorder) == 4
    assert recorder.batches == [{(1, HOUR): 2, (1, HOUR + 3600): 1, (2, HOUR): 1}]
    assert local.pending([1, 2]) == {1: 0, 2: 0}
    assert local.flush(recorder) == 0


def test_local_counter_loses_nothing_to_concurrent_threads():
    local = LocalViewCounter(flush_in_background=False, interval=60)
    recorder = Recorder()
    done = threading.Event()

    def reader_thread(article_id):
        for number in range(2000):
            local.add(article_id, HOUR)
            if number % 50 == 0:
                time.sleep(0)  # let the flusher in between

    def flusher():
        while not done.is_set():
            local.flush(recorder)

    threads = [threading.Thread(target=reader_thread, args=(n % 3,)) for n in range(6)]
    flushing = threading.Thread(target=flusher)
    flushing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    flushing.join()
    local.flush(recorder)
    assert recorder.views == 12_000
    assert len(recorder.batches) > 1  # flushes really ran while views came in


def test_local_counter_shows_views_while_they_are_being_written():
    local = LocalViewCounter(flush_in_background=False, interval=60)
    local.add(1, HOUR)
    seen_during_write = []
    local.flush(lambda batch, batch_id: seen_during_write.append(local.pending([1])))
    assert seen_during_write == [{1: 1}]


def test_local_counter_remembers_readers_for_the_window_and_forgets_them_after():
    local = LocalViewCounter(flush_in_background=False, interval=60)
    with time_machine.travel(1_772_452_800, tick=False) as clock:
        assert local.first_sighting("reader-a", 1800) is True
        assert local.first_sighting("reader-a", 1800) is False
        assert local.first_sighting("reader-b", 1800) is True
        clock.shift(1800)
        assert local.first_sighting("reader-a", 1800) is True


def test_local_counter_memory_of_readers_stays_bounded(monkeypatch):
    monkeypatch.setattr(LocalViewCounter, "SEEN_PURGE_FROM", 100)
    monkeypatch.setattr(LocalViewCounter, "MAX_SEEN", 250)
    local = LocalViewCounter(flush_in_background=False, interval=60)
    with time_machine.travel(1_772_452_800, tick=False) as clock:
        for number in range(150):
            local.first_sighting(f"early-{number}", 60)
        clock.shift(61)  # the early readers are forgotten at the next purge
        for number in range(1000):
            assert local.first_sighting(f"late-{number}", 1800) is True
        assert len(local._seen) <= 2 * 250
        assert not any(key.startswith("early-") for key in local._seen)
        assert local.first_sighting("late-999", 1800) is False  # the newest are kept


def test_background_thread_flushes_every_interval_and_exit_flushes_the_rest():
    recorder = Recorder()
    local = LocalViewCounter(flush_in_background=True, interval=0.05, apply=recorder)
    local.add(1, HOUR)
    deadline = time.monotonic() + 5
    while not recorder.batches and time.monotonic() < deadline:
        time.sleep(0.01)
    assert recorder.batches == [{(1, HOUR): 1}]

    local.interval = 3600  # the thread now sleeps: only the exit flush can write these
    local._stop.set()
    local._flusher.join(timeout=5)
    local.add(2, HOUR)
    local.add(2, HOUR)
    local._flush_at_exit()
    assert recorder.batches[-1] == {(2, HOUR): 2}
    assert recorder.views == 3


def test_a_forked_child_starts_with_an_empty_buffer():
    local = LocalViewCounter(flush_in_background=False, interval=60)
    local.add(1, HOUR)
    child = os.fork()
    if child == 0:  # the child: its parent's views are not its own to flush
        os._exit(0 if local.pending([1]) == {1: 0} else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert local.pending([1]) == {1: 1}


needs_redis = pytest.mark.skipif(
    not settings.GAZETTE_VIEWS_REDIS_URL, reason="Redis counter: runs where REDIS_URL is set"
)


def test_the_redis_counter_runs_the_lua_files_shipped_in_the_package():
    # Connects at its first command only: no Redis needed to see what it registered.
    redis_counter = RedisViewCounter(f"redis://127.0.0.1:{free_port()}/0")
    loaded = [s.script for s in vars(redis_counter).values() if isinstance(s, Script)]
    shipped = files("gazette.analytics.counters").joinpath("lua").iterdir()
    scripts = [path.read_text(encoding="utf-8") for path in shipped if path.name.endswith(".lua")]
    assert len(scripts) == 6 and sorted(loaded) == sorted(scripts)  # each one, nothing else


def test_the_counter_is_redis_with_redis_url_and_in_process_without():
    counter.pending([1])  # evaluates the lazy object
    expected = ResilientViewCounter if settings.GAZETTE_VIEWS_REDIS_URL else LocalViewCounter
    assert isinstance(counter._wrapped, expected)


def test_views_wait_in_memory_while_redis_is_unreachable_and_lose_nothing():
    # Nothing listens on this port: every Redis call fails at once, as when Redis is stopped.
    unreachable = RedisViewCounter(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    local = LocalViewCounter(flush_in_background=False, interval=60)
    resilient = ResilientViewCounter(unreachable, local)
    started = time.monotonic()
    assert count(resilient, 7, "reader-1").counted is True
    assert count(resilient, 7, "reader-1").counted is False  # remembered in memory
    for _ in range(2):
        count(resilient, 7)
    assert time.monotonic() - started < 5  # no retry storm: each failure is immediate
    assert resilient.pending([7]) == {7: 3}
    assert local.pending([7]) == {7: 3}
    recorder = Recorder()
    resilient.RETRY_AFTER = 0  # try Redis again at once: the flush of its batch fails
    with pytest.raises(Exception, match=r"(?i)connect"):
        resilient.flush(recorder)
    # ...after the memory buffer was written: those views are in the database already.
    assert recorder.batches == [{(7, HOUR): 3}]
    assert resilient.pending([7]) == {7: 0}


@needs_redis
def test_views_go_back_to_redis_once_it_answers_again():
    remote = RedisViewCounter(settings.GAZETTE_VIEWS_REDIS_URL, prefix="test:views:back")
    remote.reset()
    local = LocalViewCounter(flush_in_background=False, interval=60)
    resilient = ResilientViewCounter(remote, local)
    resilient._skip_until = time.monotonic() + 60  # as if Redis had just failed
    count(resilient, 3)
    resilient._skip_until = 0  # Redis answers again
    assert count(resilient, 3).pending == 2  # Redis's view and the one in memory
    assert (local.pending([3]), remote.pending([3])) == ({3: 1}, {3: 1})
    assert resilient.pending([3]) == {3: 2}
    recorder = Recorder()
    assert resilient.flush(recorder) == 2
    assert recorder.views == 2
    remote.reset()


@needs_redis
def test_redis_loses_no_increment_that_lands_during_a_flush():
    redis_counter = RedisViewCounter(settings.GAZETTE_VIEWS_REDIS_URL, prefix="test:views:race")
    redis_counter.reset()
    recorder = Recorder()
    done = threading.Event()

    def reader_thread(article_id):
        for _ in range(500):
            count(redis_counter, article_id)

    def flusher():
        while not done.is_set():
            redis_counter.flush(recorder)

    threads = [threading.Thread(target=reader_thread, args=(n % 2,)) for n in range(4)]
    flushing = threading.Thread(target=flusher)
    flushing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    flushing.join()
    redis_counter.flush(recorder)
    assert recorder.views == 2000
    assert len(recorder.batches) > 1
    assert redis_counter.pending([0, 1]) == {0: 0, 1: 0}
    redis_counter.reset()


@needs_redis
def test_redis_a_second_flusher_waits_for_the_first():
    redis_counter = RedisViewCounter(settings.GAZETTE_VIEWS_REDIS_URL, prefix="test:views:lock")
    redis_counter.reset()
    count(redis_counter, 1)
    redis_counter.redis.set(redis_counter.lock_key, "someone-else")
    recorder = Recorder()
    assert redis_counter.flush(recorder) == 0
    assert redis_counter.pending([1]) == {1: 1}
    redis_counter.redis.delete(redis_counter.lock_key)
    assert redis_counter.flush(recorder) == 1
    redis_counter.reset()


@needs_redis
@pytest.mark.django_db
def test_redis_a_flusher_killed_after_its_commit_does_not_count_twice(home):
    from tests.factories import ArticleFactory, SectionFactory

    article = ArticleFactory(parent=SectionFactory(parent=home))
    in_the_hour = datetime.fromtimestamp(HOUR, timezone.utc)
    for number in range(3):
        record_beacon(article_id=article.pk, meta=reader(number), now=in_the_hour)

    def commit_then_die(batch, batch_id):
        write_batch(batch, batch_id)
        raise SystemExit("killed between the commit and deleting the batch in Redis")

    with pytest.raises(SystemExit):
        counter.flush(commit_then_die)
    record_beacon(article_id=article.pk, meta=reader(3), now=in_the_hour)
    counter.flush(write_batch)
    assert TotalViews.objects.get(article=article).views == 4
    assert counter.pending([article.pk]) == {article.pk: 0}

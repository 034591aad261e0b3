"""The live-article set through a database outage: the last good set keeps counting the
articles it holds, no lock is held across a database call, one reload attempt per retry
interval, one log line per outage (gazette/analytics/live_articles.py). No database here: the
two queries the set makes are played by a fake database that can be stopped or made slow."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import OperationalError

from gazette.analytics import live_articles as module
from gazette.analytics.live_articles import LiveArticleIds


class FakeDatabase:
    def __init__(self, live: set[int]) -> None:
        self.live = set(live)
        self.up = True
        self.loads = 0
        self.lookups = 0
        self.gate: threading.Event | None = None  # set: the next load waits for it

    def _answer(self) -> None:
        if self.gate is not None:
            self.gate.wait(10)
        if not self.up:
            raise OperationalError("couldn't get a connection after 3.00 sec")

    def live_article_ids(self) -> list[int]:
        self.loads += 1
        self._answer()
        return sorted(self.live)

    def live_in_database(self, article_id: int) -> bool:
        self.lookups += 1
        if not self.up:
            raise OperationalError("couldn't get a connection after 3.00 sec")
        return article_id in self.live


@pytest.fixture
def database(monkeypatch) -> FakeDatabase:
    fake = FakeDatabase({1, 2, 3})
    monkeypatch.setattr(module, "live_article_ids", fake.live_article_ids)
    monkeypatch.setattr(module, "live_in_database", fake.live_in_database)
    return fake


@pytest.fixture
def ids() -> LiveArticleIds:
    live = LiveArticleIds()
    live.MIN_RELOAD_INTERVAL = 0
    return live


def test_the_last_good_set_counts_its_articles_while_the_database_is_down(database, ids):
    ids.MAX_AGE = 0  # every beacon finds the set out of date, as after 30 s
    assert ids.is_live(1, "v1") and database.loads == 1
    database.up = False
    for _ in range(20):
        assert ids.is_live(1, "v1")
        assert ids.is_live(2, "v2")  # a publish elsewhere: the version moved on
    # One reload tried; the others wait for RETRY_AFTER_FAILURE instead of each waiting out
    # the database's timeout.
    assert database.loads == 2
    assert database.lookups == 0


def test_an_article_the_set_never_held_gets_the_database_error(database, ids):
    ids.MAX_AGE = 0
    assert ids.is_live(1, "v1")
    database.up = False
    with pytest.raises(OperationalError):  # the 503 page, as before: not a 404
        ids.is_live(99, "v1")
    with pytest.raises(OperationalError):
        ids.is_live(99, "v1")


def test_with_no_version_the_known_articles_count_through_both_outages(database, ids):
    """Redis down (no version) and the database down: the set still answers for what it
    holds."""
    assert ids.is_live(3, "v1")
    database.up = False
    assert ids.is_live(3, None)
    with pytest.raises(OperationalError):
        ids.is_live(42, None)


def test_once_the_database_is_back_the_set_is_reloaded_and_follows_it(database, ids):
    ids.MAX_AGE = 0
    assert ids.is_live(2, "v1")
    database.up = False
    ids.RETRY_AFTER_FAILURE = 0  # retry on the next beacon
    assert ids.is_live(2, "v1")
    database.up = True
    database.live.discard(2)  # taken down during the outage
    ids.MAX_AGE = 30
    assert not ids.is_live(2, "v2")
    assert ids.is_live(1, "v2")


def test_a_slow_reload_holds_no_lock_the_other_beacons_wait_for(database, ids):
    ids.MAX_AGE = 0
    assert ids.is_live(1, "v1")
    database.gate = threading.Event()
    reloading = threading.Thread(target=ids.is_live, args=(1, "v1"))
    reloading.start()
    try:
        for _ in range(100):  # until that thread is in the reload
            if database.loads == 2:
                break
            threading.Event().wait(0.01)
        assert database.loads == 2
        answered = threading.Event()

        def beacon() -> None:
            ids.is_live(1, "v1")
            answered.set()

        threading.Thread(target=beacon).start()
        # Answered by the database's one-id lookup while the reload still waits.
        assert answered.wait(2), "a beacon waited for another thread's reload"
        assert database.loads == 2
    finally:
        database.gate.set()
        reloading.join(5)


def test_an_outage_is_logged_once_and_its_end_once(database, ids, caplog):
    ids.MAX_AGE = 0
    assert ids.is_live(1, "v1")
    database.up = False
    ids.RETRY_AFTER_FAILURE = 0
    with caplog.at_level(logging.WARNING, logger=module.__name__):
        for _ in range(5):
            assert ids.is_live(1, "v1")
        database.up = True
        assert ids.is_live(1, "v1")
        assert ids.is_live(1, "v1")
    messages = [record.getMessage() for record in caplog.records]
    assert database.loads == 8
    assert len(messages) == 2, messages
    assert "does not answer" in messages[0] and "answers again" in messages[1]

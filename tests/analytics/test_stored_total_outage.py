"""A beacon whose stored total is not mirrored (the counter's copy expired during a long
outage of the database) still counts and answers: the total this process last saw stands in
(gazette/analytics/services.py). No database: the counter and the total's query are fakes."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from gazette.analytics import services
from gazette.analytics.counters.base import Tally
from gazette.analytics.readers import Verdict

from .common import reader


class MirrorLessCounter:
    """Counts every beacon and never has the stored total mirrored (it expired)."""

    def __init__(self) -> None:
        self.pending = 0
        self.remembered: list[tuple[int, int]] = []

    def tally(self, *, article_id, hour, seen_key, seconds, is_live):
        self.pending += 1
        return Tally(True, self.pending, None, "g1")

    def remember_stored(self, article_id, views, generation):
        self.remembered.append((article_id, views))


class Database:
    def __init__(self, totals: dict[int, int]) -> None:
        self.totals = totals
        self.up = True

    def stored_total_of(self, article_id: int) -> int:
        if not self.up:
            raise OperationalError("couldn't get a connection after 3.00 sec")
        return self.totals.get(article_id, 0)


@pytest.fixture
def counter(monkeypatch) -> MirrorLessCounter:
    fake = MirrorLessCounter()
    monkeypatch.setattr(services, "counter", fake)
    monkeypatch.setattr(services, "_last_stored", {})
    return fake


@pytest.fixture
def database(monkeypatch) -> Database:
    fake = Database({7: 120})
    monkeypatch.setattr(services, "stored_total_of", fake.stored_total_of)
    return fake


def beacon(number: int):
    return services.record_beacon(article_id=7, meta=reader(number))


def test_a_seen_article_counts_and_answers_its_last_total_while_the_database_is_down(
    counter, database
):
    assert beacon(1).views == 120 + 1
    assert counter.remembered == [(7, 120)]
    database.up = False
    answers = [beacon(number) for number in range(2, 12)]
    assert all(answer.verdict is Verdict.READER for answer in answers)
    assert [answer.views for answer in answers] == [120 + pending for pending in range(2, 12)]
    assert counter.remembered == [(7, 120)]  # nothing mirrored from the stand-in
    database.up = True
    database.totals[7] = 130  # the buffer flushed meanwhile: the database is read again
    assert beacon(12).views == 130 + 12


def test_an_article_never_seen_counts_its_pending_views_alone_while_the_database_is_down(
    counter, database
):
    database.up = False
    answer = beacon(1)
    assert answer.verdict is Verdict.READER
    assert answer.views == 1

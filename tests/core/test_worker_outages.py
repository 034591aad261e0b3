"""Workers outlive a lost database (gazette/core/outages.py, the db_worker command): they
wait with backoff, log once per outage, and a task in flight when the database went away is
queued again and runs once more, instead of the worker exiting (django-tasks-db's own worker
raises the OperationalError and dies). The stack test that stops PostgreSQL for real is in
tests/stack/test_faults.py."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from gazette.core import outages

# What the tasks below did, by key: a second run of the same key changes nothing (the tasks
# of Gazette are idempotent the same way), the list of runs says how often each ran.
EFFECTS: dict[str, int] = {}
RUNS: list[str] = []
FAIL_NEXT: list[BaseException] = []


@task()
def record_effect(key: str) -> None:
    RUNS.append(key)
    if FAIL_NEXT:
        raise FAIL_NEXT.pop()
    EFFECTS.setdefault(key, 1)


@pytest.fixture(autouse=True)
def fresh_effects():
    EFFECTS.clear()
    RUNS.clear()
    FAIL_NEXT.clear()


class FakeDatabaseState:
    """Whether the database answers the outage probe: down for the first ``down_for`` probes."""

    def __init__(self, down_for: int) -> None:
        self.down_for = down_for
        self.probes = 0

    def __call__(self, alias: str = "default") -> bool:
        self.probes += 1
        return self.probes > self.down_for


@pytest.fixture
def no_sleep(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(outages.time, "sleep", slept.append)
    return slept


def test_backoff_doubles_up_to_its_cap_and_an_outage_is_logged_once(caplog):
    outage = outages.Outage("a worker", first_delay=0.5, max_delay=4)
    with caplog.at_level(logging.WARNING, logger=outages.logger.name):
        delays = [outage.failed(OperationalError("gone")) for _ in range(6)]
        outage.recovered()
        outage.recovered()  # not in an outage: nothing to say
        assert outage.failed(OperationalError("gone again")) == 0.5  # a new outage: afresh
    assert delays == [0.5, 1, 2, 4, 4, 4]
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3, messages
    assert "lost its connection (OperationalError: gone)" in messages[0]
    assert "connection back" in messages[1] and "gone again" in messages[2]
    assert outage.outages == 2


def test_waiting_for_the_database_retries_until_it_answers(monkeypatch, no_sleep):
    database = FakeDatabaseState(down_for=4)
    monkeypatch.setattr(outages, "database_answers", database)
    outage = outages.Outage("a worker", first_delay=1, max_delay=5)
    assert outages.wait_for_database(outage, OperationalError("gone"))
    assert no_sleep == [1, 2, 4, 5, 5]
    assert database.probes == 5 and not outage.ongoing


def test_an_operational_error_with_the_database_answering_is_no_outage(monkeypatch):
    monkeypatch.setattr(outages, "database_answers", lambda alias="default": True)
    assert not outages.is_outage(OperationalError("deadlock detected"))
    monkeypatch.setattr(outages, "database_answers", lambda alias="default": False)
    assert outages.is_outage(OperationalError("server closed the connection unexpectedly"))
    assert not outages.is_outage(ValueError("a bug"))


class RecordedWaits:
    """A worker's stop event that records each wait and stops the loop after ``rounds``."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return len(self.waits) >= self.rounds

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 1))
        return self.is_set()


def test_rounds_wait_out_an_outage_with_backoff_and_other_errors_as_told(monkeypatch):
    monkeypatch.setattr(outages, "database_answers", lambda alias="default": False)
    monkeypatch.setattr(outages, "close_old_connections", lambda: None)
    results = iter(
        [OperationalError("gone"), OperationalError("gone"), 3.0, ValueError("a bug"), 0.0]
    )
    errors: list[Exception] = []

    def work() -> float:
        result = next(results)
        if isinstance(result, Exception):
            raise result
        return result

    def on_error(exc: Exception) -> float:
        errors.append(exc)
        return 2.0

    outage = outages.Outage("a worker", first_delay=0.5, max_delay=10)
    stopping = RecordedWaits(rounds=5)
    outages.run_rounds(
        work, outage=outage, stopping=stopping, on_error=on_error, outage_wait_at_least=0.8
    )
    # The outage's backoff (0.5 raised to the floor 0.8, then 1.0), the round's own wait once
    # it is back, the error's wait as on_error said, and no wait after a busy round.
    assert stopping.waits == [0.8, 1.0, 3.0, 2.0, 0.0]
    assert [str(exc) for exc in errors] == ["a bug"]
    assert not outage.ongoing and outage.outages == 1


def test_a_stopped_worker_runs_no_further_round():
    stopping = RecordedWaits(rounds=0)
    outages.run_rounds(
        lambda: pytest.fail("a round ran after the stop"),
        outage=outages.Outage("a worker"),
        stopping=stopping,
        on_error=lambda exc: 1.0,
    )
    assert stopping.waits == []


@pytest.mark.django_db(transaction=True)
def test_the_real_database_answers_the_probe():
    assert outages.database_answers()


@pytest.mark.django_db
def test_inside_a_transaction_the_probe_leaves_the_connection_open():
    from django.db import connection

    assert outages.database_answers()
    assert connection.connection is not None and connection.in_atomic_block


def _run_worker(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_task_cut_off_by_a_lost_database_runs_again_once_and_takes_effect_once(
    settings, monkeypatch, no_sleep, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cut_off = record_effect.enqueue("article-7")
    after = record_effect.enqueue("article-8")
    FAIL_NEXT.append(OperationalError("terminating connection due to administrator command"))
    database = FakeDatabaseState(down_for=3)  # the probe right after the error, then two tries
    monkeypatch.setattr(outages, "database_answers", database)

    with caplog.at_level(logging.WARNING):
        _run_worker(settings)  # returns: the worker did not die of the outage

    results = {str(r.pk): r for r in DBTaskResult.objects.all()}
    first = results[cut_off.id]
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert len(first.worker_ids) == 2 and len(set(first.worker_ids)) == 1  # the same worker
    assert results[after.id].status == TaskResultStatus.SUCCESSFUL
    assert RUNS == ["article-7", "article-7", "article-8"]
    assert EFFECTS == {"article-7": 1, "article-8": 1}
    assert no_sleep == [0.5, 1, 2]
    outage_lines = [r.getMessage() for r in caplog.records if "lost its connection" in r.message]
    assert len(outage_lines) == 1
    assert any("queued again" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_losing_the_database_between_tasks(settings, monkeypatch, no_sleep):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = record_effect.enqueue("article-9")
    original = DBTaskResultQuerySet.get_locked
    failures = [OperationalError("couldn't get a connection after 3.00 sec")]

    def get_locked(queryset):
        if failures:
            raise failures.pop()
        return original(queryset)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    monkeypatch.setattr(outages, "database_answers", FakeDatabaseState(down_for=2))
    _run_worker(settings)
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.SUCCESSFUL
    assert RUNS == ["article-9"] and no_sleep == [0.5, 1]


@pytest.mark.django_db(transaction=True)
def test_a_task_failing_with_the_database_up_is_marked_failed(settings, monkeypatch, no_sleep):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    failing = record_effect.enqueue("article-10")
    FAIL_NEXT.append(OperationalError("deadlock detected"))
    _run_worker(settings)
    result = DBTaskResult.objects.get(pk=failing.id)
    assert result.status == TaskResultStatus.FAILED
    assert RUNS == ["article-10"] and no_sleep == []


def test_a_failed_round_is_written_and_waited_as_the_worker_says():
    written: list[str] = []
    report = outages.retry_after(7.0, written.append, "Flush failed")
    assert report(ValueError("no such column")) == 7.0
    assert written == ["Flush failed, will retry: ValueError: no such column"]

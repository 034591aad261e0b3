"""10,000 beacons from several app processes at once: exactly the countable views are stored.

Each "app process" is a real Python process (tests/analytics/beacon_sender.py) that takes its
share of beacons, some through Django's request handler, the rest through the counting service
the beacon view calls. On SQLite they count into their own memory
and flush, from their background thread and at exit, into one shared database file. With
REDIS_URL they count into Redis while a real `manage.py flush_views --loop` worker flushes
into the test's PostgreSQL database.
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ArticleFactory, SectionFactory

from .common import BOTS, BROWSERS, PREFETCHES, reader

pytestmark = pytest.mark.django_db(transaction=True)

REPOSITORY = Path(__file__).resolve().parents[2]
PROCESSES = 4
# Beacons per process sent as requests through Django's handler; the rest call the counting
# service directly, keeping the test fast (on PostgreSQL+Redis a request costs a Redis round
# trip more, the same for every beacon).
THROUGH_HANDLER = 250
USES_REDIS = bool(settings.GAZETTE_VIEWS_REDIS_URL)


@pytest.fixture(autouse=True)
def wagtail_tree_roots(transactional_db):
    """A transactional test flushes the database after it, taking with it the rows Wagtail's
    migrations made; put them back as tests/browser/conftest.py does."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE.split("-")[0])
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", live=True))


@pytest.fixture
def articles(home):
    section = SectionFactory(parent=home)
    return [ArticleFactory(parent=section) for _ in range(3)]


@pytest.fixture
def shared_database(articles, tmp_path):
    """(DATABASE_URL for other processes, a function returning the stored totals by article)."""
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: copy it to a file the app
        # processes can share, as the embedded default does.
        path = tmp_path / "gazette.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()

        def stored() -> tuple[dict[int, int], int]:
            with sqlite3.connect(path) as db:
                totals = dict(db.execute("SELECT article_id, views FROM analytics_totalviews"))
                hourly = db.execute("SELECT COALESCE(SUM(views), 0) FROM analytics_hourlyviews")
                return totals, hourly.fetchone()[0]

        return f"sqlite:///{path}", stored

    from gazette.analytics.models import HourlyViews, TotalViews

    url = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))

    def stored() -> tuple[dict[int, int], int]:
        totals = dict(TotalViews.objects.values_list("article_id", "views"))
        return totals, sum(HourlyViews.objects.values_list("views", flat=True))

    return test_url, stored


def _environment(database_url: str, **extra) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gazette.settings.test",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(REPOSITORY),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    if USES_REDIS:
        environment["GAZETTE_VIEWS_FLUSH_IN_PROCESS"] = "false"  # the worker flushes
    else:
        environment["GAZETTE_VIEWS_FLUSH_IN_PROCESS"] = "true"
    return environment


def _plan(articles) -> tuple[list[list], dict[int, int]]:
    """10,000 beacons shared out between the processes, and the views that must be stored."""
    rng = random.Random(5)
    paths = [f"/analytics/views/{article.pk}/" for article in articles]
    processes: list[list] = [[] for _ in range(PROCESSES)]
    expected = {article.pk: 0 for article in articles}
    readers = 6_000
    for number in range(readers):
        article = number % len(articles)
        headers = reader(number, BROWSERS[number % len(BROWSERS)])
        processes[number % PROCESSES].append((paths[article], headers))
        expected[articles[article].pk] += 1
    for number in range(1_700):  # the same readers again within 30 minutes
        article = number % len(articles)
        headers = reader(number, BROWSERS[number % len(BROWSERS)])
        # With Redis every process sees every reader: send the repeat through another one.
        # Without, each process remembers only its own readers, as the embedded default
        # (one process) does.
        process = (number + 1) % PROCESSES if USES_REDIS else number % PROCESSES
        processes[process].append((paths[article], headers))
    not_countable = [reader(10_000 + n, BOTS[n % len(BOTS)]) for n in range(1_200)]
    not_countable += [reader(20_000 + n, **PREFETCHES[n % len(PREFETCHES)]) for n in range(800)]
    not_countable += [reader(30_000 + n, HTTP_SEC_FETCH_DEST="document") for n in range(150)]
    not_countable += [reader(40_000 + n, HTTP_SEC_FETCH_SITE="cross-site") for n in range(150)]
    for number, headers in enumerate(not_countable):
        processes[number % PROCESSES].append((paths[number % len(paths)], headers))
    for beacons in processes:
        rng.shuffle(beacons)
    assert sum(len(beacons) for beacons in processes) == 10_000
    return processes, expected


def _start_worker(database_url: str) -> subprocess.Popen | None:
    if not USES_REDIS:
        return None
    return subprocess.Popen(
        [sys.executable, "manage.py", "flush_views", "--loop", "--interval", "0.3"],
        cwd=REPOSITORY,
        env=_environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop_worker(worker: subprocess.Popen | None) -> None:
    if worker is None:
        return
    worker.send_signal(signal.SIGTERM)  # a graceful stop flushes once more
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Stopped." in out


def test_ten_thousand_beacons_from_four_processes_store_exactly_the_countable_views(
    articles, shared_database, tmp_path
):
    database_url, stored = shared_database
    plan, expected = _plan(articles)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    worker = _start_worker(database_url)
    environment = _environment(database_url, GAZETTE_VIEWS_FLUSH_INTERVAL="0.3")
    senders = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.analytics.beacon_sender",
                str(plan_path),
                str(index),
                "--through-handler",
                str(THROUGH_HANDLER),
            ],
            cwd=REPOSITORY,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(PROCESSES)
    ]
    answered = counted = 0
    try:
        for sender in senders:
            out, err = sender.communicate(timeout=240)
            assert sender.returncode == 0, err[-2000:]
            report = json.loads(out.strip().splitlines()[-1])
            answered += report["answered"]
            counted += report["counted"]
    finally:
        for sender in senders:
            sender.kill()
        _stop_worker(worker)

    totals, hourly = stored()
    assert answered == THROUGH_HANDLER * PROCESSES  # every request to the view: 204
    assert counted <= 6_000  # the rest, by the service: no more than the countable views
    assert totals == expected  # 2,000 each: not one lost, not one counted twice
    assert hourly == 6_000


def test_a_stopped_app_process_loses_no_counted_view(articles, shared_database, tmp_path):
    """Production (Redis): even kill -9 loses nothing, the views are in Redis. Embedded
    default: a graceful stop (SIGTERM) flushes what the process held."""
    database_url, stored = shared_database
    article = articles[0]
    plan = [[(f"/analytics/views/{article.pk}/", reader(number)) for number in range(50)]]
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    # A long interval: nothing is flushed while the process runs.
    environment = _environment(database_url, GAZETTE_VIEWS_FLUSH_INTERVAL="3600")
    sender = subprocess.Popen(
        [sys.executable, "-m", "tests.analytics.beacon_sender", str(plan_path), "0", "--then-wait"],
        cwd=REPOSITORY,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = sender.stdout.readline()
        assert json.loads(line)["answered"] == 50, sender.stderr.read()
        time.sleep(0.2)
        assert stored()[0] == {}  # nothing flushed yet
        sender.send_signal(signal.SIGKILL if USES_REDIS else signal.SIGTERM)
        sender.wait(timeout=30)
    finally:
        sender.kill()
        sender.communicate()

    if USES_REDIS:
        from gazette.analytics.services import flush_views

        assert flush_views() == 50
    assert stored()[0] == {article.pk: 50}

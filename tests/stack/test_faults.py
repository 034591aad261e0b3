"""Faults on the running production stack: an app server killed under load, Redis stopped,
PostgreSQL restarted and stopped for 40 s, the task worker killed mid-task. Readers keep being
served (or get a short 503 page), nothing counted or posted is lost or half-written, and a
piece that dies comes back by itself (supervisord, deploy/stack.py): nothing is restarted in
a clean-up. What degrades how is written down in docs/operations.md, "Failures".

These tests break the shared stack, so they run after every other test
(tests/stack/conftest.py orders them last). A piece stopped on purpose (the outage a test
is about) is started again by the test, as an operator would; anything that died is
supervisord's to bring back, and after each test the stack must be whole again by itself
within ``WHOLE_AGAIN`` seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis
from django.core import signing
from psycopg.types.json import Jsonb

from deploy import stack as stack_module
from tests.stack.conftest import EDGE_LIMITS_OFF, REPOSITORY
from tests.stack.web import BROWSER, Client, wait_for

SETTLE = 30  # seconds for views to reach the database, generous for a loaded 2-core machine
OUTAGE_ANSWER = 10  # seconds: a request during an outage answers well within this, never hangs
# A killed app server or worker serves again within this, with nothing done by anyone.
BACK_WITHIN = 45  # seconds
WHOLE_AGAIN = 60  # seconds for the whole stack after a test, by itself
PRIMARY_OUTAGE = 40  # seconds the primary is stopped while beacons keep coming


# --- helpers --------------------------------------------------------------------------------


def state(running_stack) -> dict:
    return json.loads((running_stack.dir / "stack.json").read_text())


def stack_command(running_stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "deploy" / "stack.py"), *args],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=os.environ | EDGE_LIMITS_OFF,  # as the stack was started: nginx may be restarted
    )


def stop_piece(running_stack, *names: str) -> None:
    """Stop pieces on purpose (supervisord keeps them stopped until `restart NAME`)."""
    done = stack_command(running_stack, "stop", *names, "--dir", str(running_stack.dir))
    assert done.returncode == 0, done.stdout + done.stderr


def supervised_pid(running_stack, name: str) -> int:
    """The piece's pid now (supervisord's word; 0 while it is not running)."""
    found = stack_module.supervisor_status(stack_module.Stack.load(running_stack.dir)) or {}
    state_name, pid = found.get(name, ("", 0))
    return pid if state_name == "RUNNING" else 0


def restart(running_stack, *names: str) -> str:
    done = stack_command(running_stack, "restart", *names, "--dir", str(running_stack.dir))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_hard(*pids: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    gone, _ = wait_for(lambda: not any(alive(pid) for pid in pids), timeout=10)
    assert gone, f"processes {pids} outlived SIGKILL"


def stored_views(running_stack, article_id: int) -> int:
    with running_stack.primary() as db:
        row = db.execute(
            "SELECT views FROM analytics_totalviews WHERE article_id = %s", [article_id]
        ).fetchone()
    return row[0] if row else 0


def redis_pending(running_stack, article_id: int) -> int:
    client = redis.Redis(port=state(running_stack)["redis_port"], socket_timeout=2)
    try:
        return sum(
            int(client.hget(f"gazette:views:{name}", str(article_id)) or 0)
            for name in ("pending-by-article", "flushing-by-article")
        )
    finally:
        client.close()


def redis_key_exists(running_stack, key: str) -> bool:
    client = redis.Redis(port=state(running_stack)["redis_port"], socket_timeout=2)
    try:
        return bool(client.exists(key))
    finally:
        client.close()


def lengthen_replica_pins(running_stack, *, seconds: int) -> int:
    """Make the read-your-writes pins there are last ``seconds``; how many there are."""
    client = redis.Redis(port=state(running_stack)["redis_port"], socket_timeout=2)
    try:
        keys = list(client.scan_iter(match="*db-pin:*"))
        for key in keys:
            client.expire(key, seconds)
        return len(keys)
    finally:
        client.close()


def forget_replica_pins(running_stack) -> None:
    """Drop every client's read-your-writes pin to the primary (gazette.core.db_routing)."""
    client = redis.Redis(port=state(running_stack)["redis_port"], socket_timeout=2)
    try:
        for key in client.scan_iter(match="*db-pin:*"):
            client.delete(key)
    finally:
        client.close()


def beacon(client: Client, article_id: int, reader: str):
    """One reader's view beacon, as views.js sends it; a new user agent is a new reader."""
    return client.post(
        f"/analytics/views/{article_id}/",
        headers={
            "User-Agent": BROWSER.replace("Chrome/131.0", f"Chrome/131.0.{reader}"),
            "Sec-Fetch-Dest": "empty",
            "Sec-Fetch-Site": "same-origin",
        },
    )


def forget_rate_limit_counts(running_stack) -> None:
    """The app's rate-limit counts (django-ratelimit's ``rl:`` keys) dropped from Redis."""
    client = redis.Redis(port=state(running_stack)["redis_port"], socket_timeout=2)
    try:
        for key in client.scan_iter(match="*:rl:*", count=500):
            client.delete(key)
    finally:
        client.close()


def post_comment(running_stack, client: Client, article_id: int, text: str):
    """A reader's comment as the article's form sends it, with a stamp a minute old (the
    stack's own secret signs it) so that the speed rule does not take it for a bot. Every
    test posts from the same loopback address: the counts earlier tests' posts left are
    dropped first, or a full run's later posts met the limit of 3 a minute (a 429 in the
    PostgreSQL-restart test after the page-cache test's three). The limits themselves are
    tested in tests/comments, on Redis too."""
    with contextlib.suppress(redis.RedisError):  # a test of Redis away posts all the same
        forget_rate_limit_counts(running_stack)
    secret = (running_stack.dir / "secret-key").read_text().strip()
    stamp = signing.Signer(key=secret, salt="gazette.comments.form-stamp").sign(
        f"{article_id}:{int(time.time()) - 60}"
    )
    return client.post(
        f"/comments/{article_id}/post/",
        data={"name": "Fault Reader", "email": "", "text": text, "website": "", "stamp": stamp},
        headers={"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"},
    )


def comments_with(running_stack, text: str, *, replica: bool = False) -> int:
    with running_stack.replica() if replica else running_stack.primary() as db:
        (count,) = db.execute(
            "SELECT count(*) FROM comments_comment WHERE text = %s", [text]
        ).fetchone()
    return count


@pytest.fixture(autouse=True)
def whole_again_by_itself(running_stack):
    """After each test the stack is whole again without anybody's help: nothing restarted."""
    yield
    status = None

    def whole() -> bool:
        nonlocal status
        status = stack_command(running_stack, "status", "--dir", str(running_stack.dir))
        return status.returncode == 0

    healed, _ = wait_for(whole, timeout=WHOLE_AGAIN, interval=1)
    assert healed, f"not whole again within {WHOLE_AGAIN} s: {status.stdout}{status.stderr}"


# --- an app server killed under load ----------------------------------------------------------


@dataclass
class Answer:
    kind: str  # "read" or "beacon"
    at: float  # time.monotonic() when the answer (or the error) came
    status: int  # 0: no HTTP answer at all
    counted: bool = False

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


class Load:
    """Readers through nginx: threads reading the article (cached and not) and sending beacons,
    every answer noted."""

    def __init__(self, url: str, article: dict, threads: int = 4):
        self.url, self.article = url, article
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(number,), daemon=True)
            for number in range(threads)
        ]

    def _run(self, number: int) -> None:
        client = Client(self.url)
        sent = 0
        while not self.stopping.is_set():
            sent += 1
            kind = "beacon" if number % 2 else "read"
            try:
                if kind == "beacon":
                    response = beacon(client, self.article["id"], f"{number}.{sent}")
                    # nginx answers it (a new reader each time) and the counter counts it.
                    counted = response.status_code == 204
                else:
                    # Every other read misses the microcache, so the app servers do work.
                    query = f"?fault={number}-{sent}" if sent % 2 else ""
                    response = client.get(self.article["path"] + query)
                    counted = False
                answer = Answer(kind, time.monotonic(), response.status_code, counted)
            except Exception:
                answer = Answer(kind, time.monotonic(), 0)
            with self.lock:
                self.answers.append(answer)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def count(self, check) -> int:
        with self.lock:
            return sum(1 for answer in self.answers if check(answer))


def test_an_app_server_killed_under_load_costs_readers_a_moment_and_no_view(
    running_stack, demo_article
):
    article_id = demo_article["id"]
    settled, _ = wait_for(lambda: redis_pending(running_stack, article_id) == 0, timeout=SETTLE)
    assert settled, "views of earlier tests still wait in Redis"
    before = stored_views(running_stack, article_id)
    master = state(running_stack)["pids"]["app-a"]
    processes = [master, *children_of(master)]
    assert len(processes) >= 2, "app-a has no worker process to kill"

    with Load(running_stack.url, demo_article) as load:
        warm, _ = wait_for(lambda: load.count(lambda a: a.status == 200) >= 20, timeout=30)
        assert warm, "the load never got going"
        killed_at = time.monotonic()
        kill_hard(*processes)
        # The readers carry on against app-b alone for a while.
        carried_on, _ = wait_for(
            lambda: load.count(lambda a: a.at > killed_at + 2 and a.status == 200) >= 20,
            timeout=60,
        )
    assert carried_on, "nginx did not send readers to the other app server"

    failures = [answer for answer in load.answers if answer.failed]
    print(f"{len(load.answers)} answers, failed after the kill: {failures}")  # shown with -rP
    assert len(failures) <= 5, f"{len(failures)} failed answers: {failures[:10]}"
    assert all(killed_at <= answer.at <= killed_at + 3 for answer in failures), failures
    reads_after = load.count(lambda a: a.kind == "read" and a.at > killed_at and a.status == 200)
    beacons_after = load.count(lambda a: a.kind == "beacon" and a.at > killed_at and a.counted)
    assert reads_after and beacons_after

    # Every view a reader was told was counted reaches the database; a beacon that failed
    # while app-a died may or may not have been counted before it died.
    counted = load.count(lambda a: a.counted)
    failed_beacons = sum(1 for answer in failures if answer.kind == "beacon")
    flushed, _ = wait_for(
        lambda: (
            redis_pending(running_stack, article_id) == 0
            and stored_views(running_stack, article_id) - before >= counted
        ),
        timeout=SETTLE,
    )
    added = stored_views(running_stack, article_id) - before
    assert flushed, f"{counted} views counted, {added} stored"
    assert counted <= added <= counted + failed_beacons

    # supervisord starts app-a again: nobody else does anything.
    back, _ = wait_for(lambda: app_answers(running_stack, "app-a"), timeout=BACK_WITHIN)
    assert back, f"app-a not back within {BACK_WITHIN} s of the kill"
    assert supervised_pid(running_stack, "app-a") not in (0, master)


def app_answers(running_stack, name: str) -> bool:
    try:
        return running_stack.client(name).get("/healthz").status_code == 200
    except Exception:
        return False


# --- Redis stopped ----------------------------------------------------------------------------


def test_without_redis_pages_comments_and_views_carry_on_and_recover(
    running_stack, demo_article, commented_article
):
    article_id = demo_article["id"]
    settled, _ = wait_for(lambda: redis_pending(running_stack, article_id) == 0, timeout=SETTLE)
    assert settled
    before = stored_views(running_stack, article_id)
    # app-a reads the article before the outage (Redis keeps its comments block) and is sent
    # nothing during it: after it, app-a is a process that learnt nothing of the outage
    # itself, as an app server nginx sent no request to meanwhile (gazette.core.redis_restarts).
    app_a, app_b = running_stack.client("app-a"), running_stack.client("app-b")
    commented_path = commented_article["path"]
    assert app_a.get(commented_path).status_code == 200
    redis_pid = supervised_pid(running_stack, "redis")
    # A clean stop on purpose (Redis writes its append-only file); killed, supervisord would
    # start it again within a second or two, too soon for the outage this test is about.
    stop_piece(running_stack, "redis")
    stopped, _ = wait_for(lambda: not alive(redis_pid), timeout=20)
    assert stopped
    reader = Client(running_stack.url)

    # Pages: rendered without the cache, by app-b (readers through nginx reach it as well).
    for path in (demo_article["path"], "/", demo_article["section_path"], commented_path):
        page = app_b.get(f"{path}?redis-down={uuid.uuid4().hex}")
        assert page.status_code == 200, (path, page.status_code)

    # A comment is taken (rate limits let it through while they cannot count); the new
    # version of the article's comments is dropped.
    text = f"Still here while the cache is down {uuid.uuid4().hex[:8]}"
    posted = post_comment(running_stack, app_b, commented_article["id"], text)
    assert posted.status_code == 303, posted.text[:500]
    assert comments_with(running_stack, text) == 1

    # nginx answers the beacons; they wait in its log while the counter cannot reach Redis.
    counter_pid = supervised_pid(running_stack, "beacon-counter")
    outage = [beacon(reader, article_id, f"redis-down.{n}") for n in range(10)]
    assert [b.status_code for b in outage] == [204] * 10
    # Without a name, restart starts what is not running: Redis alone.

    assert restart(running_stack) == "Restarted: redis."
    # Redis came back with what it held (appendonly): the comments block kept before the
    # outage, while the comment's new version of the list was dropped. The comment shows
    # all the same, app-a's answer first (the read-your-writes pin was dropped too: the
    # replica is waited for).
    replicated, _ = wait_for(lambda: comments_with(running_stack, text, replica=True), timeout=10)
    assert replicated, "the replica never had the comment"
    for name, client in (("app-a", app_a), ("app-b", app_b), ("nginx", reader)):
        page = client.get(commented_path)
        assert page.status_code == 200, (name, page.status_code)
        assert text in page.text, f"{name} served the comments block Redis kept"
    back = [beacon(reader, article_id, f"redis-back.{n}") for n in range(5)]
    assert [b.status_code for b in back] == [204] * 5
    # The counter waited out the outage (the same process) and counts the log's lines; the
    # flush worker lived through it too and writes what Redis holds again.
    flushed, _ = wait_for(
        lambda: (
            redis_pending(running_stack, article_id) == 0
            and stored_views(running_stack, article_id) - before == 15
        ),
        timeout=SETTLE,
    )
    assert flushed, stored_views(running_stack, article_id) - before
    assert alive(state(running_stack)["pids"]["views-worker"])
    assert supervised_pid(running_stack, "beacon-counter") == counter_pid
    health = running_stack.client("app-b").get("/healthz")
    assert health.status_code == 200 and health.json()["cache"] == "ok"


# --- PostgreSQL restarted ---------------------------------------------------------------------


def test_a_postgresql_restart_answers_a_friendly_503_at_once_and_heals_itself(
    running_stack, demo_article
):
    article_id = demo_article["id"]
    views_before = stored_views(running_stack, article_id)
    lost_text = f"Sent while the database restarts {uuid.uuid4().hex[:8]}"
    # A reader who has just commented is pinned to the primary (read-your-writes); the pin
    # is made to outlast the stop, however slow the machine.
    forget_replica_pins(running_stack)
    commenter = Client(running_stack.url)
    posted = post_comment(running_stack, commenter, article_id, f"Just before {lost_text}")
    assert posted.status_code == 303, posted.status_code
    assert lengthen_replica_pins(running_stack, seconds=120) >= 1
    stop_piece(running_stack, "postgres")

    answers: dict[str, tuple] = {}

    def ask(name: str, send) -> None:
        client = Client(running_stack.url)
        started = time.monotonic()
        try:
            response = send(client)
            answers[name] = (response, time.monotonic() - started)
        except Exception as exc:  # a hang past the client's timeout lands here
            answers[name] = (exc, time.monotonic() - started)

    page_url = f"{demo_article['path']}?pg-down={uuid.uuid4().hex}"
    requests_during_outage = {
        "comment": lambda c: post_comment(running_stack, c, article_id, lost_text),
        "beacon": lambda c: beacon(c, article_id, "pg-down"),
        "page": lambda c: c.get(page_url),
        "pinned page": lambda c: commenter.get(f"{page_url}-pinned"),
        "admin": lambda c: c.get("/admin/login/"),
    }
    threads = [threading.Thread(target=ask, args=item) for item in requests_during_outage.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print({name: (getattr(r, "status_code", r), round(t, 2)) for name, (r, t) in answers.items()})
    # nginx answers the beacon itself; the counter counts it into Redis (it knows the
    # article, or asks the database once it is back), the flush worker writes it then.
    beacon_answer, _ = answers.pop("beacon")
    assert getattr(beacon_answer, "status_code", None) == 204, beacon_answer
    counted_in_outage = True
    # A reader's page past the cache needs only the replica (and Redis): reading goes on,
    # also for the reader pinned to the primary (read again from the replica).
    for name in ("page", "pinned page"):
        page, seconds = answers.pop(name)
        assert not isinstance(page, Exception), (name, page, seconds)
        assert page.status_code == 200, (name, page.status_code, page.text[:300])
        assert "18 North Korean Soldiers" in page.text
        assert seconds < OUTAGE_ANSWER, (name, seconds)
    # What needs the primary (a comment, the admin) fails fast with the friendly 503.
    for name, (response, seconds) in answers.items():
        assert not isinstance(response, Exception), (name, response, seconds)
        assert seconds < OUTAGE_ANSWER, (name, seconds)
        assert response.status_code == 503, (name, response.status_code, response.text[:300])
        assert "right back" in response.text
        assert response.headers["Retry-After"] == "30"
        assert "no-store" in response.headers["Cache-Control"]

    restart(running_stack, "postgres")
    forget_replica_pins(running_stack)  # the lengthened one
    # No restart of the app servers: their connection pools find the database again.
    text = f"Sent once the database is back {uuid.uuid4().hex[:8]}"
    accepted, _ = wait_for(
        lambda: (
            post_comment(running_stack, Client(running_stack.url), article_id, text).status_code
            == 303
        ),
        timeout=30,
        interval=0.5,
    )
    assert accepted
    assert comments_with(running_stack, text) == 1
    assert comments_with(running_stack, lost_text) == 0  # refused, not half-written
    assert Client(running_stack.url).get(page_url).status_code == 200  # the 503 was not cached
    recount = beacon(Client(running_stack.url), article_id, "pg-back")
    assert recount.status_code == 204
    assert stored_views(running_stack, article_id) >= views_before
    if counted_in_outage:  # the view counted during the outage is not lost
        stored, _ = wait_for(
            lambda: stored_views(running_stack, article_id) >= views_before + 2, timeout=SETTLE
        )
        assert stored, stored_views(running_stack, article_id) - views_before

    def replica_streams() -> bool:
        with running_stack.primary() as db:
            return bool(
                db.execute("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'").fetchone()
            )

    streaming, _ = wait_for(replica_streams, timeout=30, interval=0.5)
    assert streaming, "the replica did not follow the restarted primary"


# --- the task worker killed mid-task ----------------------------------------------------------


def test_a_task_whose_worker_is_killed_runs_again_and_takes_effect_once(running_stack):
    with running_stack.primary() as db:
        (article_id,) = db.execute(
            "SELECT a.page_ptr_id FROM news_articlepage a "
            "JOIN wagtailcore_page p ON p.id = a.page_ptr_id WHERE p.live "
            "ORDER BY a.page_ptr_id DESC LIMIT 1"
        ).fetchone()
    before = stored_views(running_stack, article_id)
    signals = running_stack.dir / f"task-signals-{uuid.uuid4().hex[:8]}"
    signals.mkdir()
    runs = signals / "runs"
    task_id = str(uuid.uuid4())
    arguments = {"args": [article_id, 5, f"fault-{task_id}", str(signals)], "kwargs": {}}
    row = {
        "id": task_id,
        "status": "READY",
        "enqueued_at": datetime.now(timezone.utc),
        "args_kwargs": Jsonb(arguments),
        "priority": 0,
        "task_path": "tests.stack.fault_tasks.apply_views_once",
        "worker_ids": Jsonb([]),
        "queue_name": "default",
        "backend_name": "default",
        "run_after": datetime.now(timezone.utc),
        "exception_class_path": "",
        "traceback": "",
        "metadata": Jsonb({}),  # in the versions of django-tasks-db that have it
    }
    with running_stack.primary() as db:
        columns = {
            name
            for (name,) in db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'django_tasks_database_dbtaskresult'"
            )
        }
        row = {name: value for name, value in row.items() if name in columns}
        db.execute(
            f"INSERT INTO django_tasks_database_dbtaskresult ({', '.join(row)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(row))})",
            list(row.values()),
        )

    def task_row():
        with running_stack.primary() as db:
            return db.execute(
                "SELECT status, worker_ids, return_value "
                "FROM django_tasks_database_dbtaskresult WHERE id = %s",
                [task_id],
            ).fetchone()

    def run_count() -> int:
        return len(runs.read_text().split()) if runs.exists() else 0

    applied, _ = wait_for(lambda: list(signals.glob("applied-*")), timeout=60)
    assert applied, f"the worker never ran the task: {task_row()}"
    assert stored_views(running_stack, article_id) - before == 5  # the effect, mid-task
    killed = supervised_pid(running_stack, "worker")
    kill_hard(killed)
    assert task_row()[0] == "RUNNING"  # django-tasks-db left it so, and would forever

    # supervisord starts the worker again; it queues the task again as it starts.
    again, _ = wait_for(lambda: run_count() == 2, timeout=BACK_WITHIN)
    assert again, f"the task did not run again: {task_row()}"
    (signals / "go").touch()
    finished, _ = wait_for(lambda: task_row()[0] == "SUCCESSFUL", timeout=60)
    status, worker_ids, return_value = task_row()
    assert finished, status
    assert len(worker_ids) == 2 and worker_ids[0] != worker_ids[1]
    assert return_value == 0  # the second run found its batch applied: nothing written twice
    assert stored_views(running_stack, article_id) - before == 5
    assert supervised_pid(running_stack, "worker") not in (0, killed)


# --- the primary stopped for 40 s -------------------------------------------------------------


def insert_task(running_stack, task_path: str, args: list) -> str:
    """Queue a task as django-tasks-db does (a READY row), straight into the primary."""
    task_id = str(uuid.uuid4())
    row = {
        "id": task_id,
        "status": "READY",
        "enqueued_at": datetime.now(timezone.utc),
        "args_kwargs": Jsonb({"args": args, "kwargs": {}}),
        "priority": 0,
        "task_path": task_path,
        "worker_ids": Jsonb([]),
        "queue_name": "default",
        "backend_name": "default",
        "run_after": datetime.now(timezone.utc),
        "exception_class_path": "",
        "traceback": "",
        "metadata": Jsonb({}),
    }
    with running_stack.primary() as db:
        columns = {
            name
            for (name,) in db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'django_tasks_database_dbtaskresult'"
            )
        }
        row = {name: value for name, value in row.items() if name in columns}
        db.execute(
            f"INSERT INTO django_tasks_database_dbtaskresult ({', '.join(row)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(row))})",
            list(row.values()),
        )
    return task_id


def test_views_of_a_seen_article_count_through_a_long_primary_outage_and_the_worker_lives(
    running_stack, demo_article
):
    """Past the live list's 30 s reload (live_articles.MAX_AGE): the last good list serves,
    every beacon is counted, and the task worker waits out the outage instead of dying."""
    article_id = demo_article["id"]
    settled, _ = wait_for(lambda: redis_pending(running_stack, article_id) == 0, timeout=SETTLE)
    assert settled
    before = stored_views(running_stack, article_id)
    clients = [running_stack.client(name) for name in ("app-a", "app-b", "nginx")]
    for number, client in enumerate(clients):  # every app process has seen the article
        seen = beacon(client, article_id, f"long-outage-seen.{number}")
        assert seen.status_code == 204
    worker = supervised_pid(running_stack, "worker")
    assert worker

    stop_piece(running_stack, "postgres")
    stopped_at = time.monotonic()
    answers = []
    while time.monotonic() - stopped_at < PRIMARY_OUTAGE:
        for number, client in enumerate(clients):
            started = time.monotonic()
            response = beacon(client, article_id, f"long-outage.{len(answers)}.{number}")
            answers.append((response.status_code, time.monotonic() - started))
            assert response.status_code == 204, (response.status_code, round(started - stopped_at))
        time.sleep(0.5)
    slowest = max(seconds for _, seconds in answers)
    print(f"{len(answers)} beacons in the outage, the slowest {slowest:.2f} s")
    # The outage outlasted Redis's copy of the stored totals (GAZETTE_VIEWS_STORED_SECONDS,
    # shortened for the tests): the beacons above counted without it, and without the database.
    assert not redis_key_exists(running_stack, "gazette:views:stored")
    assert slowest < OUTAGE_ANSWER
    assert supervised_pid(running_stack, "worker") == worker  # waiting, not dead

    restart(running_stack, "postgres")  # the outage ends: the primary is started again
    signals = running_stack.dir / f"task-signals-{uuid.uuid4().hex[:8]}"
    signals.mkdir()
    (signals / "go").touch()
    task_id = insert_task(
        running_stack,
        "tests.stack.fault_tasks.apply_views_once",
        [article_id, 0, f"after-outage-{uuid.uuid4().hex}", str(signals)],
    )

    def task_status() -> str:
        with running_stack.primary() as db:
            (status,) = db.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
            ).fetchone()
        return status

    ran, _ = wait_for(lambda: task_status() == "SUCCESSFUL", timeout=BACK_WITHIN)
    assert ran, f"the worker did not run the task queued after the outage: {task_status()}"
    assert supervised_pid(running_stack, "worker") == worker  # the same worker, never restarted
    assert running_stack.log("worker.log").count("lost its connection") >= 1

    counted = len(answers) + len(clients)
    flushed, _ = wait_for(
        lambda: stored_views(running_stack, article_id) - before == counted, timeout=SETTLE
    )
    assert flushed, f"{counted} counted, {stored_views(running_stack, article_id) - before} stored"

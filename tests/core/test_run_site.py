"""`make run`'s supervisor (scripts/run_site.py): the web server, the scheduler and the task
worker as one command; SIGINT (Ctrl-C) stops every child, a child that dies is restarted and
one that keeps dying stops the whole with a message."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

REPOSITORY = Path(__file__).resolve().parents[2]
RUN_SITE = REPOSITORY / "scripts" / "run_site.py"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent: dead for us.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _sleeper(pid_file: Path, *, with_grandchild: bool = False, exit_after: float = 0) -> list:
    """A child that writes its pid (and its own child's) and sleeps, or exits after a while."""
    code = textwrap.dedent(
        f"""
        import os, subprocess, sys, time
        pids = [os.getpid()]
        if {with_grandchild!r}:
            sleep = [sys.executable, "-c", "import time; time.sleep(600)"]
            pids.append(subprocess.Popen(sleep).pid)
        with open({str(pid_file)!r}, "a") as f:
            f.write(" ".join(map(str, pids)) + "\\n")
        time.sleep({exit_after!r} or 600)
        sys.exit(3)
        """
    )
    return [sys.executable, "-c", code]


def _supervise(tmp_path: Path, children: dict[str, list[str]], **options) -> subprocess.Popen:
    driver = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("run_site", {str(RUN_SITE)!r})
        run_site = sys.modules["run_site"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(run_site)
        children = [run_site.Child(name, argv) for name, argv in {children!r}.items()]
        sys.exit(run_site.Supervisor(children, **{options!r}).run())
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", driver],
        stdout=(tmp_path / "supervisor.log").open("w"),
        stderr=subprocess.STDOUT,
    )


def _pids(pid_file: Path) -> list[list[int]]:
    if not pid_file.exists():
        return []
    return [[int(pid) for pid in line.split()] for line in pid_file.read_text().splitlines()]


def test_sigint_stops_every_child_and_their_own_children(tmp_path):
    web, worker = tmp_path / "web.pids", tmp_path / "worker.pids"
    supervisor = _supervise(
        tmp_path, {"web": _sleeper(web, with_grandchild=True), "worker": _sleeper(worker)}
    )
    _wait_for(lambda: len(_pids(web)) == 1 and len(_pids(worker)) == 1, 20, "the children")
    started = [pid for line in _pids(web) + _pids(worker) for pid in line]
    assert len(started) == 3 and all(map(_alive, started))

    supervisor.send_signal(signal.SIGINT)

    assert supervisor.wait(timeout=20) == 0
    _wait_for(lambda: not any(map(_alive, started)), 10, "every child to be gone")
    log = (tmp_path / "supervisor.log").read_text()
    assert "SIGINT: stopping." in log and "all stopped." in log


def test_a_child_that_dies_is_restarted(tmp_path):
    flaky, steady = tmp_path / "flaky.pids", tmp_path / "steady.pids"
    supervisor = _supervise(
        tmp_path, {"flaky": _sleeper(flaky, exit_after=0.5), "steady": _sleeper(steady)}
    )
    try:
        _wait_for(lambda: len(_pids(flaky)) >= 2, 20, "the dead child to be started again")
        assert len(_pids(steady)) == 1  # the others are left alone
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0
    assert "flaky exited with status 3; restarting." in (tmp_path / "supervisor.log").read_text()


def test_a_child_that_keeps_dying_stops_the_whole_with_a_message(tmp_path):
    broken, steady = tmp_path / "broken.pids", tmp_path / "steady.pids"
    supervisor = _supervise(
        tmp_path,
        {"broken": _sleeper(broken, exit_after=0.1), "steady": _sleeper(steady)},
        max_deaths=3,
        death_window=30.0,
    )
    assert supervisor.wait(timeout=30) == 1
    assert "broken died 3 times within 30 s" in (tmp_path / "supervisor.log").read_text()
    assert not any(_alive(pid) for line in _pids(steady) for pid in line)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url_for_children(tmp_path: Path) -> tuple[str, callable]:
    """The test database as the children can open it, and a function that tells whether the
    scheduler has recorded a round in it. SQLite's test database lives in this process's
    memory: the children get a copy of it in a file."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path / "gazette.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)

        def scheduler_ran() -> bool:
            with sqlite3.connect(path) as db:
                return db.execute("SELECT count(*) FROM core_workerheartbeat").fetchone()[0] > 0

        return f"sqlite:///{path}", scheduler_ran

    from gazette.core.models import WorkerHeartbeat

    # The environment's URL (TCP, or the test pass's Unix socket in its query), the test
    # database's name for the path.
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + database["NAME"])), WorkerHeartbeat.objects.exists


@pytest.mark.django_db(transaction=True)
def test_the_site_and_its_workers_start_and_stop_on_sigint(tmp_path):
    database_url, scheduler_ran = _database_url_for_children(tmp_path)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gazette.settings.dev",
        "DATABASE_URL": database_url,
        "GAZETTE_VAR_DIR": str(tmp_path),
    }
    log = tmp_path / "run.log"
    run = subprocess.Popen(
        [sys.executable, str(RUN_SITE), "--port", str(port), "--schedule-interval", "1"],
        env=env,
        cwd=REPOSITORY,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        health = f"http://127.0.0.1:{port}/healthz"

        def answers() -> bool:
            try:
                return urllib.request.urlopen(health, timeout=2).status == 200
            except OSError:
                return False

        _wait_for(answers, 120, "the web server")
        _wait_for(scheduler_ran, 120, "the scheduler's first round")
        pids = [
            int(line.rsplit("(pid ", 1)[1].rstrip(")"))
            for line in log.read_text().splitlines()
            if line.startswith("[run] started")
        ]
        assert len(pids) == 3, log.read_text()
        assert all(map(_alive, pids)), log.read_text()
    finally:
        run.send_signal(signal.SIGINT)
        status = run.wait(timeout=60)
    assert status == 0, log.read_text()
    _wait_for(lambda: not any(map(_alive, pids)), 15, "the web server and workers to stop")
    assert "restarting" not in log.read_text()

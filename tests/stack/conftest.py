"""The production stack, started once for these tests with deploy/stack.py (what `make stack`
runs): PostgreSQL with a streaming replica, Redis, two gunicorn app servers behind nginx,
the task worker and the views flush worker, the demo content. In a temporary directory, on
free loopback ports, fsync off.

It runs in the PostgreSQL+Redis run of `make test`: the SQLite run checks the embedded
default, and one production stack per `make test` is enough for the time budget.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from deploy import local_services, stack
from tests.stack.web import Client, log_in, publish_new_article

REPOSITORY = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300  # seconds; it takes about 30 on an idle 2-core machine


def _why_not() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return (
            "the production stack is tested in the PostgreSQL+Redis run of `make test` "
            "(make test-postgres), not on SQLite"
        )
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "no nginx: apt-get install nginx libnginx-mod-http-cache-purge"
    if not (stack.MODULES_DIR / stack.PURGE_MODULE).exists():
        return "no nginx cache-purge module: apt-get install libnginx-mod-http-cache-purge"
    if shutil.which("redis-server") is None:
        return "no redis-server: apt-get install redis-server"
    try:
        local_services.find_pg_bin()
    except local_services.ServiceError as exc:
        return str(exc)
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_not()
    for item in items:
        if "tests/stack/" in str(item.fspath):
            item.add_marker(pytest.mark.services)
            # One pytest-xdist worker runs them all, against one stack.
            item.add_marker(pytest.mark.xdist_group("stack"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
    # The fault tests break the shared stack (and put it back): after every other test.
    faults = [item for item in items if item.fspath.basename == "test_faults.py"]
    items[:] = [item for item in items if item.fspath.basename != "test_faults.py"] + faults


@dataclass
class RunningStack:
    dir: Path
    url: str
    app_urls: list[str]
    database_url: str
    replica_url: str
    admin_password: str

    def client(self, which: str = "nginx", *, source: str | None = None) -> Client:
        """A client of nginx, or of one app server directly ("app-a", "app-b"); ``source``
        is the address it connects from (another reader: any of 127.0.0.0/8)."""
        if which == "nginx":
            return Client(self.url, source=source)
        return Client(self.app_urls[stack.APP_NAMES.index(which)], source=source)

    def primary(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url, autocommit=True)

    def replica(self) -> psycopg.Connection:
        return psycopg.connect(self.replica_url, autocommit=True)

    def run_python(self, code: str) -> None:
        """Run ``code`` in ``manage.py shell`` with the stack's own settings, as an operator
        would on the server."""
        environment = stack.app_environment(stack.Stack.load(self.dir), workers=1)
        done = subprocess.run(
            [sys.executable, str(REPOSITORY / "manage.py"), "shell", "-c", code],
            cwd=REPOSITORY,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]

    def log(self, name: str) -> str:
        path = self.dir / "log" / name
        return path.read_text(errors="replace") if path.exists() else ""


# The tests play many readers from one address: no edge rate limits, but where a test sets
# its own (tests/stack/test_edge_limits.py restarts nginx with some, then without).
EDGE_LIMITS_OFF = {f"GAZETTE_EDGE_LIMIT_{name.upper()}": "off" for name in stack.EDGE_LIMITS}
# Redis's copy of the stored view totals expires within the tests' 40 s primary outage, as
# production's 10 minutes do within a longer one (tests/stack/test_faults.py).
SHORT_STORED_COPY = {"GAZETTE_VIEWS_STORED_SECONDS": "10"}


def _run_stack(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "deploy" / "stack.py"), *args],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
        env=os.environ | EDGE_LIMITS_OFF | SHORT_STORED_COPY | (env or {}),
    )


def restart_nginx(directory: Path, **environment: str) -> None:
    """nginx of the test stack again, its configuration rendered with this environment on top
    of the session's (e.g. GAZETTE_EDGE_LIMIT_SEARCH="1r/m burst=2")."""
    done = _run_stack("restart", "nginx", "--dir", str(directory), env=environment)
    assert done.returncode == 0, done.stdout + done.stderr


# Tasks due now (not ones set to run later) that the worker has yet to finish.
_PENDING_TASKS = (
    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
    "WHERE status IN ('READY', 'RUNNING') "
    "AND (run_after <= now() OR run_after >= '9999-01-01')"  # django-tasks-db's "no time set"
)


def _wait_for_startup_tasks(database_url: str) -> None:
    """The stack starts serving while its worker still works through what building the demo
    content queued: renditions, You May Also Like, and purges of every page the demo shows.
    On a loaded machine those purges land seconds into the first tests and drop a page's
    cache entry mid-test. The tests begin once that backlog is done."""
    deadline = time.monotonic() + START_TIMEOUT
    with psycopg.connect(database_url, autocommit=True) as db:
        while (pending := db.execute(_PENDING_TASKS).fetchone()[0]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.5)
    if pending:
        pytest.fail(f"the stack's worker left {pending} start-up task(s) undone")


@pytest.fixture(scope="session")
def running_stack() -> RunningStack:
    # Not under pytest's own temporary directory, which only root may enter: PostgreSQL runs
    # as the postgres user and keeps its data in here.
    directory = Path(tempfile.mkdtemp(prefix="gazette-stack-"))
    directory.chmod(0o755)
    started = _run_stack(
        "start", "--dir", str(directory), "--port", "0", "--replica", "--fast", "--workers", "1"
    )
    try:
        if started.returncode != 0:
            logs = "\n".join(
                f"--- {log.name}\n{local_services.log_tail(log)}"
                for log in sorted((directory / "log").glob("*.log"))
            )
            pytest.fail(f"stack did not start:\n{started.stdout}{started.stderr}\n{logs}")
        state = json.loads((directory / "stack.json").read_text())
        database_url = f"postgres://gazette@127.0.0.1:{state['postgres_port']}/gazette"
        _wait_for_startup_tasks(database_url)
        yield RunningStack(
            dir=directory,
            url=f"http://127.0.0.1:{state['port']}",
            app_urls=[f"http://127.0.0.1:{port}" for port in state["app_ports"]],
            database_url=database_url,
            replica_url=f"postgres://gazette@127.0.0.1:{state['replica_port']}/gazette",
            admin_password=(directory / "admin-password.txt").read_text().strip(),
        )
    finally:
        stopped = _run_stack("stop", "--dir", str(directory))
        shutil.rmtree(directory, ignore_errors=True)
        assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="session")
def demo_article(running_stack) -> dict:
    """The reference article the demo content imported: its id and path."""
    with running_stack.primary() as db:
        row = db.execute(
            "SELECT p.id, p.url_path, s.url_path FROM news_articlepage a "
            "JOIN wagtailcore_page p ON p.id = a.page_ptr_id "
            "JOIN wagtailcore_page s ON s.id = a.section_id "
            "WHERE p.live AND p.slug LIKE '18-north-korean-soldiers%'"
        ).fetchone()
    assert row, "the demo content has no reference article"
    page_id, url_path, section_path = row
    # url_path starts with the home page's slug; the site serves it at /.
    path = "/" + url_path.split("/", 2)[2]
    section = "/" + section_path.split("/", 2)[2]
    return {"id": page_id, "path": path, "section_path": section}


@pytest.fixture(scope="session")
def section_id(running_stack, demo_article) -> int:
    with running_stack.primary() as db:
        (section,) = db.execute(
            "SELECT section_id FROM news_articlepage WHERE page_ptr_id = %s",
            [demo_article["id"]],
        ).fetchone()
    return section


@pytest.fixture(scope="session")
def commented_article(running_stack, section_id) -> dict:
    """An article of these tests' own, published by an editor, that only the tests of a
    comment shown at once comment on: every comment of theirs is on its first page of
    comments (the demo article's fill up in a full run: other tests comment on it too)."""
    editor = running_stack.client("app-a")
    log_in(editor, "admin", running_stack.admin_password)
    slug = f"stack-comments-{uuid.uuid4().hex[:8]}"
    publish_new_article(editor, section_id, title="Comments shown at once", slug=slug)
    with running_stack.primary() as db:
        page_id, url_path = db.execute(
            "SELECT id, url_path FROM wagtailcore_page WHERE slug = %s AND live", [slug]
        ).fetchone()
    return {"id": page_id, "path": "/" + url_path.split("/", 2)[2]}

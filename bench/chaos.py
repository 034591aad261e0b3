#!/usr/bin/env python3
"""Chaos: kill each piece of the production stack in turn under mixed load, and measure what
readers saw, what was lost, and how long the stack took to be whole again by itself.

    .venv/bin/python bench/chaos.py [--threads 8] [--load-after 10] [--no-write]   # make chaos

Starts deploy/stack.py's stack with a streaming replica in a temporary directory on free
loopback ports (everything stays on loopback), PostgreSQL durable as in production (not
``--fast``: with synchronous_commit off a killed primary loses its last commits), then for
each fault (app server, task worker, scheduler, Redis, primary, replica, nginx): readers
read pages (from the microcache and past it), send view beacons (each a new reader) and post
comments; the piece is killed with
SIGKILL (an app server or nginx: master and workers); nobody restarts anything (supervisord
does); the load goes on until the stack is whole again and ``--load-after`` seconds more;
then the load stops and the counts settle. Per fault it notes: reads answered 5xx, reads
refused (nginx killed: nothing listens until it is back; not a 5xx, in its own column), reads
sent and not answered (reset, timeout), views and comments
acknowledged against those stored, and the seconds from the kill
until every piece runs and answers again. Writes the table into docs/operations.md (between
the chaos markers) and exits 1 when a count is off, a read got a 5xx or a piece took longer
than ``WHOLE_WITHIN``. At most about 10 minutes on a 2-core machine.

Reuses bench/soak.py's readers (beacons, comments with the form's stamp, comment limits off).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak  # bench/soak.py, beside this file

from deploy import stack as stack_module

REPOSITORY = soak.REPOSITORY
DOCS = REPOSITORY / "docs" / "operations.md"
START, END = "<!-- chaos:start -->", "<!-- chaos:end -->"
FAULTS = ("app-a", "worker", "scheduler", "redis", "postgres", "replica", "nginx")
WHOLE_WITHIN = 15.0  # seconds: the bar for every piece
GIVE_UP = 120.0  # seconds: a piece not whole by then is reported as such
SETTLE = 60.0  # seconds for the counts to reach the database after the load stops
WARM_UP = 3.0  # seconds of load before the kill


def log(message: str) -> None:
    print(f"chaos: {message}", file=sys.stderr, flush=True)


@dataclass
class Outcome:
    fault: str
    reads: int
    reads_5xx: int  # answered with a server error
    reads_refused: int  # connection refused: nothing listened (not a 5xx, not a lost answer)
    reads_unanswered: int  # no HTTP answer to a request made (connection reset, timeout)
    views_acknowledged: int
    views_stored: int
    comments_acknowledged: int
    comments_stored: int
    whole_after: float | None  # seconds; None: not within GIVE_UP

    @property
    def ok(self) -> bool:
        return (
            self.reads_5xx == 0
            and self.views_stored >= self.views_acknowledged
            # More stored than acknowledged: taken by the app, its answer lost with nginx.
            and self.comments_stored >= self.comments_acknowledged
            and self.whole_after is not None
            and self.whole_after <= WHOLE_WITHIN
        )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


def whole(stack: stack_module.Stack) -> bool:
    """Every piece running (supervisord's word, the databases' ports open) and answering."""
    running = stack_module._running(stack)
    if not running or not all(running.values()):
        return False
    apps = [f"http://127.0.0.1:{port}/healthz" for port in stack.app_ports]
    return all(_answers(url) for url in [*apps, f"{stack.url}/healthz"])


def kill(stack: stack_module.Stack, name: str) -> list[int]:
    status = stack_module.supervisor_status(stack) or {}
    pid = status.get(name, ("", 0))[1]
    if not pid:
        raise SystemExit(f"{name} is not running before its fault: {status}")
    # The whole server: gunicorn's and nginx's workers would otherwise serve on.
    pids = [pid, *_children(pid)] if name in (*stack_module.APP_NAMES, "nginx") else [pid]
    for victim in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return pids


def settle(db: psycopg.Connection, stack, ids: list[int], expected_at_least: int) -> int:
    """Wait until Redis holds no pending view and the stored total stops moving."""
    deadline = time.monotonic() + SETTLE
    stored = soak.stored_views(db, ids)
    while time.monotonic() < deadline:
        try:
            pending = soak.redis_pending(stack.redis_port)
        except Exception:  # Redis still coming back
            pending = -1
        stored = soak.stored_views(db, ids)
        if pending == 0 and stored >= expected_at_least:
            break
        time.sleep(1)
    time.sleep(3)  # an app process's own buffer (written every 2 s while Redis was away)
    return soak.stored_views(db, ids)


def run_fault(stack, articles, name: str, threads: int, load_after: float) -> Outcome:
    ids = [article_id for article_id, _ in articles]
    with psycopg.connect(stack.database_url, autocommit=True) as db:
        before = soak.stored_views(db, ids)
    load = soak.Soak(stack, articles, threads)
    for reader in load.readers:
        # Readers new to this fault: a reader is known by its user agent (which soak's
        # readers number by what they sent), and one seen in the last 30 minutes counts once.
        reader.sent = (FAULTS.index(name) + 1) * 1_000_000
        reader.start()
    time.sleep(WARM_UP)
    log(f"{name}: SIGKILL")
    kill(stack, name)
    killed_at = time.monotonic()
    whole_after = None
    time.sleep(0.5)  # supervisord notices; the pieces' own checks see it gone
    while time.monotonic() - killed_at < GIVE_UP:
        if whole(stack):
            whole_after = time.monotonic() - killed_at
            break
        time.sleep(0.25)
    took = "more than GIVE_UP" if whole_after is None else f"{whole_after:.1f}"
    log(f"{name}: whole again after {took} s")
    time.sleep(load_after)
    load.stopping.set()
    for reader in load.readers:
        reader.join(timeout=soak.TIMEOUT + 5)
    tally = load.tally
    reads = sum(n for (kind, _), n in tally.answers.items() if kind.startswith("read"))
    reads_5xx = sum(
        n
        for (kind, status), n in tally.answers.items()
        if kind.startswith("read") and isinstance(status, int) and status >= 500
    )
    reads_refused = sum(
        n
        for (kind, status), n in tally.answers.items()
        if kind.startswith("read") and status == "refused"
    )
    reads_unanswered = sum(
        n
        for (kind, status), n in tally.answers.items()
        if kind.startswith("read") and not isinstance(status, int) and status != "refused"
    )
    with psycopg.connect(stack.database_url, autocommit=True) as db:
        stored = settle(db, stack, ids, before + tally.counted_views) - before
        comments = soak.stored_comments(db, load.marker)
    return Outcome(
        fault=name,
        reads=reads,
        reads_5xx=reads_5xx,
        reads_refused=reads_refused,
        reads_unanswered=reads_unanswered,
        views_acknowledged=tally.counted_views,
        views_stored=stored,
        comments_acknowledged=tally.comments_taken,
        comments_stored=comments,
        whole_after=whole_after,
    )


def table(outcomes: list[Outcome], command: str) -> str:
    cpus = os.cpu_count()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        START,
        f"`{command}` on {platform.node()} ({cpus} cores, {platform.machine()}, "
        f"Python {platform.python_version()}), {when}: each piece killed with SIGKILL under "
        "mixed load, nothing restarted by hand.",
        "",
        "| fault (SIGKILL) | reads | reads 5xx | reads refused (nothing listening) "
        "| reads unanswered (reset, timeout) | views acknowledged / stored "
        "| comments acknowledged / stored | whole again after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o in outcomes:
        after = "not within 120 s" if o.whole_after is None else f"{o.whole_after:.1f} s"
        lines.append(
            f"| {o.fault} | {o.reads} | {o.reads_5xx} | {o.reads_refused} | {o.reads_unanswered} | "
            f"{o.views_acknowledged} / "
            f"{o.views_stored} | {o.comments_acknowledged} / {o.comments_stored} | {after} |"
        )
    lines.append(END)
    return "\n".join(lines)


def write_table(text: str) -> None:
    docs = DOCS.read_text()
    if START in docs:
        docs = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: text, docs, flags=re.S)
    else:
        docs = docs.rstrip("\n") + "\n\n" + text + "\n"
    DOCS.write_text(docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--load-after", type=float, default=10.0)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args(argv)
    faults = [name.strip() for name in args.faults.split(",") if name.strip()]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")

    directory = Path(tempfile.mkdtemp(prefix="gazette-chaos-"))
    directory.chmod(0o755)  # PostgreSQL's user keeps its data in here
    os.environ.update({f"GAZETTE_EDGE_LIMIT_{n.upper()}": "off" for n in stack_module.EDGE_LIMITS})
    started = time.monotonic()
    try:
        log("starting the stack (with a replica)")
        done = soak.subprocess.run(
            [sys.executable, soak.STACK, "start", "--dir", str(directory), "--port", "0",
             "--replica", "--workers", "1"],
            cwd=REPOSITORY, text=True, capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"the stack did not start:\n{done.stdout}{done.stderr}")
        stack = stack_module.Stack.load(directory)
        soak.open_comments_to_everyone(stack)
        with psycopg.connect(stack.database_url, autocommit=True) as db:
            articles = soak.live_articles(db)
        outcomes = []
        for name in faults:
            outcome = run_fault(stack, articles, name, args.threads, args.load_after)
            log(str(outcome))
            outcomes.append(outcome)
            stack = stack_module.Stack.load(directory)
        command = "make chaos" + (f" CHAOS_ARGS='{' '.join(argv)}'" if argv else "")
        text = table(outcomes, command)
        print(text)
        if args.write:
            write_table(text)
        log(f"done in {time.monotonic() - started:.0f} s")
        return 0 if all(o.ok for o in outcomes) else 1
    finally:
        if not args.keep:
            soak.stop_stack(directory)
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

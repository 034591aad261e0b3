#!/usr/bin/env python3
"""Soak: the production stack under a long, concurrent mix of readers through nginx.

    .venv/bin/python bench/soak.py [--minutes 5] [--threads 48] [--workers 1] [--keep]

Starts deploy/stack.py's stack (PostgreSQL, Redis, two gunicorn app servers behind nginx, the
task and views workers, the demo content) in a temporary directory on free loopback ports,
then for ``--minutes`` keeps ``--threads`` readers busy: each one reads articles (most from
nginx's microcache, some past it), sends view beacons (each from a new reader, so each one
counts) and posts comments. Every minute it notes the memory (RSS) of every app server
process. At the end it waits for the flush and checks the counts: every beacon answered
"counted" is stored, every comment answered "taken" is stored, once. Prints a summary
(Markdown) and exits 1 if any request failed or any count is off.

The readers all come from 127.0.0.1, so the soak turns the comment rate limits off in the
site's comment settings (the limits themselves are tested in tests/comments).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import requests

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from deploy import stack as stack_module  # noqa: E402

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
# What a reader does next: read a page from the cache, read one past it, count a view, post.
MIX = (("read", 70), ("read-uncached", 8), ("beacon", 20), ("comment", 2))
ARTICLES = 20
TIMEOUT = 30
SAMPLE_EVERY = 60  # seconds between memory samples
SETTLE = 120  # seconds the counts get to reach the database at the end


def log(message: str) -> None:
    print(f"soak: {message}", file=sys.stderr, flush=True)


# --- the stack --------------------------------------------------------------------------------


STACK = str(REPOSITORY / "deploy" / "stack.py")


def start_stack(directory: Path, workers: int) -> stack_module.Stack:
    options = ["--dir", str(directory), "--port", "0", "--fast", "--workers", str(workers)]
    started = subprocess.run(  # noqa: S603 - our own stack.py
        [sys.executable, STACK, "start", *options],
        cwd=REPOSITORY,
        text=True,
        capture_output=True,
        timeout=600,
        check=False,
    )
    if started.returncode != 0:
        raise SystemExit(f"the stack did not start:\n{started.stdout}{started.stderr}")
    return stack_module.Stack.load(directory)


def stop_stack(directory: Path) -> None:
    subprocess.run(  # noqa: S603 - our own stack.py
        [sys.executable, STACK, "stop", "--dir", str(directory)],
        cwd=REPOSITORY,
        capture_output=True,
        timeout=120,
        check=False,
    )


def open_comments_to_everyone(stack: stack_module.Stack) -> None:
    """No rate limit (every reader here is 127.0.0.1) and comments open on old articles."""
    code = (
        "from wagtail.models import Site\n"
        "from gazette.comments.models import CommentSettings\n"
        "s = CommentSettings.for_site(Site.objects.get(is_default_site=True))\n"
        "s.per_minute = s.per_hour = s.close_after_days = 0\n"
        "s.save()\n"
    )
    env = stack_module.app_environment(stack, workers=stack.workers)
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(REPOSITORY / "manage.py"), "shell", "-c", code],
        cwd=REPOSITORY,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def live_articles(db: psycopg.Connection) -> list[tuple[int, str]]:
    """(id, path) of some live articles; the site serves url_path without the home's slug."""
    rows = db.execute(
        "SELECT p.id, p.url_path FROM news_articlepage a "
        "JOIN wagtailcore_page p ON p.id = a.page_ptr_id WHERE p.live "
        "ORDER BY p.id LIMIT %s",
        [ARTICLES],
    ).fetchall()
    return [(page_id, "/" + url_path.split("/", 2)[2]) for page_id, url_path in rows]


def stored_views(db: psycopg.Connection, ids: list[int]) -> int:
    (total,) = db.execute(
        "SELECT coalesce(sum(views), 0) FROM analytics_totalviews WHERE article_id = ANY(%s)",
        [ids],
    ).fetchone()
    return int(total)


def stored_comments(db: psycopg.Connection, marker: str) -> int:
    (count,) = db.execute(
        "SELECT count(*) FROM comments_comment WHERE text LIKE %s", [f"%{marker}%"]
    ).fetchone()
    return int(count)


def redis_pending(port: int) -> int:
    import redis

    client = redis.Redis(port=port)
    try:
        return sum(
            sum(int(v) for v in client.hvals(f"gazette:views:{name}"))
            for name in ("pending-by-article", "flushing-by-article")
        )
    finally:
        client.close()


# --- memory -----------------------------------------------------------------------------------


def app_processes(stack: stack_module.Stack) -> dict[int, str]:
    """pid -> "app-a master", "app-a worker"... for every gunicorn process of the stack."""
    masters = {stack.pids[name]: name for name in stack_module.APP_NAMES if name in stack.pids}
    found = {pid: f"{name} master" for pid, name in masters.items()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in masters:
            found[int(entry.name)] = f"{masters[parent]} worker"
    return found


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- the readers ------------------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: Counter = field(default_factory=Counter)  # (kind, status) -> n
    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counted_views: int = 0
    comments_taken: int = 0

    def note(self, kind: str, status: int | str, seconds: float, *, ok: bool, why: str = ""):
        with self.lock:
            self.answers[(kind, status)] += 1
            self.latencies[kind].append(seconds)
            if not ok and len(self.errors) < 50:
                self.errors.append(f"{kind}: {status} {why}"[:300])


class Reader(threading.Thread):
    def __init__(self, number: int, soak: Soak):
        super().__init__(daemon=True, name=f"reader-{number}")
        self.number, self.soak = number, soak
        self.random = random.Random(number)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = BROWSER
        self.sent = 0

    def run(self) -> None:
        kinds = [kind for kind, _ in MIX]
        weights = [weight for _, weight in MIX]
        while not self.soak.stopping.is_set():
            self.sent += 1
            kind = self.random.choices(kinds, weights)[0]
            article_id, path = self.random.choice(self.soak.articles)
            started = time.monotonic()
            try:
                ok, status, why = getattr(self, kind.replace("-", "_"))(article_id, path)
            except requests.RequestException as exc:
                ok, status, why = False, no_answer(exc), exc.__class__.__name__
            self.soak.tally.note(kind, status, time.monotonic() - started, ok=ok, why=why)

    def _url(self, path: str) -> str:
        return self.soak.url + path

    def read(self, article_id: int, path: str):
        response = self.session.get(self._url(path), timeout=TIMEOUT)
        return response.status_code == 200, response.status_code, ""

    def read_uncached(self, article_id: int, path: str):
        response = self.session.get(
            self._url(f"{path}?soak={self.number}-{self.sent}"), timeout=TIMEOUT
        )
        return response.status_code == 200, response.status_code, ""

    def beacon(self, article_id: int, path: str):
        agent = BROWSER.replace("Chrome/131.0", f"Chrome/131.{self.number}.{self.sent}")
        response = self.session.post(
            self._url(f"/analytics/views/{article_id}/"),
            headers={
                "User-Agent": agent,
                "Sec-Fetch-Dest": "empty",
                "Sec-Fetch-Site": "same-origin",
            },
            timeout=TIMEOUT,
        )
        # nginx answers 204 (every beacon here is a new browser reader's: a view its log's
        # counter must store); an app server answering itself says so in JSON (older trees).
        counted = response.status_code == 204 or (
            response.status_code == 200 and response.json().get("counted") is True
        )
        if counted:
            with self.soak.tally.lock:
                self.soak.tally.counted_views += 1
        return counted, response.status_code, "" if counted else response.text[:100]

    def comment(self, article_id: int, path: str):
        response = self.session.post(
            self._url(f"/comments/{article_id}/post/"),
            data={
                "name": f"Soak reader {self.number}",
                "email": "",
                "text": f"{self.soak.marker} comment {self.number}-{self.sent}: "
                + self.random.choice(("Well put.", "I disagree.", "Thanks for this.")),
                "website": "",
                "stamp": self.soak.stamp(article_id),
            },
            headers={"Origin": self.soak.url, "Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        taken = response.status_code == 303
        if taken:
            with self.soak.tally.lock:
                self.soak.tally.comments_taken += 1
        return taken, response.status_code, "" if taken else response.text[:100]


class Soak:
    def __init__(self, stack: stack_module.Stack, articles, threads: int):
        from django.conf import settings
        from django.core import signing

        secret = (stack.root / "secret-key").read_text().strip()
        if not settings.configured:  # django.core.signing reads settings, nothing else here
            settings.configure(SECRET_KEY=secret)
        self.stack = stack
        self.url = stack.url
        self.articles = articles
        self.marker = f"soak-{uuid.uuid4().hex[:8]}"
        self.tally = Tally()
        self.stopping = threading.Event()
        self.readers = [Reader(number, self) for number in range(threads)]
        self._signer = signing.Signer(key=secret, salt="gazette.comments.form-stamp")

    def stamp(self, article_id: int) -> str:
        """The article form's stamp, as if the page had been read a minute ago."""
        return self._signer.sign(f"{article_id}:{int(time.time()) - 60}")

    def run(self, seconds: float) -> list[dict]:
        samples = []
        started = time.monotonic()
        for reader in self.readers:
            reader.start()
        next_sample = started
        while (elapsed := time.monotonic() - started) < seconds:
            if time.monotonic() >= next_sample:
                samples.append(self.sample(elapsed))
                next_sample += SAMPLE_EVERY
            time.sleep(1)
        samples.append(self.sample(time.monotonic() - started))
        self.stopping.set()
        for reader in self.readers:
            reader.join(timeout=TIMEOUT + 5)
        return samples

    def sample(self, elapsed: float) -> dict:
        processes = app_processes(self.stack)
        with self.tally.lock:
            requests_so_far = sum(self.tally.answers.values())
        sample = {
            "minute": round(elapsed / 60, 1),
            "requests": requests_so_far,
            "rss": {f"{role} {pid}": rss_mib(pid) for pid, role in sorted(processes.items())},
        }
        log(f"{sample['minute']:>4} min, {requests_so_far} requests, RSS MiB {sample['rss']}")
        return sample


# --- report -----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def report(args, soak: Soak, samples, seconds, views, comments) -> tuple[str, bool]:
    tally = soak.tally
    total = sum(tally.answers.values())
    failed = sum(n for (kind, status), n in tally.answers.items() if not _ok(kind, status))
    rows = []
    for kind, _ in MIX:
        answered = sum(n for (k, _), n in tally.answers.items() if k == kind)
        bad = sum(n for (k, s), n in tally.answers.items() if k == kind and not _ok(k, s))
        latencies = tally.latencies.get(kind, [])
        rows.append(
            f"| {kind} | {answered:,} | {bad} | {percentile(latencies, 0.5) * 1000:.0f} ms "
            f"| {percentile(latencies, 0.99) * 1000:.0f} ms |"
        )
    first, last = samples[0]["rss"], samples[-1]["rss"]
    memory_rows = []
    for key in sorted(set(first) | set(last)):
        memory_rows.append(
            f"| {key} | {_mib(first.get(key))} | {_mib(last.get(key))} | "
            + " ".join(_mib(s["rss"].get(key)) for s in samples)
            + " |"
        )
    growth = _worker_growth(samples)
    views_ok = views["stored"] == views["counted"]
    comments_ok = comments["stored"] == comments["taken"]
    ok = failed == 0 and views_ok and comments_ok
    machine = f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    text = "\n".join(
        [
            f"Command: `.venv/bin/python bench/soak.py --minutes {args.minutes:g} "
            f"--threads {args.threads} --workers {args.workers}`",
            f"Machine: {machine}. Run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
            "",
            f"{total:,} requests in {seconds / 60:.1f} min ({total / seconds:.0f}/s) from "
            f"{args.threads} concurrent readers through nginx; failed: **{failed}**.",
            "",
            "| request | answered | failed | p50 | p99 |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Counts: beacons answered counted {views['counted']:,}, stored after the flush "
            f"{views['stored']:,} ({'exact' if views_ok else 'OFF'}); comments answered taken "
            f"{comments['taken']:,}, stored {comments['stored']:,} "
            f"({'exact' if comments_ok else 'OFF'}).",
            "",
            "App server memory (RSS, MiB), first and last sample, then every sample "
            f"({SAMPLE_EVERY} s apart); a pid that changes is gunicorn recycling a worker "
            "(max_requests):",
            "",
            "| process | first | last | samples |",
            "|---|---|---|---|",
            *memory_rows,
            "",
            f"Worker growth from the first minute (warm) to the end: {growth}.",
            *(
                ["", "First errors:", *[f"- {e}" for e in tally.errors[:10]]]
                if tally.errors
                else []
            ),
        ]
    )
    return text, ok


def _worker_growth(samples: list[dict]) -> str:
    """RSS change of each app worker process from the sample at minute 1 (or the first) to
    its last sample: how memory moves once the caches and imports are warm."""
    warm = next((s for s in samples if s["minute"] >= 1), samples[0])
    changes = []
    for key, start in warm["rss"].items():
        if "worker" not in key or start is None:
            continue
        end = next(
            (s["rss"][key] for s in reversed(samples) if s["rss"].get(key) is not None), start
        )
        changes.append(f"{key} {end - start:+.0f} MiB")
    return ", ".join(changes) or "no worker sampled twice"


def no_answer(exc: BaseException) -> str:
    """What kind of silence: "refused" (nothing listened: the connection was never made, no
    request reached a server) or "no answer" (reset, timeout: a request may have been taken)."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        if isinstance(error, ConnectionRefusedError):
            return "refused"
        seen.add(id(error))
        error = (
            error.__cause__
            or error.__context__
            or next(
                (arg for arg in getattr(error, "args", ()) if isinstance(arg, BaseException)), None
            )
        )
    return "refused" if "Connection refused" in str(exc) else "no answer"


def _ok(kind: str, status) -> bool:
    expected = {"beacon": 200, "comment": 303}.get(kind, 200)
    return status == expected


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=48, help="concurrent readers")
    parser.add_argument("--workers", type=int, default=1, help="processes per app server")
    parser.add_argument("--dir", type=Path, help="stack directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    directory = args.dir or Path(tempfile.mkdtemp(prefix="gazette-soak-"))
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)  # PostgreSQL runs as its own user and keeps its data in here
    log(f"starting the stack in {directory}")
    stack = start_stack(directory, args.workers)
    try:
        open_comments_to_everyone(stack)
        with psycopg.connect(stack.database_url, autocommit=True) as db:
            articles = live_articles(db)
            ids = [article_id for article_id, _ in articles]
            views_before = stored_views(db, ids)
            soak = Soak(stack, articles, args.threads)
            log(f"{args.threads} readers for {args.minutes:g} min on {len(articles)} articles")
            started = time.monotonic()
            samples = soak.run(args.minutes * 60)
            seconds = time.monotonic() - started
            log("load over; waiting for the counts to reach the database")
            deadline = time.monotonic() + SETTLE
            while time.monotonic() < deadline:
                if redis_pending(stack.redis_port) == 0 and (
                    stored_views(db, ids) - views_before >= soak.tally.counted_views
                ):
                    break
                time.sleep(1)
            time.sleep(3)  # one more flush interval: anything late would show as too many
            views = {
                "counted": soak.tally.counted_views,
                "stored": stored_views(db, ids) - views_before,
            }
            comments = {
                "taken": soak.tally.comments_taken,
                "stored": stored_comments(db, soak.marker),
            }
        text, ok = report(args, soak, samples, seconds, views, comments)
        print(text)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "answers": {f"{k} {s}": n for (k, s), n in soak.tally.answers.items()},
                        "views": views,
                        "comments": comments,
                        "samples": samples,
                        "seconds": seconds,
                        "median_ms": {
                            k: statistics.median(v) * 1000 for k, v in soak.tally.latencies.items()
                        },
                    },
                    indent=2,
                )
            )
        return 0 if ok else 1
    finally:
        if not args.keep:
            stop_stack(directory)
            if not args.dir:
                import shutil

                shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

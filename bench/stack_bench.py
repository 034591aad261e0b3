#!/usr/bin/env python3
"""`make bench`: the production stack under load at newsroom scale (issues 7 and 17).

    .venv/bin/python bench/stack_bench.py [--sizes 1000,10000,100000] [--duration 10s] [--keep]

Starts deploy/stack.py's production stack (PostgreSQL, Redis, two gunicorn app servers behind
nginx's microcache, the workers) in a temporary directory on free loopback ports, loads a
synthetic newsroom (manage.py generate_newsroom) growing to each size in turn, and measures
with wrk, each figure beside its reference of the same run: nginx serving the article's HTML
as a static file (a second nginx, the ceiling), the article from the page cache and uncached,
the article with a tracking parameter of its own per request (issue 20), home, section,
author and search pages, the view beacon (and that every counted view is
stored), comment posts, a stampede on a cold URL (backend renders counted in the app servers'
access logs), the related-articles rebuild, queries per page, worker memory and page weight.
Profiles the uncached article at the largest size (pyinstrument). Writes the table into the
marked section of docs/benchmarks.md and prints it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import psycopg

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench import bench_report  # noqa: E402
from bench.loadtest import run_wrk  # noqa: E402
from deploy import local_services, stack  # noqa: E402

DOCS = REPOSITORY / "docs" / "benchmarks.md"
PROBE = REPOSITORY / "bench" / "probe.py"
# Any Authorization header makes nginx pass a page request to the app and store nothing
# (deploy/nginx.conf, $gazette_skip_cache); the app ignores it on reader pages.
BYPASS = {"Authorization": "Bench uncached"}
CACHED_CONNECTIONS = 32
UNCACHED_CONNECTIONS = 16
STAMPEDE_CONNECTIONS = 200
OPEN_ARTICLES = 20
# gunicorn's access lines of beacons counted and comments taken.
BEACON_SERVED = re.compile(r'"POST /analytics/views/\d+/ HTTP/1\.[01]\\?" 200 ')
# nginx's beacon log lines of the beacons it answered itself (deploy/nginx.conf).
BEACON_LOGGED = re.compile(rb'"status":204,"method":"POST"')
# The stack's long-running Gazette processes besides the app servers.
WORKER_PROCESSES = ("worker", "views-worker", "beacon-counter", "scheduler")
COMMENT_SERVED = re.compile(r'"POST /comments/\d+/post/ HTTP/1\.[01]\\?" 201 ')


def log(message: str) -> None:
    print(f"bench [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the stack and the ceiling -----------------------------------------------------------------


class BenchStack:
    """The stack in ``root`` and how to run the app's commands with its settings."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self.workers = workers
        self.state: stack.Stack | None = None

    def start(self) -> None:
        # gunicorn's access lines (one per request that reaches an app server) are how the
        # stampede's backend renders are counted. wrk is one client address: no edge limits.
        env = os.environ | {"GUNICORN_ACCESS_LOG": "-"}
        env |= {f"GAZETTE_EDGE_LIMIT_{name.upper()}": "off" for name in stack.EDGE_LIMITS}
        command = [sys.executable, str(REPOSITORY / "deploy" / "stack.py"), "start"]
        command += ["--dir", str(self.root), "--port", "0", "--fast", "--no-demo"]
        command += ["--workers", str(self.workers)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"the stack did not start:\n{done.stdout}{done.stderr}")
        self.state = stack.Stack.load(self.root)

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(REPOSITORY / "deploy" / "stack.py"),
                "stop",
                "--dir",
                str(self.root),
            ],
            capture_output=True,
            check=False,
        )

    @property
    def url(self) -> str:
        return self.state.url

    @property
    def env(self) -> dict[str, str]:
        return stack.app_environment(self.state, workers=self.workers)

    def manage(self, *args: str) -> str:
        return self._run([str(REPOSITORY / "manage.py"), *args])

    def manage_demo(self, *args: str) -> str:
        """A demo command (generate_newsroom): the stack's settings plus the demo app."""
        return self._run([str(REPOSITORY / "manage.py"), *args], stack.demo_environment(self.env))

    def probe(self, *args: str) -> str:
        return self._run([str(PROBE), *args])

    def _run(self, args: list[str], env: dict[str, str] | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - our own scripts
            [sys.executable, *args],
            cwd=REPOSITORY,
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def database(self) -> psycopg.Connection:
        return psycopg.connect(self.state.database_url, autocommit=True)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers of both app servers (children of their masters)."""
        pids = []
        for name in stack.APP_NAMES:
            master = self.state.pids.get(name)
            children = Path(f"/proc/{master}/task/{master}/children")
            if master and children.exists():
                pids += [int(p) for p in children.read_text().split()]
        return pids

    def app_log_size(self) -> dict[str, int]:
        return {
            name: (self.root / "log" / f"{name}.log").stat().st_size for name in stack.APP_NAMES
        }

    def beacon_log_size(self) -> int:
        path = self.root / "log" / "beacon.log"
        return path.stat().st_size if path.exists() else 0

    def beacons_logged_since(self, offset: int) -> int:
        """Beacons nginx answered 204 itself (its beacon log) since ``offset``."""
        path = self.root / "log" / "beacon.log"
        if not path.exists():
            return 0
        with open(path, "rb") as file:
            file.seek(offset)
            return len(BEACON_LOGGED.findall(file.read()))

    def app_log_since(self, offsets: dict[str, int]) -> str:
        text = ""
        for name, offset in offsets.items():
            with open(self.root / "log" / f"{name}.log", "rb") as file:
                file.seek(offset)
                text += file.read().decode(errors="replace")
        return text


def _per_request_obligations() -> str:
    """What deploy/nginx.conf does for every request, whatever serves it: the request id
    (kept in X-Request-ID) and the JSON access log line, copied from the file itself."""
    conf = stack.TEMPLATE.read_text()
    request_id = re.search(r"    map \$http_x_request_id .*?\n    \}\n", conf, re.S)
    log_format = re.search(r"    log_format gazette_json .*?;\n", conf, re.S)
    return request_id[0] + log_format[0]


def ceiling_conf(root: Path, port: int) -> str:
    """The ceiling's nginx.conf: one worker, sendfile, the stack's JSON access log line and
    X-Request-ID on every answer, the files of ``root``/pages."""
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 30s;
    client_body_temp_path {root}/scratch;
    proxy_temp_path {root}/scratch;
    fastcgi_temp_path {root}/scratch;
    uwsgi_temp_path {root}/scratch;
    scgi_temp_path {root}/scratch;
{_per_request_obligations()}
    access_log {root}/access.log gazette_json;
    server {{
        listen 127.0.0.1:{port};
        root {root}/pages;
        add_header X-Request-ID $gazette_request_id always;
    }}
}}
"""


class Ceiling:
    """A second nginx, configured like the stack's (one worker, sendfile, the same JSON
    access log line and X-Request-ID on every answer), serving saved pages as static files:
    the most a page can go. Since 2026-12-07 (branch cache7) it logs and names each request
    as the stack does: before, a shorter combined log line and no request id, so the share
    also counted those two against the page cache (bench/cache_hits.py, variant
    plain-ceiling, measures that ceiling)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pages = root / "pages"
        self.port = local_services.free_port()
        self.pid = 0

    def start(self) -> None:
        self.pages.mkdir(parents=True, exist_ok=True)
        (self.root / "scratch").mkdir(exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(ceiling_conf(self.root, self.port))
        subprocess.run(  # noqa: S603
            [stack.nginx_binary(), "-c", str(conf), "-p", str(self.root)],
            check=True,
            capture_output=True,
            start_new_session=True,
        )
        pid_file = self.root / "nginx.pid"
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pid = int(pid_file.read_text())

    def serve(self, name: str, body: bytes) -> str:
        (self.pages / name).write_bytes(body)
        return f"http://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGQUIT)


# --- measurements ---------------------------------------------------------------------------


class RssSampler:
    """The largest resident set of any app worker seen while it runs (workers are recycled
    every few thousand requests: a reading after the load could miss the peak)."""

    def __init__(self, bench_stack: BenchStack) -> None:
        self.stack = bench_stack
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for pid in self.stack.worker_pids():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
                if found:
                    self.peak_kb = max(self.peak_kb, int(found[1]))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class CpuMeter:
    """CPU seconds the stack's processes (app workers, PostgreSQL, Redis, nginx, the workers)
    spend on a
    load: on a shared machine, throughput says how busy the neighbours were; CPU per request
    says what a request costs, and how many two idle cores would serve."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, bench_stack: BenchStack) -> None:
        self.stack = bench_stack

    def pids(self) -> dict[str, list[int]]:
        state = self.stack.state
        postmaster = self.stack.root / "postgres" / "postmaster.pid"
        postgres = [int(postmaster.read_text().split()[0])] if postmaster.exists() else []
        nginx = [state.pids["nginx"]] if state.pids.get("nginx") else []
        workers = [state.pids[name] for name in WORKER_PROCESSES if state.pids.get(name)]
        return {
            "app": self.stack.worker_pids(),
            "postgres": postgres + [c for p in postgres for c in _children(p)],
            "nginx": nginx + [c for p in nginx for c in _children(p)],
            "redis": [state.pids["redis"]],
            # The task worker, the flush worker, the beacon log's counter, the scheduler.
            "workers": workers,
        }

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            group: {pid: _cpu_seconds(pid) for pid in pids} for group, pids in self.pids().items()
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds per group between two snapshots (a process new since counts whole)."""
        return {
            group: sum(
                max(0.0, cpu - before.get(group, {}).get(pid, 0.0)) for pid, cpu in pids.items()
            )
            for group, pids in after.items()
        }


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CpuMeter.TICK  # utime, stime


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"User-Agent": "bench"} | (headers or {}))  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.read(), dict(response.headers)


def page_weight(url: str) -> dict[str, int]:
    html, _ = fetch(url)
    weights = {"html": len(html)}
    for encoding in ("gzip", "br"):
        body, headers = fetch(url, {"Accept-Encoding": encoding})
        weights[encoding] = len(body) if headers.get("Content-Encoding") == encoding else len(html)
    # gzip -5, as nginx compresses: a check that the figure is a compressed size.
    assert weights["gzip"] <= len(gzip.compress(html, 1)) * 1.2
    return weights


def stamps_of(site: str, articles: list[dict]) -> list[str]:
    """'<id>:<stamp>' of each article's comment form, read from its page as a browser does."""
    forms = []
    for article in articles:
        html, _ = fetch(site + article["path"])
        found = re.search(rb'name="stamp" value="([^"]+)"', html)
        if found:
            forms.append(f"{article['id']}:{found[1].decode()}")
    return forms


def stored_views(db: psycopg.Connection, ids: list[int]) -> int:
    row = db.execute(
        "SELECT COALESCE(SUM(views), 0) FROM analytics_totalviews WHERE article_id = ANY(%s)",
        [ids],
    ).fetchone()
    return int(row[0])


def bench_comments(db: psycopg.Connection) -> tuple[int, int]:
    row = db.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'published') FROM comments_comment "
        "WHERE author_name = 'Bench reader'"
    ).fetchone()
    return int(row[0]), int(row[1])


# The cached article is compared with nginx's static ceiling and with a tracking parameter per
# request in alternating rounds, each pair's ratio taken within the round: on shared cores a
# neighbour's burst would otherwise land on one side of a ratio. Since 2026-12-07 (branch
# nginx9) five rounds of six short runs, each round's order mirrored (static, cached,
# tracking, tracking, cached, static; the first load turned each round): a load that grows
# or fades during a round weighs on every figure of it alike, and one disturbed round of five
# moves the median less than one of four did (four rounds of three runs, each half the
# figure's duration: ±5% between runs). The same total time per figure.
CACHE_ROUND_LOADS = ("static", "article-cached", "article-tracking")
CACHE_ROUNDS = 5


def nginx_worker_cpu(master_pid: int) -> float:
    """CPU seconds of an nginx master's workers."""
    return sum(_cpu_seconds(child) for child in _children(master_pid))


def round_order(number: int) -> list[str]:
    """The loads of round ``number`` in the order they run: turned, then mirrored."""
    turn = number % len(CACHE_ROUND_LOADS)
    order = list(CACHE_ROUND_LOADS[turn:] + CACHE_ROUND_LOADS[:turn])
    return order + order[::-1]


# The uncached article's two figures (16 connections, and one), each in five short rounds
# alternating with the other, the table giving the median round (by CPU per request, and by
# p50): this 2-core VM runs some seconds half again slower per instruction than others,
# whatever runs on it (a fixed Python loop timed every 4 s: 41-45 ms, in 18-57% of the
# windows 63-73 ms, at rest as under load), so one 10-s run measured the host's phase as much
# as the page. The same total time per figure as one run.
UNCACHED_ROUND_LOADS = ("article-uncached", "article-latency")
UNCACHED_ROUNDS = 5


def uncached_rounds(run: Callable[[str], dict]) -> list[dict]:
    """``run(name)`` runs one short load and returns it; the rounds' loads by name, each
    round's first load turned."""
    rounds = []
    for number in range(UNCACHED_ROUNDS):
        turn = number % len(UNCACHED_ROUND_LOADS)
        order = UNCACHED_ROUND_LOADS[turn:] + UNCACHED_ROUND_LOADS[:turn]
        rounds.append({name: run(name) for name in order})
    return rounds


def median_uncached(rounds: list[dict]) -> dict[str, dict]:
    """The table's uncached article: the round with the median CPU per request at 16
    connections, the round with the median p50 at one; each load saying how many rounds."""
    chosen = {}
    for name, measure in (
        ("article-uncached", bench_report.cpu_ms),
        ("article-latency", bench_report.p50),
    ):
        ordered = sorted((r[name] for r in rounds), key=lambda load: measure(load) or 0.0)
        chosen[name] = {**ordered[(len(ordered) - 1) // 2], "rounds": len(ordered)}
    return chosen


def run_seconds(duration: float) -> int:
    """Each run's whole seconds (wrk counts no fraction): the rounds take about 6 figures'
    time, as before."""
    return max(2, round(duration * 6 / (CACHE_ROUNDS * 2 * len(CACHE_ROUND_LOADS))))


def combined(runs: list[dict]) -> dict:
    """A round's two runs of one load as one: requests over seconds, nginx's CPU over
    requests, each latency percentile the runs' mean."""
    requests = sum(run["requests"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    load = {
        "requests": requests,
        "seconds": seconds,
        "requests_per_second": requests / seconds,
        "latency_ms": {
            percentile: sum(run["latency_ms"][percentile] for run in runs) / len(runs)
            for percentile in runs[0]["latency_ms"]
        },
        "non_2xx_3xx": sum(run.get("non_2xx_3xx", 0) for run in runs),
        "socket_errors": sum(run.get("socket_errors", 0) for run in runs),
        "nginx_us_per_request": sum(run["nginx_seconds"] for run in runs) * 1e6 / max(requests, 1),
    }
    return load


def cache_rounds(
    ceiling: Ceiling, bench: BenchStack, static_url: str, article_url: str, path: str, duration
) -> list[dict]:
    """Rounds of the static file, the cached article and the article with a tracking parameter
    each request (issue 20), each load with the CPU its nginx workers spent per request:
    what nginx pays for a hit, whatever share of the cores wrk takes. The same connections
    and wrk threads for every load."""
    runs = {
        "static": (ceiling.pid, static_url, {}),
        "article-cached": (bench.state.pids["nginx"], article_url, {}),
        "article-tracking": (
            bench.state.pids["nginx"],
            article_url,
            {"script": "tracking.lua", "script_args": [path]},
        ),
    }
    seconds = run_seconds(duration)
    rounds = []
    for number in range(CACHE_ROUNDS):
        loads: dict[str, list[dict]] = {name: [] for name in CACHE_ROUND_LOADS}
        for name in round_order(number):
            master, url, options = runs[name]
            before = nginx_worker_cpu(master)
            load = vars(run_wrk(url, duration=seconds, connections=CACHED_CONNECTIONS, **options))
            load["nginx_seconds"] = nginx_worker_cpu(master) - before
            loads[name].append(load)
        rounds.append({name: combined(loads[name]) for name in CACHE_ROUND_LOADS})
    return rounds


def median_round(rounds: list[dict], name: str) -> dict:
    """The load of the round with the median rate (the table's cell for that load)."""
    ordered = sorted((r[name] for r in rounds), key=lambda load: load["requests_per_second"])
    return ordered[(len(ordered) - 1) // 2]


def measure(
    bench: BenchStack, ceiling: Ceiling, duration: float, *, related: bool, reference: str | None
) -> dict:
    """Everything for the newsroom loaded now."""
    site = bench.url
    targets = json.loads(bench.probe("targets", "--open", str(OPEN_ARTICLES)))
    pages = {
        "article": targets["article"]["path"],
        "home": "/",
        "section": targets["section"],
        "author": targets["author"],
        "search": targets["search"],
    }
    result: dict = {"articles": targets["articles"], "comments": targets["comments"], "loads": {}}
    result["load_average"] = [os.getloadavg()[0]]  # the neighbours' share of the 2 cores
    loads = result["loads"]
    for path in pages.values():  # warm: the page cache, the app's caches, PostgreSQL's buffers
        fetch(site + path)
        fetch(site + path, BYPASS)
    forms = stamps_of(site, targets["open_articles"])  # stamps older than the minimum age
    html, _ = fetch(site + pages["article"], BYPASS)
    static_url = ceiling.serve("article.html", html)

    meter = CpuMeter(bench)

    def metered(url: str, seconds: float, connections: int, **options) -> dict:
        before = meter.snapshot()
        load = vars(run_wrk(url, duration=seconds, connections=connections, **options))
        spent = meter.spent(before, meter.snapshot())
        requests = max(load["requests"], 1)
        load["cpu_ms_per_request"] = {g: s * 1000 / requests for g, s in spent.items()}
        return load

    def wrk(name: str, url: str, connections: int, **options) -> None:
        loads[name] = metered(url, duration, connections, **options)
        log(f"  {name}: {bench_report.load_cell(loads[name])}")

    article_runs = {
        "article-uncached": {"connections": UNCACHED_CONNECTIONS},
        "article-latency": {"connections": 1, "threads": 1},
    }
    round_seconds = max(2, round(duration / UNCACHED_ROUNDS))

    log(f"{targets['articles']:,} articles: pages")
    offsets = bench.app_log_size()
    result["cache_rounds"] = cache_rounds(
        ceiling, bench, static_url, site + pages["article"], pages["article"], duration
    )
    for name in CACHE_ROUND_LOADS:
        loads[name] = median_round(result["cache_rounds"], name)
        log(f"  {name}: {bench_report.load_cell(loads[name])}")
    time.sleep(1)  # a background update still rendering logs its line when it ends
    # Every app render during the rounds: the tracking links' (the page cache's key ignores
    # their parameter) and the bare URL's, about one a second each as the microcache expires.
    result["tracking_renders"] = bench.app_log_since(offsets).count(f"GET {pages['article']}")
    with RssSampler(bench) as rss:
        result["uncached_rounds"] = uncached_rounds(
            lambda name: metered(
                site + pages["article"], round_seconds, headers=BYPASS, **article_runs[name]
            )
        )
        for name, load in median_uncached(result["uncached_rounds"]).items():
            loads[name] = load
            log(f"  {name}: {bench_report.load_cell(load)}, median of {load['rounds']} rounds")
        for name, path in pages.items():
            if name != "article":
                wrk(f"{name}-cached", site + path, CACHED_CONNECTIONS)
                wrk(f"{name}-uncached", site + path, UNCACHED_CONNECTIONS, headers=BYPASS)
    result["rss_mb"] = rss.peak_kb / 1024

    log("view beacon")
    ids = [a["id"] for a in targets["open_articles"]]
    with bench.database() as db:
        before = stored_views(db, ids)
        offsets = bench.app_log_size()
        logged_from = bench.beacon_log_size()
        ids_arg = ",".join(map(str, ids))
        # The CPU of every process from the first beacon until the last view is stored: the
        # beacon log's counter and the flush worker catch up after wrk stops.
        cpu_before = meter.snapshot()
        loads["beacon"] = vars(
            run_wrk(
                site + "/",
                duration=duration,
                connections=CACHED_CONNECTIONS,
                script="beacon.lua",
                script_args=[ids_arg],
            )
        )
        time.sleep(1)  # requests in flight when wrk stopped are still answered (and counted)
        # What the app servers answered 200 and nginx answered 204 itself (its beacon log),
        # including the requests wrk stopped waiting for.
        served = len(BEACON_SERVED.findall(bench.app_log_since(offsets)))
        served += bench.beacons_logged_since(logged_from)
        deadline = time.monotonic() + 60  # the counter and the flush worker catch up
        while stored_views(db, ids) - before < served and time.monotonic() < deadline:
            time.sleep(0.5)
        spent = meter.spent(cpu_before, meter.snapshot())
        requests = max(loads["beacon"]["requests"], 1)
        loads["beacon"]["cpu_ms_per_request"] = {g: c * 1000 / requests for g, c in spent.items()}
        log(f"  beacon: {bench_report.load_cell(loads['beacon'])}")
        bench.manage("flush_views")  # anything still buffered
        counts = loads["beacon"]["counts"]
        result["beacon"] = {
            "answered": counts.get("answered", 0),
            "counted": counts.get("counted", 0),
            "served": served,
            "stored": stored_views(db, ids) - before,
        }
        log(f"  {result['beacon']}")

        log("comments")
        posted_before, published_before = bench_comments(db)
        offsets = bench.app_log_size()
        # Texts new to this stack: the previous size's would be held as repeats.
        tag = str(time.time_ns())
        wrk("comment", site + "/", 8, script="comment.lua", script_args=[site, tag, *forms])
        time.sleep(1)
        posted_after, published_after = bench_comments(db)
        result["comments_posted"] = {
            "accepted": loads["comment"]["counts"].get("accepted", 0),
            "served": len(COMMENT_SERVED.findall(bench.app_log_since(offsets))),
            "stored": posted_after - posted_before,
            "published": published_after - published_before,
        }
        log(f"  {result['comments_posted']}")

    log("stampede")
    cold = targets["cold_articles"][0]
    offsets = bench.app_log_size()
    seconds = min(duration, 5.0)
    stampede = run_wrk(site + cold, duration=seconds, connections=STAMPEDE_CONNECTIONS)
    time.sleep(2)  # a background update still rendering logs its line when it ends
    renders = bench.app_log_since(offsets).count(f"GET {cold} HTTP")
    result["stampede"] = {
        "seconds": seconds,
        "renders": renders,
        "requests": stampede.requests,
        "p50_ms": stampede.p50,  # readers wait for the one render (proxy_cache_lock)
        "p99_ms": stampede.p99,
    }
    log(f"  {renders} renders for {stampede.requests:,} requests in {seconds:g} s")

    # Queries per page; and of the first size's article, the same page at every size (the
    # newest article differs from size to size, and its content changes its count: an image).
    probed = {**pages, "article-reference": reference or pages["article"]}
    counts = json.loads(bench.probe("queries", *dict.fromkeys(probed.values())))
    result["queries"] = {name: counts[path]["queries"] for name, path in probed.items()}
    result["load_average"].append(os.getloadavg()[0])
    result["weight"] = page_weight(site + pages["article"])
    result["pages"] = pages
    result["article_id"] = targets["article"]["id"]
    if related:
        log("related-articles rebuild")
        started = time.monotonic()
        bench.manage("rebuild_related", "--no-progress")
        result["related_seconds"] = time.monotonic() - started
    return result


def load_newsroom(bench: BenchStack, add: int, *, seed: int, comments_per_article: int) -> float:
    """Add ``add`` articles (and ``comments_per_article`` comments each); seconds."""
    command = ["generate_newsroom", "--articles", str(add), "--seed", str(seed), "--no-progress"]
    if comments_per_article:
        command += ["--comments", str(add * comments_per_article)]
    started = time.monotonic()
    bench.manage_demo(*command)
    with bench.database() as db:
        db.execute("ANALYZE")  # fresh planner statistics after a bulk load, as after an import
        # The load's written pages flushed before any figure: an archive is served long after
        # its import, not while the kernel writes 100k articles back (perf8 saw even the
        # static ceiling slower per request after the big loads).
        db.execute("CHECKPOINT")
    os.sync()
    return time.monotonic() - started


# --- CLI ------------------------------------------------------------------------------------


def seconds(text: str) -> float:
    return float(text.removesuffix("s"))


def postgres_version() -> str:
    done = subprocess.run(  # noqa: S603
        [str(local_services.find_pg_bin() / "postgres"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip().replace("postgres (PostgreSQL)", "PostgreSQL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="articles, comma-separated")
    parser.add_argument("--duration", type=seconds, default=10.0, help="per figure, e.g. 10s")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--workers", type=int, default=1, help="processes per app server")
    parser.add_argument("--comments-per-article", type=int, default=10)
    parser.add_argument("--no-related", dest="related", action="store_false")
    parser.add_argument("--no-docs", dest="docs", action="store_false", help="only print")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    # Stopped (TERM, or INT even when started in the background): results so far are written
    # and the stack is stopped all the same.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    root = Path(tempfile.mkdtemp(prefix="gazette-bench-"))
    root.chmod(0o755)  # PostgreSQL runs as the postgres user when we are root
    bench = BenchStack(root / "stack", args.workers)
    ceiling = Ceiling(root / "ceiling")
    info = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": bench_report.commit(REPOSITORY),
        "machine": bench_report.machine(),
        "postgres": postgres_version(),
        "duration": args.duration,
        "setup": (
            f"stack.py start --fast --workers {args.workers} (2 gunicorn servers × "
            f"{args.workers} process × 4 threads, nginx 1 worker, 1 s microcache); uncached = "
            "an Authorization header, which nginx never serves from or stores in the cache; "
            "wrk runs on the same 2 cores as the stack."
        ),
    }
    command = "make bench" + (
        f" BENCH_ARGS='{' '.join(argv or sys.argv[1:])}'" if (argv or sys.argv[1:]) else ""
    )
    results = []
    try:
        log(f"stack in {root}")
        bench.start()
        ceiling.start()
        limits = json.loads(bench.probe("comment-limits", "off"))
        log(f"comment rate limits for the run: {limits}")
        loaded = 0
        for number, size in enumerate(sizes):
            log(f"loading {size - loaded:,} articles (to {size:,})")
            load_seconds = load_newsroom(
                bench,
                size - loaded,
                seed=2024 + number,
                comments_per_article=args.comments_per_article,
            )
            loaded = size
            reference = results[0]["pages"]["article"] if results else None
            result = measure(
                bench, ceiling, args.duration, related=args.related, reference=reference
            )
            result["load_seconds"] = load_seconds
            results.append(result)
            (root / "results.json").write_text(json.dumps(results, indent=1))
        log("profile of the uncached article")
        profile = bench.probe("profile", results[-1]["pages"]["article"], "--repeat", "50")
        (root / "profile.txt").write_text(profile)
        print(profile)
        log("profile of the view beacon")
        article_id = results[-1]["article_id"]
        beacon_profile = bench.probe("profile-beacon", str(article_id), "--repeat", "500")
        (root / "profile-beacon.txt").write_text(beacon_profile)
        print(beacon_profile)
    finally:
        info["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        ceiling.stop()
        if results:
            section = bench_report.render(results, info=info, command=command)
            print(section)
            if args.docs:
                DOCS.write_text(bench_report.replace_section(DOCS.read_text(), section))
                log(f"written to {DOCS}")
        saved = Path(tempfile.gettempdir()) / "gazette-bench-last"
        saved.mkdir(exist_ok=True)
        for name in ("results.json", "profile.txt", "profile-beacon.txt"):
            if (root / name).exists():
                shutil.copy(root / name, saved / name)
        if args.keep:
            log(f"stack left running in {bench.root}: deploy/stack.py stop --dir {bench.root}")
        else:
            bench.stop()
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

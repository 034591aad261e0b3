#!/usr/bin/env python3
"""CPU per view beacon, the code of a "before" tree against this one, in one run (issue 7).

    .venv/bin/python bench/beacon.py [--articles 1000] [--beacons 3000] [--rounds 3]
                                     [--before DIR]

Starts a throwaway PostgreSQL and Redis (deploy/local_services.py), migrates, loads a
synthetic newsroom (generate_newsroom), then, round after round, sends ``--beacons`` view
beacons through Django's whole request handler (middleware included, the production
settings) with the code of each tree in turn: the "before" tree (``--before``; by default
``git archive HEAD``, the committed code, unpacked in /tmp/gazette-beacon-before) and this
work tree. Each beacon comes from
another reader (its own address and user agent) to one of the 20 newest articles, after a
warm-up of 200. Measured: the CPU of the process sending them (the app's share), of Redis
(INFO cpu) and of PostgreSQL (its processes' /proc times), per beacon; then both trees' views
are flushed and the stored totals must have grown by exactly the views answered as counted.
Prints a Markdown table; the ratio is of the medians over the rounds.

With ``--stack-seconds N`` (default 4; 0 skips it) it then loads each tree's production stack
(deploy/stack.py of that tree: nginx, two gunicorn app servers of one process and four
threads, PostgreSQL, Redis, the flush worker) on a newsroom of ``--articles`` with wrk and
bench/lua/beacon.lua for N seconds, as `make bench` does: views/s, the stack's CPU per beacon
(app workers, PostgreSQL, nginx + Redis; wrk's own not counted) and answered = stored.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
WARM_UP = 200
ARTICLES_BEACONED = 20
STACK_CONNECTIONS = 32
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.{}.{} Safari/537.36"


def log(message: str) -> None:
    print(f"beacon-bench [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- one measurement, in a process of its own running one tree's code ----------------------------


def measure(tree: Path, beacons: int, run: int) -> dict:
    sys.path.insert(0, str(tree))
    import django

    django.setup()
    from django.test import Client

    from gazette.news.models import ArticlePage

    ids = list(
        ArticlePage.objects.live()
        .order_by("-first_published_at", "-pk")
        .values_list("pk", flat=True)[:ARTICLES_BEACONED]
    )
    client = Client(HTTP_HOST="127.0.0.1")

    def send(number: int) -> tuple[int, bool]:
        response = client.post(
            f"/analytics/views/{ids[number % len(ids)]}/",
            HTTP_USER_AGENT=AGENT.format(run, number),
            REMOTE_ADDR=f"10.{run % 256}.{number // 256 % 256}.{number % 256}",
            HTTP_SEC_FETCH_DEST="empty",
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        return response.status_code, _counted(response.status_code, response.content)

    counted = sum(send(number)[1] for number in range(WARM_UP))
    redis_before, postgres_before = _redis_cpu(), _postgres_cpu()
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    statuses: dict[int, int] = {}
    for number in range(WARM_UP, WARM_UP + beacons):
        status, was_counted = send(number)
        statuses[status] = statuses.get(status, 0) + 1
        counted += was_counted
    app = time.process_time() - cpu_before
    wall = time.perf_counter() - wall_before
    return {
        "app_ms": app * 1000 / beacons,
        "redis_ms": (_redis_cpu() - redis_before) * 1000 / beacons,
        "postgres_ms": (_postgres_cpu() - postgres_before) * 1000 / beacons,
        "wall_ms": wall * 1000 / beacons,
        "statuses": statuses,
        "counted": counted,
    }


def _counted(status: int, body: bytes) -> bool:
    """Whether a beacon's answer says it counted a view: 204 (this tree's beacon says no more;
    each beacon here is a new browser reader's, a view to count), or a 200 whose JSON says so
    (an older tree's)."""
    if status == 204:
        return True
    return status == 200 and json.loads(body)["counted"]


def _redis_cpu() -> float:
    import redis

    info = redis.Redis.from_url(os.environ["REDIS_URL"]).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _postgres_cpu() -> float:
    postmaster = Path(os.environ["BENCH_PG_DIR"]) / "postmaster.pid"
    pid = int(postmaster.read_text().split()[0])
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sum(_cpu_seconds(int(each)) for each in [pid, *children])


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The stack's Gazette processes besides the app servers (those of the tree that run).
WORKER_PROCESSES = ("worker", "views-worker", "beacon-counter", "scheduler")
BEACON_LOGGED = b'"status":204,"method":"POST"'


def _worker_processes(stack) -> list[int]:
    return [stack.state.pids[name] for name in WORKER_PROCESSES if stack.state.pids.get(name)]


def _beacon_log_size(root: Path) -> int:
    path = root / "log" / "beacon.log"
    return path.stat().st_size if path.exists() else 0


def _beacons_logged_since(root: Path, offset: int) -> int:
    path = root / "log" / "beacon.log"
    if not path.exists():
        return 0
    with open(path, "rb") as file:
        file.seek(offset)
        return file.read().count(BEACON_LOGGED)


def stack_load(tree: Path, articles: int, seconds: float) -> dict:
    """The beacon under wrk through ``tree``'s production stack (its bench/stack_bench.py)."""
    sys.path.insert(0, str(tree))
    from bench import stack_bench

    root = Path(tempfile.mkdtemp(prefix="gazette-beacon-stack-"))
    # Traversable by the postgres user, whose pg_ctl stops the stack's cluster through it.
    root.chmod(0o755)
    stack = stack_bench.BenchStack(root, workers=1)
    try:
        stack.start()
        stack.manage_demo("generate_newsroom", "--articles", str(articles), "--no-progress")
        targets = json.loads(stack.probe("targets", "--open", str(ARTICLES_BEACONED)))
        ids = [article["id"] for article in targets["open_articles"]]
        ids_arg = ",".join(map(str, ids))
        url = stack.url + "/"

        def wrk(duration: float):
            return stack_bench.run_wrk(
                url,
                duration=duration,
                connections=STACK_CONNECTIONS,
                script="beacon.lua",
                script_args=[ids_arg],
            )

        meter = stack_bench.CpuMeter(stack)
        with stack.database() as db:
            before = stack_bench.stored_views(db, ids)
            # Warm the app processes (connections, the live set) with readers wrk will not
            # be (a repeat of one of wrk's readers would not count); these views count too.
            warm_counted = 0
            for number in range(40):
                warm = urllib.request.Request(  # noqa: S310 - loopback
                    f"{stack.url}/analytics/views/{ids[number % len(ids)]}/",
                    method="POST",
                    headers={"User-Agent": AGENT.format("warm", number)},
                )
                with urllib.request.urlopen(warm, timeout=30) as answer:  # noqa: S310
                    warm_counted += _counted(answer.status, answer.read())
            # Let the warm views be counted and stored before the meter starts.
            deadline = time.monotonic() + 30
            while stack_bench.stored_views(db, ids) - before < warm_counted:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            offsets = stack.app_log_size()
            logged_from = _beacon_log_size(root)
            workers = sorted(stack.worker_pids())
            processes = _worker_processes(stack)
            cpu_before = meter.snapshot()
            processes_before = {pid: stack_bench._cpu_seconds(pid) for pid in processes}
            load = wrk(seconds)
            # gunicorn replaces a worker after 5,000 requests (deploy/gunicorn.conf.py): the
            # CPU of one that left is not counted, nor is a load with a newcomer comparable.
            recycled = sorted(stack.worker_pids()) != workers
            time.sleep(1)  # requests in flight when wrk stopped are still answered
            app_log = stack.app_log_since(offsets)
            # Answered 200 by an app server (its access log), or 204 by nginx itself (its
            # beacon log, counted by the beacon log's counter).
            served = len(stack_bench.BEACON_SERVED.findall(app_log))
            served += _beacons_logged_since(root, logged_from)
            deadline = time.monotonic() + 60  # the counter and the flush worker catch up
            while stack_bench.stored_views(db, ids) - before < served + warm_counted:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            # Until the last view is stored: the counter and the flush worker work after wrk.
            spent = meter.spent(cpu_before, meter.snapshot())
            spent["workers"] = sum(
                max(0.0, stack_bench._cpu_seconds(pid) - cpu)
                for pid, cpu in processes_before.items()
            )
            stack.manage("flush_views")
            stored = stack_bench.stored_views(db, ids) - before - warm_counted
        requests = max(load.requests, 1)
        return {
            "views_per_second": load.requests_per_second,
            "p50_ms": load.p50,
            "cpu_ms": {group: cpu * 1000 / requests for group, cpu in spent.items()},
            "served": served,
            "stored": stored,
            "recycled": recycled,
            "redis_fallbacks": app_log.count("Redis unreachable"),
            "load": vars(load),
        }
    finally:
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- the run: services, newsroom, rounds ------------------------------------------------------


def stored_total(env: dict[str, str]) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        (total,) = db.execute("SELECT COALESCE(SUM(views), 0) FROM analytics_totalviews").fetchone()
    return int(total)


def run_python(env: dict[str, str], tree: Path, *args: str) -> str:
    """Run a Python script of ``tree`` in its own process; its output, or exit saying why."""
    done = subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} in {tree} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def manage(env: dict[str, str], tree: Path, *args: str) -> str:
    return run_python(env, tree, str(tree / "manage.py"), *args)


def measure_in_subprocess(env: dict[str, str], tree: Path, beacons: int, run: int) -> dict:
    script = str(Path(__file__).resolve())
    output = run_python(env, tree, script, "measure", str(tree), str(beacons), str(run))
    return json.loads(output.strip().splitlines()[-1])


def before_tree(path: Path) -> Path:
    """The committed code (git archive HEAD), unless ``path`` holds a tree already."""
    if not (path / "manage.py").exists():
        path.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(  # noqa: S603 - git, read only
            ["git", "-C", str(REPOSITORY), "archive", "HEAD"],  # noqa: S607
            capture_output=True,
            check=True,
        )
        unpack = ["tar", "-x", "-C", str(path)]
        subprocess.run(unpack, input=archive.stdout, check=True)  # noqa: S603
    return path


def bench(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPOSITORY))
    from deploy import local_services, stack

    trees = {"before": before_tree(args.before), "after": REPOSITORY}
    scratch = Path(tempfile.mkdtemp(prefix="gazette-beacon-bench-"))
    with (
        local_services.PostgresCluster(fast=True) as postgres,
        local_services.RedisServer() as redis_server,
    ):
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "gazette.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "DATABASE_URL": postgres.url,
                "REDIS_URL": redis_server.url,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "GAZETTE_VAR_DIR": str(scratch),
                "MEDIA_ROOT": str(scratch / "media"),
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0",
                "LOG_LEVEL": "WARNING",
                "BENCH_PG_DIR": str(postgres.data_dir),
            }
        )
        log(f"PostgreSQL {postgres.url}, Redis {redis_server.url}; migrating")
        manage(env, REPOSITORY, "migrate", "--no-input")
        log(f"generate_newsroom --articles {args.articles}")
        demo_env = stack.demo_environment(env)  # production's settings leave the demo app out
        manage(demo_env, REPOSITORY, "generate_newsroom", "--articles", str(args.articles))
        manage(env, REPOSITORY, "flush_views")
        load = os.getloadavg()
        results: dict[str, list[dict]] = {name: [] for name in trees}
        answered_counted = 0
        stored_at_start = stored_total(env)
        run = 0
        for round_number in range(args.rounds):
            for name, tree in trees.items():
                run += 1
                result = measure_in_subprocess(env, tree, args.beacons, run)
                manage(env, tree, "flush_views")
                answered_counted += result["counted"]
                results[name].append(result)
                log(f"round {round_number + 1} {name}: {result}")
        stored_growth = stored_total(env) - stored_at_start
        load_after = os.getloadavg()
    text = report(args, results, answered_counted, stored_growth, load, load_after)
    lossless = answered_counted == stored_growth
    if args.stack_seconds > 0:
        stacks = {}
        for name, tree in trees.items():
            log(f"stack of {name}: {args.articles} articles, wrk {args.stack_seconds:g} s")
            stacks[name] = stack_in_subprocess(tree, args.articles, args.stack_seconds)
            log(f"stack of {name}: {stacks[name]}")
            # Beacons in flight when wrk closes its connections may be counted with no answer
            # (nor an access line) delivered: at most one per connection.
            served, stored = stacks[name]["served"], stacks[name]["stored"]
            if name == "after":  # the verdict is on this tree's code
                lossless = lossless and served <= stored <= served + STACK_CONNECTIONS
        text += "\n\n" + stack_report(args, stacks, os.getloadavg())
    print(text)
    return 0 if lossless else 1


def stack_in_subprocess(tree: Path, articles: int, seconds: float) -> dict:
    script = str(Path(__file__).resolve())
    output = run_python(
        dict(os.environ), tree, script, "stack", str(tree), str(articles), str(seconds)
    )
    return json.loads(output.strip().splitlines()[-1])


def stack_report(args, stacks: dict[str, dict], load_after) -> str:
    lines = [
        f"Through the production stack (`deploy/stack.py start --fast --workers 1`: nginx, 2 "
        f"gunicorn servers × 1 process × 4 threads, PostgreSQL, Redis), wrk 32 connections "
        f"{args.stack_seconds:g} s on the same 2 cores, {args.articles:,} articles; load "
        f"average {load_after[0]:.2f} at the end.",
        "",
        "| stack | before | after | before / after |",
        "|---|---|---|---|",
    ]
    before, after = stacks["before"], stacks["after"]
    lines.append(
        f"| views/s (wrk on the same cores) | {before['views_per_second']:,.0f} | "
        f"{after['views_per_second']:,.0f} | "
        f"{after['views_per_second'] / max(before['views_per_second'], 1):.1f}× more |"
    )
    for group, label in (
        ("app", "app workers"),
        ("postgres", "PostgreSQL"),
        ("nginx", "nginx"),
        ("redis", "Redis"),
        ("workers", "workers (flush, beacon log's counter, tasks, scheduler)"),
    ):
        b, a = before["cpu_ms"].get(group, 0.0), after["cpu_ms"].get(group, 0.0)
        ratio = f"{b / a:.1f}×" if a > 0.001 else "-"
        lines.append(f"| CPU per beacon: {label} | {b:.3f} ms | {a:.3f} ms | {ratio} |")
    total = {name: sum(stack["cpu_ms"].values()) for name, stack in stacks.items()}
    lines.append(
        f"| CPU per beacon: all | {total['before']:.3f} ms | {total['after']:.3f} ms | "
        f"{total['before'] / total['after']:.1f}× |"
    )
    lines.append(
        f"| → views/s on 2 idle cores | ~{2000 / total['before']:,.0f} | "
        f"~{2000 / total['after']:,.0f} | |"
    )
    lines.append(
        f"| answered (app's 200s, nginx's 204s) / stored | "
        f"{before['served']:,} / {before['stored']:,} | "
        f"{after['served']:,} / {after['stored']:,} | |"
    )
    for name, stack in stacks.items():
        if stack["recycled"]:
            lines.append(
                f"\n{name}: a gunicorn worker was replaced during the load (max_requests)"
                ": its CPU is missing from the figures; use a shorter --stack-seconds."
            )
    return "\n".join(lines)


def report(args, results, answered_counted, stored_growth, load, load_after) -> str:
    def median(name: str, key: str) -> float:
        return statistics.median(result[key] for result in results[name])

    lines = [
        f"Command: `.venv/bin/python bench/beacon.py --articles {args.articles} "
        f"--beacons {args.beacons} --rounds {args.rounds}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        f" at the start, {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} at the end.",
        "",
        "| CPU per beacon (median of rounds) | before | after | before / after |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("app_ms", "app process"),
        ("redis_ms", "Redis"),
        ("postgres_ms", "PostgreSQL"),
    ):
        before, after = median("before", key), median("after", key)
        ratio = f"{before / after:.1f}×" if after > 0.001 else "-"
        lines.append(f"| {label} | {before:.3f} ms | {after:.3f} ms | {ratio} |")
    total = {
        name: sum(median(name, key) for key in ("app_ms", "redis_ms", "postgres_ms"))
        for name in results
    }
    lines.append(
        f"| **all** | {total['before']:.3f} ms | {total['after']:.3f} ms | "
        f"{total['before'] / total['after']:.1f}× |"
    )
    lines.append(
        f"| → views/s on 2 idle cores | ~{2000 / total['before']:,.0f} | "
        f"~{2000 / total['after']:,.0f} | |"
    )
    lines.append(
        f"| wall time per beacon, one at a time | {median('before', 'wall_ms'):.3f} ms | "
        f"{median('after', 'wall_ms'):.3f} ms | |"
    )
    rounds = ", ".join(
        f"{b['app_ms']:.2f}/{a['app_ms']:.2f}"
        for b, a in zip(results["before"], results["after"], strict=True)
    )
    lines += [
        "",
        f"App CPU per round, before/after (ms): {rounds}.",
        f"Answered as counted = stored: {answered_counted:,} = {stored_growth:,}"
        f" ({'zero loss' if answered_counted == stored_growth else 'MISMATCH'}).",
    ]
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        tree, beacons, run = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(measure(tree, beacons, run)))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "stack":
        tree, articles, seconds = Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(stack_load(tree, articles, seconds)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--beacons", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    # Short enough that no gunicorn worker reaches its 5,000 requests and is replaced.
    parser.add_argument("--stack-seconds", type=float, default=4.0)
    parser.add_argument(
        "--before", type=Path, default=Path(tempfile.gettempdir()) / "gazette-beacon-before"
    )
    return bench(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())

"""CPU and queries of an uncached article render, for one or more source trees in one run.

Renders live articles through Django's test client with the production settings (what the
microcache misses: the app's own caches are warm, as they are between publishes), and prints
CPU ms per render (the app process, and the database server's backend on PostgreSQL),
queries per render and wall-clock p50, for each tree, with the ratio to the first one:

    # SQLite (the embedded default: local memory cache), a 1k newsroom of its own
    python bench/article_render.py --var /tmp/me/var --generate 1000 --tree /tmp/me/head --tree .
    # PostgreSQL + Redis
    python deploy/local_services.py run --fast -- python bench/article_render.py \\
        --var /tmp/me/pgvar --generate 1000 --tree /tmp/me/head --tree .

Each tree is measured in a process of its own (its code first on sys.path), alternating
between trees for ``--rounds`` rounds, against the same database. ``--cold`` renders also
clear the cache before each render (the first render after a publish, the worst case).
``--page home`` renders the home page instead, ``--page section`` each live section's first
and second page of stories (``?page=2``), round-robin.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPOSITORY = HERE.parents[1]
SECRET = "bench-article-render-" + "x" * 40


def environment(var_dir: Path) -> dict[str, str]:
    """The production settings as the loopback stack sets them (deploy/stack.py)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gazette.settings.production",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GAZETTE_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "GAZETTE_SERVE_MEDIA": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "GAZETTE_VIEWS_FLUSH_IN_PROCESS": "false",
        }
    )
    return env


def prepare(var_dir: Path, generate: int) -> None:
    """Migrate, load a newsroom when the database has no article, collect static files."""
    env = environment(var_dir)
    manage = [sys.executable, str(REPOSITORY / "manage.py")]
    # Their output goes to stderr: stdout is the JSON of the results.
    run = {"cwd": REPOSITORY, "env": env, "check": True, "stdout": sys.stderr}
    subprocess.run([*manage, "migrate", "-v0"], **run)  # noqa: S603 - our own manage.py
    count = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE), "count"], **{**run, "stdout": subprocess.PIPE}, text=True
    ).stdout.strip()
    if int(count or 0) == 0 and generate:
        # Production's settings leave the demo app out; the stack's demo settings add it
        # (deploy/stack.py's DEMO_SETTINGS: this script puts no tree of its own on the path).
        demo_env = env | {"DJANGO_SETTINGS_MODULE": "gazette.settings.stack"}
        subprocess.run(  # noqa: S603
            [*manage, "generate_newsroom", "--articles", str(generate), "--no-progress"],
            **{**run, "env": demo_env},
        )
    if not (var_dir / "static" / "staticfiles.json").exists():
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], **run)  # noqa: S603


def _setup(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    import django

    django.setup()


def count_articles() -> int:
    _setup(REPOSITORY)
    from gazette.news.models import ArticlePage

    return ArticlePage.objects.live().count()


def _backend_cpu_ms(connection) -> float | None:
    """CPU of this connection's PostgreSQL backend so far (same machine: /proc)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def page_paths(page: str, articles: int) -> list[str]:
    """The addresses rendered: the newest ``articles`` articles, the home page, or each
    section's first and second page."""
    from gazette.news.models import ArticlePage, SectionPage

    if page == "home":
        return ["/"]
    if page == "section":
        sections = [s.url for s in SectionPage.objects.live().public().order_by("path")]
        return [*sections, *(f"{url}?page=2" for url in sections)]
    live = ArticlePage.objects.live().public().order_by("-first_published_at", "-pk")
    return [page.url for page in live.only("id", "url_path")[:articles]]


def measure(tree: Path, repeat: int, articles: int, cold: int, page: str = "article") -> dict:
    """Render ``articles`` articles (or the ``page`` kind's addresses) round-robin ``repeat``
    times in all, after one warm-up render each; then ``cold`` renders with the cache cleared
    before each."""
    _setup(tree)
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT="Mozilla/5.0 (bench article)")
    paths = page_paths(page, articles)
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def render(path: str) -> tuple[float, float, int]:
        nonlocal queries
        queries = 0
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path)
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        return cpu * 1000, wall * 1000, queries

    with connection.execute_wrapper(counted):
        for path in paths:  # warm-up: per-process and shared caches, database pages
            render(path)
        db_before = _backend_cpu_ms(connection)
        warm = [render(paths[n % len(paths)]) for n in range(repeat)]
        db_after = _backend_cpu_ms(connection)
        cold_runs = []
        for n in range(cold):
            cache.clear()
            cold_runs.append(render(paths[n % len(paths)]))
    result = {
        "tree": str(tree),
        "page": page,
        "database": connection.vendor,
        "cache": type(caches["default"]).__name__,
        "renders": repeat,
        "articles": len(paths),
        "cpu_ms_mean": statistics.fmean(r[0] for r in warm),
        "cpu_ms_p50": statistics.median(r[0] for r in warm),
        "wall_ms_p50": statistics.median(r[1] for r in warm),
        "queries": sorted({r[2] for r in warm}),
        "db_cpu_ms": None if db_before is None else (db_after - db_before) / repeat,
    }
    if cold_runs:
        result["cold_cpu_ms_p50"] = statistics.median(r[0] for r in cold_runs)
        result["cold_queries"] = sorted({r[2] for r in cold_runs})
    return result


def compare(trees: list[Path], var_dir: Path, args) -> list[dict]:
    env = environment(var_dir)
    runs: dict[Path, list[dict]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for index, tree in enumerate(trees):
            # A cache key prefix per tree: trees sharing one Redis would otherwise read, and
            # rebuild, what the other kept under the same keys (perf6's runs).
            tree_env = env | {"CACHE_KEY_PREFIX": f"bench-tree-{index}"}
            command = [sys.executable, str(HERE), "measure", "--tree", str(tree)]
            command += ["--repeat", str(args.repeat), "--articles", str(args.articles)]
            command += ["--cold", str(args.cold), "--page", args.page]
            output = subprocess.run(  # noqa: S603 - this script
                command, cwd=tree, env=tree_env, check=True, capture_output=True, text=True
            ).stdout
            runs[tree].append(json.loads(output.strip().splitlines()[-1]))
    summary = []
    for tree, results in runs.items():
        first = results[0]
        row = {
            "tree": str(tree),
            "database": first["database"],
            "cache": first["cache"],
            "cpu_ms_p50": statistics.median(r["cpu_ms_p50"] for r in results),
            "cpu_ms_mean": statistics.median(r["cpu_ms_mean"] for r in results),
            "wall_ms_p50": statistics.median(r["wall_ms_p50"] for r in results),
            "queries": sorted({q for r in results for q in r["queries"]}),
        }
        if first["db_cpu_ms"] is not None:
            row["db_cpu_ms"] = statistics.median(r["db_cpu_ms"] for r in results)
        if "cold_cpu_ms_p50" in first:
            row["cold_cpu_ms_p50"] = statistics.median(r["cold_cpu_ms_p50"] for r in results)
            row["cold_queries"] = sorted({q for r in results for q in r["cold_queries"]})
        summary.append(row)
    base = summary[0]
    for row in summary:
        row["cpu_ratio_to_first"] = round(row["cpu_ms_p50"] / base["cpu_ms_p50"], 3)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "mode", nargs="?", default="compare", choices=["compare", "measure", "count"]
    )
    parser.add_argument("--tree", action="append", type=Path, help="source tree (repeatable)")
    parser.add_argument("--var", type=Path, default=REPOSITORY / "var" / "bench-article")
    parser.add_argument("--generate", type=int, default=1000, help="articles if the db is empty")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20, help="distinct articles rendered")
    parser.add_argument("--cold", type=int, default=20, help="renders on a cleared cache")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--page",
        default="article",
        choices=["article", "home", "section"],
        help="what is rendered: articles, the home page, or the sections' first two pages",
    )
    args = parser.parse_args()
    if args.mode == "count":
        print(count_articles())
        return 0
    if args.mode == "measure":
        tree = args.tree[0].resolve()
        print(json.dumps(measure(tree, args.repeat, args.articles, args.cold, args.page)))
        return 0
    trees = [tree.resolve() for tree in (args.tree or [REPOSITORY])]
    args.var.mkdir(parents=True, exist_ok=True)
    prepare(args.var.resolve(), args.generate)
    load = os.getloadavg()
    summary = compare(trees, args.var.resolve(), args)
    print(json.dumps({"load_average": load, "results": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

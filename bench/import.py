"""Import a generated WordPress export of POSTS posts: time and peak memory.

    .venv/bin/python bench/import.py --posts 10000                      # SQLite, a fresh var dir
    .venv/bin/python deploy/local_services.py run --fast -- \\
        .venv/bin/python bench/import.py --posts 10000                  # PostgreSQL + Redis

Writes the export with bench/wxr_export.py (Gutenberg and classic posts, captions, embeds,
comments, one featured picture each; no uploads folder, so each picture is a placeholder),
migrates a throwaway database (SQLite in a temporary GAZETTE_VAR_DIR unless DATABASE_URL is
set), runs what ``import_articles`` runs on it (``import_sources``, the same options), then
again (the idempotent rerun: nothing written), and prints the file's size, each run's time,
its rate and the process's peak memory; every ``--every`` items a line with the rate so far,
this process's CPU per item (the figure a loaded machine changes least) and its memory, to
see it stay flat. With ``TASKS_BACKEND=database`` (production's) it then counts the tasks the
run left for the worker. ``--parse-only`` times the parser alone (no database).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wxr_export import write_wxr  # noqa: E402


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _timed_import(path: Path, *, every: int, jobs: int = 1) -> tuple[float, str]:
    """What ``import_articles FILE`` does (the same ``import_sources`` and options), with a
    line every ``every`` items: the rate so far and the memory, to see it stay flat."""
    from gazette.importers.run import import_sources
    from gazette.importers.upsert import ImportOptions

    started, cpu_started = time.perf_counter(), time.process_time()
    children_started = _children_cpu()
    done = 0

    def on_item(report) -> None:
        nonlocal done
        done += 1
        if report.status == "failed":
            print(f"{report.position}: failed: {report.reason}", file=sys.stderr)
        if done % every == 0:
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started  # this process's own share of the cores
            workers = _workers_cpu()
            print(
                f"  {done} items, {elapsed:.0f} s ({done / elapsed:.1f}/s), "
                f"CPU {cpu:.0f} s ({1000 * cpu / done:.0f} ms/item)"
                + (
                    f", workers' {workers:.0f} s ({1000 * workers / done:.0f} ms/item)"
                    if jobs > 1
                    else ""
                )
                + ", "
                f"RSS {_rss_mib():.0f} MiB, peak {_peak_mib():.0f} MiB",
                flush=True,
            )

    summary = import_sources([str(path)], options=ImportOptions(), on_item=on_item, jobs=jobs)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    workers = _children_cpu() - children_started  # the workers, once they have exited
    line = summary.line(dry_run=False)
    return elapsed, f"{line}; CPU: this process {cpu:.0f} s, its workers {workers:.0f} s"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _workers_cpu() -> float:
    """The CPU of this process's living children (the import's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = (task / "children").read_text().split()
        for pid in children:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _print_queued_tasks() -> None:
    """With TASKS_BACKEND=database (production's), what the run left for the task worker."""
    from django.conf import settings
    from django.db.models import Count

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.values_list("task_path").annotate(n=Count("id"))
    print("queued for the worker: " + ", ".join(f"{n} {path.rsplit('.', 1)[-1]}"
                                                  for path, n in sorted(queued)))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--no-rerun", action="store_true")
    parser.add_argument("--every", type=int, default=500, help="a progress line every N items")
    parser.add_argument(
        "--jobs", type=int, default=1, help="worker processes (import_articles --jobs; PostgreSQL)"
    )
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gazette-bench-import-"))
    export = write_wxr(work / "export.xml", posts=options.posts)
    size_mb = export.stat().st_size / 1e6
    print(f"export: {options.posts} posts, {size_mb:.1f} MB ({export})")

    if options.parse_only:
        from gazette.importers.sources.wxr import parse_wxr

        started = time.perf_counter()
        count = sum(1 for _ in parse_wxr(export))
        elapsed = time.perf_counter() - started
        print(f"parse only: {count} entries in {elapsed:.1f} s, peak {_peak_mib():.0f} MiB")
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")
    os.environ.setdefault("GAZETTE_VAR_DIR", str(work / "var"))
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    call_command("migrate", verbosity=0)
    print(f"database: {database}; peak before the import {_peak_mib():.0f} MiB")

    from gazette.importers.parallel import jobs_for

    jobs, why_fewer = jobs_for(options.jobs)
    print(f"jobs: {jobs}{'; ' + why_fewer if why_fewer else ''}")
    elapsed, summary = _timed_import(export, every=options.every, jobs=jobs)
    print(
        f"import: {elapsed:.0f} s ({options.posts / elapsed:.1f} posts/s), {summary}; "
        f"peak {_peak_mib():.0f} MiB"
    )
    _print_queued_tasks()
    if not options.no_rerun:
        elapsed, summary = _timed_import(export, every=options.every, jobs=jobs)
        print(f"rerun: {elapsed:.0f} s, {summary}; peak {_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()

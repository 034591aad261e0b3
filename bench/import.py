"""Import a generated WordPress export of POSTS posts: time and peak memory.

    .venv/bin/python bench/import.py --posts 10000                      # SQLite, a fresh var dir
    .venv/bin/python deploy/local_services.py run --fast -- \\
        .venv/bin/python bench/import.py --posts 10000                  # PostgreSQL + Redis

Writes the export with bench/wxr_export.py (Gutenberg and classic posts, captions, embeds,
comments, one featured picture each; no uploads folder, so each picture is a placeholder),
migrates a throwaway database (SQLite in a temporary GAZETTE_VAR_DIR unless DATABASE_URL is
set), runs ``import_articles`` on it, then again (the idempotent rerun: nothing written),
and prints the file's size, each run's time, its rate and the process's peak memory.
``--parse-only`` times the parser alone (no database), e.g. on a 100 MB export.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wxr_export import write_wxr  # noqa: E402


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_import(path: Path) -> tuple[float, str]:
    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    started = time.perf_counter()
    with contextlib.suppress(SystemExit):  # exit 1 when an item failed: printed below
        call_command("import_articles", str(path), "--no-progress", stdout=out, stderr=err)
    elapsed = time.perf_counter() - started
    if err.getvalue():
        print(err.getvalue()[:2000], file=sys.stderr)
    return elapsed, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--no-rerun", action="store_true")
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

    elapsed, summary = _timed_import(export)
    print(
        f"import: {elapsed:.0f} s ({options.posts / elapsed:.1f} posts/s), {summary}; "
        f"peak {_peak_mib():.0f} MiB"
    )
    if not options.no_rerun:
        elapsed, summary = _timed_import(export)
        print(f"rerun: {elapsed:.0f} s, {summary}; peak {_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()

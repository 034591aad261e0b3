"""Gazette through its own production stack, started as `make bench` starts it
(bench/stack_bench.py: deploy/stack.py on free ports, PostgreSQL, Redis, two gunicorn app
servers behind nginx's microcache, the workers), its newsroom from `generate_newsroom` and the
reference article from the seed through `import_textdump`."""

from __future__ import annotations

import json
import re
import time
from importlib import metadata
from pathlib import Path

from bench import stack_bench
from bench.peer_sites import base, content


class Gazette(base.Platform):
    name = "gazette"
    label = "Gazette"
    has_cache = True
    comments = True

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.bench = stack_bench.BenchStack(root / "stack", workers=1)
        self.batches = 0
        self.imported = False
        self.forms: list[str] = []

    def install(self) -> None:
        missing = base.missing_packages(
            ["postgresql", "redis-server", "nginx", "libnginx-mod-http-cache-purge"]
        )
        if missing:
            raise base.Unavailable(
                f"missing Debian packages {' '.join(missing)} (make system-packages)"
            )
        self.setup = {
            "Gazette": f"commit {stack_bench.bench_report.commit(base.REPOSITORY)}",
            "stack": "deploy/stack.py start --fast --workers 1 (2 gunicorn servers x 1 process x "
            "4 threads, nginx 1 worker, 1 s microcache, task workers)",
            "PostgreSQL": stack_bench.postgres_version(),
            "Wagtail": metadata.version("wagtail"),
            "Django": metadata.version("django"),
        }

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # PostgreSQL runs as the postgres user when we are root
        try:
            self.bench.start()
            self.bench.probe("comment-limits", "off")
        except SystemExit as exc:
            raise base.Unavailable(str(exc)) from None

    def load(self, posts_file: Path, count: int, reference) -> None:
        try:
            stack_bench.load_newsroom(
                self.bench, count, seed=2024 + self.batches, comments_per_article=0
            )
            self.batches += 1
            if not self.imported:
                out = self.bench.manage("import_textdump", str(content.SEED))
                path = re.match(r"(\S+) \(", out.strip().splitlines()[0])[1]
                self.article_url = self.bench.url + path
                self.imported = True
            # Comment forms' stamps must be older than the form's minimum age when posted:
            # read now, used after the page loads.
            targets = json.loads(self.bench.probe("targets", "--open", "20"))
            self.forms = stack_bench.stamps_of(self.bench.url, targets["open_articles"])
        except SystemExit as exc:
            raise base.Unavailable(str(exc)) from None

    def pids(self) -> list[int]:
        state = self.bench.state
        postmaster = self.bench.root / "postgres" / "postmaster.pid"
        postgres = [int(postmaster.read_text().split()[0])] if postmaster.exists() else []
        return [*state.pids.values(), *postgres] if state else []

    def comment_load(self) -> tuple[str, list[str]]:
        # A tag new to each load: the previous size's texts would be held as repeats.
        return "comment.lua", [self.bench.url, str(time.time_ns()), *self.forms]

    def comments_stored(self) -> int:
        with self.bench.database() as db:
            return stack_bench.bench_comments(db)[0]

    def stop(self) -> None:
        self.bench.stop()

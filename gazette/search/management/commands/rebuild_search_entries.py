import time

from django.core.management.base import BaseCommand
from django.db import connection
from tqdm import tqdm

from gazette.search.entries import enabled, rebuild_entries


class Command(BaseCommand):
    help = (
        "Write site search's entry of every live, public article (PostgreSQL; nothing to do "
        "on SQLite), with a progress bar. Safe to run at any time and again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args, no_progress: bool, **options):
        if not enabled():
            self.stdout.write(
                f"Site search reads Wagtail's index on {connection.vendor}: nothing to rebuild."
            )
            return
        started = time.monotonic()
        bar = None

        def on_progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=total,
                    unit="article",
                    desc="Search entries",
                    # The stream, not its line wrapper.
                    file=getattr(self.stderr, "_out", self.stderr),
                    disable=no_progress,
                    mininterval=0,
                )
            bar.update(done - bar.n)

        try:
            result = rebuild_entries(on_progress=on_progress)
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {result.written} search entries, removed {result.removed} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

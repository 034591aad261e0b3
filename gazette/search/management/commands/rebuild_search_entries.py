import time

from django.core.management.base import BaseCommand
from django.db import connection

from gazette.core.progress import progress_bar
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
        with progress_bar(self, desc="Search entries", disable=no_progress) as on_progress:
            result = rebuild_entries(on_progress=on_progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {result.written} search entries, removed {result.removed} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

"""Write counted views waiting in Redis to the database.

manage.py flush_views                          # one flush
manage.py flush_views --loop --interval 2      # the production worker
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gazette.analytics.services import flush_views
from gazette.core import outages
from gazette.core.wording import count_of


class Command(BaseCommand):
    help = "Flush counted views from the buffer into hourly buckets and totals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep flushing until stopped (SIGTERM or Ctrl-C)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="Seconds between flushes with --loop (default 2; at most 60).",
        )

    def handle(self, *args, loop: bool, interval: float, **options):
        if not 0 < interval <= 60:
            raise CommandError("--interval must be more than 0 and at most 60 seconds.")
        if not settings.GAZETTE_VIEWS_REDIS_URL:
            self.stdout.write(
                "Views are counted in each app process's memory here (no REDIS_URL): every "
                "process flushes its own buffer. Nothing to flush from this one."
            )
            return
        if not loop:
            self.stdout.write(f"Flushed {count_of(flush_views(), 'view', 'views')}.")
            return
        self.stdout.write(f"Flushing views every {interval:g} s; SIGTERM or Ctrl-C stops.")

        def flush_round() -> float:
            flushed = flush_views()
            if flushed and options["verbosity"] > 1:
                self.stdout.write(f"Flushed {count_of(flushed, 'view', 'views')}.")
            return interval

        # A failed flush loses nothing: the batch stays in Redis for the next round.
        outages.run_rounds(
            flush_round,
            outage=outages.Outage("views flush worker", max_delay=10.0),
            stopping=outages.stop_on_signals(),
            on_error=outages.retry_after(interval, self.stderr.write, "Flush failed"),
            outage_wait_at_least=interval,
        )
        try:
            flush_views()  # what came in since the last round
        except Exception as exc:  # still in Redis: the next worker flushes it
            self.stderr.write(f"Last flush failed, left for the next worker: {exc}")
        self.stdout.write("Stopped.")

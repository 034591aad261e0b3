"""Count the views nginx answered, from its beacon log (analytics/beacon_log.py).

manage.py count_beacon_log /var/log/gazette/beacon.log            # the production counter
manage.py count_beacon_log /var/log/gazette/beacon.log --once     # what is there now, then exit
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from gazette.analytics.beacon_log import BeaconLogCounter
from gazette.core import outages
from gazette.core.wording import count_of

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Count the views nginx answered from its beacon log, batch after batch."

    def add_arguments(self, parser):
        parser.add_argument("log", help="The beacon log nginx writes (deploy/nginx.conf).")
        parser.add_argument(
            "--once", action="store_true", help="Count the lines there now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.25,
            help="Seconds to wait for new lines at the log's end (default 0.25; at most 10).",
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help="Lines per batch at most (default 5000)."
        )

    def handle(self, *args, log: str, once: bool, interval: float, batch: int, **options):
        if not 0 < interval <= 10:
            raise CommandError("--interval must be more than 0 and at most 10 seconds.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        counter = BeaconLogCounter(log)
        if once:
            self.stdout.write(f"Counted {count_of(counter.drain(), 'view', 'views')}.")
            return
        self.stdout.write(f"Counting views from {log}; SIGTERM or Ctrl-C stops.")

        def count_round() -> float:
            try:
                done = counter.step(batch)
            except Exception:
                # Nothing saved: the batch is read again from the position last saved.
                counter.sync_later()
                raise
            if done is None:  # at the log's end: wait for nginx to write more
                return interval
            if done[1] and options["verbosity"] > 1:
                self.stdout.write(f"Counted {count_of(done[1], 'view', 'views')}.")
            return 0.0

        def report(exc: Exception) -> float:
            logger.exception("Beacon log batch failed, will retry")
            return 2.0

        outages.run_rounds(
            count_round,
            outage=outages.Outage("beacon log counter", max_delay=10.0),
            stopping=outages.stop_on_signals(),
            on_error=report,
        )
        counter.close()
        self.stdout.write("Stopped.")

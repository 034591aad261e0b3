"""Count the views nginx answered, from its beacon log (analytics/beacon_log.py).

manage.py count_beacon_log /var/log/gazette/beacon.log            # the production counter
manage.py count_beacon_log /var/log/gazette/beacon.log --once     # what is there now, then exit
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

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
        stopping = threading.Event()

        def stop(signum, frame):
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Counting views from {log}; SIGTERM or Ctrl-C stops.")
        outage = outages.Outage("beacon log counter", max_delay=10.0)
        while not stopping.is_set():
            close_old_connections()
            wait = 0.0
            try:
                done = counter.step(batch)
            except Exception as exc:
                # Nothing saved: the batch is read again from the position last saved.
                counter.sync_later()
                if outages.is_outage(exc):  # said once per outage; tries again with backoff
                    wait = outage.failed(exc)
                else:
                    logger.exception("Beacon log batch failed, will retry")
                    wait = 2.0
            else:
                outage.recovered()
                if done is None:
                    wait = interval
                elif done[1] and options["verbosity"] > 1:
                    self.stdout.write(f"Counted {count_of(done[1], 'view', 'views')}.")
            if wait:
                stopping.wait(wait)
        counter.close()
        self.stdout.write("Stopped.")

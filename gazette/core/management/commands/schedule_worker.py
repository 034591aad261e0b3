"""Publish and expire pages on time: Wagtail's ``publish_scheduled``, run every minute,
then the periodic jobs apps register (``gazette.core.periodic``: feed polling).

manage.py schedule_worker                 # the production worker: every 60 s until stopped
manage.py schedule_worker --once          # one round (cron, or a test)

Wagtail stores an editor's go-live and expiry times but acts on them only when
``publish_scheduled`` runs; without this worker a scheduled story never goes live and an
expiring one stays up. Publishing and unpublishing send Wagtail's signals, so the page cache
is purged and You May Also Like recomputed as for an editor's click. Each round records a
heartbeat; the admin's dashboard warns when it is older than a few minutes.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gazette.core import outages, periodic, schedule_health


class Command(BaseCommand):
    help = "Publish pages whose go-live time has come and unpublish expired ones, every minute."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="Seconds between rounds (default 60; from 1 to 3600).",
        )

    def handle(self, *args, once: bool, interval: float, **options):
        if not 1 <= interval <= 3600:
            raise CommandError("--interval must be from 1 to 3600 seconds.")
        if once:
            self._round()
            return
        self.stdout.write(f"Publishing on schedule every {interval:g} s; SIGTERM stops.")

        def publishing_round() -> float:
            self._round()
            return interval

        # A database restart, say: tried again with backoff (up to the interval), so pages due
        # meanwhile go live soon after it is back; nothing is half-done, since each page is
        # published or unpublished in its own transaction.
        outages.run_rounds(
            publishing_round,
            outage=outages.Outage("scheduler", max_delay=interval),
            stopping=outages.stop_on_signals(),
            on_error=outages.retry_after(interval, self.stderr.write, "Round failed"),
        )
        self.stdout.write("Stopped.")

    def _round(self) -> None:
        call_command("publish_scheduled", stdout=self.stdout, stderr=self.stderr)
        # The admin warns editors when this stops (gazette.core.schedule_health).
        schedule_health.record_round()
        # Then the jobs apps registered (gazette.core.periodic): feed polling, say.
        for name, job in periodic.jobs():
            try:
                job()
            except Exception as exc:
                # One app's job failing must not stop the others, nor the next round.
                self.stderr.write(f"Job {name!r} failed: {exc.__class__.__name__}: {exc}")

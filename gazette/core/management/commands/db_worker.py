"""django-tasks-db's ``db_worker``, which first puts back in the queue the tasks a dead worker
left RUNNING (gazette.core.task_recovery), and which outlives a lost database: where
django-tasks-db's worker raises and exits (an OperationalError once PostgreSQL restarts), this
one waits for the database with backoff (gazette.core.outages), logs the outage once, puts
back in the queue the task it was running (its outcome could not be recorded), and carries
on. Same options; the default worker id says on which host and process the worker runs. This
app comes before django_tasks_db in INSTALLED_APPS, so ``manage.py db_worker`` is this
command."""

from __future__ import annotations

import logging
import time

from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from gazette.core import outages
from gazette.core.task_recovery import (
    recover_orphaned_tasks,
    requeue_tasks_of,
    worker_id_for_this_process,
)

logger = logging.getLogger("gazette.core.db_worker")


class DatabaseLost(Exception):
    """A task stopped on a lost database or Redis: it is run again, not marked failed."""


class ResilientWorker(upstream.Worker):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.outage = outages.Outage(f"task worker {self.worker_id}", log=logger)

    def run(self) -> None:
        recover_at_start = True
        while self.running:
            try:
                if recover_at_start:
                    self._recover_orphans()
                    recover_at_start = False
                super().run()
                return  # --batch or --max-tasks done, or asked to stop
            except Exception as exc:
                lost = exc.__cause__ if isinstance(exc, DatabaseLost) else exc
                if not isinstance(exc, DatabaseLost) and not outages.is_outage(exc):
                    raise
                # Once only: the random pause before the first poll is for a cold start.
                self.startup_delay = False
                if outages.is_redis_outage(lost):
                    self._wait_for_redis(lost)
                else:
                    outages.wait_for_database(self.outage, lost)
                self._requeue_own()

    def _recover_orphans(self) -> None:
        recovery = recover_orphaned_tasks(backend_name=self.backend_name)
        if recovery.requeued or recovery.failed:
            logger.warning(
                "Tasks left running by dead workers: %s queued again, %s marked failed.",
                len(recovery.requeued),
                len(recovery.failed),
            )

    def _requeue_own(self) -> None:
        """The task this worker was running when the connection went (its outcome is not
        recorded), and a claim whose commit it could not confirm."""
        while self.running:
            try:
                requeue_tasks_of(self.worker_id, backend_name=self.backend_name)
                return
            except Exception as exc:
                if not outages.is_outage(exc):
                    raise
                outages.wait_for_database(self.outage, exc)

    def _wait_for_redis(self, exc: BaseException) -> None:
        # No Redis client of our own to ask: a backoff pause, then the task runs again (if
        # Redis is still away it stops again, and the pause grows).
        time.sleep(self.outage.failed(exc))

    def run_task(self, db_task_result) -> None:
        """django-tasks-db's run_task, except that a task stopped by a lost connection is not
        marked failed: the worker waits for the database and queues it again."""
        lost: list[BaseException] = []
        mark_failed = db_task_result.set_failed

        def set_failed_unless_lost(exc: BaseException) -> None:
            if isinstance(exc, Exception) and outages.is_outage(exc):
                lost.append(exc)
                return
            mark_failed(exc)

        db_task_result.set_failed = set_failed_unless_lost
        super().run_task(db_task_result)
        if lost:
            raise DatabaseLost(str(lost[0])) from lost[0]
        if self.outage.ongoing:
            self.outage.recovered()


class Command(DatabaseWorkerCommand):
    help = (
        "Run the database task worker, after requeueing tasks that dead workers left running; "
        "it waits out a lost database instead of exiting."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id_for_this_process())

    def handle(self, *args, **options):
        # django-tasks-db builds its Worker by name in this module: ours instead.
        original = upstream.Worker
        upstream.Worker = ResilientWorker
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original

"""Tasks a dead worker left behind: django-tasks-db marks a task RUNNING when a worker claims
it and never looks at it again, so a worker killed mid-task (kill -9, out of memory, a host
lost) leaves it RUNNING forever (django-tasks issue #46). The task worker (our ``db_worker``)
puts such tasks back in the queue when it starts:

- a task whose worker ran on this host, under a process id that is no longer a task worker,
  at once (the worker id says where it ran: ``host:pid:random``);
- any task RUNNING for longer than ``GAZETTE_TASK_STALE_AFTER`` seconds (1 hour by default,
  longer than any of our tasks runs), for workers on other hosts or with an id of their own.

So a task may run more than once: every task of ours is idempotent, keyed by what it works on
(an article, a batch id). A task whose worker died ``MAX_ATTEMPTS`` times is marked failed
rather than run again: it is probably what kills the worker.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
WORKER_COMMAND = "db_worker"


def this_host() -> str:
    return socket.gethostname()[:40]


def worker_id_for_this_process() -> str:
    """``host:pid:random``, at most 64 characters as django-tasks-db wants."""
    return f"{this_host()}:{os.getpid()}:{get_random_string(12)}"


def _worker_is_alive(pid: int) -> bool:
    """Is ``pid`` a task worker right now? (A reused pid running something else is not.)"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here: only whether the process exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return WORKER_COMMAND.encode() in cmdline


def died_on_this_host(worker_id: str) -> bool:
    host, _, rest = worker_id.partition(":")
    pid, _, _ = rest.partition(":")
    return host == this_host() and pid.isdigit() and not _worker_is_alive(int(pid))


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_orphaned_tasks(*, backend_name: str = "default") -> Recovery:
    """Requeue (or fail, after MAX_ATTEMPTS) the RUNNING tasks no live worker is running."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale_after = timedelta(seconds=getattr(settings, "GAZETTE_TASK_STALE_AFTER", 3600))
    now = timezone.now()
    recovery = Recovery()
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    for task_id, started_at, worker_ids in running.values_list("id", "started_at", "worker_ids"):
        last_worker = worker_ids[-1] if worker_ids else ""
        stale = started_at is None or started_at < now - stale_after
        if not (died_on_this_host(last_worker) or stale):
            continue
        # Only if nothing changed it meanwhile (another worker starting, the task finishing).
        unchanged = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_ATTEMPTS:
            done = unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="gazette.core.task_recovery.WorkerLost",
                traceback=f"The worker died while running this task {len(worker_ids)} times "
                f"({', '.join(worker_ids)}); not run again.",
            )
            if done:
                recovery.failed.append(str(task_id))
        elif unchanged.update(status=TaskResultStatus.READY, started_at=None):
            recovery.requeued.append(str(task_id))
    for task_id in recovery.requeued:
        logger.warning("Task %s was left running by a dead worker: queued again", task_id)
    for task_id in recovery.failed:
        logger.error("Task %s killed its worker %s times: marked failed", task_id, MAX_ATTEMPTS)
    return recovery


def requeue_tasks_of(worker_id: str, *, backend_name: str = "default") -> Recovery:
    """Requeue (or fail, after MAX_ATTEMPTS) the tasks a live worker was running when it lost
    the database: their outcome was not recorded (the task may have taken effect: ours are
    idempotent, so running it again takes effect once). Called by that worker once the
    database answers again, before it takes another task."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    recovery = Recovery()
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    for task_id, started_at, worker_ids in running.values_list("id", "started_at", "worker_ids"):
        if not worker_ids or worker_ids[-1] != worker_id:
            continue
        unchanged = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_ATTEMPTS:
            if unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="gazette.core.task_recovery.WorkerLost",
                traceback=f"The database went away while this task ran {len(worker_ids)} "
                "times; not run again.",
            ):
                recovery.failed.append(str(task_id))
        elif unchanged.update(status=TaskResultStatus.READY, started_at=None):
            recovery.requeued.append(str(task_id))
    for task_id in recovery.requeued:
        logger.warning("Task %s was running when the database went away: queued again", task_id)
    for task_id in recovery.failed:
        logger.error("Task %s lost its database %s times: marked failed", task_id, MAX_ATTEMPTS)
    return recovery

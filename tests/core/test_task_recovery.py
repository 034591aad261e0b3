"""A task worker killed mid-task leaves its task RUNNING; the next worker to start queues it
again (or fails it once it has killed MAX_ATTEMPTS workers). The end-to-end case, with a real
worker killed by SIGKILL, is tests/stack/test_faults.py."""

import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gazette.core.task_recovery import (
    MAX_ATTEMPTS,
    died_on_this_host,
    recover_orphaned_tasks,
    this_host,
    worker_id_for_this_process,
)

pytestmark = pytest.mark.django_db


@task()
def stand_in_task() -> None:
    """What the orphaned tasks run: any task of this suite's own, so no app's task is needed."""


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def running_task(*worker_ids: str, started: timedelta = timedelta(seconds=5)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=f"{__name__}.stand_in_task",
        worker_ids=list(worker_ids),
        backend_name="default",
        run_after=timezone.now() - started,
    )


def test_the_worker_id_names_host_and_process():
    host, pid, random = worker_id_for_this_process().split(":")
    assert (host, len(random)) == (this_host(), 12)
    assert len(worker_for_dead := f"{this_host()}:{dead_pid()}:x") <= 64
    assert died_on_this_host(worker_for_dead)
    # Alive but not a task worker (this test process): its pid was reused, the worker is gone.
    assert died_on_this_host(f"{this_host()}:{pid}:x")
    assert not died_on_this_host(f"elsewhere:{dead_pid()}:x")  # cannot tell from here
    assert not died_on_this_host("a-random-id-of-its-own")


def test_tasks_of_dead_workers_are_queued_again_and_live_ones_left_alone():
    here_dead = running_task(f"{this_host()}:{dead_pid()}:abc")
    elsewhere_recent = running_task("other-host:123:abc")
    elsewhere_stale = running_task("other-host:123:abc", started=timedelta(hours=2))
    killed_too_often = running_task(*[f"{this_host()}:{dead_pid()}:{n}" for n in range(3)])
    assert len(killed_too_often.worker_ids) == MAX_ATTEMPTS

    recovery = recover_orphaned_tasks()

    assert sorted(recovery.requeued) == sorted([str(here_dead.pk), str(elsewhere_stale.pk)])
    assert recovery.failed == [str(killed_too_often.pk)]
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[here_dead.pk] == status[elsewhere_stale.pk] == TaskResultStatus.READY
    assert status[elsewhere_recent.pk] == TaskResultStatus.RUNNING
    assert status[killed_too_often.pk] == TaskResultStatus.FAILED
    assert DBTaskResult.objects.ready().filter(pk=here_dead.pk).exists()  # a worker takes it
    assert recover_orphaned_tasks().requeued == []  # nothing twice


# The worker closes its connections between tasks, as it must outside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_command_recovers_before_it_runs_the_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    orphan = running_task(f"{this_host()}:{dead_pid()}:abc")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.SUCCESSFUL  # queued again, then run
    assert len(orphan.worker_ids) == 2
    assert orphan.worker_ids[-1].startswith(f"{this_host()}:")

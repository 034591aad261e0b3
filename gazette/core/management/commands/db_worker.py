"""django-tasks-db's ``db_worker``, which first puts back in the queue the tasks a dead worker
left RUNNING (gazette.core.task_recovery). Same options; the default worker id says on which
host and process the worker runs. This app comes before django_tasks_db in INSTALLED_APPS,
so ``manage.py db_worker`` is this command."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from gazette.core.task_recovery import recover_orphaned_tasks, worker_id_for_this_process


class Command(DatabaseWorkerCommand):
    help = "Run the database task worker, after requeueing tasks that dead workers left running."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id_for_this_process())

    def handle(self, *args, **options):
        recovery = recover_orphaned_tasks(backend_name=options["backend_name"])
        if recovery.requeued or recovery.failed:
            self.stdout.write(
                f"Tasks left running by dead workers: {len(recovery.requeued)} queued again, "
                f"{len(recovery.failed)} marked failed."
            )
        super().handle(*args, **options)

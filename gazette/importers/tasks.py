from django_tasks import task


@task()
def poll_feed_sources() -> int:
    """Poll every feed source that is due; returns how many were polled.

    Queued by the schedule worker's round; safe to run twice at once (each source is claimed
    before it is polled) and to run again after a worker died (imports are idempotent).
    """
    from .feed_sources import poll_due_sources

    return len(poll_due_sources())


@task()
def perform_import_step(run_id: int) -> str:
    """Check (a dry run) or import an admin import run, as its status says.

    Safe to run again after a worker died, or twice at once: each execution claims the run
    (``import_runs.execute_step``) and imports are idempotent.
    """
    from .import_runs import execute_step

    return execute_step(run_id)


@task()
def run_index_updates(updates: list[list]) -> int:
    """A bulk run's search and reference index updates (``indexing``), each as the frameworks'
    own tasks do it: ``[app_label, model_name, pk, references, search]``. Safe to run twice."""
    from gazette.core import compat

    compat.run_index_updates(updates)
    return len(updates)

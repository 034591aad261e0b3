from django_tasks import task


@task()
def flush_views_task() -> int:
    """One flush of the counted views, for a scheduler that enqueues tasks."""
    from .services import flush_views

    return flush_views()

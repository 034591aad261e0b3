from django.apps import AppConfig


def enqueue_due_feed_polls() -> None:
    """The schedule worker's job: queue a poll when some feed source is due (one query)."""
    from django.utils import timezone

    from .models import FeedSource
    from .tasks import poll_feed_sources

    if FeedSource.objects.due(timezone.now()).exists():
        poll_feed_sources.enqueue()


class ImportersConfig(AppConfig):
    name = "gazette.importers"
    label = "importers"

    def ready(self):
        from gazette.core import periodic

        from .indexing import queue_stale_index_updates

        periodic.register("import-index-updates", queue_stale_index_updates)
        # Polling is slow (other sites' servers): a task, so scheduled pages never wait on it.
        periodic.register("feeds", enqueue_due_feed_polls)

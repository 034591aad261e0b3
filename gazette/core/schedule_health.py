"""Whether scheduled publishing is working: the schedule worker's heartbeat, and the stories
whose go-live time has passed without them going live ("missed schedule").

Wagtail keeps an editor's scheduled publication as a revision with ``approved_go_live_at``
and publishes it only when ``publish_scheduled`` runs (``manage.py schedule_worker``, every
minute). A story scheduled while no worker runs stays a draft for good, and nothing said so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page, Revision

from .models import WorkerHeartbeat

SCHEDULER = "scheduler"
# The worker runs every minute: a go-live time this far behind has been missed, not just not
# reached yet by the next round.
MISSED_AFTER = timedelta(minutes=2)
# Five rounds without a heartbeat: the scheduler is stopped or failing.
SILENT_AFTER = timedelta(minutes=5)


def record_round(*, worker: str = SCHEDULER, at: datetime | None = None) -> None:
    """The worker says it has just finished a round."""
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"last_round_at": at or timezone.now()}
    )


def last_round(*, worker: str = SCHEDULER) -> datetime | None:
    return (
        WorkerHeartbeat.objects.filter(worker=worker)
        .values_list("last_round_at", flat=True)
        .first()
    )


def scheduler_is_silent(*, now: datetime | None = None) -> bool:
    """The scheduler has never run, or not for SILENT_AFTER."""
    last = last_round()
    return last is None or last < (now or timezone.now()) - SILENT_AFTER


def missed_revisions(*, now: datetime | None = None) -> QuerySet[Revision]:
    """Scheduled page revisions whose go-live time passed more than MISSED_AFTER ago."""
    cutoff = (now or timezone.now()) - MISSED_AFTER
    return Revision.objects.page_revisions().filter(approved_go_live_at__lt=cutoff)


def pages_with_missed_schedule(
    *, pages: QuerySet[Page] | None = None, now: datetime | None = None, limit: int = 20
) -> list[tuple[Page, datetime]]:
    """Pages (among ``pages``, e.g. those an editor may change) with a missed go-live time,
    the longest overdue first, with that time."""
    due: dict[int, datetime] = {}
    for object_id, go_live_at in missed_revisions(now=now).values_list(
        "object_id", "approved_go_live_at"
    ):
        page_id = int(object_id)
        due[page_id] = min(go_live_at, due.get(page_id, go_live_at))
    if not due:
        return []
    found = (pages if pages is not None else Page.objects.all()).filter(pk__in=due)
    overdue = sorted(((page, due[page.pk]) for page in found), key=lambda pair: pair[1])
    return overdue[:limit]


def missed_go_live_of(page: Page, *, now: datetime | None = None) -> datetime | None:
    """The earliest missed go-live time of ``page``, if any."""
    return (
        missed_revisions(now=now)
        .filter(object_id=str(page.pk))
        .order_by("approved_go_live_at")
        .values_list("approved_go_live_at", flat=True)
        .first()
    )

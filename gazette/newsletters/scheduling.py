"""The schedule worker's job (gazette.core.periodic): quick checks, the work goes to tasks."""

from __future__ import annotations

from django.utils import timezone

from .models import Issue


def enqueue_due_issues() -> int:
    """Start the scheduled issues whose time has come, and the digests that are due."""
    from . import breaking, digest, services
    from .tasks import build_and_send_due_digests

    started = 0
    for issue in Issue.objects.due(timezone.now()).select_related("newsletter"):
        started += services.send_now(issue=issue)
    breaking.end_expired()
    if digest.newsletters_due():
        build_and_send_due_digests.enqueue()
    return started

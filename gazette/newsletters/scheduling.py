"""The schedule worker's job (gazette.core.periodic): quick checks, the work goes to tasks."""

from __future__ import annotations

from django.utils import timezone

from .models import Issue


def enqueue_due_issues() -> int:
    """Start the scheduled issues whose time has come, and the digests that are due."""
    from . import breaking, digest, services
    from .tasks import build_and_send_due_digests, send_issue

    started = 0
    for issue in Issue.objects.due(timezone.now()).select_related("newsletter"):
        started += services.send_now(issue=issue)
    # Temporary refusals whose wait is over, once the first pass of their issue is done.
    for issue in Issue.objects.with_retries_due(timezone.now()):
        send_issue.enqueue(issue.pk)
    breaking.end_expired()
    if digest.newsletters_due():
        build_and_send_due_digests.enqueue()
    return started

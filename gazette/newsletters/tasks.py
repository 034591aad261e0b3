"""Background work: sending an issue, building the digests that are due."""

from __future__ import annotations

from django_tasks import task


@task()
def send_issue(issue_id: int) -> dict:
    """Send what is left of an issue. Safe to run again after a crash (sending.py)."""
    from . import sending

    report = sending.send_issue(issue_id)
    return {"sent": report.sent, "failed": report.failed, "finished": report.finished}


@task()
def build_and_send_due_digests() -> int:
    """Build each daily or weekly digest whose time has come, and send it."""
    from . import digest, services

    sent = 0
    for issue in digest.build_due_digests():
        sent += services.send_now(issue=issue)
    return sent

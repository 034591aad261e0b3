"""Sending an issue: each subscriber gets it once, even when a worker dies mid-send.

How:

1. ``start``: the issue becomes SENDING and one ``Delivery`` row is written for every
   subscription confirmed before that moment (unique per issue and subscriber, inserted with
   ``ignore_conflicts``, so running it again adds nobody twice). That is the list, fixed.
2. A worker claims a batch of QUEUED rows in one transaction (``select_for_update(skip_locked)``
   on PostgreSQL, so workers side by side take different rows; on SQLite the transaction takes
   the database's write lock at BEGIN, Gazette's IMMEDIATE mode, which serialises the claims),
   marking them SENDING with its worker id.
3. For each row: the message goes through one SMTP connection kept open for the run, and as
   soon as the server has accepted it (250), the row is marked SENT in its own statement.
4. Rows SENDING whose worker is dead (same host: its process is gone; else after
   ``GAZETTE_NEWSLETTER_CLAIM_LEASE`` seconds) go back to QUEUED and are sent by the next run.

The one window, chosen at-least-once: a worker killed after the SMTP server accepted a message
and before the mark committed (one UPDATE by primary key, well under a millisecond) leaves
that one row SENDING, and it is sent again. At most one message per dead worker, and it goes
out with the same Message-ID (``issue-<id>.subscriber-<id>@site``), which mail programs and
providers use to fold duplicates. The alternative (never re-send a row in doubt) would lose
that reader's issue without a trace; a reader told twice is the lesser harm. Rows claimed but
not yet tried, the rest of the dead worker's batch, are simply sent: nobody never.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import (
    ATTEMPTS_PER_DELIVERY,
    PERMANENT_FAILURES_TO_STOP,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    Subscription,
)
from .rendering import render_issue

logger = logging.getLogger(__name__)

FILL_CHUNK = 5000


def batch_size() -> int:
    return getattr(settings, "GAZETTE_NEWSLETTER_BATCH_SIZE", 200)


def rate_per_second() -> float:
    """At most this many messages a second per worker (0: as fast as the server takes them);
    providers throttle or refuse a sender that goes faster than agreed."""
    return float(getattr(settings, "GAZETTE_NEWSLETTER_RATE", 0))


def retry_delay(attempts: int) -> timedelta:
    """How long a temporarily refused message waits before its next try: doubling from
    ``GAZETTE_NEWSLETTER_RETRY_BASE`` seconds, at most ``GAZETTE_NEWSLETTER_RETRY_MAX``.
    Greylisting servers refuse a first try for a few minutes; an at-once retry is refused
    again and counts against the address's attempts."""
    base = getattr(settings, "GAZETTE_NEWSLETTER_RETRY_BASE", 120)
    ceiling = getattr(settings, "GAZETTE_NEWSLETTER_RETRY_MAX", 1800)
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, attempts - 1)))


class Pacer:
    """Keeps a worker at ``rate`` messages a second at most: each message has its slot,
    ``1 / rate`` after the previous one's, and ``wait`` sleeps until it. Clock and sleep are
    given so that tests count the pauses instead of timing them."""

    def __init__(self, rate: float, *, clock=None, sleep=None):
        self.interval = 1 / rate if rate > 0 else 0.0
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.next_slot: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next_slot is not None and self.next_slot > now:
            self.sleep(self.next_slot - now)
            now = self.next_slot
        self.next_slot = now + self.interval


def claim_lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "GAZETTE_NEWSLETTER_CLAIM_LEASE", 600))


def worker_id() -> str:
    """``host:pid:random``: where the claim was made, to tell a dead worker's rows."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


# --- 1. the list -----------------------------------------------------------------------------


def start(issue: Issue, *, now=None) -> bool:
    """Make the issue SENDING and write its deliveries; False when it is already sent.
    Safe to run again (a worker died while filling the list)."""
    now = now or timezone.now()
    with transaction.atomic():
        Issue.objects.filter(
            pk=issue.pk, status__in=[IssueStatus.DRAFT, IssueStatus.SCHEDULED]
        ).update(status=IssueStatus.SENDING, sending_started_at=now)
    issue.refresh_from_db()
    if issue.status != IssueStatus.SENDING:
        return False
    subscriber_ids = (
        Subscription.objects.active()
        .filter(newsletter_id=issue.newsletter_id, confirmed_at__lte=issue.sending_started_at)
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
    )
    chunk: list[Delivery] = []
    for subscriber_id in subscriber_ids.iterator(chunk_size=FILL_CHUNK):
        chunk.append(Delivery(issue_id=issue.pk, subscriber_id=subscriber_id))
        if len(chunk) >= FILL_CHUNK:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    return True


# --- 2. claims -------------------------------------------------------------------------------


def claim_batch(issue_id: int, worker: str, size: int) -> list[Delivery]:
    with transaction.atomic():
        queued = Delivery.objects.filter(
            Q(retry_after__isnull=True) | Q(retry_after__lte=timezone.now()),
            issue_id=issue_id,
            status=DeliveryStatus.QUEUED,
        )
        if db_connection.features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        ids = list(queued.order_by("pk").values_list("pk", flat=True)[:size])
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING,
            claimed_by=worker,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=DeliveryStatus.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_claims(issue_id: int, *, now=None) -> int:
    """Put rows of dead workers back in the queue: on this host at once, elsewhere after the
    lease. Returns how many."""
    now = now or timezone.now()
    host = socket.gethostname()[:40]
    released = Delivery.objects.filter(
        issue_id=issue_id, status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_lease()
    ).update(status=DeliveryStatus.QUEUED, claimed_by="")
    claims = (
        Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.SENDING)
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    for claim in list(claims):
        claim_host, _, rest = claim.partition(":")
        pid = rest.partition(":")[0]
        if claim_host == host and pid.isdigit() and not _process_alive(int(pid)):
            released += Delivery.objects.filter(
                issue_id=issue_id, status=DeliveryStatus.SENDING, claimed_by=claim
            ).update(status=DeliveryStatus.QUEUED, claimed_by="")
    if released:
        logger.warning("Issue %s: %s deliveries of a dead worker queued again", issue_id, released)
    return released


# --- 3. sending ------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)


def _mark(delivery: Delivery, worker: str, status: str, **extra) -> None:
    Delivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(status=status, **extra)


def _mark_sent(delivery: Delivery, worker: str) -> None:
    """The hot path, once per message: one UPDATE by primary key in autocommit, committed at
    once (the crash window of the module doc), written as SQL since building the ORM's query
    cost more than running it."""
    table = Delivery._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, error = '' "  # noqa: S608 - our table
            "WHERE id = %s AND claimed_by = %s",
            [DeliveryStatus.SENT, timezone.now(), delivery.pk, worker],
        )


def _permanent_failure(subscriber: Subscriber, reason: str) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(
        failed_count=F("failed_count") + 1,
        permanent_failures=F("permanent_failures") + 1,
        last_failure=reason[:300],
    )
    Subscriber.objects.filter(
        pk=subscriber.pk,
        permanent_failures__gte=PERMANENT_FAILURES_TO_STOP,
        stopped_at__isnull=True,
    ).update(stopped_at=timezone.now())


def _refusal(error: smtplib.SMTPException, address: str) -> tuple[int, str]:
    """The SMTP code and text of a refusal (0 when the connection itself failed)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(address, next(iter(error.recipients.values())))
        return code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        return error.smtp_code, text.decode(errors="replace") if isinstance(text, bytes) else text
    return 0, str(error)


def _still_wanted(batch: list[Delivery], newsletter_id: int) -> set[int]:
    """Subscribers of the batch still on the list and reachable: one query per batch (who
    left after the list was fixed is skipped)."""
    return set(
        Subscription.objects.filter(
            subscriber_id__in=[delivery.subscriber_id for delivery in batch],
            newsletter_id=newsletter_id,
            unsubscribed_at__isnull=True,
            subscriber__stopped_at__isnull=True,
        ).values_list("subscriber_id", flat=True)
    )


def send_issue(
    issue_id: int, *, max_batches: int | None = None, pacer: Pacer | None = None
) -> SendReport:
    """Send what is left of the issue; run it again after any crash. Returns what it did."""
    report = SendReport()
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    if issue is None or issue.status == IssueStatus.SENT:
        report.finished = issue is not None
        return report
    if issue.status != IssueStatus.SENDING:
        start(issue)
    release_dead_claims(issue.pk)
    rendered = render_issue(issue)
    worker = worker_id()
    pacer = pacer or Pacer(rate_per_second())
    connection = get_connection()
    connection.open()
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            batch = claim_batch(issue.pk, worker, batch_size())
            if not batch:
                break
            batches += 1
            wanted = _still_wanted(batch, issue.newsletter_id)
            for delivery in batch:
                if delivery.subscriber_id not in wanted:
                    _mark(delivery, worker, DeliveryStatus.SKIPPED)
                    report.skipped += 1
                    continue
                pacer.wait()
                connection = _send_one(rendered, delivery, worker, connection, report)
    finally:
        connection.close()
    report.finished = _finish_if_done(issue)
    return report


def _send_one(rendered, delivery: Delivery, worker: str, connection, report: SendReport):
    """Send one delivery and record how it went; returns the connection to go on with."""
    address = delivery.subscriber.email
    try:
        rendered.message(delivery.subscriber, connection=connection).send()
    except (smtplib.SMTPException, OSError) as error:
        code, text = (
            _refusal(error, address)
            if isinstance(error, smtplib.SMTPException)
            else (
                0,
                str(error),
            )
        )
        reason = f"{code} {text}".strip()
        if 500 <= code < 600:
            _mark(delivery, worker, DeliveryStatus.FAILED, error=reason[:300])
            _permanent_failure(delivery.subscriber, reason)
            report.failed += 1
        elif delivery.attempts >= ATTEMPTS_PER_DELIVERY:
            _mark(delivery, worker, DeliveryStatus.FAILED, error=reason[:300])
            Subscriber.objects.filter(pk=delivery.subscriber_id).update(
                failed_count=F("failed_count") + 1, last_failure=reason[:300]
            )
            report.failed += 1
        else:
            # A temporary refusal or a lost connection: back in the queue, to be tried after
            # a wait that grows with each refusal (the schedule round restarts the issue).
            _mark(
                delivery,
                worker,
                DeliveryStatus.QUEUED,
                claimed_by="",
                error=reason[:300],
                retry_after=timezone.now() + retry_delay(delivery.attempts),
            )
            report.retried += 1
        report.errors.append(f"{address}: {reason}")
        if code == 0 or isinstance(error, smtplib.SMTPServerDisconnected):
            connection.close()
            connection = get_connection()
            connection.open()
        return connection
    _mark_sent(delivery, worker)
    report.sent += 1
    return connection


def _finish_if_done(issue: Issue) -> bool:
    """SENT once no row is left to send: queued, or claimed by a worker still at work."""
    open_rows = Delivery.objects.filter(
        Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.SENDING), issue_id=issue.pk
    )
    if open_rows.exists():
        return False
    return (
        bool(
            Issue.objects.filter(pk=issue.pk, status=IssueStatus.SENDING).update(
                status=IssueStatus.SENT, sent_at=timezone.now()
            )
        )
        or Issue.objects.filter(pk=issue.pk, status=IssueStatus.SENT).exists()
    )


def send_test(issue: Issue, address: str) -> None:
    """The issue as readers will get it, to one address (the editor's), with inert links."""
    rendered = render_issue(issue)
    message = rendered.message(None, to=address)
    message.subject = f"[Test] {message.subject}"
    message.send()

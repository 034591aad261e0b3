"""What readers and editors change: subscribing (double opt-in), confirming, leaving, the
preferences page; scheduling and sending an issue; an operator's export and erasure.
Keyword-only functions, each one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tokens
from .models import (
    Delivery,
    Issue,
    IssueStatus,
    Newsletter,
    Subscriber,
    Subscription,
    normalise_email,
)
from .rendering import site_root


def subscribe(*, email: str, newsletters: Iterable[Newsletter]) -> Subscriber:
    """Ask for these lists. Nothing is sent but the confirmation e-mail, and the lists start
    only once its link is clicked: an address typed by someone else gets one e-mail, no more.
    Lists the address already has confirmed are left as they are; one it left and asks for
    again needs confirming again."""
    chosen = list(newsletters)
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=normalise_email(email))
        to_confirm = []
        for newsletter in chosen:
            subscription, created = Subscription.objects.get_or_create(
                subscriber=subscriber, newsletter=newsletter
            )
            if subscription.confirmed_at and subscription.unsubscribed_at is None:
                continue
            if not created:
                subscription.confirmed_at = None
                subscription.unsubscribed_at = None
                subscription.unsubscribed_from = None
                subscription.save(
                    update_fields=["confirmed_at", "unsubscribed_at", "unsubscribed_from"]
                )
            to_confirm.append(newsletter)
        if to_confirm:
            message = confirmation_email(subscriber, to_confirm)
            transaction.on_commit(message.send)
    return subscriber


def confirmation_email(subscriber: Subscriber, newsletters: list[Newsletter]):
    """In the active language (the edition of the page the reader signed up on, from its
    address), its link to that edition's confirmation page."""
    root = site_root()
    url = root + reverse(
        "newsletters:confirm",
        args=[tokens.confirm_token(subscriber.pk, [n.pk for n in newsletters])],
    )
    context = {"newsletters": newsletters, "confirm_url": url, "root": root}
    names = ", ".join(n.name for n in newsletters)
    message = EmailMultiAlternatives(
        subject=(_("Confirm your subscription: %(names)s") % {"names": names})[:150],
        body=render_to_string("newsletters/email/confirm.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    return message


def confirm(*, token: str) -> tuple[Subscriber, list[Newsletter]] | None:
    """The link of the confirmation e-mail: the lists it names start. None for a forged,
    mangled or expired link, or a subscriber erased since."""
    read = tokens.read_confirm_token(token)
    if read is None:
        return None
    subscriber_id, newsletter_ids = read
    with transaction.atomic():
        subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
        if subscriber is None:
            return None
        subscriptions = Subscription.objects.filter(
            subscriber=subscriber, newsletter_id__in=newsletter_ids
        ).select_related("newsletter")
        now = timezone.now()
        for subscription in subscriptions:
            if subscription.confirmed_at is None or subscription.unsubscribed_at is not None:
                subscription.confirmed_at = now
                subscription.unsubscribed_at = None
                subscription.save(update_fields=["confirmed_at", "unsubscribed_at"])
        return subscriber, [s.newsletter for s in subscriptions]


def unsubscribe(
    *, subscriber_id: int, newsletter_id: int, issue_id: int | None = None
) -> Subscription | None:
    """Leave one list (the e-mail's one-click link). Idempotent: a second POST changes nothing."""
    with transaction.atomic():
        subscription = Subscription.objects.filter(
            subscriber_id=subscriber_id, newsletter_id=newsletter_id
        ).first()
        if subscription is None:
            return None
        if subscription.unsubscribed_at is None:
            subscription.unsubscribed_at = timezone.now()
            if issue_id and Issue.objects.filter(pk=issue_id).exists():
                subscription.unsubscribed_from_id = issue_id
            subscription.save(update_fields=["unsubscribed_at", "unsubscribed_from"])
        return subscription


def set_preferences(*, subscriber: Subscriber, newsletters: Iterable[Newsletter]) -> None:
    """The preferences page: keep exactly these lists. The link came by e-mail to this
    address, so a list ticked there starts at once (the click is the confirmation)."""
    wanted = {n.pk for n in newsletters}
    now = timezone.now()
    with transaction.atomic():
        for subscription in Subscription.objects.filter(subscriber=subscriber):
            if subscription.newsletter_id in wanted:
                if subscription.unsubscribed_at or not subscription.confirmed_at:
                    subscription.confirmed_at = now
                    subscription.unsubscribed_at = None
                    subscription.save(update_fields=["confirmed_at", "unsubscribed_at"])
                wanted.discard(subscription.newsletter_id)
            elif subscription.unsubscribed_at is None:
                subscription.unsubscribed_at = now
                subscription.save(update_fields=["unsubscribed_at"])
        Subscription.objects.bulk_create(
            Subscription(subscriber=subscriber, newsletter_id=pk, confirmed_at=now) for pk in wanted
        )


def leave_everything(*, subscriber: Subscriber) -> None:
    set_preferences(subscriber=subscriber, newsletters=[])


# --- editors ---------------------------------------------------------------------------------


def schedule(*, issue: Issue, when) -> bool:
    """Send at ``when`` (the schedule worker's round picks it up). False once sending began."""
    return bool(
        Issue.objects.filter(
            pk=issue.pk, status__in=[IssueStatus.DRAFT, IssueStatus.SCHEDULED]
        ).update(status=IssueStatus.SCHEDULED, scheduled_at=when)
    )


def unschedule(*, issue: Issue) -> bool:
    return bool(
        Issue.objects.filter(pk=issue.pk, status=IssueStatus.SCHEDULED).update(
            status=IssueStatus.DRAFT, scheduled_at=None
        )
    )


def send_now(*, issue: Issue) -> bool:
    """Fix the list and queue the sending task (after the commit). False once begun."""
    from . import sending
    from .tasks import send_issue

    if not sending.start(issue):
        return False
    transaction.on_commit(lambda: send_issue.enqueue(issue.pk))
    return True


# --- operators -------------------------------------------------------------------------------


def export_subscriber(*, email: str) -> dict | None:
    """Everything stored about an address, as JSON-ready data (a reader's access request)."""
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is None:
        return None

    def when(moment):
        return moment.isoformat() if moment else None

    return {
        "email": subscriber.email,
        "created_at": when(subscriber.created_at),
        "failed_count": subscriber.failed_count,
        "permanent_failures": subscriber.permanent_failures,
        "last_failure": subscriber.last_failure,
        "stopped_at": when(subscriber.stopped_at),
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "created_at": when(s.created_at),
                "confirmed_at": when(s.confirmed_at),
                "unsubscribed_at": when(s.unsubscribed_at),
            }
            for s in subscriber.subscriptions.select_related("newsletter").order_by("pk")
        ],
        "deliveries": [
            {"issue": d.issue.subject, "status": d.status, "sent_at": when(d.sent_at)}
            for d in Delivery.objects.filter(subscriber=subscriber)
            .select_related("issue")
            .order_by("pk")
        ],
    }


def export_json(*, email: str) -> str | None:
    data = export_subscriber(email=email)
    return None if data is None else json.dumps(data, indent=2, ensure_ascii=False)


def erase_subscriber(*, email: str) -> bool:
    """Erase an address and everything about it (subscriptions, deliveries). Its links stop
    working: they name a subscriber that is gone. The issues' counts keep no trace of it."""
    with transaction.atomic():
        deleted, _ = Subscriber.objects.filter(email=normalise_email(email)).delete()
    return bool(deleted)

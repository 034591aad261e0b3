"""Reads: the lists offered on the subscribe forms (a shared part: the article page renders
its form without a query), issue counts for the admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from gazette.core import shared_parts
from gazette.core.shared_parts import SitePart

from .models import DeliveryStatus, Issue, Newsletter, Subscription


@dataclass(frozen=True)
class OfferedNewsletter:
    slug: str
    name: str
    description: str
    cadence: str


def _offered(site) -> list[OfferedNewsletter]:
    return [
        OfferedNewsletter(n.slug, n.name, n.description, n.get_cadence_display())
        for n in Newsletter.objects.offered().in_edition()
    ]


# Shown by the article's after-body slot alone, kept as HTML per live revision: read when
# it is rendered again, not with every page's site parts.
OFFERED = SitePart("newsletters-offered", _offered, preload=False)


def forget_offered(sender, **kwargs) -> None:
    """A newsletter saved or deleted: the forms show the lists anew (every shared part goes:
    they live in one generation)."""
    shared_parts.retire()


def offered_newsletters(request) -> list[OfferedNewsletter]:
    return OFFERED.get(request)


def with_counts(issues):
    """Issues with ``sent_count``, ``failed_count`` and ``unsubscribed_count`` (who left
    through one of its links): one query for a page of them."""
    left = (
        Subscription.objects.filter(unsubscribed_from=OuterRef("pk"))
        .order_by()
        .values("unsubscribed_from")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return issues.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        unsubscribed_count=Coalesce(Subquery(left), 0),
    )


def issue_counts(issue: Issue) -> dict[str, int]:
    return with_counts(Issue.objects.filter(pk=issue.pk)).values(
        "sent_count", "failed_count", "unsubscribed_count"
    )[0]

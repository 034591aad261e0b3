"""The public moderation page (/moderation/): month by month, what readers sent and what the
rules and the moderators made of it. Counts only, never a name, a text, an address or a
moderator's own words: the reasons readers see are the ``RejectionReason`` categories.

Two sources, one query each:

- the comments, by the month they were received and by what the rules made of them then
  (``Comment.received_as``: published at once, held for a moderator, caught as spam);
- the moderation log (Wagtail's log entries of comments), by the month of the decision:
  approved, rejected (by category), marked as spam, sent back by readers' reports.

Months are the newsroom's (its time zone). The report is cached for ``REPORT_SECONDS``: it
reads up to a year of comments.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from wagtail.models import ModelLogEntry

from .models import Comment, RejectionReason

MONTHS = 12
REPORT_SECONDS = 600
Status = Comment.Status
DECISIONS = {
    "comments.approve": "approved",
    "comments.reject": "rejected",
    "comments.spam": "spam_by_moderators",
    "comments.reported": "sent_back",
}
NOT_GIVEN = gettext_lazy("Not given")


@dataclass
class MonthReport:
    month: date
    received: int = 0
    published_at_once: int = 0
    held: int = 0
    spam_by_rules: int = 0
    approved: int = 0
    rejected: int = 0
    spam_by_moderators: int = 0
    sent_back: int = 0
    rejected_by_reason: list[tuple[str, int]] = field(default_factory=list)

    @property
    def published(self) -> int:
        return self.published_at_once + self.approved

    @property
    def spam(self) -> int:
        return self.spam_by_rules + self.spam_by_moderators

    @property
    def has_activity(self) -> bool:
        return bool(self.received or self.approved or self.rejected or self.spam or self.sent_back)


def month_starts(now: datetime, zone: tzinfo, count: int = MONTHS) -> list[date]:
    """The first days of the last ``count`` months in ``zone``, newest first."""
    local = timezone.localtime(now, zone)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


def moderation_report(*, zone: tzinfo, now: datetime | None = None) -> list[MonthReport]:
    """The last twelve months, newest first, cached."""
    now = now or timezone.now()
    # The reasons' names are in the page's language.
    language = get_language() or ""
    key = f"comments:moderation-report:{language}:{zone}:{timezone.localtime(now, zone):%Y-%m}"
    return cache.get_or_set(key, lambda: build_report(zone=zone, now=now), REPORT_SECONDS)


def build_report(*, zone: tzinfo, now: datetime) -> list[MonthReport]:
    starts = month_starts(now, zone)
    since = datetime(starts[-1].year, starts[-1].month, 1, tzinfo=zone)
    months = {start: MonthReport(month=start) for start in starts}

    received = (
        Comment.objects.filter(created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month", "received_as")
        .annotate(count=Count("pk"))
    )
    for row in received:
        report = months.get(_month_of(row["month"], zone))
        if report is None:
            continue
        report.received += row["count"]
        outcome = {
            Status.PUBLISHED: "published_at_once",
            Status.PENDING: "held",
            Status.SPAM: "spam_by_rules",
        }.get(row["received_as"])
        if outcome:
            setattr(report, outcome, getattr(report, outcome) + row["count"])

    decisions = (
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            action__in=DECISIONS,
            timestamp__gte=since,
        )
        .annotate(
            month=TruncMonth("timestamp", tzinfo=zone),
            category=KeyTextTransform("category", "data"),
        )
        .values("month", "action", "category")
        .annotate(count=Count("pk"))
    )
    reasons: dict[date, Counter] = defaultdict(Counter)
    for row in decisions:
        month = _month_of(row["month"], zone)
        report = months.get(month)
        if report is None:
            continue
        name = DECISIONS[row["action"]]
        setattr(report, name, getattr(report, name) + row["count"])
        if name == "rejected":
            reasons[month][_reason_label(row["category"])] += row["count"]
    for month, counts in reasons.items():
        months[month].rejected_by_reason = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [months[start] for start in starts]


def _month_of(value: datetime | date, zone: tzinfo) -> date:
    # Truncated in the zone: PostgreSQL answers an aware datetime, SQLite may too.
    if isinstance(value, datetime):
        value = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


def _reason_label(category: str | None) -> str:
    if category in RejectionReason.values:
        return str(RejectionReason(category).label)
    return str(NOT_GIVEN)

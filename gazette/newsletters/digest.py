"""Digests built for a newsletter's cadence: Must-Reads, the most read of the period, the
newest of each chosen section, topic and author, each story once, in that order. A digest is
its newsletter's edition's: only that edition's stories, its headings and subject in that
edition's language."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gazette.analytics.queries import most_viewed
from gazette.core import editions, l10n
from gazette.core.newsroom_time import newsroom_zone_name, zone
from gazette.news.models import MUST_READS_SLUG, ArticlePage

from .models import Cadence, Issue, IssueStatus, Newsletter

logger = logging.getLogger(__name__)

PERIODS = {Cadence.DAILY: timedelta(days=1), Cadence.WEEKLY: timedelta(days=7)}


def period_of(newsletter: Newsletter) -> timedelta:
    return PERIODS.get(newsletter.cadence, timedelta(days=1))


def sources(newsletter: Newsletter, *, now: datetime) -> list[tuple[str, list[ArticlePage]]]:
    """(heading, stories) per source, each story in the first source that has it."""
    since = now - period_of(newsletter)
    limit = newsletter.stories_per_source
    locale_id = newsletter.locale_id or editions.locale_ids().get(editions.default_language())
    readable = ArticlePage.objects.live().public().with_body().in_edition(locale_id)
    seen: set[int] = set()
    out: list[tuple[str, list[ArticlePage]]] = []

    def add(heading: str, stories) -> None:
        fresh = [story for story in stories if story.pk not in seen][:limit]
        seen.update(story.pk for story in fresh)
        if fresh:
            out.append((heading, fresh))

    if newsletter.include_must_reads:
        add(_("Must-Reads"), readable.in_curated_list(MUST_READS_SLUG)[: limit * 2])
    if newsletter.include_most_read:
        ranked = [
            pk for pk, _ in most_viewed(now=now, window=period_of(newsletter), limit=limit * 2)
        ]
        by_pk = readable.in_bulk(ranked)
        add(_("Most read"), [by_pk[pk] for pk in ranked if pk in by_pk])
    recent = readable.filter(first_published_at__gt=since).newest_first()
    for section in newsletter.sections.all():
        add(section.title, recent.filter(section=section)[: limit * 2])
    for tag in newsletter.topics.all():
        add(tag.name, recent.filter(tags=tag).distinct()[: limit * 2])
    for author in newsletter.authors.all():
        add(author.name, recent.filter(article_authors__author=author).distinct()[: limit * 2])
    return out


def build_digest(newsletter: Newsletter, *, now: datetime | None = None) -> Issue | None:
    """An issue drawn from the newsletter's sources; None when there is nothing new to send."""
    now = now or timezone.now()
    with newsletter.addresses():
        parts = sources(newsletter, now=now)
        if not parts:
            return None
        local = timezone.localtime(now, zone(newsroom_zone_name()))
        subject = f"{newsletter.name}: {l10n.format_day(local)}"
    body = []
    for heading, stories in parts:
        body.append(("heading", heading))
        body.extend(("story", {"article": story, "note": ""}) for story in stories)
    return Issue.objects.create(
        newsletter=newsletter,
        subject=subject,
        preheader=parts[0][1][0].title,
        body=body,
        is_automatic=True,
    )


def due_moment(newsletter: Newsletter, now: datetime) -> datetime | None:
    """When the current period's issue was due, in the newsroom's zone; None if not yet."""
    local = timezone.localtime(now, zone(newsroom_zone_name()))
    moment = local.replace(
        hour=newsletter.send_time.hour, minute=newsletter.send_time.minute, second=0, microsecond=0
    )
    if newsletter.cadence == Cadence.WEEKLY:
        moment -= timedelta(days=(local.weekday() - newsletter.weekday) % 7)
    if moment > local:
        return None
    return moment


def newsletters_due(now: datetime | None = None) -> list[Newsletter]:
    now = now or timezone.now()
    due = []
    automatic = Newsletter.objects.filter(cadence__in=list(PERIODS), is_breaking=False)
    for newsletter in automatic:
        moment = due_moment(newsletter, now)
        if moment is None:
            continue
        if newsletter.digest_skipped_for is not None and newsletter.digest_skipped_for >= moment:
            continue  # this period had nothing new: skipped once, not retried every minute
        built = Issue.objects.filter(
            newsletter=newsletter, is_automatic=True, created_at__gte=moment
        )
        if not built.exists():
            due.append(newsletter)
    return due


def build_due_digests(now: datetime | None = None) -> list[Issue]:
    """Build each due digest once (a second worker finds it built and builds nothing). A
    period with nothing new is recorded as skipped, so it is not tried again each minute."""
    now = now or timezone.now()
    issues = []
    for newsletter in newsletters_due(now):
        try:
            with transaction.atomic():
                Newsletter.objects.select_for_update().filter(pk=newsletter.pk).first()
                if newsletter in newsletters_due(now):
                    issue = build_digest(newsletter, now=now)
                    if issue is not None:
                        issues.append(issue)
                    else:
                        skip_period(newsletter, now=now)
        except IntegrityError:
            continue
    return [issue for issue in issues if issue.status == IssueStatus.DRAFT]


def skip_period(newsletter: Newsletter, *, now: datetime) -> None:
    moment = due_moment(newsletter, now)
    Newsletter.objects.filter(pk=newsletter.pk).update(digest_skipped_for=moment)
    newsletter.digest_skipped_for = moment
    logger.info("Digest of %s skipped for the period due %s: nothing new", newsletter, moment)

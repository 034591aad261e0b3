"""Generated comments and view history: consistent with what the comments and analytics apps
would have written, skewed like real reading, and the same for the same seed."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from gazette.analytics.models import HourlyViews, TotalViews
from gazette.analytics.queries import most_viewed, popular_window
from gazette.comments import rules
from gazette.comments.models import TEXT_LIMIT, Comment, CommentSettings
from gazette.demo.synthetic.newsroom import generate_newsroom
from gazette.demo.synthetic.viewhistory import expected_views
from gazette.news.models import ArticlePage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=timezone.utc)
SMALL = {"articles": 30, "authors": 5, "comments": 300, "view_days": 2, "image_count": 1}
Status = Comment.Status


def test_generated_comments_and_views_are_consistent(home, capsys):
    # One newsroom for all these checks: publishing its sections is what takes time.
    newsroom = generate_newsroom(**SMALL, seed=11, now=NOW)
    _check_comments(newsroom)
    _check_views(newsroom)
    call_command("fixtree")
    assert capsys.readouterr().out.count("No problems found.") == 2


def _check_comments(newsroom):
    """As posting and moderation leave them."""
    assert newsroom.comments == Comment.objects.count() == 300
    by_status = dict(Comment.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status == {status: n for status, n in newsroom.comments_by_status.items() if n}
    # Mostly published; the other three outcomes all occur.
    assert by_status[Status.PUBLISHED] > 0.8 * 300
    assert set(by_status) == set(Status.values)

    close_after = timedelta(days=CommentSettings().close_after_days)
    for comment in Comment.objects.select_related("article"):
        published = comment.article.first_published_at
        assert published <= comment.created_at <= min(NOW, published + close_after)
        assert 0 < len(comment.text) <= TEXT_LIMIT
        assert comment.text == rules.normalise_text(comment.text)
        assert comment.fingerprint == rules.fingerprint(comment.text)
        assert comment.author_name and len(comment.client_hash) == 64
        if comment.status == Status.PUBLISHED:
            assert comment.created_at <= comment.published_at <= NOW
        else:
            assert comment.published_at is None
            assert comment.held_for, comment.status
        if comment.held_for == "link":
            assert rules.has_link(comment.text)

    # Skewed: a few articles draw many of the comments.
    per_article = sorted(
        Comment.objects.values("article").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert per_article[-1] > 3 * 300 / 30


def _check_views(newsroom):
    """Totals are the sums of the hourly buckets, which Popular Now ranks."""
    buckets = dict(
        HourlyViews.objects.values("article").annotate(n=Sum("views")).values_list("article", "n")
    )
    totals = dict(TotalViews.objects.values_list("article_id", "views"))
    assert totals == buckets and totals
    assert newsroom.views == sum(totals.values())
    assert newsroom.view_rows == HourlyViews.objects.count()

    first_hour = NOW.replace(minute=0) - timedelta(days=2) + timedelta(hours=1)
    published = dict(ArticlePage.objects.values_list("pk", "first_published_at"))
    for bucket in HourlyViews.objects.all():
        # Only hours with views have a row, inside the window, none before publication.
        assert bucket.views > 0
        assert first_hour <= bucket.hour <= NOW
        assert bucket.hour + timedelta(hours=1) > published[bucket.article_id]

    # Popular Now ranks what the buckets of the last 24 hours hold.
    ranked = most_viewed(now=NOW, window=popular_window(), limit=30)
    recent = Counter()
    for bucket in HourlyViews.objects.filter(hour__gt=NOW - timedelta(hours=24)):
        recent[bucket.article_id] += bucket.views
    assert ranked and ranked[0][1] == max(recent.values())


def test_views_burst_on_publication_and_decay():
    hours = np.arange(0, 48) * 3600
    published = np.array([3600.0 * 10 + 1800, 3600.0 * 60])  # at 10:30; after the window
    expected = expected_views(published, np.array([100.0, 100.0]), hours, now=48 * 3600.0)
    assert expected[0, :10].sum() == 0 and expected[1].sum() == 0
    assert 0 < expected[0, 10] < expected[0, 11]  # half an hour, then a whole one
    same_time_of_day = expected[0, 11], expected[0, 35]
    assert same_time_of_day[0] > 5 * same_time_of_day[1]


def _snapshot() -> dict:
    """Everything generated, keyed by what does not depend on database ids."""
    slug = dict(ArticlePage.objects.values_list("pk", "slug"))
    return {
        "articles": sorted(
            ArticlePage.objects.values_list(
                "slug", "title", "body", "first_published_at", "section__slug"
            )
        ),
        "comments": sorted(
            (slug[c[0]], *c[1:])
            for c in Comment.objects.values_list(
                "article",
                "author_name",
                "email",
                "text",
                "status",
                "held_for",
                "created_at",
                "published_at",
                "client_hash",
            )
        ),
        "views": sorted(
            (slug[article], hour, views)
            for article, hour, views in HourlyViews.objects.values_list("article", "hour", "views")
        ),
    }


class _Discard(Exception):
    pass


def _generated(seed: int) -> dict:
    try:
        with transaction.atomic():
            generate_newsroom(**SMALL, seed=seed, now=NOW)
            snapshot = _snapshot()
            raise _Discard
    except _Discard:
        return snapshot


def test_the_same_seed_gives_the_same_newsroom(home):
    # Sections, authors and pictures first, kept by both runs (picture ids are in the bodies).
    generate_newsroom(**{**SMALL, "articles": 0}, seed=11)
    first, second = _generated(11), _generated(11)
    assert first == second
    assert first["comments"] and first["views"]
    other = _generated(12)
    assert other["comments"] != first["comments"] and other["views"] != first["views"]


def test_command_line_options(home, capsys):
    call_command(
        "generate_newsroom",
        "--articles=12",
        "--authors=3",
        "--view-days=1",
        "--images=1",
        "--now=2026-11-20T14:30",
        "--no-progress",
    )
    out = capsys.readouterr().out
    # Comments default to ten per article.
    assert Comment.objects.count() == 120 and "120 comments" in out
    assert HourlyViews.objects.filter(hour__lt=NOW - timedelta(days=1)).count() == 0
    assert (
        TotalViews.objects.aggregate(n=Sum("views"))["n"]
        == HourlyViews.objects.aggregate(n=Sum("views"))["n"]
    )

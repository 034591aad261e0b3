"""Popular Now: the most viewed live articles of a sliding 24 hours, from the hourly buckets."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from gazette.analytics.counters import hour_of
from gazette.analytics.models import HourlyViews
from gazette.analytics.queries import (
    POPULAR_NOW,
    POPULAR_NOW_CACHE_SECONDS,
    most_viewed,
    popular_articles,
    popular_now,
    popular_now_entry,
    popular_window,
)
from gazette.analytics.services import flush_views, record_beacon, write_batch
from tests.factories import ArticleFactory, SectionFactory

from .common import reader

pytestmark = pytest.mark.django_db

DAY = timedelta(hours=24)
MARCH_1 = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.fixture
def newsroom(home):
    """Eight live articles, published an hour apart: story 0 is the oldest."""
    section = SectionFactory(parent=home)
    return [
        ArticleFactory(
            parent=section,
            title=f"Story {number}",
            first_published_at=MARCH_1 - timedelta(days=2) + timedelta(hours=number),
        )
        for number in range(8)
    ]


def views(article, at: datetime, count: int) -> None:
    write_batch({(article.pk, hour_of(at)): count})


def ranking(now: datetime) -> list[tuple[str, int]]:
    from gazette.news.models import ArticlePage

    titles = dict(ArticlePage.objects.values_list("pk", "title"))
    return [(titles[pk], n) for pk, n in most_viewed(now=now, window=DAY, limit=10)]


def test_window_is_24_hours_by_default_and_a_setting(settings):
    assert popular_window() == DAY
    settings.GAZETTE_POPULAR_WINDOW_HOURS = 6
    assert popular_window() == timedelta(hours=6)


def test_an_hour_of_views_leaves_the_window_24_hours_after_it_began(newsroom):
    old, recent = newsroom[0], newsroom[1]
    views(old, MARCH_1 + timedelta(hours=12, minutes=30), 10)  # in the 12:00 bucket
    views(recent, MARCH_1 + timedelta(hours=35, minutes=10), 6)  # March 2, 11:00

    march_2_noon = MARCH_1 + timedelta(hours=36)
    assert ranking(march_2_noon - timedelta(seconds=1)) == [("Story 0", 10), ("Story 1", 6)]
    assert ranking(march_2_noon) == [("Story 1", 6)]
    # Nothing before its first hour either: a bucket still in the future does not count.
    assert ranking(MARCH_1 + timedelta(hours=12) - timedelta(seconds=1)) == []
    assert ranking(MARCH_1 + timedelta(hours=12)) == [("Story 0", 10)]


def test_views_add_up_across_the_hours_of_the_window(newsroom):
    first, second = newsroom[0], newsroom[1]
    now = MARCH_1 + timedelta(hours=23, minutes=30)
    for hour in range(0, 24, 4):
        views(first, MARCH_1 + timedelta(hours=hour), 2)  # 6 buckets, 12 views
    views(second, MARCH_1 + timedelta(hours=23), 11)
    assert ranking(now) == [("Story 0", 12), ("Story 1", 11)]
    # 30 minutes later the 00:00 bucket has slid out of the window.
    assert ranking(now + timedelta(minutes=30)) == [("Story 1", 11), ("Story 0", 10)]


def test_ties_go_to_the_newer_article(newsroom):
    now = MARCH_1 + timedelta(hours=12)
    for article in (newsroom[2], newsroom[5], newsroom[3]):
        views(article, now, 7)
    views(newsroom[1], now, 9)
    assert ranking(now) == [("Story 1", 9), ("Story 5", 7), ("Story 3", 7), ("Story 2", 7)]


def test_only_live_public_articles_rank(newsroom):
    now = MARCH_1 + timedelta(hours=12)
    for number, article in enumerate(newsroom[:3]):
        views(article, now, 10 + number)
    newsroom[2].unpublish()
    PageViewRestriction.objects.create(
        page=newsroom[1], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert ranking(now) == [("Story 0", 10)]


def test_fills_up_with_the_newest_articles_and_never_twice(newsroom):
    now = MARCH_1 + timedelta(hours=12)
    views(newsroom[0], now, 3)
    views(newsroom[6], now, 1)
    with time_machine.travel(now, tick=False):
        shown = [article.title for article in popular_articles(limit=6)]
    assert shown == ["Story 0", "Story 6", "Story 7", "Story 5", "Story 4", "Story 3"]


def test_popular_now_leaves_out_the_article_being_read(newsroom):
    now = MARCH_1 + timedelta(hours=12)
    for number, article in enumerate(newsroom):
        views(article, now, 100 - number)  # story 0 the most read
    with time_machine.travel(now, tick=False):
        everywhere = [article.title for article in popular_now()]
        on_story_2 = [article.title for article in popular_now(excluding=newsroom[2])]
    assert everywhere == ["Story 0", "Story 1", "Story 2", "Story 3", "Story 4"]
    assert on_story_2 == ["Story 0", "Story 1", "Story 3", "Story 4", "Story 5"]


def test_popular_now_is_cached_for_a_minute_and_then_makes_no_query(
    newsroom, django_assert_num_queries
):
    with time_machine.travel(MARCH_1 + timedelta(hours=12), tick=False) as clock:
        views(newsroom[0], MARCH_1 + timedelta(hours=12), 5)
        before = [article.pk for article in popular_now()]
        assert before[0] == newsroom[0].pk

        for number in range(10):  # story 3 becomes the most read...
            record_beacon(article_id=newsroom[3].pk, meta=reader(number))
        flush_views()
        with django_assert_num_queries(0):
            # ...but Popular Now is refreshed at most once a minute: no query, same list.
            cached = popular_now(excluding=newsroom[1])
            assert [article.pk for article in cached] == [
                pk for pk in before if pk != newsroom[1].pk
            ][:5]
            assert [article.title for article in cached]  # teasers need nothing more

        key = POPULAR_NOW.key(popular_now_entry())
        if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
            ttl = cache.ttl(key)  # django-redis
            assert 0 < ttl <= POPULAR_NOW_CACHE_SECONDS
        else:
            clock.shift(timedelta(seconds=POPULAR_NOW_CACHE_SECONDS + 1))
            assert popular_now()[0].pk == newsroom[3].pk


def test_cost_does_not_grow_with_the_number_of_views(newsroom, django_assert_num_queries):
    now = MARCH_1 + timedelta(hours=12)
    views(newsroom[0], now, 1)
    # The buckets, then the best few that are live and public (restrictions inside the query).
    with django_assert_num_queries(2):
        most_viewed(now=now, window=DAY, limit=6)
    for _ in range(20):
        views(newsroom[0], now, 50_000)
        views(newsroom[1], now + timedelta(minutes=5), 40_000)
    with django_assert_num_queries(2):
        assert most_viewed(now=now, window=DAY, limit=6)[0] == (newsroom[0].pk, 1_000_001)
    # A million views are still one row per article and hour.
    assert HourlyViews.objects.count() == 2


def test_beyond_the_first_candidates_ties_and_pulled_stories_are_still_ranked_right(home):
    """Only the best few are checked against the pages: a tie at the cut still goes to the
    newer article, and when the most viewed stories were taken down the next ones fill in."""
    section = SectionFactory(parent=home)
    now = MARCH_1 + timedelta(hours=12)
    # Created oldest-id-newest-date: the id order is the reverse of the publication order.
    stories = [
        ArticleFactory(
            parent=section,
            title=f"Tied {number}",
            first_published_at=MARCH_1 - timedelta(hours=number),
        )
        for number in range(30)
    ]
    for story in stories:
        views(story, now, 10)
    assert [title for title, _ in ranking(now)][:5] == [f"Tied {n}" for n in range(5)]

    pulled = [ArticleFactory(parent=section, title=f"Pulled {number}") for number in range(25)]
    for story in pulled:
        views(story, now, 1_000)
        story.unpublish()
    assert [title for title, _ in ranking(now)][:5] == [f"Tied {n}" for n in range(5)]

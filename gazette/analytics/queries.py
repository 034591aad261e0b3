"""Reads of stored views: Popular Now, the admin's columns and the per-hour chart.

Everything here reads the hourly buckets, whose number grows with articles and hours, never
with views: the cost of Popular Now does not depend on how much the site is read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from gazette.core import editions
from gazette.core.generational import GenerationalCache

from .counters import hour_of, hour_start
from .models import HourlyViews, TotalViews

if TYPE_CHECKING:
    from gazette.news.models import ArticlePage

POPULAR_NOW_COUNT = 5
# Popular Now is computed at most once a minute per cache, whatever the traffic.
POPULAR_NOW_CACHE_SECONDS = 60
# How many of the most viewed articles are checked for being live, per place in the list.
CANDIDATES_PER_PLACE = 4
MIN_CANDIDATES = 20


def popular_window() -> timedelta:
    """How far back Popular Now and the admin's "recent" views look (24 hours by default)."""
    return timedelta(hours=getattr(settings, "GAZETTE_POPULAR_WINDOW_HOURS", 24))


def recent_buckets(*, now: datetime, window: timedelta):
    """The hourly buckets inside a window that slides with ``now``.

    A bucket is in while it began less than ``window`` ago: an hour's views leave the window
    together, exactly ``window`` after that hour began.
    """
    return HourlyViews.objects.filter(hour__gt=now - window, hour__lte=now)


def most_viewed(
    *, now: datetime, window: timedelta, limit: int, locale_id: int | None = None
) -> list[tuple[int, int]]:
    """(article id, views) of the most viewed live articles in the window, most first; ties go
    to the newer article.

    The buckets are ranked on their own, then only the best few are checked against the
    pages: joining every bucket of the window to its page costs several times the ranking at
    100,000 articles. Three queries (ranking, view restrictions, live check); more only when
    the last place is tied at the cut or most of the best were taken down."""
    totals = (
        recent_buckets(now=now, window=window)
        .values("article")
        .annotate(recent=Sum("views"))
        .filter(recent__gt=0)
    )
    ranked = totals.order_by("-recent", "-article").values_list("article", "recent")
    depth = max(limit * CANDIDATES_PER_PLACE, MIN_CANDIDATES)
    while True:
        candidates = dict(ranked[:depth])
        chosen = _best_live(candidates, limit, locale_id)
        if len(candidates) < depth:
            return chosen  # every article viewed in the window was a candidate
        weakest = min(candidates.values())
        if len(chosen) == limit and chosen[-1][1] > weakest:
            return chosen
        if len(chosen) == limit:
            # The last place is tied with the weakest candidate: others with as many views
            # may lie beyond the cut, and the newest of them wins.
            candidates.update(totals.filter(recent=weakest).values_list("article", "recent"))
            return _best_live(candidates, limit, locale_id)
        depth *= CANDIDATES_PER_PLACE  # most of the best were taken down: look deeper


def _best_live(views: dict[int, int], limit: int, locale_id: int | None) -> list[tuple[int, int]]:
    """The ``limit`` live articles among ``views`` (id: views) with most views, the newer first
    on a tie; of one language edition's (``locale_id``) when given."""
    from gazette.news.models import ArticlePage

    live = ArticlePage.objects.live().public()
    if locale_id is not None:
        live = live.in_edition(locale_id)
    published = dict(live.filter(pk__in=list(views)).values_list("pk", "first_published_at"))

    def rank(pk: int) -> tuple:
        published_at = published[pk]
        newer_first = -published_at.timestamp() if published_at else float("inf")
        return (-views[pk], newer_first, -pk)

    return [(pk, views[pk]) for pk in sorted(published, key=rank)[:limit]]


def popular_articles(*, now: datetime | None = None, limit: int) -> list[ArticlePage]:
    """The ``limit`` most viewed live articles of the active language's edition, filled up
    with the newest when too few have been viewed in the window. Uncached; see
    ``popular_now``."""
    from gazette.news.models import ArticlePage

    locale_id = editions.active_locale_id()
    ranked = most_viewed(
        now=now or timezone.now(), window=popular_window(), limit=limit, locale_id=locale_id
    )
    ids = [article_id for article_id, _ in ranked]
    by_pk = {
        article.pk: article for article in ArticlePage.objects.filter(pk__in=ids).for_listing()
    }
    articles = [by_pk[article_id] for article_id in ids if article_id in by_pk]
    if len(articles) < limit:
        newest = (
            ArticlePage.objects.live()
            .public()
            .in_edition(locale_id)
            .exclude(pk__in=ids)
            .newest_first()
            .for_listing()[: limit - len(articles)]
        )
        articles += list(newest)
    return articles


# Popular Now as every article page shows it; a new generation forgets it.
POPULAR_NOW = GenerationalCache("analytics:popular-now", timeout=POPULAR_NOW_CACHE_SECONDS)


def popular_now_entry() -> str:
    """The entry of the list for the current window (a changed window is another list) and
    language edition."""
    return f"window-{int(popular_window().total_seconds())}:{editions.active_language()}"


def popular_now_names() -> list[str]:
    """The entries of the current window: the list and its HTML."""
    return [popular_now_entry(), f"{popular_now_entry()}:html"]


def forget_popular_now() -> None:
    """Forget the cached Popular Now, so that a story unpublished, made private, moved or
    deleted leaves the rail at once rather than within the minute."""
    POPULAR_NOW.retire()


def popular_now(*, excluding: ArticlePage | None = None) -> list[ArticlePage]:
    """Popular Now for an article page: the 5 most viewed articles, this one excluded.

    The list (one more than shown, so any article can be left out) is cached for a minute
    (forgotten when a story leaves the readers: signals.py); on a warm cache this makes no
    query.
    """
    articles = POPULAR_NOW.get(
        popular_now_entry(), lambda: popular_articles(limit=POPULAR_NOW_COUNT + 1)
    )
    excluded = excluding.pk if excluding is not None else None
    return [article for article in articles if article.pk != excluded][:POPULAR_NOW_COUNT]


def with_views(pages: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Annotate pages with ``views_recent`` (in the Popular Now window) and ``views_total``."""
    now = now or timezone.now()
    recent = (
        recent_buckets(now=now, window=popular_window())
        .filter(article=OuterRef("pk"))
        .values("article")
        .annotate(recent_sum=Sum("views"))
        .values("recent_sum")
    )
    total = TotalViews.objects.filter(article=OuterRef("pk")).values("views")
    return pages.annotate(
        views_recent=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
        views_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
    )


def views_per_hour(
    *, now: datetime | None = None, hours: int = 24, article: ArticlePage | None = None
) -> list[tuple[datetime, int]]:
    """Views in each of the last ``hours`` hours (the current one last), of one article or of
    the whole site; hours without views are zeros. One query."""
    now = now or timezone.now()
    last = hour_start(hour_of(now))
    first = last - timedelta(hours=hours - 1)
    buckets = HourlyViews.objects.filter(hour__gte=first, hour__lte=last)
    if article is not None:
        buckets = buckets.filter(article=article)
    sums = dict(buckets.values("hour").annotate(total=Sum("views")).values_list("hour", "total"))
    series = []
    for index in range(hours):
        hour = first + timedelta(hours=index)
        series.append((hour, sums.get(hour, 0)))
    return series


def most_read_today(
    *, now: datetime | None = None, limit: int = 5
) -> list[tuple[ArticlePage, int]]:
    """(article, views) of the most read live articles since midnight in the current time
    zone (the editor's, in the admin), most first: three queries on an ordinary day (the
    ranking, the live and public check, the headlines)."""
    from gazette.news.models import ArticlePage

    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # The window keeps buckets that began after now - window: the midnight one too.
    window = now - midnight + timedelta(microseconds=1)
    ranked = most_viewed(now=now, window=window, limit=limit)
    titles = ArticlePage.objects.filter(pk__in=[pk for pk, _ in ranked]).only("pk", "title")
    by_pk = {article.pk: article for article in titles}
    return [(by_pk[pk], views) for pk, views in ranked if pk in by_pk]


def article_figures(article: ArticlePage, *, now: datetime | None = None) -> dict:
    """What the article's editor sees of its readership: views in the Popular Now window and
    in total, views per hour over the last day, and its place in Popular Now (None when out
    of it). Three queries at most (Popular Now is usually cached)."""
    from gazette.news.models import ArticlePage

    now = now or timezone.now()
    counted = with_views(ArticlePage.objects.filter(pk=article.pk), now=now).values(
        "views_recent", "views_total"
    )
    views = counted.first() or {"views_recent": 0, "views_total": 0}
    popular = [entry.pk for entry in popular_now()]
    return {
        "views_recent": views["views_recent"],
        "views_total": views["views_total"],
        "per_hour": views_per_hour(now=now, article=article),
        "popular_place": popular.index(article.pk) + 1 if article.pk in popular else None,
        "popular_size": len(popular),
    }


def article_page_reads(request, article) -> list[tuple]:
    """What the article page's slots read of the cache (``news.slots.register_reads``):
    Popular Now's HTML, the view count's stored total and its views not yet flushed."""
    from .services import STORED_VIEWS, pending_views_read

    reads = [(POPULAR_NOW, [f"{popular_now_entry()}:html"])]
    if article.pk is not None:
        reads.append((STORED_VIEWS, [str(article.pk)]))
        pending = pending_views_read(request, article.pk)
        if pending is not None:
            reads.append(pending)
    return reads


def popular_now_html(request, *, excluding: ArticlePage | None = None) -> SafeString:
    """Popular Now as HTML, kept with the list: one rendering per article of the list (its
    page leaves itself out, and the ranks move up) and one for every other page."""
    from gazette.news import rails

    def render() -> dict[int, str]:
        articles = POPULAR_NOW.get(
            popular_now_entry(), lambda: popular_articles(limit=POPULAR_NOW_COUNT + 1)
        )
        heading = gettext("Popular Now")
        return {
            left_out: rails.ranked_list(
                request,
                heading=heading,
                slug="popular-now",
                articles=[a for a in articles if a.pk != left_out][:POPULAR_NOW_COUNT],
            )
            for left_out in (0, *(article.pk for article in articles))
        }

    variants = POPULAR_NOW.get(f"{popular_now_entry()}:html", render, request=request)
    left_out = excluding.pk if excluding is not None else None
    html = variants.get(left_out, variants[0])
    return mark_safe(html)  # noqa: S308 - our own template's output

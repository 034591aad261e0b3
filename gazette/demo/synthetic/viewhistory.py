"""Hourly view history of generated articles, written as the view flush would have left it.

An article's expected views in an hour follow its popularity, decay with its age (a power law:
a burst on publication, a long tail after) and the time of day. The count is a Poisson draw of
that expectation, so an hour without views has no row, as with real flushes: most old articles
have rows in a handful of hours only. Totals are the sums of the rows written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np

from gazette.analytics.models import HourlyViews, TotalViews
from gazette.analytics.services import forget_stored_totals

from .audience import Articles
from .bulk import db_datetime, insert_rows

HOUR = 3600
DECAY_HOURS = 6.0  # an article has about half its first-hour readers six hours later...
DECAY_POWER = 1.4  # ...and a thousandth a month later
ARTICLES_PER_CHUNK = 1000
# Readers by hour of day (UTC), mean 1: quiet at night, busiest in the late afternoon.
_HOUR_OF_DAY = np.arange(24)
DAILY_RHYTHM = 0.25 + 0.75 * (0.5 - 0.5 * np.cos(2 * np.pi * (_HOUR_OF_DAY - 4) / 24))
DAILY_RHYTHM /= DAILY_RHYTHM.mean()


def history_hours(now: datetime, days: int) -> np.ndarray:
    """Start of each UTC hour of the last ``days`` days, the current (partial) hour last."""
    current = int(now.timestamp()) // HOUR * HOUR
    count = days * 24
    return current - HOUR * np.arange(count - 1, -1, -1, dtype=np.int64)


def expected_views(
    published: np.ndarray, peak_views: np.ndarray, hours: np.ndarray, now: float
) -> np.ndarray:
    """Expected views of each article (rows) in each hour (columns), counting only the part of
    the hour after the article's publication and before ``now``."""
    starts = hours[None, :].astype(np.float64)
    ends = np.minimum(starts + HOUR, now)
    live_from = np.maximum(starts, published[:, None])
    share_of_hour = np.clip((ends - live_from) / HOUR, 0.0, 1.0)
    age_hours = np.maximum((live_from + ends) / 2 - published[:, None], 0.0) / HOUR
    rate = peak_views[:, None] * (1.0 + age_hours / DECAY_HOURS) ** -DECAY_POWER
    return rate * DAILY_RHYTHM[(hours // HOUR) % 24][None, :] * share_of_hour


def generate_view_history(
    *,
    articles: Articles,
    now: datetime,
    days: int,
    rng: np.random.Generator,
    report: Callable[[int], None],
) -> tuple[int, int]:
    """Write hourly buckets and totals of ``articles``; returns (bucket rows, views)."""
    if days <= 0 or not len(articles):
        return 0, 0
    hours = history_hours(now, days)
    hour_values = [db_datetime(datetime.fromtimestamp(int(h), tz=timezone.utc)) for h in hours]
    rows = views = 0
    for start in range(0, len(articles), ARTICLES_PER_CHUNK):
        chunk = slice(start, start + ARTICLES_PER_CHUNK)
        ids = articles.ids[chunk]
        expected = expected_views(
            articles.published[chunk], articles.peak_views[chunk], hours, now.timestamp()
        )
        counts = rng.poisson(expected)
        article_index, hour_index = np.nonzero(counts)
        rows += insert_rows(
            HourlyViews,
            ("article_id", "hour", "views"),
            zip(
                ids[article_index].tolist(),
                [hour_values[h] for h in hour_index.tolist()],
                counts[article_index, hour_index].tolist(),
                strict=True,
            ),
        )
        totals = counts.sum(axis=1)
        viewed = np.nonzero(totals)[0]
        insert_rows(
            TotalViews,
            ("article_id", "views"),
            zip(ids[viewed].tolist(), totals[viewed].tolist(), strict=True),
        )
        views += int(totals.sum())
        report(len(ids))
    # Written beside the flush (analytics.services.write_batch): the pages' kept totals go.
    forget_stored_totals()
    return rows, views

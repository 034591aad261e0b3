"""Stored view counts: per-article hourly buckets (what Popular Now and the charts read) and
per-article totals (what the byline shows). Rows are only ever written by a flush, in batches:
never one UPDATE per view."""

from django.db import models

from gazette.core.wording import count_of


class HourlyViews(models.Model):
    """Views of one article in one hour (UTC), counted from the hour's first second."""

    article = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="hourly_views"
    )
    hour = models.DateTimeField(help_text="Start of the hour, in UTC.")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "hourly views"
        verbose_name_plural = "hourly views"
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="unique_article_hour")
        ]
        # Popular Now and the report read a time window across all articles.
        indexes = [models.Index(fields=["hour", "article"], name="analytics_hour_article")]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}:00 UTC: {self.views}"


class TotalViews(models.Model):
    """All views an article has had since counting began."""

    article = models.OneToOneField(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="total_views",
    )
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "total views"
        verbose_name_plural = "total views"

    def __str__(self) -> str:
        return f"{self.article_id}: {self.views}"


class AppliedBatch(models.Model):
    """A batch of views taken from Redis and written to the database. Written in the same
    transaction as the counts, so a flusher that dies between committing and deleting its
    batch in Redis never applies it twice."""

    batch = models.CharField(max_length=64, unique=True)
    views = models.PositiveBigIntegerField()
    applied_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.batch} ({count_of(self.views, 'view', 'views')})"


class BeaconLogPosition(models.Model):
    """How far the beacon log has been counted, without Redis (analytics/beacon_log.py): saved
    in the same transaction as the views counted up to there, so a counting process that dies
    at any point neither loses nor counts twice a line of the log. With Redis the position is
    kept in Redis, beside the counted views, for the same reason."""

    log = models.CharField(max_length=255, primary_key=True, help_text="The log's path.")
    position = models.CharField(max_length=100, help_text="Device:inode:offset.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.log} @ {self.position}"

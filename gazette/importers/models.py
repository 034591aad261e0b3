"""Feed sources: RSS and Atom feeds the newsroom ingests on a schedule (``feed_sources``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class FeedSourceQuerySet(models.QuerySet):
    def due(self, now: datetime) -> FeedSourceQuerySet:
        """Enabled sources whose next poll time has come (a new source is due at once)."""
        return self.filter(enabled=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )


class FeedSource(models.Model):
    """A feed the editors chose; its state says how the last poll went."""

    class Status(models.TextChoices):
        NEW = "new", "Not polled yet"
        OK = "ok", "Imported"
        NOT_MODIFIED = "not_modified", "No change"
        PARTIAL = "partial", "Imported, some entries failed"
        ERROR = "error", "Failed"

    name = models.CharField(max_length=200, help_text="What editors call this feed.")
    url = models.URLField(
        "feed address",
        max_length=1000,
        unique=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The RSS or Atom feed's address (http or https).",
    )
    section = models.ForeignKey(
        "news.SectionPage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The section its articles go in.",
    )
    default_author = models.ForeignKey(
        "people.Author",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Credited on articles whose entry names no author.",
    )
    interval_minutes = models.PositiveIntegerField(
        "poll every (minutes)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="From 5 minutes to a day. After errors, polls come less often (up to a day).",
    )
    publish = models.BooleanField(
        "publish at once",
        default=False,
        help_text="Publish new articles as they arrive. Unticked, they wait as drafts for an "
        "editor; updates to an article an editor took down always wait as drafts.",
    )
    enabled = models.BooleanField(default=True, help_text="Untick to stop polling this feed.")

    # State, written by the poller only.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, editable=False
    )
    last_message = models.TextField(blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects = FeedSourceQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        MultiFieldPanel(
            [FieldPanel("section"), FieldPanel("default_author"), FieldPanel("publish")],
            heading="Articles",
        ),
        MultiFieldPanel([FieldPanel("interval_minutes"), FieldPanel("enabled")], heading="Polling"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A new address is a new feed: its old validators mean nothing there; poll it soon.
        if self.pk is not None:
            previous = FeedSource.objects.filter(pk=self.pk).values_list("url", flat=True).first()
            if previous is not None and previous != self.url:
                self.etag = self.last_modified = ""
                self.next_poll_at = None
        super().save(*args, **kwargs)

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.interval_minutes)

    def status_summary(self) -> str:
        """The listing's status column: how the last poll went, in a line."""
        if self.last_status == self.Status.NEW:
            return str(self.Status.NEW.label)
        text = f"{self.get_last_status_display()}: {self.last_message}".rstrip(": ")
        if self.consecutive_failures > 1:
            text += f" ({self.consecutive_failures} failures in a row)"
        return text

    status_summary.short_description = "Last poll"

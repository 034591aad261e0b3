"""Feed sources: RSS and Atom feeds the newsroom ingests on a schedule (``feed_sources``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class ImportRunQuerySet(models.QuerySet):
    def for_listing(self) -> ImportRunQuerySet:
        """The past runs' list: who ran each, without the reports (they can be megabytes)."""
        return self.select_related("created_by").defer("check_report", "report")


class ImportRun(models.Model):
    """One import from the admin: the source (an upload kept in the private import folder,
    or an address), the editor's options, then the check (a dry run) and the import, each
    done by a task that records its progress and report here."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked, ready to import"
        REFUSED = "refused", "Could not be read"
        IMPORTING = "importing", "Importing"
        FINISHED = "finished", "Imported"
        FAILED = "failed", "Stopped by an error"

    WORKING = (Status.CHECKING, Status.IMPORTING)

    class Format(models.TextChoices):
        AUTO = "auto", "Find it from the content"
        WXR = "wxr", "WordPress export (WXR)"
        FEED = "feed", "RSS or Atom feed"
        HTML = "html", "Article web page"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source_name = models.CharField(max_length=1000, help_text="The file's name or the address.")
    source_url = models.CharField(max_length=1000, blank=True)
    # The upload, relative to GAZETTE_IMPORT_DIR (never under MEDIA_ROOT: not served).
    upload = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.AUTO)
    section = models.ForeignKey(
        "news.SectionPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_author = models.ForeignKey(
        "people.Author", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    message = models.TextField(blank=True)  # why it was refused or stopped
    # Each execution of a step takes the next number; a worker whose number is no longer the
    # run's (the run was restarted after it stalled) stops at its next write.
    attempt = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    check_counts = models.JSONField(default=dict, blank=True)
    check_report = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        permissions = [("run_import", "Can import articles (the admin's Import)")]

    def __str__(self) -> str:
        return f"Import of {self.source_name}"

    @property
    def started_by(self) -> str:
        user = self.created_by
        return (user.get_full_name() or user.get_username()) if user else "a former user"

    @property
    def is_working(self) -> bool:
        return self.status in self.WORKING

    def is_stalled(self, now: datetime | None = None) -> bool:
        """Working, yet no word from its task for a while: the worker probably died."""
        if not self.is_working:
            return False
        last = self.heartbeat_at or self.created_at
        now = now or timezone.now()
        return now - last > timedelta(seconds=settings.GAZETTE_IMPORT_STALLED_AFTER)

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class PendingIndexUpdate(models.Model):
    """An object a bulk run (an import) saved whose search and reference index updates wait
    for the run's end (``indexing.index_updates_deferred``): one row written in the item's own
    transaction instead of a task per index and object. A run that dies leaves its rows; the
    next run, or the periodic job once they are stale, does them."""

    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    references = models.BooleanField()
    search = models.BooleanField()
    noted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app_label", "model_name", "object_id"], name="one_pending_index_update"
            )
        ]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model_name} {self.object_id}"

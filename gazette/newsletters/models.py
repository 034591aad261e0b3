"""Newsletters, their readers and what is sent to them.

A reader is a ``Subscriber`` (an address, nothing else: no account, no name); each list they
asked for is a ``Subscription``, confirmed by a click in the e-mail we send (double opt-in:
nothing else is sent before). An ``Issue`` is one e-mail of a newsletter, built from its
sources or written by hand. Sending it makes one ``Delivery`` row per subscriber (unique per
issue and subscriber): that row is how each reader gets it exactly once (``sending.py``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Exists, Q
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin

from .blocks import IssueBodyBlock

# A permanent SMTP refusal (5xx) this many times and the address gets nothing more.
PERMANENT_FAILURES_TO_STOP = 3
# Temporary refusals (4xx) of one message before it counts as failed.
ATTEMPTS_PER_DELIVERY = 3


class Cadence(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    ON_DEMAND = "on_demand", "On demand (written and sent by hand)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class NewsletterQuerySet(models.QuerySet):
    def offered(self):
        """Lists readers may subscribe to, in the order editors gave them."""
        return self.filter(is_offered=True).order_by("sort_order", "name")

    def in_edition(self, locale_id: int | None = None):
        """The lists of one language edition: ``locale_id``'s, else the active language's
        (gazette.core.editions). A list with no edition set is the site's own edition's."""
        from gazette.core import editions

        if locale_id is None:
            locale_id = editions.active_locale_id()
        if locale_id is None:
            return self
        own = editions.locale_ids().get(editions.default_language())
        if locale_id == own:
            return self.filter(Q(locale_id=locale_id) | Q(locale__isnull=True))
        return self.filter(locale_id=locale_id)


class Newsletter(ClusterableModel):
    """A list readers subscribe to, and what its digests are made of."""

    name = models.CharField(max_length=100, help_text="As readers see it, e.g. 'Morning Brief'.")
    slug = models.SlugField(unique=True, help_text="Its address: /newsletters/<slug>/.")
    description = models.TextField(
        max_length=500, help_text="One or two sentences on the subscribe forms: what and how often."
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.DAILY)
    send_time = models.TimeField(
        default="07:00", help_text="When a daily or weekly issue goes, in the newsroom's time zone."
    )
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="Day of a weekly issue."
    )
    is_offered = models.BooleanField(
        default=True,
        verbose_name="offered to readers",
        help_text="Shown on the subscribe forms. Untick to stop new subscriptions; "
        "subscribers keep receiving it.",
    )
    is_breaking = models.BooleanField(
        default=False,
        verbose_name="breaking-news list",
        help_text="Its subscribers get one alert for each story an editor marks as breaking.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    locale = models.ForeignKey(
        "wagtailcore.Locale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="edition",
        help_text="The language edition it belongs to: offered on that edition's pages, "
        "written in its language, made of its stories. Empty: the site's own edition.",
    )

    # What a digest draws from, in this order; an article appears once.
    include_must_reads = models.BooleanField(default=True, verbose_name="Must-Reads")
    include_most_read = models.BooleanField(default=True, verbose_name="most read of the period")
    sections = ParentalManyToManyField(
        "news.SectionPage", blank=True, help_text="Newest stories of each of these sections."
    )
    topics = ParentalManyToManyField(
        "taggit.Tag", blank=True, help_text="Newest stories on these topics."
    )
    authors = ParentalManyToManyField(
        "people.Author", blank=True, help_text="Newest stories by these authors."
    )
    stories_per_source = models.PositiveSmallIntegerField(default=5)
    digest_skipped_for = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last period whose digest was skipped: nothing new to send. Recorded so "
        "that the schedule worker skips it once, not every minute until the next period.",
    )

    objects = NewsletterQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("cadence"),
                FieldRowPanel([FieldPanel("send_time"), FieldPanel("weekday")]),
                FieldPanel("is_offered"),
                FieldPanel("is_breaking"),
                FieldPanel("sort_order"),
                FieldPanel("locale"),
            ],
            heading="Sending",
        ),
        MultiFieldPanel(
            [
                FieldPanel("include_must_reads"),
                FieldPanel("include_most_read"),
                FieldPanel("sections"),
                FieldPanel("topics"),
                FieldPanel("authors"),
                FieldPanel("stories_per_source"),
            ],
            heading="What a digest is made of",
        ),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        with self.addresses():
            return reverse("newsletters:newsletter", args=[self.slug])

    def addresses(self):
        """A context in which its language is active and reverse() gives its edition's
        addresses (/ko/newsletters/... for a Korean list): its e-mails and links."""
        from gazette.core import editions

        return editions.addresses_of(self.locale_id)


class SubscriberQuerySet(models.QuerySet):
    def reachable(self):
        """Addresses we may still write to: not stopped after repeated permanent failures."""
        return self.filter(stopped_at__isnull=True)


def normalise_email(raw: str) -> str:
    """One subscriber per mailbox: the domain is case-insensitive by definition, and in
    practice so is the local part at every provider readers use."""
    return raw.strip().lower()


class Subscriber(models.Model):
    """An address that asked for at least one newsletter. No name, no account, no tracking."""

    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    failed_count = models.PositiveIntegerField(default=0, help_text="Messages refused, all kinds.")
    permanent_failures = models.PositiveIntegerField(default=0)
    last_failure = models.CharField(max_length=300, blank=True)
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="Set after repeated permanent failures: nothing more goes."
    )

    objects = SubscriberQuerySet.as_manager()

    def __str__(self) -> str:
        return self.email


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed, not left, to an address still reachable: who an issue goes to."""
        return self.filter(
            confirmed_at__isnull=False,
            unsubscribed_at__isnull=True,
            subscriber__stopped_at__isnull=True,
        )


class Subscription(models.Model):
    """One reader on one list. Kept after they leave (with when, and from which issue), so the
    admin can count who left; erased with the subscriber."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_from = models.ForeignKey(
        "Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="newsletters_one_subscription_per_list"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "confirmed_at", "unsubscribed_at"])]

    def __str__(self) -> str:
        return f"{self.subscriber_id} on {self.newsletter_id}"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class IssueQuerySet(models.QuerySet):
    def archived(self):
        """Issues readers may read on the site: the sent ones, newest first."""
        return self.filter(status=IssueStatus.SENT).order_by("-sent_at", "-pk")

    def due(self, now=None):
        return self.filter(
            status=IssueStatus.SCHEDULED, scheduled_at__lte=now or timezone.now()
        ).order_by("scheduled_at")

    def with_retries_due(self, now=None):
        """Issues still SENDING whose only rows left are temporary refusals whose wait is
        over: the first pass is done (no row queued for the first time, none claimed), so
        a worker must be started again for them."""
        now = now or timezone.now()
        rows = Delivery.objects.filter(issue=models.OuterRef("pk"))
        return self.filter(
            Exists(rows.filter(status=DeliveryStatus.QUEUED, retry_after__lte=now)),
            ~Exists(rows.filter(status=DeliveryStatus.QUEUED, retry_after__isnull=True)),
            ~Exists(rows.filter(status=DeliveryStatus.SENDING)),
            status=IssueStatus.SENDING,
        )


class Issue(PreviewableMixin, models.Model):
    """One e-mail of a newsletter, built from its sources or written by hand."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(max_length=150)
    preheader = models.CharField(
        max_length=150, blank=True, help_text="The line mail programs show after the subject."
    )
    body = StreamField(IssueBodyBlock(), blank=True)
    status = models.CharField(
        max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    sending_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_automatic = models.BooleanField(default=False, editable=False)
    breaking_article = models.ForeignKey(
        "news.ArticlePage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The story of a breaking-news alert.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IssueQuerySet.as_manager()

    panels = [
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One alert per breaking story and list, however often an editor clicks.
            models.UniqueConstraint(
                fields=["newsletter", "breaking_article"],
                condition=Q(breaking_article__isnull=False),
                name="newsletters_one_alert_per_story",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        with self.newsletter.addresses():
            return reverse("newsletters:issue", args=[self.newsletter.slug, self.pk])

    # The admin previews the e-mail as sent, and its plain-text part.
    preview_modes = [("html", "E-mail"), ("text", "Plain text")]

    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from . import rendering

        message = rendering.render_issue(self, recipient=None)
        if mode_name == "text":
            return HttpResponse(message.text, content_type="text/plain; charset=utf-8")
        return HttpResponse(message.html)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"  # claimed by a worker; see sending.py for a dead one's
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # left the list or stopped before their turn


class Delivery(models.Model):
    """An issue to one subscriber: at most one row each, the ledger of exactly-once."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # After a temporary refusal (4xx) the row waits this long before it is claimed again:
    # a greylisting or busy server asks for minutes, not the next batch's milliseconds.
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletters_one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self) -> str:
        return f"issue {self.issue_id} to {self.subscriber_id}: {self.status}"


class BreakingNewsQuerySet(models.QuerySet):
    def showing(self, now=None):
        now = now or timezone.now()
        return self.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at")

    def ended_unpurged(self, now=None):
        return self.filter(ends_at__lte=now or timezone.now(), end_purged_at__isnull=True)


class BreakingNews(models.Model):
    """A story an editor marks as breaking: the subscribers of the breaking-news lists get one
    alert, and every reader page shows a banner until ``ends_at``. Cached pages are purged
    when it starts and again when it ends (the schedule worker's round)."""

    article = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="+", verbose_name="story"
    )
    headline = models.CharField(
        max_length=150, blank=True, help_text="The banner's words. Empty: the story's headline."
    )
    minutes = models.PositiveIntegerField(
        default=60, help_text="How long the banner shows, in minutes."
    )
    starts_at = models.DateTimeField(default=timezone.now, editable=False)
    ends_at = models.DateTimeField(editable=False)
    end_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BreakingNewsQuerySet.as_manager()

    panels = [FieldPanel("article"), FieldPanel("headline"), FieldPanel("minutes")]

    class Meta:
        verbose_name = "breaking news"
        verbose_name_plural = "breaking news"

    def __str__(self) -> str:
        return self.banner_text

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + timedelta(minutes=self.minutes)
        super().save(*args, **kwargs)

    @property
    def banner_text(self) -> str:
        return self.headline or self.article.title

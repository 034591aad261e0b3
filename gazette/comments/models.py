"""Readers' comments on articles, the reports readers send about them, and each site's rules."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from gazette.core.shared_parts import SitePart
from gazette.news.models import CommentPolicy

from .queries import CommentQuerySet

TEXT_LIMIT = 300  # characters (Unicode code points), the same in the browser and on the server
NAME_LIMIT = 60


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    """How a site takes readers' comments. An article may choose its own moderation."""

    moderation = models.CharField(
        max_length=10,
        choices=[c for c in CommentPolicy.choices if c[0] != CommentPolicy.SITE_DEFAULT],
        default=CommentPolicy.POST_MODERATION,
        help_text="Default for articles that follow the site. Pre-moderation holds every "
        "comment for a moderator; post-moderation publishes at once unless a rule below holds "
        "the comment; closed takes no new comments.",
    )
    close_after_days = models.PositiveIntegerField(
        default=14,
        help_text="Comments close by themselves this many days after an article is first "
        "published. 0 keeps them open.",
    )
    watched_words = models.TextField(
        blank=True,
        help_text="Banned or suspect words and phrases, one per line. A comment that contains "
        "one as a whole word waits for a moderator. Case and accents do not matter: "
        "'cafe' also catches 'Café'.",
    )
    links_clickable = models.BooleanField(
        default=False,
        help_text="Show web addresses in published comments as links (marked nofollow). "
        "Comments with links always wait for a moderator first.",
    )
    min_seconds_to_submit = models.PositiveIntegerField(
        default=3,
        help_text="A form sent sooner than this after the page was served is marked as spam: "
        "people do not write that fast. 0 turns the check off.",
    )
    per_minute = models.PositiveIntegerField(
        default=3, help_text="Most comments one reader may post in a minute."
    )
    per_hour = models.PositiveIntegerField(
        default=20, help_text="Most comments one reader may post in an hour."
    )
    notify_emails = models.TextField(
        blank=True,
        help_text="Addresses told by e-mail when a comment waits for moderation, one per line. "
        "Empty: every active administrator and comment moderator with an address.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("moderation"), FieldPanel("close_after_days")], heading="Moderation"
        ),
        MultiFieldPanel(
            [
                FieldPanel("watched_words"),
                FieldPanel("links_clickable"),
                FieldPanel("min_seconds_to_submit"),
                FieldPanel("per_minute"),
                FieldPanel("per_hour"),
            ],
            heading="Rules",
        ),
        FieldPanel("notify_emails"),
    ]

    class Meta:
        verbose_name = "comment settings"

    @classmethod
    def for_reader(cls, request) -> CommentSettings:
        """The settings of the request's site, read without ever writing (Wagtail's for_request
        creates the row on first use): defaults until an editor saves them. Kept on the request."""
        cached = getattr(request, "_gazette_comment_settings", None)
        if cached is None:
            site = Site.find_for_request(request)
            cached = cls._of_site(site)
            request._gazette_comment_settings = cached
        return cached

    @classmethod
    def for_page(cls, request) -> CommentSettings:
        """As ``for_reader``, for a page showing the comments: the same on every page of the
        site, so cached until a setting is saved (gazette.core.shared_parts). Posting reads
        the database (``for_reader``)."""
        return COMMENT_SETTINGS.get(request)

    @classmethod
    def _of_site(cls, site) -> CommentSettings:
        return (cls.objects.filter(site=site).first() if site else None) or cls(site=site)

    @classmethod
    def for_article(cls, article) -> CommentSettings:
        site = article.get_site()
        return (cls.objects.filter(site=site).first() if site else None) or cls(site=site)

    @property
    def watched_word_list(self) -> list[str]:
        return [line.strip() for line in self.watched_words.splitlines() if line.strip()]

    @property
    def notify_email_list(self) -> list[str]:
        return [line.strip() for line in self.notify_emails.splitlines() if line.strip()]


# The settings as every page showing comments reads them: one shared part per site.
COMMENT_SETTINGS = SitePart("comment-settings", lambda site: CommentSettings._of_site(site))


class RejectionReason(models.TextChoices):
    """Why moderators reject comments, in the words of the public moderation page: counted
    there month by month, so never a free text that could name anyone."""

    OFF_TOPIC = "off-topic", _("Off topic")
    ABUSE = "abuse", _("Abuse or harassment")
    HATE = "hate", _("Hateful content")
    PERSONAL = "personal", _("Someone's personal information")
    LEGAL = "legal", _("Legal risk (libel, contempt, copyright)")
    OTHER = "other", _("Another reason")


class Comment(models.Model):
    """A reader's comment, or a reply to one (one level deep, as Coral and Ghost have it).
    Only published ones are ever shown to readers, and a reply only under a published one."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    article = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name="in reply to",
        help_text="The comment this one replies to; a reply to a reply joins its thread.",
    )
    author_name = models.CharField("name", max_length=NAME_LIMIT)
    email = models.EmailField(blank=True, help_text="Given by the reader; never shown.")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    held_for = models.CharField(
        max_length=255, blank=True, help_text="Why the rules held the comment back or marked it."
    )
    created_at = models.DateTimeField("posted", default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # db_default as well: the synthetic newsroom inserts rows with SQL of its own.
    is_featured = models.BooleanField(
        "featured",
        default=False,
        db_default=False,
        help_text="Shown first, marked as featured: at the top of the comments, or of its "
        "thread for a reply.",
    )
    notify_replies = models.BooleanField(
        "e-mail replies",
        default=False,
        db_default=False,
        help_text="The reader asked for an e-mail when a reply is published; a link in each "
        "one turns it off.",
    )
    # On a reply: when its parent's author was told of it. At most one e-mail per reply.
    reply_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the rules made of it when it was posted (the status changes; this does not): the
    # public moderation page counts comments published at once, held and caught as spam.
    received_as = models.CharField(
        max_length=10,
        choices=Status.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    # A salted hash of the reader's address: enough to count distinct readers, never the address.
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Identity of the text for the repeat rule: case, spacing and accents folded.
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    # Set on imported comments only; NULL, unlike "", never collides with another NULL.
    source_key = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001

    objects = CommentQuerySet.as_manager()
    # Readers' comments are not content that uses the article: keep them out of Wagtail's
    # reference index, which would otherwise cost a write on every comment saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["parent", "status", "created_at"]),
            # The public moderation page counts comments by the month they were received.
            models.Index(fields=["created_at", "received_as"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.excerpt}"

    @property
    def excerpt(self) -> str:
        return Truncator(" ".join(self.text.split())).chars(60)

    excerpt.fget.short_description = "Comment"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def featured_label(self) -> str:
        return "Featured" if self.is_featured else ""


class CommentReport(models.Model):
    """One reader's report of a comment; a reader counts once per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    client_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "client_hash"], name="one_report_per_reader")
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"

"""Topics: the tags editors put on articles, as readers see them.

A topic *is* a taggit ``Tag``: editors keep typing tags in the article form, and every tag on a
readable story has a page. This app only adds what a tag lacks: a description
(:class:`Topic`, optional), the slugs a topic had before a rename or a merge
(:class:`TopicRedirect`, so old links answer 301), and each site's threshold below which a
topic page is too thin for search engines (:class:`TopicSettings`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from gazette.core.shared_parts import SitePart


class Topic(models.Model):
    """What a topic page says about itself. A tag needs no row here to have a page."""

    tag = models.OneToOneField(
        Tag, primary_key=True, on_delete=models.CASCADE, related_name="topic"
    )
    description = models.TextField(
        blank=True,
        max_length=500,
        help_text="One or two sentences shown atop the topic page and in its feeds.",
    )

    def __str__(self) -> str:
        return self.tag.name


class TopicRedirect(models.Model):
    """A slug a topic answered to before it was renamed, or a merged topic's: its page and
    feeds send readers to the topic's own with a 301."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="topic_redirects")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.tag.slug}"


@register_setting(icon="tag")
class TopicSettings(BaseSiteSetting):
    noindex_below = models.PositiveIntegerField(
        default=3,
        verbose_name="index topics from",
        help_text="A topic page with fewer live stories than this asks search engines not to "
        "index it and stays out of the sitemap: a page of one or two stories is thin. "
        "Readers still reach it from the stories. 0 or 1 indexes every topic.",
    )

    panels = [FieldPanel("noindex_below")]

    class Meta:
        verbose_name = "topic settings"

    @classmethod
    def for_page(cls, request) -> TopicSettings:
        """The settings of the request's site, read without writing (defaults until an
        editor saves them), cached until a setting is saved (gazette.core.shared_parts)."""
        return TOPIC_SETTINGS.get(request)

    @classmethod
    def of_site(cls, site) -> TopicSettings:
        return (cls.objects.filter(site=site).first() if site else None) or cls(site=site)

    def indexes(self, story_count: int) -> bool:
        return story_count >= self.noindex_below


# Read by the topic pages alone: not with every page's site parts.
TOPIC_SETTINGS = SitePart("topic-settings", TopicSettings.of_site, preload=False)

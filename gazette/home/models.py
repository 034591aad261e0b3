from __future__ import annotations

from itertools import groupby

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from gazette.news.models import ArticlePage, SectionPage, must_reads

STORIES_PER_SECTION = 4


class HomePage(Page):
    """The front page: a lead story, then the newest stories of every section."""

    lead_article = models.ForeignKey(
        "news.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Pin a lead story. Empty: the newest article with a body leads.",
    )

    content_panels = [*Page.content_panels, FieldPanel("lead_article")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.SectionPage"]
    max_count = 1

    def lead_story(self) -> ArticlePage | None:
        live = ArticlePage.objects.live().public().for_listing()
        if self.lead_article_id:
            pinned = live.filter(pk=self.lead_article_id).first()
            if pinned:
                return pinned
        return live.with_body().newest_first().first()

    def sections_with_stories(self, exclude: ArticlePage | None) -> list[tuple[SectionPage, list]]:
        """Each live section in menu order with its newest stories: two queries in all."""
        sections = list(SectionPage.objects.child_of(self).live().public().order_by("path"))
        stories = ArticlePage.objects.live().public()
        if exclude is not None:
            stories = stories.excluding(exclude)
        ranked = stories.newest_per_section(STORIES_PER_SECTION).for_listing()
        by_section = {
            section_id: list(items)
            for section_id, items in groupby(
                sorted(ranked, key=lambda a: (a.section_id, a.section_rank)),
                key=lambda a: a.section_id,
            )
        }
        return [
            (section, by_section[section.pk]) for section in sections if section.pk in by_section
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        lead = self.lead_story()
        context["lead_story"] = lead
        context["sections"] = self.sections_with_stories(exclude=lead)
        context["must_reads"] = must_reads()
        return context

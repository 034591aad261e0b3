from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from gazette.core import shared_parts
from gazette.news.models import ArticlePage, KeptByAddress, SectionPage
from gazette.news.queries import children_of

from .front import front
from .front import part_name as front_part_name

STORIES_PER_SECTION = 4


class HomePage(KeptByAddress, Page):
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
    # One per language edition: the site's home and its translations (gazette.core.editions).

    def lead_story(self) -> ArticlePage | None:
        live = ArticlePage.objects.live().public().in_edition(self.locale_id).for_listing()
        if self.lead_article_id:
            pinned = live.filter(pk=self.lead_article_id).first()
            if pinned:
                return pinned
        return live.with_body().newest_first().first()

    def sections_with_stories(self, exclude: ArticlePage | None) -> list[tuple[SectionPage, list]]:
        """Each live section in menu order with its newest stories: two queries in all (and
        the renditions). The sections bring the ids of their newest stories, looked up in the
        listing index; ranking every article of the archive instead would sort all of them."""
        stories = ArticlePage.objects.live().public()
        if exclude is not None:
            stories = stories.excluding(exclude)
        # children_of, not Wagtail's child_of: SQLite cannot use an index for child_of's
        # path LIKE and would read every page of the archive.
        sections = list(
            children_of(self, SectionPage.objects.live().public())
            .order_by("path")
            .annotate(**stories.newest_ids_per_section(STORIES_PER_SECTION))
        )
        newest_ids = {
            section.pk: [
                story_id
                for rank in range(STORIES_PER_SECTION)
                if (story_id := getattr(section, f"newest_{rank}")) is not None
            ]
            for section in sections
        }
        wanted = [story_id for ids in newest_ids.values() for story_id in ids]
        by_id = ArticlePage.objects.filter(pk__in=wanted).for_listing().in_bulk()
        shown = []
        for section in sections:
            # A story deleted between the two queries is left out, not an error.
            stories = [by_id[story_id] for story_id in newest_ids[section.pk] if story_id in by_id]
            if stories:
                shown.append((section, stories))
        return shown

    def get_context(self, request, *args, **kwargs):
        # The front, the site's parts and the header: one cache round trip.
        names = [front_part_name(self), self.head_fragment_name(request)]
        shared_parts.preload_site_parts(request, [n for n in names if n], page=self)
        context = super().get_context(request, *args, **kwargs)
        # The lead story, the sections' stories and Must-Reads, as HTML per change.
        context["front"] = front(request, self)
        return context

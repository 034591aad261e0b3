"""Reads of articles as chainable QuerySet verbs, so views read like sentences:

ArticlePage.objects.live().public().in_section(section).newest_first().for_listing()[:6]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from wagtail.models import PageManager
from wagtail.query import PageQuerySet

if TYPE_CHECKING:
    from gazette.people.models import Author

    from .models import ArticlePage, SectionPage

# Renditions a teaser or article may ask for; prefetched in one query, never one per image.
TEASER_RENDITIONS = ("fill-480x270", "fill-960x540")
ARTICLE_RENDITIONS = ("width-480", "width-800", "width-1200")


class ArticlePageQuerySet(PageQuerySet):
    def in_section(self, section: SectionPage) -> ArticlePageQuerySet:
        return self.filter(section=section)

    def by_author(self, author: Author) -> ArticlePageQuerySet:
        return self.filter(article_authors__author=author)

    def excluding(self, article: ArticlePage) -> ArticlePageQuerySet:
        return self.exclude(pk=article.pk)

    def with_body(self) -> ArticlePageQuerySet:
        """Articles with real text, not the headline-only stubs an import leaves."""
        return self.filter(is_headline_only=False)

    def newest_first(self) -> ArticlePageQuerySet:
        return self.order_by(F("first_published_at").desc(nulls_last=True), "-pk")

    def in_curated_list(self, slug: str) -> ArticlePageQuerySet:
        """Articles of an editors' list, in the editors' order."""
        return self.filter(curated_list_items__curated_list__slug=slug).order_by(
            "curated_list_items__sort_order"
        )

    def newest_per_section(self, per_section: int) -> ArticlePageQuerySet:
        """The newest ``per_section`` articles of every section, in one query."""
        ranked = self.annotate(
            section_rank=Window(
                RowNumber(),
                partition_by=[F("section_id")],
                order_by=[F("first_published_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        return ranked.filter(section_rank__lte=per_section)

    def for_listing(self) -> ArticlePageQuerySet:
        """What a teaser shows, fetched up front: section, lead image and its renditions.

        The StreamField body is deferred: a teaser never needs it.
        """
        from gazette.images.models import CustomRendition

        return (
            self.select_related("section", "lead_image")
            .prefetch_related(
                Prefetch(
                    "lead_image__renditions",
                    queryset=CustomRendition.objects.filter(filter_spec__in=TEASER_RENDITIONS),
                )
            )
            .defer_streamfields()
        )

    def for_article_page(self) -> ArticlePageQuerySet:
        """Everything the article page shows about the article itself, in a fixed number of
        queries: authors with their photos, the lead image with its renditions."""
        from gazette.images.models import CustomRendition

        return self.select_related("section", "lead_image").prefetch_related(
            "article_authors__author",
            Prefetch(
                "lead_image__renditions",
                queryset=CustomRendition.objects.filter(filter_spec__in=ARTICLE_RENDITIONS),
            ),
        )


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)

"""The articles machines may pick up: feeds, sitemaps and the public API all start here."""

from __future__ import annotations

from gazette.news.models import ArticlePage
from gazette.news.queries import ArticlePageQuerySet


def syndicated_articles() -> ArticlePageQuerySet:
    """Readable articles: live, public, with a body.

    Headline-only stubs (what an import learns from another page's lists) stay out: a feed
    item, sitemap entry or API record with nothing but a headline is noise for aggregators and
    thin content for search engines. Readers still reach them on the site; once the editors
    untick "headline only" the story shows up here by itself.
    """
    return ArticlePage.objects.readable()


def for_syndication(articles: ArticlePageQuerySet) -> ArticlePageQuerySet:
    """What a feed item or API record shows, in a fixed number of queries: section, authors,
    tags, lead image and its feed rendition (made when the article was published)."""
    from django.db.models import Prefetch

    from gazette.images.models import CustomRendition
    from gazette.news.models import ArticlePageTag

    from .bodies import FEED_RENDITION

    return articles.select_related("section", "lead_image").prefetch_related(
        "article_authors__author",
        Prefetch(
            "tagged_items", queryset=ArticlePageTag.objects.select_related("tag").order_by("pk")
        ),
        Prefetch(
            "lead_image__renditions",
            queryset=CustomRendition.objects.filter(filter_spec=FEED_RENDITION),
        ),
    )

"""Topics for machines: a feed per topic and the sitemap of topic pages, served by
distribution through news's registries (``gazette.news.syndication``)."""

from __future__ import annotations

from django.urls import reverse

from gazette.news.syndication import (
    FeedSubject,
    FeedSubjects,
    MovedSubject,
    SitemapLocation,
    SitemapSection,
    register_feed_subjects,
    register_sitemap_section,
)

from .models import TopicSettings
from .purge import FEED_KIND, SITEMAP_NAME
from .queries import Moved, active_topics, description_of, find_topic, stories_on

SITEMAP_LIMIT = 50_000  # URLs in one sitemap, by the sitemaps protocol


def find_subject(slug: str) -> FeedSubject | MovedSubject | None:
    found = find_topic(slug)
    if isinstance(found, Moved):
        return MovedSubject(found.slug)
    if found is None:
        return None
    stories = stories_on(found)
    if not stories.exists():  # a tag only drafts carry is nobody's business yet
        return None
    return FeedSubject(
        title=found.name,
        description=description_of(found),
        page_path=reverse("topics:topic", kwargs={"slug": found.slug}),
        articles=stories,
    )


def sitemap_locations(site) -> list[SitemapLocation]:
    """The topic pages worth indexing (as many stories as the site's threshold), each with
    its newest story's publication."""
    threshold = TopicSettings.of_site(site).noindex_below
    topics = active_topics(with_latest=True).filter(article_count__gte=max(threshold, 1))
    return [
        SitemapLocation(reverse("topics:topic", kwargs={"slug": slug}), latest)
        for slug, latest in topics.values_list("slug", "latest_change")[:SITEMAP_LIMIT]
    ]


def register() -> None:
    register_feed_subjects(FeedSubjects(kind=FEED_KIND, find=find_subject))
    register_sitemap_section(SitemapSection(SITEMAP_NAME, sitemap_locations))

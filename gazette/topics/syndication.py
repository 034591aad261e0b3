"""Topics for machines: a feed per topic and the sitemap of topic pages, served by
distribution through news's registries (``gazette.news.syndication``)."""

from __future__ import annotations

from django.urls import reverse

from gazette.core import editions
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
    """The topic pages worth indexing (as many of the edition's stories as the site's
    threshold) of every edition (/topics/<slug>/, /ko/topics/<slug>/), each with its newest
    story's publication, and a topic indexed in several editions with its alternates. One
    query per edition."""
    threshold = max(TopicSettings.of_site(site).noindex_below, 1)
    found: list[tuple[str, str, str, object]] = []
    for language in editions.each_edition():
        topics = active_topics(with_latest=True).filter(article_count__gte=threshold)
        for slug, latest in topics.values_list("slug", "latest_change")[:SITEMAP_LIMIT]:
            found.append((language, slug, reverse("topics:topic", kwargs={"slug": slug}), latest))
    editions_of: dict[str, list[tuple[str, str]]] = {}
    for language, slug, path, _ in found:
        editions_of.setdefault(slug, []).append((language, path))
    return [
        SitemapLocation(
            path, latest, tuple(editions_of[slug]) if len(editions_of[slug]) > 1 else ()
        )
        for _, slug, path, latest in found[:SITEMAP_LIMIT]
    ]


def register() -> None:
    register_feed_subjects(FeedSubjects(kind=FEED_KIND, find=find_subject))
    register_sitemap_section(SitemapSection(SITEMAP_NAME, sitemap_locations))

"""Which cached topic pages and feeds show an article, for news's page-cache purge.

An article is on the pages and feeds of the topics it carries, and, when an editor retags
it, on those of the topics it carried before: the article event announcing a change comes
after the tags were written, so the tags before are noted while the change is being saved
(``article_changed``) and answered with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from gazette.news import lifecycle
from gazette.news.purge import urls_showing_article
from gazette.news.syndication import feed_paths, sitemap_path
from gazette.news.tagging import tag_slugs_of

FEED_KIND = "topics"
SITEMAP_NAME = "topics"
_TAGS_BEFORE = "_gazette_tag_slugs_before"


def topic_paths(slugs: Iterable[str]) -> list[str]:
    """Site-relative paths of the topic index, the sitemap of topics, and for each slug its
    page and its feeds."""
    paths = [reverse("topics:index"), sitemap_path(SITEMAP_NAME)]
    for slug in dict.fromkeys(slugs):
        paths.append(reverse("topics:topic", kwargs={"slug": slug}))
        paths.extend(feed_paths(FEED_KIND, slug))
    return paths


def _note_tags_before(sender, article, update_fields=None, **kwargs):
    # Tags are written after the page row (django-modelcluster commits the child rows after
    # the save): read now, the database still holds the ones before the change.
    if update_fields is not None or article.pk is None:
        return
    if not article.tagged_items.is_deferring:  # no tags in hand: none will be written
        return
    if not hasattr(article, _TAGS_BEFORE):
        setattr(article, _TAGS_BEFORE, tag_slugs_of(article.pk))


def _urls_showing_article(sender, article, **kwargs) -> list[str]:
    slugs = [*getattr(article, _TAGS_BEFORE, []), *tag_slugs_of(article.pk)]
    return topic_paths(slugs)


def subscribe() -> None:
    lifecycle.article_changed.connect(_note_tags_before, dispatch_uid="topics-tags-before")
    urls_showing_article.connect(_urls_showing_article, dispatch_uid="topics")

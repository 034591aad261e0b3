"""Reading topics: which are active, a topic by its slug (old slugs included), its stories."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Lower
from taggit.models import Tag

from gazette.news.models import ArticlePage
from gazette.news.queries import ArticlePageQuerySet
from gazette.news.tagging import tags_in_use

from .models import TopicRedirect


@dataclass(frozen=True)
class Moved:
    """The slug was the topic's before a rename or a merge; ``slug`` is its own now."""

    slug: str


def stories_on(tag: Tag) -> ArticlePageQuerySet:
    """The stories a topic page and feed list: readable ones (live, public, with a body) of
    the active language's edition (/ko/topics/<slug>/ lists the Korean ones)."""
    return ArticlePage.objects.readable().in_edition().tagged(tag_id=tag.pk)


def active_topics(*, with_latest: bool = False) -> QuerySet[Tag]:
    """Topics with at least one readable story in the active language's edition, by name,
    each with ``article_count``."""
    readable = ArticlePage.objects.readable().in_edition()
    return tags_in_use(readable, with_latest=with_latest).order_by(Lower("name"), "pk")


def find_topic(slug: str) -> Tag | Moved | None:
    """The topic answering to ``slug`` (with its description, if it has one); else where a
    topic that had this slug lives now; else None. A live slug wins over an old one."""
    tag = Tag.objects.select_related("topic").filter(slug=slug).first()
    if tag is not None:
        return tag
    redirect = TopicRedirect.objects.select_related("tag").filter(old_slug=slug).first()
    return Moved(redirect.tag.slug) if redirect is not None else None


def description_of(tag: Tag) -> str:
    topic = getattr(tag, "topic", None)  # the reverse one-to-one raises if absent: getattr
    return topic.description if topic is not None else ""

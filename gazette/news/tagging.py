"""Tags on articles as other apps read and change them: an article's tags as its page loaded
them, the tags of a set of articles with their number of stories, and moving every article
from one tag to another (a merge), drafts and scheduled revisions included.

Tags are taggit's ``Tag`` rows, put on articles through ``ArticlePageTag`` (editors type them
in the article form); what readers make of them (topic pages) is a feature's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from taggit.models import Tag
from wagtail.models import Revision

from .models import ArticlePage, ArticlePageTag

if TYPE_CHECKING:
    from .queries import ArticlePageQuerySet

# Tag -> ArticlePageTag, as a lookup: "news_articlepagetag_items".
_ITEMS = ArticlePageTag._meta.get_field("tag").related_query_name()


def tags_of(article: ArticlePage) -> list[Tag]:
    """The article's tags in the order editors added them. No query on an article the
    article page loaded (``for_article_page``); the draft's own tags in a preview."""
    return [item.tag for item in article.tagged_items.all()]


def tag_slugs_of(article_id: int) -> list[str]:
    """The slugs of the tags the article's stored row carries now (one query)."""
    return list(
        ArticlePageTag.objects.filter(content_object_id=article_id)
        .order_by("pk")
        .values_list("tag__slug", flat=True)
    )


def tags_in_use(articles: ArticlePageQuerySet, *, with_latest: bool = False) -> QuerySet[Tag]:
    """The tags carried by at least one of ``articles``, each annotated with
    ``article_count`` (how many of them carry it) and, ``with_latest``, ``latest_change``
    (the newest publication among them). One grouped query, whatever the number of tags."""
    tags = Tag.objects.filter(**{f"{_ITEMS}__content_object__in": articles.values("pk")})
    tags = tags.annotate(article_count=Count(f"{_ITEMS}__content_object", distinct=True))
    if with_latest:
        tags = tags.annotate(latest_change=Max(f"{_ITEMS}__content_object__last_published_at"))
    return tags


@transaction.atomic
def move_tag(*, source: Tag, target: Tag) -> list[int]:
    """Put ``target`` wherever ``source`` is, on the articles' rows and in the revisions an
    editor or the scheduler will still open or publish (drafts and scheduled ones), then
    delete ``source``. Returns the ids of the articles whose rows carried ``source``.

    Revisions matter: a revision names its tags by id, and publishing one that names a
    deleted tag would silently drop it (django-modelcluster skips a child whose tag is gone).
    """
    if source.pk == target.pk:
        raise ValueError("A tag cannot be merged into itself.")
    moved = list(
        ArticlePageTag.objects.filter(tag=source).values_list("content_object_id", flat=True)
    )
    already = set(
        ArticlePageTag.objects.filter(tag=target, content_object_id__in=moved).values_list(
            "content_object_id", flat=True
        )
    )
    ArticlePageTag.objects.filter(tag=source, content_object_id__in=already).delete()
    ArticlePageTag.objects.filter(tag=source).update(tag=target)
    _retag_pending_revisions(source.pk, target.pk)
    source.delete()
    return moved


def _retag_pending_revisions(source_id: int, target_id: int) -> None:
    """Rewrite ``source_id`` to ``target_id`` in the revisions still to be opened or published:
    the latest revision of each article with unpublished changes, and scheduled revisions.
    (A live article without unpublished changes opens from its rows, already moved.)"""
    pending = ArticlePage.objects.filter(has_unpublished_changes=True).values_list(
        "latest_revision_id", flat=True
    )
    revisions = Revision.page_revisions.filter(pk__in=pending) | Revision.page_revisions.filter(
        approved_go_live_at__isnull=False
    )
    for revision in revisions.distinct():
        items = revision.content.get("tagged_items")
        if not isinstance(items, list):
            continue
        if not any(isinstance(item, dict) and item.get("tag") == source_id for item in items):
            continue
        has_target = any(isinstance(item, dict) and item.get("tag") == target_id for item in items)
        kept = []
        for item in items:
            if isinstance(item, dict) and item.get("tag") == source_id:
                if has_target:
                    continue
                item = {**item, "tag": target_id}
                has_target = True
            kept.append(item)
        revision.content["tagged_items"] = kept
        revision.save(update_fields=["content"])


def tags_with_usage() -> QuerySet[Tag]:
    """Every tag, each with ``article_count``: the articles carrying it, drafts included."""
    return Tag.objects.annotate(article_count=Count(_ITEMS, distinct=True))

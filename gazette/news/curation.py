"""Writes on the editors' lists: putting a story at the top of Must-Reads from its own page
in the admin. Saving the list's rows announces ``listing_changed`` (news.lifecycle)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import MUST_READS_SLUG, ArticlePage, CuratedList, CuratedListItem


def in_must_reads(article: ArticlePage) -> bool:
    return CuratedListItem.objects.filter(
        curated_list__slug=MUST_READS_SLUG, article_id=article.pk
    ).exists()


@transaction.atomic
def add_to_must_reads(*, article: ArticlePage) -> CuratedListItem:
    """Put ``article`` first in Must-Reads (moved there if it was lower); the others keep
    their order below it."""
    curated, _ = CuratedList.objects.get_or_create(
        slug=MUST_READS_SLUG, defaults={"name": "Must-Reads"}
    )
    CuratedListItem.objects.filter(curated_list=curated, article_id=article.pk).delete()
    CuratedListItem.objects.filter(curated_list=curated).update(sort_order=F("sort_order") + 1)
    return CuratedListItem.objects.create(curated_list=curated, article=article, sort_order=0)


@transaction.atomic
def remove_from_must_reads(*, article: ArticlePage) -> int:
    items = CuratedListItem.objects.filter(
        curated_list__slug=MUST_READS_SLUG, article_id=article.pk
    )
    removed = 0
    for item in items:  # one by one: each delete announces the change
        item.delete()
        removed += 1
    return removed

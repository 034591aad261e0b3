"""Lifecycle edges of articles: what must happen when one is published or moved, and when
anything the shared parts of the reader pages show changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import shared_parts
from .models import ArticlePage, CuratedList, CuratedListItem, SectionPage
from .tasks import generate_article_renditions

# Saving or deleting one of these may change a shared part (gazette.news.shared_parts): the
# menu, Must-Reads, the newest of a section, the site's settings, what is public.
SHARED_PART_SOURCES = (
    Page,
    PageViewRestriction,
    Site,
    BaseSiteSetting,
    CuratedList,
    CuratedListItem,
)


def queue_renditions(sender, instance, **kwargs):
    article_id = instance.pk
    transaction.on_commit(lambda: generate_article_renditions.enqueue(article_id))


def follow_section_on_move(sender, instance, parent_page_after, **kwargs):
    # Listings read the section from the article row; a move to another section updates it.
    if isinstance(parent_page_after.specific, SectionPage):
        ArticlePage.objects.filter(pk=instance.pk).update(section_id=parent_page_after.pk)


def retire_shared_parts(sender, **kwargs):
    shared_parts.bump()


def retire_shared_parts_on_change(sender, instance, **kwargs):
    # Any page: a draft saved costs one rebuild of the parts, a missed live change would
    # show stale headlines; editors save at human speed, readers never save.
    if isinstance(instance, SHARED_PART_SOURCES):
        shared_parts.bump()


def connect() -> None:
    page_published.connect(queue_renditions, sender=ArticlePage, dispatch_uid="news-renditions")
    post_page_move.connect(follow_section_on_move, dispatch_uid="news-section-on-move")
    # Publishing saves the page too, but says so explicitly; moves update rows in bulk.
    page_published.connect(retire_shared_parts, dispatch_uid="news-shared-published")
    page_unpublished.connect(retire_shared_parts, dispatch_uid="news-shared-unpublished")
    post_page_move.connect(retire_shared_parts, dispatch_uid="news-shared-moved")
    post_save.connect(retire_shared_parts_on_change, dispatch_uid="news-shared-saved")
    post_delete.connect(retire_shared_parts_on_change, dispatch_uid="news-shared-deleted")

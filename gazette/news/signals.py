"""Lifecycle edges of articles: what must happen when one is published or moved."""

from django.db import transaction
from wagtail.signals import page_published, post_page_move

from .models import ArticlePage, SectionPage
from .tasks import generate_article_renditions


def queue_renditions(sender, instance, **kwargs):
    article_id = instance.pk
    transaction.on_commit(lambda: generate_article_renditions.enqueue(article_id))


def follow_section_on_move(sender, instance, parent_page_after, **kwargs):
    # Listings read the section from the article row; a move to another section updates it.
    if isinstance(parent_page_after.specific, SectionPage):
        ArticlePage.objects.filter(pk=instance.pk).update(section_id=parent_page_after.pk)


def connect() -> None:
    page_published.connect(queue_renditions, sender=ArticlePage, dispatch_uid="news-renditions")
    post_page_move.connect(follow_section_on_move, dispatch_uid="news-section-on-move")

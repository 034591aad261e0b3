"""Lifecycle edges that change what is similar: an article published (new or changed),
unpublished or moved to another section queues a recompute once its transaction commits."""

from django.db import transaction
from wagtail.signals import page_published, page_unpublished, post_page_move

from gazette.news.models import ArticlePage

from .tasks import refresh_related_articles


def queue_refresh(sender, instance, **kwargs):
    if not issubclass(instance.specific_class or type(instance), ArticlePage):
        return
    article_id = instance.pk
    transaction.on_commit(lambda: refresh_related_articles.enqueue(article_id))


def connect() -> None:
    page_published.connect(queue_refresh, sender=ArticlePage, dispatch_uid="related-published")
    page_unpublished.connect(queue_refresh, sender=ArticlePage, dispatch_uid="related-unpublished")
    # post_page_move is sent for the base Page class, whatever the page's type.
    post_page_move.connect(queue_refresh, dispatch_uid="related-moved")

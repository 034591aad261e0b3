"""Lifecycle edges that change what is similar: an article published (new or changed),
unpublished or moved to another section queues a recompute once its transaction commits.

The cached lists of the page (queries.py) are forgotten at once, not when the task runs: a
published article's own list (its editors' picks are saved with it), and every list when an
article stops being readable or moves (it may be in any list, as a pick or as the newest of
its section). The task then forgets the lists it rewrites.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from gazette.news.models import ArticlePage

from .queries import forget_all_lists, forget_lists
from .tasks import refresh_related_articles


def _is_article(instance) -> bool:
    return issubclass(instance.specific_class or type(instance), ArticlePage)


def queue_refresh(sender, instance, **kwargs):
    if not _is_article(instance):
        return
    article_id = instance.pk
    transaction.on_commit(lambda: refresh_related_articles.enqueue(article_id))


def published(sender, instance, **kwargs):
    article_id = instance.pk
    transaction.on_commit(lambda: forget_lists([article_id]))
    queue_refresh(sender, instance, **kwargs)


def left_readers(sender, instance, **kwargs):
    if _is_article(instance):
        transaction.on_commit(forget_all_lists)
        queue_refresh(sender, instance, **kwargs)


def article_deleted(sender, instance, **kwargs):
    """Its vector goes with it (a cascade): count its terms out first."""
    from .vectors import forget_vector

    forget_vector(article_id=instance.pk)
    transaction.on_commit(forget_all_lists)


def view_restriction_changed(sender, instance, **kwargs):
    transaction.on_commit(forget_all_lists)


def connect() -> None:
    page_published.connect(published, sender=ArticlePage, dispatch_uid="related-published")
    page_unpublished.connect(left_readers, sender=ArticlePage, dispatch_uid="related-unpublished")
    # post_page_move is sent for the base Page class, whatever the page's type.
    post_page_move.connect(left_readers, dispatch_uid="related-moved")
    pre_delete.connect(article_deleted, sender=ArticlePage, dispatch_uid="related-deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"related-restriction-{signal is post_save}",
        )

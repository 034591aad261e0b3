"""Lifecycle edges that change what Popular Now may show: a story that leaves the readers
(unpublished, made private, moved, deleted) or changes (published again, e.g. a corrected
headline) makes the cached list be computed again, and the view beacon's set of live article
ids be loaded again (live_articles.py).

After the commit: forgetting it earlier would let a request still seeing the old state cache
the list again for a minute.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from gazette.news.models import ArticlePage

from . import live_articles
from .queries import forget_popular_now


def _forget_after_commit(sender, **kwargs):
    transaction.on_commit(forget_popular_now)
    transaction.on_commit(live_articles.changed)


def connect() -> None:
    for signal, name in ((page_published, "published"), (page_unpublished, "unpublished")):
        signal.connect(_forget_after_commit, sender=ArticlePage, dispatch_uid=f"popular-now-{name}")
    post_delete.connect(_forget_after_commit, sender=ArticlePage, dispatch_uid="popular-now-del")
    # post_page_move is sent for the base Page class, whatever the page's type.
    post_page_move.connect(_forget_after_commit, dispatch_uid="popular-now-moved")
    for signal in (post_save, post_delete):
        signal.connect(
            _forget_after_commit,
            sender=PageViewRestriction,
            dispatch_uid=f"popular-now-restriction-{signal is post_save}",
        )

"""What changes You May Also Like: an article published (new or changed), unpublished,
deleted, moved or made private queues a recompute.

The cached lists of the page (queries.py) are forgotten at once, not when the task runs: a
published article's own list (its editors' picks and exclusions are saved with it), and
every list when an article stops being readable or moves (it may be in any list, as a pick
or as the newest of its section). The task then forgets the lists it rewrites.
"""

from gazette.news import lifecycle

from .queries import forget_all_lists, forget_lists
from .tasks import rebuild_related_articles, refresh_related_articles

# A bulk run's publications from this many on: one rebuild of every list, not a refresh each.
REBUILD_FROM = 20


def _published(sender, article, **kwargs):
    forget_lists([article.pk])
    refresh_related_articles.enqueue(article.pk)


def _published_together(sender, article_ids, **kwargs):
    forget_lists(article_ids)
    if len(article_ids) >= REBUILD_FROM:
        rebuild_related_articles.enqueue()
    else:
        for article_id in article_ids:
            refresh_related_articles.enqueue(article_id)


def _left_readers(sender, article_id, **kwargs):
    forget_all_lists()
    refresh_related_articles.enqueue(article_id)


def _moved(sender, article_id, **kwargs):
    forget_all_lists()
    refresh_related_articles.enqueue(article_id)


def _readership_changed(sender, **kwargs):
    forget_all_lists()


def _deleting(sender, article, **kwargs):
    """Its vector goes with it (a cascade): count its terms out first, in the transaction."""
    # Imported here: the vectors pull in numpy, scipy and scikit-learn, seconds of start-up
    # that every app server, worker and command would pay for a rare delete.
    from .vectors import forget_vector

    forget_vector(article_id=article.pk)


def subscribe() -> None:
    lifecycle.article_published.connect(_published, dispatch_uid="related")
    lifecycle.articles_published.connect(_published_together, dispatch_uid="related")
    lifecycle.article_left_readers.connect(_left_readers, dispatch_uid="related")
    lifecycle.article_moved.connect(_moved, dispatch_uid="related")
    lifecycle.readership_changed.connect(_readership_changed, dispatch_uid="related")
    lifecycle.article_deleting.connect(_deleting, dispatch_uid="related")

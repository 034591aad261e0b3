"""What changes what site search finds, on PostgreSQL: an article saved, published,
unpublished, moved or deleted, and a view restriction set or lifted, rewrite the narrow
entries concerned (entries.py) in the same transaction (the in-transaction article events),
as Wagtail's own index is written on save; a rolled-back change leaves its entry as it was.
"""

from gazette.news import lifecycle

from .entries import BATCH_SIZE, enabled, refresh_entries, refresh_subtree
from .models import ArticleSearchEntry

# The article fields an entry is made of: a save that writes none of them (a draft revision
# of a live article saves only its revision pointers) leaves the entry as it is.
ENTRY_FIELDS = frozenset(
    {"title", "standfirst", "body", "live", "first_published_at", "section", "path"}
)


def article_changed(sender, article, update_fields, **kwargs):
    if update_fields is not None and not ENTRY_FIELDS.intersection(update_fields):
        return
    if article.live and lifecycle.publications_are_deferred():
        # A bulk run publishes it in this transaction: its publication is noted and announced
        # at the run's end (or by the periodic job, if the run dies), where the entries of
        # the run's articles are written together (``articles_published_together``).
        return
    if enabled():
        refresh_entries([article.pk])


def articles_published_together(sender, article_ids, **kwargs):
    if enabled():
        for start in range(0, len(article_ids), BATCH_SIZE):
            refresh_entries(article_ids[start : start + BATCH_SIZE])


def article_deleted(sender, article_id, **kwargs):
    if enabled():
        ArticleSearchEntry.objects.filter(article_id=article_id).delete()


def subtree_changed(sender, page, **kwargs):
    # A moved section takes its articles with it, perhaps under a restricted page.
    if enabled():
        refresh_subtree(page.pk)


def fill_after_first_migrate(sender, using, **kwargs):
    """A site that migrates to the table has articles and no entries yet: write them, once
    (about 80 s for 100,000 articles), so that search keeps finding them. Later migrations
    find entries and do nothing (two cheap queries)."""
    from django.db import connections

    from .entries import rebuild_entries, searchable_articles

    if using != "default" or not ArticleSearchEntry._meta.can_migrate(connections[using]):
        return
    if not ArticleSearchEntry.objects.exists() and searchable_articles().exists():
        rebuild_entries()


def subscribe() -> None:
    lifecycle.article_changed.connect(article_changed, dispatch_uid="search")
    lifecycle.articles_published.connect(articles_published_together, dispatch_uid="search")
    lifecycle.article_deleted.connect(article_deleted, dispatch_uid="search")
    lifecycle.subtree_changed.connect(subtree_changed, dispatch_uid="search")

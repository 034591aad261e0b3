"""Lifecycle edges that change what site search finds, on PostgreSQL: an article saved,
published, unpublished, moved or deleted, and a view restriction set or lifted, rewrite the
narrow entries concerned (entries.py) in the same transaction, as Wagtail's own index is
written on save; a rolled-back change leaves its entry as it was.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import page_unpublished, post_page_move

from gazette.news.models import ArticlePage

from .entries import enabled, refresh_entries, refresh_subtree
from .models import ArticleSearchEntry

# The article fields an entry is made of: a save that writes none of them (a draft revision
# of a live article saves only its revision pointers) leaves the entry as it is.
ENTRY_FIELDS = frozenset(
    {"title", "standfirst", "body", "live", "first_published_at", "section", "path"}
)


def article_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not ENTRY_FIELDS.intersection(update_fields):
        return
    if enabled():
        refresh_entries([instance.pk])


def article_deleted(sender, instance, **kwargs):
    if enabled():
        ArticleSearchEntry.objects.filter(article_id=instance.pk).delete()


def page_moved(sender, instance, **kwargs):
    # A moved section takes its articles with it, perhaps under a restricted page.
    if enabled():
        refresh_subtree(instance.pk)


def view_restriction_changed(sender, instance, **kwargs):
    if enabled():
        refresh_subtree(instance.page_id)


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


def connect() -> None:
    # post_save covers every write of the row, a publish included (Wagtail's publish saves
    # the page, then sends page_published: listening to both would write the entry twice).
    # page_unpublished too, for unpublishing that reaches the row without a save.
    post_save.connect(article_changed, sender=ArticlePage, dispatch_uid="search-saved")
    page_unpublished.connect(article_changed, sender=ArticlePage, dispatch_uid="search-unpublished")
    post_delete.connect(article_deleted, sender=ArticlePage, dispatch_uid="search-deleted")
    # post_page_move is sent for the base Page class, whatever the page's type; news's
    # handler (an app listed earlier) has already moved the article's section by then.
    post_page_move.connect(page_moved, dispatch_uid="search-moved")
    for signal in (post_save, post_delete):
        signal.connect(
            view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"search-restriction-{signal is post_save}",
        )

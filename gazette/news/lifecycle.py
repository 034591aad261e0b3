"""The article lifecycle: the one place that listens to Wagtail's and Django's page signals,
and announces what happened to articles as Gazette's own events. Features subscribe to these
events in their ``AppConfig.ready()``; none connects to a page signal, and none depends on
another's receiver having run first (news finishes its own work, such as moving an article's
section with it, before it announces anything).

Two kinds of event:

*In the transaction* (receivers run inside the change's transaction; what they write commits
or rolls back with it; they must be quick and must not call out of the process):

- ``article_changed(article, update_fields)``: the article's row was written: created,
  saved as a draft, published, unpublished. ``update_fields`` is the set of fields written, or
  None for all of them.
- ``article_deleting(article)``: the article is about to be deleted; its row and its
  children (bylines, tags, vectors...) are still there.
- ``article_deleted(article_id, article)``: the article's row is gone (Wagtail announces a
  deleted live page as unpublished first: an ``article_changed`` comes before this).
- ``subtree_changed(page)``: the pages at and under ``page`` moved in the tree or had their
  view restriction set or lifted; their rows (and the articles' sections) are up to date.

*After the commit* (receivers run once the change is visible to every process; caches,
purges and tasks go here; never when the transaction rolls back):

- ``article_published(article)``: a story went live, or a live story was published again.
- ``article_left_readers(article_id, article)``: a story was unpublished or deleted
  (``article`` is the instance as it was last seen; a deleted one is gone from the database).
- ``article_moved(article_id, url_path_before, parent_before, parent_after)``: a story moved
  to another section (``url_path_before``: where it was in the tree).
- ``readership_changed(page)``: a view restriction was set or lifted at ``page``: the
  articles at and under it left the readers or came back.
- ``listing_changed()``: an editors' list (Must-Reads) changed: every page showing one does.
- ``articles_published(article_ids)``: the stories a bulk run published (an import, inside
  ``publications_deferred()``), announced once for the run instead of one
  ``article_published`` each. Sent outside any item's transaction, after they committed.

*Bulk runs*: inside ``publications_deferred()`` a published article is noted in its own
transaction (a ``DeferredPublication`` row) and no ``article_published`` is sent; when the
block ends, every noted article is announced in one ``articles_published`` and the rows go.
A run that dies leaves its rows: the next run's end, or the periodic job
(``announce_stale_publications``), announces them. Receivers of ``articles_published`` do
what each ``article_published`` would have done, once for all of them; so do site search's
entries and the purge of the articles' own pages, which Wagtail and ``article_changed`` would
have done in each item (held back for a bulk run's live articles).

Every handler below also retires the shared parts of reader pages
(``gazette.core.shared_parts``) when a page, a view restriction or an editors' list changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import Signal
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from gazette.core import compat, shared_parts

from .models import ArticlePage, CuratedList, CuratedListItem, DeferredPublication, SectionPage

# -- In the transaction --------------------------------------------------------------------------
article_changed = Signal()
article_deleting = Signal()
article_deleted = Signal()
subtree_changed = Signal()

# -- After the commit ----------------------------------------------------------------------------
article_published = Signal()
article_left_readers = Signal()
article_moved = Signal()
readership_changed = Signal()
listing_changed = Signal()
articles_published = Signal()

# Set inside publications_deferred(): this context's publications are noted, not announced.
_deferring: ContextVar[bool] = ContextVar("gazette_publications_deferred", default=False)
# A run announces its publications when it ends; rows older than this belong to a run that
# died (or is still going after so long): the periodic job announces them.
STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Announcement:
    """An event waiting for the commit: sent when called."""

    event: Signal
    kwargs: dict

    def __call__(self) -> None:
        self.event.send(sender=ArticlePage, **self.kwargs)


def after_commit(event: Signal, *, once: bool = False, **kwargs) -> None:
    """Send ``event`` once the current transaction commits (at once outside of one); with
    ``once``, not if the transaction has announced the same already."""
    announcement = Announcement(event, kwargs)
    if once:
        compat.on_commit_once(announcement)
    else:
        transaction.on_commit(announcement)


def _is_article(page) -> bool:
    return issubclass(page.specific_class or type(page), ArticlePage)


# -- Wagtail's and Django's signals in, Gazette's events out ------------------------------------


def _page_saved(sender, instance, update_fields=None, **kwargs):
    if not isinstance(instance, Page):
        return
    # Any page: a draft saved costs one rebuild of the shared parts; a missed live change
    # would show stale headlines. Editors save at human speed, readers never save.
    shared_parts.retire()
    if isinstance(instance, ArticlePage):
        fields = frozenset(update_fields) if update_fields is not None else None
        article_changed.send(sender=ArticlePage, article=instance, update_fields=fields)


def _page_published(sender, instance, **kwargs):
    shared_parts.retire()
    if isinstance(instance, ArticlePage):
        if _deferring.get():
            # In the item's transaction: committed with the article, or gone with it.
            DeferredPublication.objects.bulk_create(
                [DeferredPublication(article_id=instance.pk)], ignore_conflicts=True
            )
        else:
            after_commit(article_published, article=instance)


# -- Bulk runs -----------------------------------------------------------------------------------


@contextmanager
def publications_deferred() -> Iterator[None]:
    """A bulk run (an import): the articles published inside are announced once, together,
    when the block ends (``articles_published``), however it ends. Wagtail's own purge of
    each article it publishes waits for that too (``purge.purge_published_articles`` purges
    the article's page with the others showing it): one task per 500 articles, not one each.
    An article saved live inside is published in the same transaction (the bulk runs'
    promise, which site search's entries rely on: they are written at the end too)."""
    token = _deferring.set(True)
    try:
        with compat.publish_purges_held_back(lambda page: isinstance(page, ArticlePage)):
            yield
    finally:
        _deferring.reset(token)
        announce_deferred_publications()


def publications_are_deferred() -> bool:
    """Whether this context is a bulk run's (inside ``publications_deferred``)."""
    return _deferring.get()


def announce_deferred_publications(*, noted_before=None) -> int:
    """Announce the noted publications (those noted before ``noted_before``, if given) in one
    ``articles_published``, then forget them; returns how many. The rows go only after the
    receivers ran: a crash in between announces them again, which every receiver allows."""
    rows = DeferredPublication.objects.order_by("article_id")
    if noted_before is not None:
        rows = rows.filter(noted_at__lt=noted_before)
    article_ids = list(rows.values_list("article_id", flat=True))
    if not article_ids:
        return 0
    articles_published.send(sender=ArticlePage, article_ids=article_ids)
    for start in range(0, len(article_ids), 500):  # SQLite caps a query's parameters
        DeferredPublication.objects.filter(article_id__in=article_ids[start : start + 500]).delete()
    return len(article_ids)


def announce_stale_publications() -> None:
    """The periodic job: publications noted by a run that did not finish are announced."""
    from django.utils import timezone

    from .tasks import announce_publications_noted_before

    cutoff = timezone.now() - STALE_AFTER
    if DeferredPublication.objects.filter(noted_at__lt=cutoff).exists():
        announce_publications_noted_before.enqueue(cutoff.isoformat())


def _page_unpublished(sender, instance, **kwargs):
    shared_parts.retire()
    if isinstance(instance, ArticlePage):
        # Unpublishing may reach the row without a save of the instance.
        article_changed.send(sender=ArticlePage, article=instance, update_fields=None)
        after_commit(article_left_readers, article_id=instance.pk, article=instance)


def _article_deleting(sender, instance, **kwargs):
    article_deleting.send(sender=ArticlePage, article=instance)


def _page_deleted(sender, instance, **kwargs):
    if not isinstance(instance, Page):
        return
    shared_parts.retire()
    if isinstance(instance, ArticlePage):
        article_deleted.send(sender=ArticlePage, article_id=instance.pk, article=instance)
        # Wagtail announces a live page it deletes as unpublished first: say it once.
        after_commit(article_left_readers, once=True, article_id=instance.pk, article=instance)


def _page_moved(sender, instance, url_path_before, parent_page_before, parent_page_after, **kw):
    shared_parts.retire()
    if _is_article(instance) and isinstance(parent_page_after.specific, SectionPage):
        # Listings read the section from the article's row: it moves with the article,
        # before anyone hears of the move.
        ArticlePage.objects.filter(pk=instance.pk).update(section_id=parent_page_after.pk)
    subtree_changed.send(sender=ArticlePage, page=instance)
    if _is_article(instance):
        after_commit(
            article_moved,
            article_id=instance.pk,
            url_path_before=url_path_before,
            parent_before=parent_page_before,
            parent_after=parent_page_after,
        )


def _view_restriction_changed(sender, instance, **kwargs):
    shared_parts.retire()
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is None:  # deleted with its page: the page's own deletion says all
        return
    subtree_changed.send(sender=ArticlePage, page=page)
    after_commit(readership_changed, page=page)


def _editors_list_changed(sender, **kwargs):
    if kwargs.get("raw"):  # loading fixtures
        return
    shared_parts.retire()
    # Once per transaction, however many list rows it saves.
    compat.on_commit_once(_send_listing_changed)


def _article_row_changed(sender, **kwargs):
    """An author or a tag saved or deleted: the article pages kept with their authors and tags
    in the shared parts (``routing``) show it."""
    if not kwargs.get("raw"):
        shared_parts.retire()


def _send_listing_changed() -> None:
    listing_changed.send(sender=ArticlePage)


def connect() -> None:
    """Connect news to Wagtail's and Django's signals (NewsConfig.ready)."""
    # Every page type: the shared parts show sections and the site's pages too.
    post_save.connect(_page_saved, dispatch_uid="news-lifecycle-saved")
    post_delete.connect(_page_deleted, dispatch_uid="news-lifecycle-deleted")
    page_published.connect(_page_published, dispatch_uid="news-lifecycle-published")
    page_unpublished.connect(_page_unpublished, dispatch_uid="news-lifecycle-unpublished")
    # post_page_move is sent for the base Page class, whatever the page's type.
    post_page_move.connect(_page_moved, dispatch_uid="news-lifecycle-moved")
    pre_delete.connect(
        _article_deleting, sender=ArticlePage, dispatch_uid="news-lifecycle-deleting"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            _view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"news-lifecycle-restriction-{signal is post_save}",
        )
        for model in (CuratedList, CuratedListItem):
            signal.connect(
                _editors_list_changed,
                sender=model,
                dispatch_uid=f"news-lifecycle-{model.__name__}-{signal is post_save}",
            )
        for name, model in (("author", "people.Author"), ("tag", Tag)):
            signal.connect(
                _article_row_changed,
                sender=model,
                dispatch_uid=f"news-lifecycle-{name}-{signal is post_save}",
            )

"""Which cached pages show an article, and purging them when it changes.

An article is shown by its own page, the home page, its section, its authors' pages, and
whatever features list it (feeds, sitemaps, topic pages...): a feature adds its pages by
answering ``urls_showing_article``::

    def feed_urls(sender, article, **kwargs) -> list[str]: ...
    urls_showing_article.connect(feed_urls)

This module subscribes to the article events (``lifecycle``) like any feature; other apps
call :func:`purge_article` when something on an article page changes that is not a page
revision, e.g. a comment was published.
"""

from __future__ import annotations

from django.dispatch import Signal
from django.urls import reverse
from django_tasks import task
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

from gazette.core import editions
from gazette.core.purge import purge_urls, purge_urls_right_after_commit, purging_enabled

from . import lifecycle
from .models import ArticlePage

# Articles per purge task when a bulk run's publications are announced together.
PURGE_BATCH = 500

# Sent with ``article``; each receiver returns the absolute URLs of its pages showing it.
urls_showing_article = Signal()


def _site_root_url(page) -> str | None:
    site = page.get_site()
    return site.root_url if site is not None else None


def _absolute(root_url: str, path_or_url: str) -> str:
    return path_or_url if "://" in path_or_url else root_url.rstrip("/") + path_or_url


def _full_url_of_path(url_path: str) -> str | None:
    """The public URL a page had at a tree path (``/home/world/story/``), e.g. before a move."""
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return root.root_url + url_path[len(root.root_path) - 1 :]
    return None


def article_urls(article: ArticlePage) -> list[str]:
    """Every cached page that shows ``article``: itself, the home page, its section, its
    authors' pages, and the features' pages that list it."""
    root_url = _site_root_url(article)
    if root_url is None:
        return []
    # The pages of the article's own edition: a Korean story is on /ko/, /ko/authors/...
    with editions.addresses_of(article.locale_id):
        urls = [_absolute(root_url, reverse("wagtail_serve", args=[""]))]
        if (url := article.get_full_url()) is not None:
            urls.append(url)
        if article.section_id and (section_url := article.section.get_full_url()):
            urls.append(section_url)
        for item in article.article_authors.select_related("author"):
            urls.append(_absolute(root_url, item.author.get_absolute_url()))
        for _, answer in urls_showing_article.send(sender=ArticlePage, article=article):
            urls.extend(_absolute(root_url, url) for url in answer or ())
    return list(dict.fromkeys(urls))


def purge_article_page(article: ArticlePage, request=None) -> None:
    """Purge the article's own page only, right after the transaction commits, from this
    thread (not a task: the next load shows the change): for a change no other page shows
    (its comments: a post, a moderator's decision, a report). One purge request instead of
    one per page listing the article. ``request``: a reader's, whose site and locales are
    read already (no cache read for them again)."""
    if not purging_enabled():
        return
    with editions.addresses_of(article.locale_id, request):
        url = article.get_full_url(request)
    if url is not None:
        purge_urls_right_after_commit([url])


def purge_article(article: ArticlePage) -> None:
    """Purge every cached page that shows ``article``, after the transaction commits. For
    changes that are not page revisions, e.g. a comment was published."""
    if purging_enabled():
        purge_urls(article_urls(article))


@task()
def purge_listing_pages() -> None:
    """Purge the home page and every live article: all of them show the Must-Reads. Runs in
    the task worker: a large site has many articles."""
    if not purging_enabled():
        return
    batch = PurgeBatch()
    for site in Site.objects.all():
        batch.add_url(site.root_url + "/")
    batch.add_pages(ArticlePage.objects.live().public().defer_streamfields())
    _send_now(batch)


@task()
def purge_subtree(page_id: int) -> None:
    """Purge a page whose readers changed (a view restriction set or lifted), the live
    articles under it, their sections and the home page."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not purging_enabled():
        return
    batch = PurgeBatch()
    if (site := page.get_site()) is not None:
        batch.add_url(site.root_url + "/")
    batch.add_page(page)
    articles = ArticlePage.objects.live().descendant_of(page, inclusive=True)
    batch.add_pages(articles.defer_streamfields())
    batch.add_pages(Page.objects.filter(pk__in=articles.values("section_id")))
    _send_now(batch)


@task()
def purge_published_articles(article_ids: list[int]) -> None:
    """Purge the pages showing each of these articles (a bulk run's publications), in one
    batch: what each article's own publication would have purged."""
    if not purging_enabled():
        return
    urls: dict[str, None] = {}
    articles = ArticlePage.objects.filter(pk__in=article_ids).select_related("section")
    for article in articles.defer_streamfields():
        urls.update(dict.fromkeys(article_urls(article)))
    if urls:
        purge_urls_from_cache_task.call(sorted(urls))


def _send_now(batch: PurgeBatch) -> None:
    # Already in the worker (or the immediate backend): send them now, not as one more task.
    if batch.urls:
        purge_urls_from_cache_task.call(sorted(batch.urls))


# -- the article events --------------------------------------------------------------------------


def _published(sender, article, **kwargs):
    purge_article(article)


def _published_together(sender, article_ids, **kwargs):
    if purging_enabled():
        for start in range(0, len(article_ids), PURGE_BATCH):
            purge_published_articles.enqueue(article_ids[start : start + PURGE_BATCH])


def _left_readers(sender, article_id, article, **kwargs):
    # A deleted article's pages were noted while it was still there (``_deleting``).
    if purging_enabled() and ArticlePage.objects.filter(pk=article_id).exists():
        purge_urls(article_urls(article))


def _deleting(sender, article, **kwargs):
    # After the deletion its bylines and its section are gone: find its pages now; they are
    # purged once the deletion commits.
    if purging_enabled():
        purge_urls(article_urls(article))


def _moved(sender, article_id, url_path_before, parent_before, parent_after, **kwargs):
    if not purging_enabled():
        return
    article = ArticlePage.objects.filter(pk=article_id).first()
    if article is None:
        return
    # The article's new place, and where it was: its old URL and its old section.
    places = [
        _full_url_of_path(url_path_before),
        parent_before.get_full_url() if parent_before else None,
        parent_after.get_full_url() if parent_after else None,
    ]
    purge_urls([*article_urls(article), *(url for url in places if url)])


def _readership_changed(sender, page, **kwargs):
    if purging_enabled():
        purge_subtree.enqueue(page.pk)


def _listing_changed(sender, **kwargs):
    if purging_enabled():
        purge_listing_pages.enqueue()


def subscribe() -> None:
    lifecycle.article_published.connect(_published, dispatch_uid="purge-published")
    lifecycle.articles_published.connect(_published_together, dispatch_uid="purge-published")
    lifecycle.article_left_readers.connect(_left_readers, dispatch_uid="purge-left")
    lifecycle.article_deleting.connect(_deleting, dispatch_uid="purge-deleting")
    lifecycle.article_moved.connect(_moved, dispatch_uid="purge-moved")
    lifecycle.readership_changed.connect(_readership_changed, dispatch_uid="purge-readers")
    lifecycle.listing_changed.connect(_listing_changed, dispatch_uid="purge-listing")

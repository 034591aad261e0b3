"""Purging the page cache (nginx's microcache, or a CDN) when content changes.

Wagtail's frontend cache module (``wagtail.contrib.frontend_cache``) purges a page when it
is published or unpublished, through the backends in ``WAGTAILFRONTENDCACHE``; with none
configured (development, tests) every purge here is a no-op. This module adds the pages
that *show* a changed article: the home page, its section, its authors' pages, the feeds
and sitemaps, and, when the Must-Reads change, every page that lists them.

Other apps call :func:`purge_article` when something on an article page changes that is
not a page revision, e.g. a comment was published::

    from gazette.core.purge import purge_article
    purge_article(article)

Purges are sent after the transaction commits (a purge before it would let the cache fetch
the old page again), through Django's tasks API: the task worker sends them in production.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django_tasks import task
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import PurgeBatch, purge_urls_from_cache
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

logger = logging.getLogger("gazette.purge")

PURGE_TIMEOUT = 5  # seconds; a hung cache must not hold a worker for ever


class NginxPurgeBackend(HTTPBackend):
    """Wagtail's HTTP backend for nginx's cache-purge module (deploy/nginx.conf).

    Differs from Wagtail's in three ways: the LOCATION may carry a path prefix, the purge
    location (``http://nginx/_purge`` purges ``/world/story/`` at ``/_purge/world/story/``);
    a timeout (Wagtail's has none: a hung cache would hold the worker for ever); and a page
    that was not cached (the module answers 404) is nothing to purge, not an error.
    """

    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", PURGE_TIMEOUT))
        self.path_prefix = urlsplit(params["LOCATION"]).path.rstrip("/")
        super().__init__(params)

    def purge(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        # As a browser sends it (UTF-8, percent-encoded): nginx keys the cache on that.
        path = self.path_prefix + quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        target = urlunsplit((self.cache_scheme, self.cache_netloc, path, parts.query, ""))
        request = PurgeRequest(target, headers={"Host": host, "User-Agent": "Gazette-purge"})
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - LOCATION is configured
                pass
        except HTTPError as exc:
            if exc.code == 404:
                logger.debug("Not cached, nothing to purge: %s", url)
            else:
                logger.error("Couldn't purge %s: HTTP %s %s", url, exc.code, exc.reason)
        except (URLError, OSError) as exc:
            logger.error("Couldn't purge %s: %s", url, getattr(exc, "reason", exc))


# --- what to purge ----------------------------------------------------------------------------


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


def _distribution_urls(article) -> list[str]:
    """Feeds, sitemaps and the API that list the article, when the distribution app says."""
    try:
        from gazette.distribution import urls_to_purge
    except ImportError:
        return []
    return list(urls_to_purge(article))


def article_urls(article) -> list[str]:
    """Every cached page that shows ``article``: itself, the home page, its section, its
    authors' pages, and the feeds and sitemaps."""
    root_url = _site_root_url(article)
    if root_url is None:
        return []
    urls = [root_url + "/"]
    if (url := article.get_full_url()) is not None:
        urls.append(url)
    if article.section_id and (section_url := article.section.get_full_url()):
        urls.append(section_url)
    for item in article.article_authors.select_related("author"):
        urls.append(_absolute(root_url, item.author.get_absolute_url()))
    urls.extend(_absolute(root_url, url) for url in _distribution_urls(article))
    return list(dict.fromkeys(urls))


def purging_enabled() -> bool:
    """Whether any cache is there to purge (``WAGTAILFRONTENDCACHE``); if not, skip the work
    of finding the URLs."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_urls(urls: Iterable[str]) -> None:
    """Purge these URLs once the current transaction commits."""
    urls = list(dict.fromkeys(urls))
    if urls:
        transaction.on_commit(lambda: purge_urls_from_cache(urls))


def purge_article(article) -> None:
    """Purge every cached page that shows ``article``, after the transaction commits. For
    changes that are not page revisions, e.g. a comment was published."""
    if purging_enabled():
        purge_urls(article_urls(article))


@task()
def purge_listing_pages() -> None:
    """Purge the home page and every live article: all of them show the Must-Reads. Runs in
    the task worker: a large site has many articles."""
    from gazette.news.models import ArticlePage

    if not purging_enabled():
        return
    batch = PurgeBatch()
    for site in Site.objects.all():
        batch.add_url(site.root_url + "/")
    batch.add_pages(ArticlePage.objects.live().public().defer_streamfields())
    if batch.urls:
        # Already in the worker (or the immediate backend): send them now, not as one more task.
        purge_urls_from_cache_task.call(sorted(batch.urls))


# --- lifecycle edges ----------------------------------------------------------------------------


def _on_article_published_or_unpublished(sender, instance, **kwargs):
    purge_article(instance)


def _on_page_moved(
    sender, instance, url_path_before, parent_page_before, parent_page_after, **kwargs
):
    from gazette.news.models import ArticlePage

    if not purging_enabled() or not isinstance(instance.specific_deferred, ArticlePage):
        return
    # The article's new place, and where it was: its old URL and its old section.
    article = ArticlePage.objects.get(pk=instance.pk)
    places = [
        _full_url_of_path(url_path_before),
        parent_page_before.get_full_url() if parent_page_before else None,
        parent_page_after.get_full_url() if parent_page_after else None,
    ]
    purge_urls([*article_urls(article), *(url for url in places if url)])


def _schedule_listing_purge() -> None:
    """Once per transaction, however many list rows it saves."""
    connection = transaction.get_connection()
    # Django keeps the pending callbacks as (savepoint ids, callback, robust) tuples.
    if connection.in_atomic_block and any(
        entry[1] is _enqueue_listing_purge for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_listing_purge)


def _enqueue_listing_purge() -> None:
    purge_listing_pages.enqueue()


def _on_curated_list_changed(sender, **kwargs):
    if kwargs.get("raw") or not purging_enabled():  # raw: loading fixtures
        return
    _schedule_listing_purge()


def connect() -> None:
    from gazette.news.models import ArticlePage, CuratedList, CuratedListItem

    page_published.connect(
        _on_article_published_or_unpublished, sender=ArticlePage, dispatch_uid="purge-publish"
    )
    page_unpublished.connect(
        _on_article_published_or_unpublished, sender=ArticlePage, dispatch_uid="purge-unpublish"
    )
    post_page_move.connect(_on_page_moved, dispatch_uid="purge-move")
    for model in (CuratedList, CuratedListItem):
        for signal in (post_save, post_delete):
            signal.connect(
                _on_curated_list_changed, sender=model, dispatch_uid=f"purge-{model.__name__}"
            )

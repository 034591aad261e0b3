"""What a comment post reads before it writes: the article, the site and its comment settings,
from the shared parts (``gazette.core.shared_parts``), as the article page reads them.

The article is kept by its id: building its query (live, public: a correlated EXISTS on the
view restrictions, the page tables joined) was a fifth of a post's CPU, for a row that changes
only when a page or a view restriction does, which retires the shared parts. The site, the
article and the site's parts (its comment settings, its time zone for the answer's time) are
read in one cache round trip: the parts of the site the host answered last in this process,
used when the host still answers it (else read in a second round trip, as they were before);
a miss costs the query, as before.
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Site

from gazette.core import compat, editions, shared_parts
from gazette.core.db_routing import reads_from_a_replica
from gazette.core.generational import preload_together
from gazette.news.models import ArticlePage
from gazette.news.routing import site_for_request, site_part_name


def _article_part_name(article_id: int) -> str:
    return f"article-to-comment-on:{article_id}"


def _find_article(article_id: int) -> ArticlePage | None:
    article = ArticlePage.objects.live().public().defer_streamfields().filter(pk=article_id).first()
    if article is not None:
        # Its address (the purge's, the redirect's) is worked out from the sites' root paths:
        # kept with it, they are not read from the cache on every post. A Site saved retires
        # the shared parts.
        compat.keep_site_root_paths(article)
    return article


# The site each host (and port) answered last in this process. Only its id is used, to name
# its parts: a guess that is wrong (a site moved to another host) costs the round trip saved.
# Bounded: any host ALLOWED_HOSTS lets by is answered by some site (the default one).
_site_of_host: dict[str, Site] = {}
_HOSTS_KEPT = 64


def article_to_comment_on(request: HttpRequest, article_id: int) -> ArticlePage | None:
    """The live, public article ``article_id`` (None when there is none), with the request's
    site and every part of it read for the rest of the request."""
    name = _article_part_name(article_id)
    site_name = site_part_name(request)
    guessed = _site_of_host.get(site_name)
    guessed_parts = shared_parts.names_of_site_parts(request, guessed) if guessed else []
    preload_together(
        request,
        [
            (shared_parts.SHARED_PARTS, [site_name, name, *guessed_parts]),
            (editions.LOCALES, [editions.LOCALE_IDS]),
        ],
    )
    site = site_for_request(request)
    if site is not None and (guessed is None or guessed.pk != site.pk):
        if len(_site_of_host) >= _HOSTS_KEPT:
            _site_of_host.clear()
        _site_of_host[site_name] = site
    article = shared_parts.shared(
        request,
        name,
        lambda: _find_article(article_id),
        # Not an absent article (a guess costs the query it always did), nor one read from a
        # replica that may not have seen a view restriction or an unpublish yet.
        keep_if=lambda found: found is not None and not reads_from_a_replica(),
    )
    if article is not None:
        compat.lend_site_root_paths(article, request)
    if site is not None:
        # The comment settings and the zone of the answer's time: read already when the
        # guess was right, else in one more round trip.
        shared_parts.preload_site_parts(request)
    return article

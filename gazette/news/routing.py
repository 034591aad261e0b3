"""Serving an article at ``/<section>/<article>/`` in one query.

Wagtail finds a page by walking the tree from the site's root: the site (a query), its root
page and its specific row, the section by its slug and its specific row, then the article:
five queries and their Python before the article page starts, on every uncached render. An
article's address is its section's slug and its own, so this view asks for the live article
at that tree path directly, with everything its page shows, and hands it to Wagtail's own
``serve`` view as the route already found (``compat.remember_route``): Wagtail's hooks
(view restrictions, the userbar...) then run as always. Anything else at such an address
(a draft, a page of another type) takes Wagtail's way, unchanged.

The site comes from the shared parts' cache, keyed by host and port, and is retired with
them when a site changes (gazette.core.shared_parts). It brings the tree path of each live
language edition's home page (gazette.core.editions): /ko/world/floods/ is looked up under the
Korean home page, in the same one query.

The article found, with its section, authors, tags, lead image and what features load with it
(``for_article_page``), is kept in the shared parts too, under its address: building that
query and its prefetches was a third of an uncached render's CPU, for rows that change only
when a page, a person, a tag, a note or an image does, which retires the shared parts. So is
whether a view restriction applies to it (a restriction saved or deleted retires them too).
The site and the article are read in one cache round trip; a miss costs the query, as before,
and one for the restrictions.
"""

from __future__ import annotations

import hashlib
import pickle

from django.http import HttpRequest
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from gazette.core import compat, editions, shared_parts
from gazette.core.db_routing import reads_from_a_replica
from gazette.core.generational import preload_together

from .models import ArticlePage


def _site_part_name(request: HttpRequest) -> str:
    return f"site-for:{request.get_host()}:{request.get_port()}"


def site_part_name(request: HttpRequest) -> str:
    """The shared part's name of the request's site, for a view that reads it in one round
    trip with parts of its own (``generational.preload_together``)."""
    return _site_part_name(request)


# Longer addresses are named by their digest: a hostile path near 8 KB would otherwise make
# a cache key past the 250 characters memcached keeps (Django's CacheKeyWarning).
_LONGEST_ADDRESS_IN_A_NAME = 120


def _address_part_name(kind: str, request: HttpRequest, path: str) -> str:
    # The host and port stand for the site, and the cache key carries the language: the
    # address alone then names the page, so it is read in the site's round trip.
    address = f"{request.get_host()}:{request.get_port()}:{path}"
    if len(address) > _LONGEST_ADDRESS_IN_A_NAME:
        # "#" starts no host, so a digest never names a readable address.
        address = "#" + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"{kind}:{address}"


def _article_part_name(request: HttpRequest, path: str) -> str:
    return _address_part_name("article-at", request, path)


def site_for_request(request: HttpRequest) -> Site | None:
    """Site.find_for_request, from the cache: the site with its root page."""
    site = compat.remembered_site(request)
    if site is None:
        site = shared_parts.shared(request, _site_part_name(request), lambda: _find_site(request))
        compat.remember_site(request, site)
    return site


def _find_site(request: HttpRequest) -> Site | None:
    site = Site.find_for_request(request)
    if site is not None:
        root = site.root_page  # read now, cached with the site
        site.edition_root_paths = {root.locale_id: root.url_path}
        if len(editions.locale_ids(request)) > 1:
            translations = Page.objects.live().filter(translation_key=root.translation_key)
            site.edition_root_paths.update(translations.values_list("locale_id", "url_path"))
    return site


def _find_article(request: HttpRequest, site: Site | None, path: str, slug: str):
    """The live article at ``path`` under the active edition's home page, loaded as its page
    shows it; None when there is none (Wagtail's walk then answers)."""
    if site is None:
        return None
    root_path = getattr(site, "edition_root_paths", {}).get(editions.active_locale_id(request))
    if root_path is None:
        return None
    # By the slug's index (Wagtail indexes no url_path): a handful of rows at most.
    found = (
        ArticlePage.objects.live()
        .for_article_page()
        .filter(slug=slug, url_path=f"{root_path}{path}")
    )
    article = found.first()
    if article is None or article.section_id is None:
        return None
    compat.set_cached_parent(article, article.section)
    article.loaded_for_article_page = True
    # Kept with it: that no view restriction applies, so a warm render asks nothing (one
    # saved or deleted retires the shared parts). Not when read from a replica: one lagging
    # behind a restriction just set would keep the story public until the next change.
    article.kept_unrestricted = (
        not reads_from_a_replica() and not article.get_view_restrictions().exists()
    )
    return article


def kept_article(article: ArticlePage) -> ArticlePage:
    """What is kept of the article found: a copy without its images' renditions, which only
    the lead image and the head show, both kept as HTML per live revision and retired with
    the article (an image saved retires the shared parts, ``own_part``). Three renditions
    were ~40% of unpickling the kept article on every render; a render that builds those
    parts again reads them (one query). The render that found the article gets it whole."""
    kept = pickle.loads(pickle.dumps(article, pickle.HIGHEST_PROTOCOL))  # noqa: S301 - ours
    for name in ("lead_image", "social_image"):
        image = kept._state.fields_cache.get(name)  # select_related: read without a query
        if image is not None:
            getattr(image, "_prefetched_objects_cache", {}).pop("renditions", None)
    return kept


def _serve_kept(request: HttpRequest, path: str, part_name: str, find, *, keep_as=None):
    """Wagtail's serve of ``path``, its route given from the shared parts where ``find`` (the
    page kept at this address, or None) has kept one: the site's part, the page's and the
    locales (which finding the page's edition reads) in one round trip. What ``find`` does not
    keep (a nested section, a typo, a crawler's guess) writes nothing to the cache and takes
    Wagtail's walk, as before."""
    if not compat.route_is_known(request):
        preload_together(
            request,
            [
                (shared_parts.SHARED_PARTS, [_site_part_name(request), part_name]),
                (editions.LOCALES, [editions.LOCALE_IDS]),
            ],
        )
        site = site_for_request(request)
        page = shared_parts.shared(
            request,
            part_name,
            lambda: find(site),
            keep_if=lambda found: found is not None,
            keep_as=keep_as,
        )
        if page is not None:
            compat.remember_route(request, page)
    return wagtail_views.serve(request, path)


def serve_article(request: HttpRequest, section: str, slug: str):
    path = f"{section}/{slug}/"
    return _serve_kept(
        request,
        path,
        _article_part_name(request, path),
        lambda site: _find_article(request, site, path, slug),
        keep_as=kept_article,
    )


# -- The home page and the sections -------------------------------------------------------------
#
# Their addresses are the edition's prefix alone (``/``, ``/ko/``) and one slug (``/world/``,
# ``/ko/world/``): Wagtail would find the site (a query), walk from its root page (its row and
# its specific row, then the section's two) and ask the page's view restrictions (one more),
# four to six queries and their Python on every uncached render, for rows that change only when
# a page, a site or a restriction does, which retires the shared parts. Kept like the article.


def _page_part_name(request: HttpRequest, path: str) -> str:
    return _address_part_name("page-at", request, path)


def _find_page(request: HttpRequest, site: Site | None, path: str):
    """The live page at ``path`` ("" or "<slug>/") under the active edition's home page when
    its type is kept by its address (``news.models.KeptByAddress``: the home page, a section),
    with whether a view restriction applies to it; None otherwise (Wagtail's walk answers)."""
    if site is None:
        return None
    root_path = getattr(site, "edition_root_paths", {}).get(editions.active_locale_id(request))
    if root_path is None:
        return None
    url_path = f"{root_path}{path}"
    # By the slug's index (Wagtail indexes no url_path); the home page's slug is its path's last.
    slug = url_path.rstrip("/").rsplit("/", 1)[-1]
    page = Page.objects.live().filter(slug=slug, url_path=url_path).specific().first()
    if page is None or not getattr(page, "kept_by_address", False):
        return None
    # A restriction on the page or above it (the home page's covers its sections); not from a
    # replica, which may lag behind one just set (as the article's).
    page.kept_unrestricted = (
        not reads_from_a_replica() and not page.get_view_restrictions().exists()
    )
    return page


def serve_page(request: HttpRequest, section: str | None = None):
    """The edition's home page (no ``section``) or a section's page, kept by its address;
    anything else at such an address takes Wagtail's walk, unchanged."""
    path = f"{section}/" if section else ""
    return _serve_kept(
        request, path, _page_part_name(request, path), lambda site: _find_page(request, site, path)
    )

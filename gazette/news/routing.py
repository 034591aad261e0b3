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
them when a site changes (gazette.core.shared_parts).
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail import views as wagtail_views
from wagtail.models import Site

from gazette.core import compat, shared_parts

from .models import ArticlePage


def site_for_request(request: HttpRequest) -> Site | None:
    """Site.find_for_request, from the cache: the site with its root page."""
    site = compat.remembered_site(request)
    if site is None:
        key = f"site-for:{request.get_host()}:{request.get_port()}"
        site = shared_parts.shared(request, key, lambda: _find_site(request))
        compat.remember_site(request, site)
    return site


def _find_site(request: HttpRequest) -> Site | None:
    site = Site.find_for_request(request)
    if site is not None:
        site.root_page  # noqa: B018 - read now, cached with the site
    return site


def serve_article(request: HttpRequest, section: str, slug: str):
    path = f"{section}/{slug}/"
    site = site_for_request(request)
    if site is not None and not compat.route_is_known(request):
        url_path = f"{site.root_page.url_path}{path}"
        # By the slug's index (Wagtail indexes no url_path): a handful of rows at most.
        found = ArticlePage.objects.live().for_article_page().filter(slug=slug, url_path=url_path)
        article = found.first()
        if article is not None and article.section_id is not None:
            compat.set_cached_parent(article, article.section)
            article.loaded_for_article_page = True
            compat.remember_route(request, article)
    return wagtail_views.serve(request, path)

"""Absolute URLs for pages and paths, from Wagtail's Site records.

Feeds, sitemaps, structured data and the API name pages by their canonical address: the
root URL an editor set on the Wagtail Site, never the Host header of whoever asked (a shared
cache must not store a page that names the wrong host).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from gazette.core import editions


class SiteLinks:
    """Turns page url_paths and site-relative paths into absolute URLs, without a query per
    page: the site root paths come from Wagtail's cache."""

    def __init__(self, site: Site | None):
        self.site = site
        self.root_paths = Site.get_site_root_paths()
        self.root_url = (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        self.serve_prefix = reverse("wagtail_serve", args=("",))
        # A second-language edition's pages are under its language's prefix (/ko/...).
        self.serve_prefixes = {}
        for root in self.root_paths:
            if root.language_code not in self.serve_prefixes:
                with translation.override(editions.url_language(root.language_code)):
                    self.serve_prefixes[root.language_code] = reverse("wagtail_serve", args=("",))

    @classmethod
    def for_request(cls, request) -> SiteLinks:
        return cls(Site.find_for_request(request))

    @classmethod
    def for_url_path(cls, url_path: str) -> SiteLinks:
        """The links of the site a page belongs to (for work done outside a request)."""
        for root in Site.get_site_root_paths():
            if url_path.startswith(root.root_path):
                return cls(Site.objects.filter(pk=root.site_id).first())
        return cls(Site.objects.filter(is_default_site=True).first())

    @property
    def hostname(self) -> str:
        return urlsplit(self.root_url).hostname or "localhost"

    def page_url(self, url_path: str) -> str | None:
        """The absolute URL of the page with this url_path, preferring this site."""
        candidates = [root for root in self.root_paths if url_path.startswith(root.root_path)]
        if not candidates:
            return None
        chosen = candidates[0]
        if self.site is not None:
            chosen = next((c for c in candidates if c.site_id == self.site.pk), chosen)
        # What reverse("wagtail_serve", args=(rest,)) gives, without resolving it per page:
        # sitemaps name up to GAZETTE_SITEMAP_PAGE_SIZE pages at a time.
        prefix = self.serve_prefixes.get(chosen.language_code, self.serve_prefix)
        return chosen.root_url.rstrip("/") + prefix + url_path[len(chosen.root_path) :]

    def absolute(self, path: str) -> str:
        """An absolute URL for a site-relative path; absolute URLs pass through."""
        if path.startswith("/") and not path.startswith("//"):
            return self.root_url + path
        return path

"""Purging the page cache (nginx's microcache, or a CDN): the backend and the sending.

Wagtail's frontend cache module (``wagtail.contrib.frontend_cache``) purges through the
backends in ``WAGTAILFRONTENDCACHE``; with none configured (development, tests) every purge
here is a no-op. Which pages show a changed article is news's to say
(``gazette.news.purge``); this module only knows URLs.

Purges are sent after the transaction commits (a purge before it would let the cache fetch
the old page again).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

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


# --- sending -------------------------------------------------------------------------------------


def purging_enabled() -> bool:
    """Whether any cache is there to purge (``WAGTAILFRONTENDCACHE``); if not, skip the work
    of finding the URLs."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_urls(urls: Iterable[str]) -> None:
    """Purge these URLs once the current transaction commits."""
    urls = list(dict.fromkeys(urls))
    if urls:
        transaction.on_commit(lambda: purge_urls_from_cache(urls))

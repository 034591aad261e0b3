"""Purging the page cache (nginx's microcache, or a CDN): the backend and the sending.

Wagtail's frontend cache module (``wagtail.contrib.frontend_cache``) purges through the
backends in ``WAGTAILFRONTENDCACHE``; with none configured (development, tests) every purge
here is a no-op. Which pages show a changed article is news's to say
(``gazette.news.purge``); this module only knows URLs.

Purges are sent after the transaction commits (a purge before it would let the cache fetch
the old page again): through the task queue (``purge_urls``), or from the request's own thread
when the next load must not show the old page (``purge_urls_right_after_commit``: a comment).
Each app thread keeps its connection to each cache open between purges (HTTP/1.1 keep-alive):
a connect and a close per purge cost the app and nginx more than the purge itself.
"""

from __future__ import annotations

import http.client
import logging
import os
import threading
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

logger = logging.getLogger("gazette.purge")

PURGE_TIMEOUT = 5  # seconds; a hung cache must not hold a worker for ever


class NginxPurgeBackend(HTTPBackend):
    """Wagtail's HTTP backend for nginx's cache-purge module (deploy/nginx.conf).

    Differs from Wagtail's in four ways: the LOCATION may carry a path prefix, the purge
    location (``http://nginx/_purge`` purges ``/world/story/`` at ``/_purge/world/story/``);
    a timeout (Wagtail's has none: a hung cache would hold the worker for ever); a page
    that was not cached (the module answers 404) is nothing to purge, not an error; and the
    connection is kept open for the thread's next purge (``_KeptConnections``).
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
        target = self.path_prefix + quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            target += "?" + parts.query
        headers = {"Host": host, "User-Agent": "Gazette-purge"}
        try:
            status, reason = _KEPT.send(
                self.cache_scheme, self.cache_netloc, self.timeout, target, headers
            )
        except (OSError, http.client.HTTPException) as exc:
            logger.error("Couldn't purge %s: %s", url, str(exc) or type(exc).__name__)
            return
        if status == 404:
            logger.debug("Not cached, nothing to purge: %s", url)
        elif status >= 300:
            logger.error("Couldn't purge %s: HTTP %s %s", url, status, reason)


class _KeptConnections(threading.local):
    """Each thread's open connection to each cache, reused purge after purge.

    A connection the cache closed while it sat idle (nginx's keepalive_timeout, its
    keepalive_requests) fails on the next purge as it is sent or read: that purge is sent
    once more on a new connection (PURGE is idempotent). A cache that cannot be reached or
    answers nothing in time fails the purge; the connection is dropped, the next purge opens
    another. Kept per process too: a forked worker never shares its parent's socket.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.open: dict[tuple[str, str, float], http.client.HTTPConnection] = {}

    def send(
        self, scheme: str, netloc: str, timeout: float, target: str, headers: dict
    ) -> tuple[int, str]:
        if self.pid != os.getpid():
            self.__init__()
        key = (scheme, netloc, timeout)
        connection = self.open.get(key)
        if connection is not None:
            try:
                return self._exchange(key, connection, target, headers)
            except (ConnectionError, http.client.BadStatusLine, http.client.CannotSendRequest):
                pass  # closed by the cache since the last purge: once more, on a new one
        kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = self.open[key] = kind(netloc, timeout=timeout)
        return self._exchange(key, connection, target, headers)

    def _exchange(self, key, connection, target: str, headers: dict) -> tuple[int, str]:
        try:
            connection.request("PURGE", target, headers=headers)
            response = connection.getresponse()
            response.read()  # the whole answer, so the connection can carry the next one
        except BaseException:
            connection.close()
            self.open.pop(key, None)
            raise
        if response.will_close:
            connection.close()
            self.open.pop(key, None)
        return response.status, response.reason


_KEPT = _KeptConnections()


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


def purge_urls_right_after_commit(urls: Iterable[str]) -> None:
    """Purge these URLs as soon as the current transaction commits (at once outside one),
    from this thread, through the same code the task would run: for a change the very next
    load must show (a reader's comment). A queued task would leave the old page in the cache
    until a worker took it, and cost a row, a poll and a claim per purge. A cache that cannot
    be reached is logged; the caller's request still succeeds."""
    urls = list(dict.fromkeys(urls))
    if urls:
        transaction.on_commit(lambda: purge_urls_from_cache_task.call(urls), robust=True)

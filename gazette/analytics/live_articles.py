"""Which article ids the view beacon may count, without a query per beacon.

Each app process keeps the ids of the live articles in memory, tagged with the *live version*
it loaded them at. The version is a token the counter keeps (in Redis, read by the beacon's
one round trip; or in the Django cache without Redis) and that ``changed()`` replaces after
every publish, unpublish, move or deletion (signals.py): a process that meets a new version
reloads the ids (one query) before it counts. So a story taken down stops counting at once in
every process reading Redis, and in the embedded default (one process, the local-memory
cache); with a cache that costs a query to read (the database cache), within a second
(``LocalViewCounter.SHARED_CACHE_RECHECK``).

An id missing from the set is checked against the database (the query every beacon made
before): a story published by a path that sent no signal (a bulk import) still counts, and a
wrong id answers 404 as before. As a backstop for changes no signal reports (raw SQL), the set
is reloaded at least every ``MAX_AGE`` seconds. While the version changes faster than
``MIN_RELOAD_INTERVAL`` (an import publishing story after story), the database answers instead
of a reload per change.
"""

from __future__ import annotations

import threading
import time

LARGEST_ID = 2**63 - 1


class LiveArticleIds:
    MAX_AGE = 30.0  # seconds
    MIN_RELOAD_INTERVAL = 1.0  # seconds

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[int] = set()
        self._version: str | None = None
        self._loads = 0  # which load the set is from: a late database answer must not land
        self._expires = 0.0
        self._loaded_at = float("-inf")

    def is_live(self, article_id: int, version: str | None) -> bool:
        """Whether a live article has this id, as of ``version`` (None: no version can be
        had, e.g. Redis is down; then the database is asked)."""
        if not 0 < article_id <= LARGEST_ID:
            return False
        if version is None:
            return live_in_database(article_id)
        with self._lock:
            now = time.monotonic()
            out_of_date = version != self._version or now > self._expires
            changing_fast = out_of_date and now - self._loaded_at < self.MIN_RELOAD_INTERVAL
            if out_of_date and not changing_fast:
                self._load(version)
            if not changing_fast and article_id in self._ids:
                return True
            loads = self._loads
        if changing_fast:
            return live_in_database(article_id)
        if not live_in_database(article_id):
            return False
        with self._lock:
            if self._loads == loads:  # not reloaded meanwhile: the answer is still news
                self._ids.add(article_id)
        return True

    def _load(self, version: str) -> None:
        # The version was read before this query: a change committed after it brings a newer
        # version, and so another load.
        self._ids = set(live_article_ids())
        self._version = version
        self._loads += 1
        self._loaded_at = time.monotonic()
        self._expires = self._loaded_at + self.MAX_AGE

    def forget(self) -> None:
        with self._lock:
            self._version = None
            self._ids = set()


def live_article_ids() -> list[int]:
    from gazette.news.models import ArticlePage

    return list(ArticlePage.objects.live().values_list("pk", flat=True))


def live_in_database(article_id: int) -> bool:
    from gazette.news.models import ArticlePage

    return ArticlePage.objects.live().filter(pk=article_id).exists()


live_articles = LiveArticleIds()


def changed() -> None:
    """A story was published, unpublished, moved or deleted: every process reloads the set
    before its next count. Called after the commit."""
    from .counters import counter

    live_articles.forget()
    counter.bump_live_version()

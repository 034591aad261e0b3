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

Through a database outage the last good set serves: the ids it holds are counted (the views
wait in the counter's buffer until the flush worker can write them), a failed reload is tried
again only every ``RETRY_AFTER_FAILURE`` seconds, and the lock is never held across a query,
so no beacon queues behind another's database timeout. The outage is logged once.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError

logger = logging.getLogger(__name__)

LARGEST_ID = 2**63 - 1


class LiveArticleIds:
    MAX_AGE = 30.0  # seconds
    MIN_RELOAD_INTERVAL = 1.0  # seconds
    # After a reload the database could not answer, how long the last good set serves before
    # the next try: beacons are not each made to wait out the database's timeout.
    RETRY_AFTER_FAILURE = 5.0  # seconds

    def __init__(self) -> None:
        # Guards the fields below; never held across a database call, so a database that
        # does not answer makes one beacon wait (the one reloading), not every beacon.
        self._lock = threading.Lock()
        self._ids: set[int] = set()
        self._version: str | None = None
        self._loads = 0  # which load the set is from: a late database answer must not land
        self._expires = 0.0
        self._loaded_at = float("-inf")
        self._loading = False  # a thread is reloading: the others do not queue behind it
        self._retry_at = float("-inf")  # no reload before this, after a failed one

    def is_live(self, article_id: int, version: str | None) -> bool:
        """Whether a live article has this id, as of ``version`` (None: no version can be
        had, e.g. Redis is down; then the database is asked).

        While the database cannot answer, the last good set answers for the ids it holds (a
        story taken down during the outage is counted until the database is back); an id it
        lacks raises the database's error, as before."""
        if not 0 < article_id <= LARGEST_ID:
            return False
        if version is None:
            return self._ask_database(article_id)
        now = time.monotonic()
        with self._lock:
            out_of_date = version != self._version or now > self._expires
            changing_fast = out_of_date and now - self._loaded_at < self.MIN_RELOAD_INTERVAL
            database_failing = now < self._retry_at
            reload = out_of_date and not (changing_fast or self._loading or database_failing)
            if reload:
                self._loading = True
            in_set = article_id in self._ids
            loads = self._loads
        if reload:
            try:
                self._load(version)
            except DatabaseError:
                self._reload_failed()
                if in_set:
                    return True
                raise
            finally:
                with self._lock:
                    self._loading = False
            with self._lock:
                in_set, loads = article_id in self._ids, self._loads
            out_of_date = False
        if in_set and (not out_of_date or database_failing):
            return True
        if out_of_date:
            # Changing fast, or another thread is reloading: the database answers for this
            # id (the last good set if it cannot); nothing is added to a set out of date.
            return self._ask_database(article_id, fallback=in_set)
        return self._ask_database(article_id, remember_if_loads=loads)

    def _reload_failed(self) -> None:
        with self._lock:
            first = self._retry_at == float("-inf")
            self._retry_at = time.monotonic() + self.RETRY_AFTER_FAILURE
        if first:  # once per outage; _load says when it is over
            logger.warning(
                "Live articles not reloaded: the database does not answer; the last set serves"
            )

    def _ask_database(
        self, article_id: int, *, remember_if_loads: int | None = None, fallback: bool = False
    ) -> bool:
        """The database's answer for one id; ``fallback`` (the last good set's) when the
        database cannot answer and the set knew the id, else the database's error."""
        try:
            live = live_in_database(article_id)
        except DatabaseError:
            if fallback or self._known(article_id):
                return True
            raise
        if live and remember_if_loads is not None:
            with self._lock:
                if self._loads == remember_if_loads:  # not reloaded meanwhile: still news
                    self._ids.add(article_id)
        return live

    def _known(self, article_id: int) -> bool:
        with self._lock:
            return article_id in self._ids

    def _load(self, version: str) -> None:
        """Query the ids outside the lock, swap them in under it. The version was read before
        this query: a change committed after it brings a newer version, and so another load."""
        ids = set(live_article_ids())
        with self._lock:
            self._ids = ids
            self._version = version
            self._loads += 1
            self._loaded_at = time.monotonic()
            self._expires = self._loaded_at + self.MAX_AGE
            recovered = self._retry_at != float("-inf")
            self._retry_at = float("-inf")
        if recovered:
            logger.warning("Live articles reloaded: the database answers again")

    def forget(self) -> None:
        with self._lock:
            self._version = None
            self._ids = set()
            self._loads += 1  # a database answer asked before this must not land in the set


def live_article_ids() -> list[int]:
    from gazette.news.models import ArticlePage

    return list(ArticlePage.objects.live().values_list("pk", flat=True))


def live_in_database(article_id: int) -> bool:
    from gazette.news.models import ArticlePage

    return ArticlePage.objects.live().filter(pk=article_id).exists()


def live_in_database_of(article_ids: set[int]) -> set[int]:
    """Which of these ids are live articles' (one query, none for no id)."""
    from gazette.news.models import ArticlePage

    ids = {article_id for article_id in article_ids if 0 < article_id <= LARGEST_ID}
    if not ids:
        return set()
    return set(ArticlePage.objects.live().filter(pk__in=ids).values_list("pk", flat=True))


live_articles = LiveArticleIds()


def changed() -> None:
    """A story was published, unpublished, moved or deleted: every process reloads the set
    before its next count. Called after the commit."""
    from .counters import counter

    live_articles.forget()
    counter.bump_live_version()

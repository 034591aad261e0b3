"""Who is asking: is this request a reader's browser showing an article, and which reader?

Pure functions of the request headers (a WSGI ``META`` mapping) and the time; nothing here
touches the database or the cache.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import SimpleNamespace

from crawlerdetect.crawlerdetect import get_compiled_crawler_regex, get_compiled_exclusions_regex
from django.utils.crypto import salted_hmac

from gazette.core.client import client_ip

# crawlerdetect's two patterns, used as its CrawlerDetect.is_crawler uses them: the
# exclusions (browser and platform names, version numbers...) are removed first, and the
# crawler pattern is searched in what is left. Its own cache is keyed by the whole user agent,
# so every new browser version paid the search (about 0.2 ms: 1,400 alternatives tried at
# each position); what is left after the exclusions is the same few strings for most
# browsers, so the search is cached on that (tests/analytics/test_readers.py holds the
# verdicts to the library's).
_EXCLUSIONS = get_compiled_exclusions_regex()
_CRAWLER = get_compiled_crawler_regex()
# Browsers' user agents stay well under this (in-app browsers' longest are about 300
# characters). The detector's time grows with the square of the length (about 0.1 s at 512,
# 15 s at 6 KB): a longer one is no reader's, and never reaches it.
MAX_USER_AGENT = 512

# What a browser sends when it fetches a page the reader has not (yet) asked to see.
_PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
_PREFETCH_WORDS = ("prefetch", "prerender", "preview")
# A beacon is fetched by script ("empty") and the no-script pixel as an image; anything else
# (a reader or crawler opening the URL as a document, a frame...) is not a view.
_BEACON_DESTINATIONS = {"empty", "image"}


class Verdict(enum.Enum):
    READER = "reader"
    BOT = "bot"
    PREFETCH = "prefetch"
    NOT_A_BEACON = "not-a-beacon"
    CROSS_SITE = "cross-site"
    REPEAT = "repeat"  # the same reader, same article, within 30 minutes (see services)

    @property
    def countable(self) -> bool:
        return self is Verdict.READER


def classify(meta: Mapping[str, str]) -> Verdict:
    """Whether a beacon request comes from a reader's browser showing the page."""
    user_agent = meta.get("HTTP_USER_AGENT", "").strip()
    if not user_agent or len(user_agent) > MAX_USER_AGENT or is_crawler(user_agent):
        return Verdict.BOT
    for header in _PREFETCH_HEADERS:
        value = meta.get(header, "").lower()
        if any(word in value for word in _PREFETCH_WORDS):
            return Verdict.PREFETCH
    destination = meta.get("HTTP_SEC_FETCH_DEST", "").lower()
    if destination and destination not in _BEACON_DESTINATIONS:
        return Verdict.NOT_A_BEACON
    # Another site embedding our pixel or script must not inflate our counts.
    if meta.get("HTTP_SEC_FETCH_SITE", "").lower() == "cross-site":
        return Verdict.CROSS_SITE
    return Verdict.READER


def is_crawler(user_agent: str) -> bool:
    """crawlerdetect's verdict on a stripped, non-empty user agent."""
    return _crawler_in(_EXCLUSIONS.sub("", user_agent))


@lru_cache(maxsize=4096)
def _crawler_in(remainder: str) -> bool:
    return bool(remainder) and _CRAWLER.search(remainder) is not None


def reader_key(meta: Mapping[str, str], *, article_id: int, day: date) -> str:
    """A name for "this reader, this article, today" that cannot be turned back into an address.

    HMAC of address and user agent under a salt derived from SECRET_KEY and the UTC date: the
    salt changes every day, so yesterday's keys cannot be linked to today's, and nothing raw
    is stored anywhere.
    """
    address = client_ip(SimpleNamespace(META=meta))  # X-Real-IP only from our own proxies
    value = f"{address}\n{meta.get('HTTP_USER_AGENT', '')}\n{article_id}"
    digest = salted_hmac(f"gazette.analytics.reader:{day.isoformat()}", value, algorithm="sha256")
    return digest.hexdigest()[:40]

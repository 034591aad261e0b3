"""The article page's list of comments, rendered once per change instead of once per render.

A page of threads costs two queries and, above all, the template of every comment (10
comments: about a quarter of an uncached article render). The list is the same for every
reader of a URL, so its HTML is cached per article and comments page, under a version of the
article's comments that every saved or deleted comment of it replaces (``bump``, on commit),
and under the shared parts' generation (the comment settings and the newsroom's time zone
change with it; a version dropped while the cache was away is made up for by a new one once
it is back, ``generational.cache_away``). The empty form and the block around the list are
kept with it, but for the form's per-render time stamp and the notice the address asks for
(``presentation.comments_block``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from gazette.core.generational import cache_away, get_many_read
from gazette.core.shared_parts import SHARED_PARTS

FRAGMENT_SECONDS = 600  # a bound on anything that changes a list without saving a comment


def _version_key(article_id: int) -> str:
    return f"comments:list-version:{article_id}"


def _fragment_key(article_id: int, page: str) -> str:
    # The list is HTML in the page's language ("Reply", "Report"). Its variant (open or
    # closed...) is checked with its version: it changes only with the site's settings.
    # "block": the whole block around the list is kept with it (an older release's "list"
    # entries held less).
    return f"comments:block:{article_id}:{get_language() or ''}:{page}"


def keys_to_preload(article_id: int, page: str) -> list[str]:
    """What ``cached_list`` reads, for the page's one cache round trip
    (``generational.preload_together``)."""
    return [_version_key(article_id), _fragment_key(article_id, page)]


def bump(article_id: int) -> None:
    """The article's comments changed: its cached lists are not used again (now and once the
    transaction commits, as the shared parts)."""

    def new_version() -> None:
        cache.set(_version_key(article_id), time.time_ns(), None)

    new_version()
    if transaction.get_connection().in_atomic_block:  # else committed already: once is enough
        transaction.on_commit(new_version)


def cached_list(request, article_id: int, page: str, variant: str, build: Callable[[], dict]):
    """The rendered list (a dict of what the template shows) of this article and page: from
    the cache when neither its comments nor the shared parts changed, else ``build()``."""
    generation = SHARED_PARTS.generation(request)
    version_key, fragment_key = keys_to_preload(article_id, page)
    found = get_many_read(request, [version_key, fragment_key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, time.time_ns(), None)
        version = cache.get(version_key)
    if version is None or generation is None:  # the cache is away: no stamp to keep it by
        cache_away.notice()
        return build()
    entry = found.get(fragment_key)
    stamp = (version, generation, variant)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    value = build()
    cache.set(fragment_key, (stamp, value), FRAGMENT_SECONDS)
    return value


def comment_saved_or_deleted(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw") and instance.article_id:
        bump(instance.article_id)

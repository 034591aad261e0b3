"""Named places on the article page where features add their parts, so that news's templates
name no feature: a feature registers a template for a slot in its ``AppConfig.ready()``::

    register("rail", "related/includes/you_may_also_like.html", order=10)

and the article template renders each slot's templates with the page's context, by
``order`` (registration order does not matter)::

    {% load news_slots %}{% slot "rail" %}

The slots of the article page:

- ``article-head``: inside <head> (canonical link, OpenGraph, JSON-LD). Kept as HTML per
  live revision with the article (``news.own_part.ARTICLE_FRAGMENTS``): what goes there may
  change only with the article, its site or anything that retires the shared parts.
- ``byline``: at the end of the byline (the view count).
- ``before-body``: under the article's header, before the lead image and the story (notes
  readers must see first: corrections).
- ``after-body``: right after the story, before the author boxes (later updates, topics,
  the newsletters' sign-up form).

  Both are kept as HTML per live revision with the article, as ``article-head`` is: what goes
  there may change only with the article (its notes and tags are saved with it or retire the
  shared parts), its site, or anything that retires the shared parts (a newsletter offered,
  a correction setting). Anything that changes otherwise goes in ``byline``,
  ``after-article`` or ``rail``, rendered on every page.
- ``after-article``: after the story and its author boxes (comments).
- ``rail``: the rail between Latest Stories and Must-Reads (You May Also Like, Popular Now).
- ``article-scripts``: at the end of <body>; one static, deferred script per feature, never
  an inline one (the CSP forbids them). Kept as HTML per site, the same on every article
  (``news.own_part.ARTICLE_SITE_FRAGMENTS``).

A slot's templates are rendered into the shared page cache: nothing about the reader.
"""

from __future__ import annotations

from collections.abc import Callable

SLOTS = (
    "article-head",
    "byline",
    "before-body",
    "after-body",
    "after-article",
    "rail",
    "article-scripts",
)

_registered: dict[str, list[tuple[int, int, str]]] = {name: [] for name in SLOTS}


def register(slot: str, template_name: str, *, order: int = 100) -> None:
    if slot not in _registered:
        raise ValueError(f"No slot called {slot!r} on the article page: one of {SLOTS}")
    entries = _registered[slot]
    entries.append((order, len(entries), template_name))


def templates_of(slot: str) -> list[str]:
    return [name for _, _, name in sorted(_registered[slot])]


# What features' slots read from the cache, so the article page reads it all in its one round
# trip with the shared parts (``generational.preload_together``) rather than once per feature.
_reads: list[Callable] = []


def register_reads(function: Callable) -> None:
    """``function(request, article)`` returns what the feature's slots will read of the
    cache for this article: ``(generational_cache, names)`` pairs, ``(None, keys)`` for
    plain cache keys read with ``generational.get_many_read``, and ``generational.RedisRead``
    commands to a Redis that holds no cache entry (sent with them when the cache is that
    Redis, else not at all: the slot then reads on its own). A guess that is wrong costs
    nothing but the read it would have saved."""
    if function not in _reads:
        _reads.append(function)


def reads_of(request, article) -> list[tuple]:
    return [read for function in _reads for read in function(request, article)]

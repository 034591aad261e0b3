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
- ``after-body``: right after the story, before the author boxes (later updates, topics).
- ``after-article``: after the story and its author boxes (comments).
- ``rail``: the rail between Latest Stories and Must-Reads (You May Also Like, Popular Now).
- ``article-scripts``: at the end of <body>; one static, deferred script per feature, never
  an inline one (the CSP forbids them). Kept as HTML per site, the same on every article
  (``news.own_part.ARTICLE_SITE_FRAGMENTS``).

A slot's templates are rendered into the shared page cache: nothing about the reader.
"""

from __future__ import annotations

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

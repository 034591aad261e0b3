"""Reading "You May Also Like" for the article page: the stored lists, cached.

The list is the editors' picks in their order, then the stored similar articles by rank,
then the newest of the article's section, five in all and each once. Only readable articles
count: live, public, with a body, not the article itself.

Resolving it takes a fixed two queries whatever the article and however many picks it has:
the list itself (indexed look-ups of a few dozen rows) and the renditions of its teasers
(none when no teaser has a picture). The resolved list is cached per article, as Popular Now
is (the same for every reader: nothing about the reader goes in), so a warm cache makes no
query. An entry is forgotten when the article's stored list is rewritten or its picks
change (``forget_lists``), and every entry at once when an article stops being readable
(``forget_all_lists``: it may show in any list, as a pick or as the newest of its section).
Anything else (a new article of the section, a changed headline) shows within
``RELATED_CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, Substr
from wagtail.models import PageViewRestriction

from gazette.news.models import ArticlePage

from .models import EditorsPick, SimilarArticle

if TYPE_CHECKING:
    from gazette.news.queries import ArticlePageQuerySet

DISPLAY_COUNT = 5
# The longest a cached list can lag behind a change that forgets no entry.
RELATED_CACHE_SECONDS = 600
_KEY = "related:you-may-also-like:v1:{}"
# Entries hold the generation they were computed in: a new generation forgets them all.
_GENERATION_KEY = "related:you-may-also-like:generation"


def readable_articles() -> ArticlePageQuerySet:
    """Articles a reader can be sent to: the corpus of the similarity and of the list."""
    return ArticlePage.objects.live().public().with_body()


def related_reading(article: ArticlePage, *, count: int = DISPLAY_COUNT) -> ArticlePageQuerySet:
    """The queryset of the list, best first: one query."""
    picks = EditorsPick.objects.filter(article_id=article.pk)
    similar = SimilarArticle.objects.filter(article_id=article.pk)
    # As public(), but inside the query: Wagtail's public() reads every view restriction
    # first, one query more for a check that costs little on the few rows here.
    restricted = PageViewRestriction.objects.annotate(
        prefix=Substr(OuterRef("path"), 1, Length("page__path"))
    ).filter(prefix=F("page__path"))
    readable = ArticlePage.objects.live().with_body().exclude(Exists(restricted)).excluding(article)
    candidates = Q(pk__in=picks.values("pick_id")) | Q(pk__in=similar.values("similar_id"))
    if article.section_id:
        newest = readable.filter(section_id=article.section_id).newest_first()
        candidates |= Q(pk__in=newest.values("pk")[:count])
    pick_order = picks.filter(pick_id=OuterRef("pk")).annotate(order=Coalesce("sort_order", 0))
    rank = similar.filter(similar_id=OuterRef("pk")).order_by("rank")
    return (
        readable.filter(candidates)
        .annotate(
            pick_order=Subquery(pick_order.values("order")[:1]),
            similar_rank=Subquery(rank.values("rank")[:1]),
        )
        .order_by(
            F("pick_order").asc(nulls_last=True),
            F("similar_rank").asc(nulls_last=True),
            F("first_published_at").desc(nulls_last=True),
            "-pk",
        )
        .for_listing()[:count]
    )


def you_may_also_like(article: ArticlePage) -> list[ArticlePage]:
    """The list as the page shows it: no query on a warm cache."""
    if article.pk is None:  # the preview of an article never saved has nothing stored
        return []
    key = _KEY.format(article.pk)
    found = cache.get_many([key, _GENERATION_KEY])
    generation = found.get(_GENERATION_KEY)
    entry = found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    if generation is None:
        cache.add(_GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(_GENERATION_KEY)
    articles = list(related_reading(article))
    cache.set(key, (generation, articles), _cache_seconds())
    return articles


def forget_lists(article_ids: Iterable[int]) -> None:
    """Forget the cached lists of these articles (their stored list or picks changed)."""
    cache.delete_many([_KEY.format(pk) for pk in article_ids])


def forget_all_lists() -> None:
    """Forget every cached list: an article is no longer readable and may be in any."""
    cache.set(_GENERATION_KEY, time.time_ns(), None)


def _cache_seconds() -> int:
    return getattr(settings, "GAZETTE_RELATED_CACHE_SECONDS", RELATED_CACHE_SECONDS)

"""Reading "You May Also Like" for the article page: the stored lists, in one query.

The list is the editors' picks in their order, then the stored similar articles by rank,
then the newest of the article's section, five in all and each once. Only readable articles
count: live, public, with a body, not the article itself.

The page reads it with a fixed two queries whatever the article and however many picks it
has: the list itself (indexed look-ups of a few dozen rows) and the renditions of its
teasers (none when no teaser has a picture). The list is not cached apart from the page: the article
page is served from the shared page cache, and a list cached on first read would make an
article's query count depend on whether it was read before (the article page's query-count
test compares a read article with an unread one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, Substr
from wagtail.models import PageViewRestriction

from gazette.news.models import ArticlePage

from .models import EditorsPick, SimilarArticle

if TYPE_CHECKING:
    from gazette.news.queries import ArticlePageQuerySet

DISPLAY_COUNT = 5


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
    """The list as the page shows it."""
    if article.pk is None:  # the preview of an article never saved has nothing stored
        return []
    return list(related_reading(article))

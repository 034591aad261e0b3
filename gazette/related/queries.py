"""Reading "You May Also Like" for the article page: the stored lists, cached.

The list is the editors' picks in their order, then the stored similar articles by rank,
then the newest of the article's section, five in all and each once. Only live, public
articles count, never the article itself; the computed ones need a body too, while an
editor's pick shows even when only its headline is known (an editor chose it). The articles
the editors exclude never come from the computation: the next one takes their place.

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

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from gazette.core.generational import GenerationalCache
from gazette.news.models import ArticlePage
from gazette.news.queries import view_restricted

from .models import EditorsExclusion, EditorsPick, SimilarArticle

if TYPE_CHECKING:
    from gazette.news.queries import ArticlePageQuerySet

DISPLAY_COUNT = 5
# The longest a cached list can lag behind a change that forgets no entry.
RELATED_CACHE_SECONDS = 600


def _cache_seconds() -> int:
    return getattr(settings, "GAZETTE_RELATED_CACHE_SECONDS", RELATED_CACHE_SECONDS)


# One entry per article; a new generation forgets them all.
LISTS = GenerationalCache("related:you-may-also-like", timeout=_cache_seconds)


def readable_articles() -> ArticlePageQuerySet:
    """Articles a reader can be sent to: the corpus of the similarity and of the list."""
    return ArticlePage.objects.readable()


def related_reading(article: ArticlePage, *, count: int = DISPLAY_COUNT) -> ArticlePageQuerySet:
    """The queryset of the list, best first: one query."""
    picks = EditorsPick.objects.filter(article_id=article.pk)
    similar = SimilarArticle.objects.filter(article_id=article.pk)
    excluded = EditorsExclusion.objects.filter(article_id=article.pk).values("excluded_id")
    # An editor's pick shows even when only its headline is known: an editor chose it. The
    # computed ones (similar, then the newest of the section) must have a body and must not
    # be excluded; the section's newest are counted after the exclusions, so none is short.
    computed = Q(pk__in=similar.values("similar_id"))
    if article.section_id:
        newest = (
            readable_articles()
            .filter(section_id=article.section_id)
            .excluding(article)
            .exclude(pk__in=excluded)
        )
        computed |= Q(pk__in=newest.newest_first().values("pk")[:count])
    computed &= Q(is_headline_only=False) & ~Q(pk__in=excluded)
    candidates = Q(pk__in=picks.values("pick_id")) | computed
    # The article's own edition only: a Korean story's list is of Korean stories (its stored
    # neighbours and picks may be of any edition; the section's newest fill their places).
    shown = ArticlePage.objects.live().public().in_edition(article.locale_id).excluding(article)
    pick_order = picks.filter(pick_id=OuterRef("pk")).annotate(order=Coalesce("sort_order", 0))
    rank = similar.filter(similar_id=OuterRef("pk")).order_by("rank")
    return (
        shown.filter(candidates)
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
    return LISTS.get(str(article.pk), lambda: list(related_reading(article)))


def _html_name(article_id: int) -> str:
    return f"html:{article_id}"


def article_page_reads(request, article) -> list[tuple]:
    """What the article page's rail reads of the cache (``news.slots.register_reads``)."""
    return [(LISTS, [_html_name(article.pk)])] if article.pk is not None else []


def you_may_also_like_html(request, article: ArticlePage) -> SafeString:
    """The rail as HTML, kept with the list (forgotten with it): rendering its teasers on
    every uncached article render cost more than reading the list."""
    from gazette.news import rails

    def render() -> str:
        heading = gettext("You May Also Like")
        articles = you_may_also_like(article)
        return rails.ranked_list(
            request, heading=heading, slug="you-may-also-like", articles=articles
        )

    if article.pk is None:
        return mark_safe(render())  # noqa: S308 - our own template's output
    html = LISTS.get(_html_name(article.pk), render, request=request)
    return mark_safe(html)  # noqa: S308 - our own template's output


def picks_not_shown(article: ArticlePage) -> list[tuple[ArticlePage, str]]:
    """The article's saved picks that readers do not see, each with the reason in an
    editor's words: one query. A live, public pick always shows, headline-only or not."""
    if article.pk is None:
        return []
    picks = (
        ArticlePage.objects.filter(picked_for__article_id=article.pk)
        .annotate(restricted=view_restricted())
        .order_by("picked_for__sort_order")
        .only("pk", "title", "live", "expired", "go_live_at", "locale_id")
    )
    return [
        (pick, reason)
        for pick in picks
        if (reason := why_pick_not_shown(pick, edition_of=article.locale_id))
    ]


def why_pick_not_shown(pick: ArticlePage, *, edition_of: int | None = None) -> str:
    """Why readers do not see this pick ("" when they do); ``restricted`` may be annotated;
    ``edition_of``: the locale of the article it is picked for."""
    if edition_of is not None and pick.locale_id != edition_of:
        return "It is in another language edition, so it is not listed here."
    restricted = getattr(pick, "restricted", None)
    if restricted is None:
        restricted = ArticlePage.objects.filter(pk=pick.pk).not_public().exists()
    if restricted:
        return "Only some readers may open it (a privacy setting), so it is never listed."
    if pick.expired:
        return "It has expired, so it is not listed."
    if not pick.live:
        if pick.go_live_at:
            return "Scheduled, not live yet: it shows once it goes live."
        return "Not published: it shows once it is published."
    return ""


def forget_lists(article_ids: Iterable[int]) -> None:
    """Forget the cached lists of these articles (their stored list or picks changed)."""
    LISTS.forget(name for pk in article_ids for name in (str(pk), _html_name(pk)))


def forget_all_lists() -> None:
    """Forget every cached list: an article is no longer readable and may be in any."""
    LISTS.retire()

"""Computing and storing the similar articles.

Two entry points, both idempotent (running one again with nothing changed stores the same
lists) and both vectorising the corpus once per run:

- ``refresh_related(article_id=...)``: what publishing, changing or unpublishing one article
  needs. It rewrites that article's list and the lists it enters or leaves: those that hold
  it now, those whose weakest stored neighbour it now beats, those of the articles it lists
  and of their own neighbours. Run by the task; its cost is one vectorisation of the corpus
  plus the products of a few hundred rows at most. Lists further away can drift from what a
  full rebuild would give as the corpus grows: run ``rebuild_related`` now and then (nightly).
- ``rebuild_related()``: every list, a chunk of articles at a time (the management command).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from gazette.news.models import ArticlePageTag

from .models import SimilarArticle
from .queries import readable_articles
from .similarity import Corpus, Document, Neighbour

# Stored per article: more than the page shows, so that an unpublished neighbour leaves a
# spare rather than a gap until the next recompute.
STORED_COUNT = 10
WRITE_BATCH = 500
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class RefreshResult:
    rewritten: frozenset[int]  # articles whose list was computed and stored
    dropped: frozenset[int]  # articles no longer readable, whose list was removed


@dataclass(frozen=True)
class RebuildResult:
    articles: int
    links: int


def refresh_related(*, article_id: int) -> RefreshResult:
    """Bring the stored lists up to date after this article was published, changed,
    unpublished or moved."""
    holders = set(
        SimilarArticle.objects.filter(similar_id=article_id).values_list("article_id", flat=True)
    )
    readable = readable_articles().filter(pk=article_id).exists()
    if not readable and not holders:
        # Nothing to compare and nobody lists it: no need to vectorise the corpus.
        _store({}, drop={article_id})
        return RefreshResult(rewritten=frozenset(), dropped=frozenset({article_id}))

    corpus = build_corpus()
    row = corpus.row_of(article_id)
    affected = holders | {article_id}
    if row is not None:
        # The lists it enters: those whose weakest neighbour it now beats on direct likeness,
        # and, since likeness through shared neighbours runs both ways, those of the
        # articles it now lists itself.
        for _, scores in corpus.direct([row]):
            direct = {
                corpus.pks[column]: float(value)
                for column, value in zip(scores.indices, scores.data, strict=True)
            }
            affected |= _lists_entered(direct)
        for _, neighbours in corpus.neighbours([row], k=STORED_COUNT):
            listed = {neighbour.pk for neighbour in neighbours}
        # Its arrival also changes what the articles around it share as neighbours: the
        # lists of its own neighbours' neighbours (two hops, as stored) are redone as well.
        around = SimilarArticle.objects.filter(article_id__in=listed)
        affected |= listed | set(around.values_list("similar_id", flat=True))
    rows = sorted(r for r in (corpus.row_of(pk) for pk in affected) if r is not None)
    lists = dict(corpus.neighbours(rows, k=STORED_COUNT))
    dropped = affected - set(lists)
    _store(lists, drop=dropped)
    return RefreshResult(rewritten=frozenset(lists), dropped=frozenset(dropped))


def rebuild_related(*, on_progress: Callable[[int, int], None] | None = None) -> RebuildResult:
    """Recompute every stored list. ``on_progress(done, total)`` follows the articles."""
    corpus = build_corpus()
    total, done, links = len(corpus), 0, 0
    if on_progress:
        on_progress(0, total)
    batch: dict[int, list[Neighbour]] = {}
    for pk, neighbours in corpus.neighbours(range(total), k=STORED_COUNT):
        batch[pk] = neighbours
        if len(batch) >= WRITE_BATCH:
            links += _store(batch)
            done += len(batch)
            batch = {}
            if on_progress:
                on_progress(done, total)
    links += _store(batch)
    done += len(batch)
    if on_progress:
        on_progress(done, total)
    # Lists of articles that are no longer readable (unpublished, now headline-only).
    stale = SimilarArticle.objects.exclude(article__in=readable_articles().values("pk"))
    stale.delete()
    return RebuildResult(articles=total, links=links)


def build_corpus() -> Corpus:
    return Corpus(_documents())


def body_text(body) -> str:
    """The words of an article body, from its stored blocks (no block is loaded)."""
    raw = getattr(body, "raw_data", body) or []
    parts = []
    for block in raw:
        value = block.get("value")
        kind = block.get("type")
        if kind == "paragraph" and isinstance(value, str):
            parts.append(_TAG.sub(" ", value))
        elif kind == "quote" and isinstance(value, dict):
            parts.append(value.get("text") or "")
        elif kind == "image" and isinstance(value, dict):
            parts.append(value.get("caption") or "")
    return html.unescape(" ".join(parts))


def _documents() -> Iterator[Document]:
    articles = readable_articles()
    tags: dict[int, list[str]] = defaultdict(list)
    tagged = ArticlePageTag.objects.filter(content_object__in=articles.values("pk"))
    for article_id, name in tagged.values_list("content_object_id", "tag__name"):
        tags[article_id].append(name)
    rows = articles.order_by("pk").values_list(
        "pk", "title", "standfirst", "body", "section__title", "section__label"
    )
    for pk, title, standfirst, body, section_title, section_label in rows.iterator(chunk_size=2000):
        yield Document(
            pk=pk,
            headline=title,
            standfirst=standfirst or "",
            body=body_text(body),
            tags=tuple(tags.get(pk, ())),
            section=section_label or section_title or "",
        )


def _lists_entered(scores_by_pk: Mapping[int, float]) -> set[int]:
    """The articles whose stored list this score now belongs in: lists with room left, or
    whose weakest stored neighbour scores lower."""
    entered = set()
    pks = list(scores_by_pk)
    for start in range(0, len(pks), WRITE_BATCH):
        chunk = pks[start : start + WRITE_BATCH]
        stored = (
            SimilarArticle.objects.filter(article_id__in=chunk)
            .values("article_id")
            .annotate(count=Count("pk"), weakest=Min("score"))
        )
        full = {row["article_id"]: row["weakest"] for row in stored if row["count"] >= STORED_COUNT}
        entered |= {pk for pk in chunk if scores_by_pk[pk] > full.get(pk, 0.0)}
    return entered


def _store(lists: Mapping[int, list[Neighbour]], *, drop: Iterable[int] = ()) -> int:
    """Replace the stored lists of these articles in one transaction; returns the rows
    written. A list written at the same moment by another run is not an error: the rows
    agree with it and the next recompute settles any difference."""
    now = timezone.now()
    article_ids = [*lists, *drop]
    rows = [
        SimilarArticle(
            article_id=article_id,
            similar_id=neighbour.pk,
            rank=rank,
            score=neighbour.score,
            reason=neighbour.reason,
            computed_at=now,
        )
        for article_id, neighbours in lists.items()
        for rank, neighbour in enumerate(neighbours, start=1)
    ]
    with transaction.atomic():
        for start in range(0, len(article_ids), WRITE_BATCH):
            chunk = article_ids[start : start + WRITE_BATCH]
            SimilarArticle.objects.filter(article_id__in=chunk).delete()
        SimilarArticle.objects.bulk_create(rows, batch_size=WRITE_BATCH, ignore_conflicts=True)
    return len(rows)

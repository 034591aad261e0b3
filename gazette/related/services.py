"""Computing and storing the similar articles.

Two entry points, both idempotent (running one again with nothing changed stores the same
lists):

- ``refresh_related(article_id=...)``: what publishing, changing or unpublishing one article
  needs. It vectorises that article alone against the stored document frequencies
  (vectors.py), loads the stored vectors of the others, and rewrites that article's list and
  the lists it enters or leaves: those that hold it now, those whose weakest stored
  neighbour it now beats, those of the articles it lists and of their own neighbours. Run by
  the task; its cost is one read of the stored vectors plus the products of a few hundred
  rows at most, never a vectorisation of the corpus. Lists further away, and the weights of
  articles not re-vectorised, drift from what a full rebuild would give as the corpus grows:
  run ``rebuild_related`` now and then (nightly).
- ``rebuild_related()``: every vector and every list, a chunk of articles at a time (the
  management command).

Every list written or removed is forgotten by the cache of the page's list (queries.py) once
the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from .models import EditorsPick, SimilarArticle
from .queries import forget_lists, readable_articles
from .similarity import Neighbour
from .vectors import load_corpus, rebuild_vectors, sync_vectors

# Stored per article: more than the page shows, so that an unpublished neighbour leaves a
# spare rather than a gap until the next recompute.
STORED_COUNT = 10
WRITE_BATCH = 500


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
    sync_vectors(article_id=article_id, readable=readable)
    # The lists that show it as an editors' pick store nothing of it; their cached copies
    # may show its old headline.
    pickers = list(
        EditorsPick.objects.filter(pick_id=article_id).values_list("article_id", flat=True)
    )
    transaction.on_commit(lambda: forget_lists(pickers))
    if not readable and not holders:
        # Nothing to compare and nobody lists it: no need to read the other vectors.
        _store({}, drop={article_id})
        return RefreshResult(rewritten=frozenset(), dropped=frozenset({article_id}))

    corpus = load_corpus(along_with=article_id if readable else None)
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
    """Recompute every stored vector and list. ``on_progress(done, total)`` follows the
    articles."""
    corpus = rebuild_vectors()
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
    stale_ids = list(stale.values_list("article_id", flat=True).distinct())
    stale.delete()
    transaction.on_commit(lambda: forget_lists(stale_ids))
    return RebuildResult(articles=total, links=links)


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
        transaction.on_commit(lambda: forget_lists(article_ids))
    return len(rows)

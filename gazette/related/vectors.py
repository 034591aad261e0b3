"""The stored vectors: each readable article's terms and weights, and the vocabulary with
its document frequencies, kept so that publishing one article vectorises that one only.

- ``sync_vectors(article_id=...)``: what the recompute task does first. It (re)vectorises
  the article against the stored document frequencies, or removes it, adjusting the
  frequencies of the terms it gains and loses: work in proportion to the article's terms,
  not to the corpus.
- ``load_corpus()``: every stored vector of a readable article as one sparse matrix, for the
  products; one query of packed rows. Readable articles with no vector yet (made by an
  import or the synthetic generator, which publish no signal) are vectorised then.
- ``rebuild_vectors()``: everything from the articles' text, the frequencies exact again.

The other articles' weights are not recomputed when one article changes the frequencies:
with thousands of articles one more changes an idf by a hair, and ``rebuild_related``
(nightly) makes them exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from scipy import sparse

from gazette.news.models import ArticlePage, SectionPage

from .documents import documents_of
from .models import ArticleVector, Term
from .queries import readable_articles
from .similarity import (
    TAG,
    Corpus,
    Document,
    TermKey,
    count_terms,
    tag_names,
    term_counts,
    weigh,
)

WRITE_BATCH = 500
LOOKUP_BATCH = 500
# Any constant: the PostgreSQL advisory lock that makes frequency updates one at a time.
_VOCABULARY_LOCK = 0x6A1A7ED


def pack(ids: np.ndarray, values: np.ndarray) -> bytes:
    return np.asarray(ids, dtype="<i4").tobytes() + np.asarray(values, dtype="<f4").tobytes()


def unpack(blob) -> tuple[np.ndarray, np.ndarray]:
    numbers = np.frombuffer(blob, dtype="<i4")
    half = len(numbers) // 2
    return numbers[:half], numbers[half:].view("<f4")


def sync_vectors(*, article_id: int, readable: bool) -> None:
    """Bring the stored vectors in step with this article: vectorise it (readable) or count
    it out (not any more)."""
    with transaction.atomic():
        _lock_vocabulary()
        if readable:
            article = ArticlePage.objects.filter(pk=article_id)
            _revectorise(list(documents_of(article)), remove=set())
        else:
            _revectorise([], remove={article_id})


def load_corpus(*, along_with: int | None = None) -> Corpus:
    """The stored vectors of the readable articles.

    Readable articles without a vector (an import, the synthetic generator: they publish no
    signal) are vectorised first, and ``along_with`` again with them, so that it is weighed
    against the same frequencies as they are and a second run stores the same vector."""
    corpus, missing = _read_vectors()
    if missing:
        with transaction.atomic():
            _lock_vocabulary()
            wanted = set(missing) | ({along_with} if along_with is not None else set())
            readable = readable_articles().filter(pk__in=wanted)
            _revectorise(list(documents_of(readable)), remove=set())
        corpus, _ = _read_vectors()
    return corpus


def _read_vectors() -> tuple[Corpus, list[int]]:
    """The corpus of the stored vectors of readable articles, and the readable articles
    that have none. One query."""
    rows = (
        readable_articles()
        .order_by("pk")
        .values_list("pk", "section_id", "locale_id", "similarity_vector__vector")
    )
    pks, sections, editions, ids, values, lengths, missing = [], [], [], [], [], [], []
    for pk, section_id, locale_id, blob in rows.iterator(chunk_size=5000):
        if blob is None:
            missing.append(pk)
            continue
        columns, weights = unpack(blob)
        pks.append(pk)
        sections.append(section_id)
        editions.append(locale_id)
        ids.append(columns)
        values.append(weights)
        lengths.append(len(columns))
    indices = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    data = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
    indptr = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    width = int(indices.max()) + 1 if len(indices) else 0
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(pks), width))
    corpus = Corpus.of_vectors(
        pks=pks, matrix=matrix, sections=sections, labels=StoredLabels(), editions=editions
    )
    return corpus, missing


def rebuild_vectors() -> Corpus:
    """Vectorise every readable article from its text, store the vectors and the exact
    document frequencies, and return the corpus."""
    articles = readable_articles()
    place_of = {
        pk: (section_id, locale_id)
        for pk, section_id, locale_id in articles.values_list("pk", "section_id", "locale_id")
    }
    counted = count_terms(documents_of(articles))
    counts, frequency = counted.matrix, counted.document_frequency
    weighed = weigh(
        counts, is_tag=counted.is_tag, document_frequency=frequency, size=len(counted.pks)
    )
    sections = [place_of.get(pk, (None, None))[0] for pk in counted.pks]

    now = timezone.now()
    with transaction.atomic():
        _lock_vocabulary()
        ids = _term_ids(dict(zip(counted.keys, (name for _, name in counted.names), strict=True)))
        Term.objects.update(document_frequency=0)
        terms = [
            Term(pk=ids[key], document_frequency=int(frequency[column]))
            for column, key in enumerate(counted.keys)
        ]
        Term.objects.bulk_update(terms, ["document_frequency"], batch_size=WRITE_BATCH)
        Term.objects.filter(document_frequency=0).delete()
        # From the columns of this run to the ids of the stored vocabulary.
        id_of_column = np.array([ids[key] for key in counted.keys], dtype=np.int64)
        counts.indices = id_of_column[counts.indices]
        weighed.indices = id_of_column[weighed.indices]
        ArticleVector.objects.all().delete()
        for start in range(0, len(counted.pks), WRITE_BATCH):
            ArticleVector.objects.bulk_create(
                [
                    ArticleVector(
                        article_id=counted.pks[row],
                        terms=pack(*_row(counts, row)),
                        vector=pack(*_row(weighed, row)),
                        computed_at=now,
                    )
                    for row in range(start, min(start + WRITE_BATCH, len(counted.pks)))
                ]
            )
    width = int(id_of_column.max()) + 1 if len(id_of_column) else 0
    shape = (len(counted.pks), width)
    matrix = sparse.csr_matrix((weighed.data, weighed.indices, weighed.indptr), shape)
    labels = StoredLabels(
        terms={int(ids[key]): name for key, name in zip(counted.keys, counted.names, strict=True)},
        headlines=counted.headlines,
        sections=dict(zip(sections, counted.sections, strict=True)),
    )
    editions = [place_of.get(pk, (None, None))[1] for pk in counted.pks]
    return Corpus.of_vectors(
        pks=counted.pks, matrix=matrix, sections=sections, labels=labels, editions=editions
    )


def forget_vector(*, article_id: int) -> None:
    """Remove an article's vector and count its terms out (an article being deleted)."""
    with transaction.atomic():
        _lock_vocabulary()
        _revectorise([], remove={article_id})


class StoredLabels:
    """Names for reasons, read from the database in batches as the corpus asks for them."""

    def __init__(
        self,
        *,
        terms: dict[int, tuple[str, str]] | None = None,
        headlines: dict[int, str] | None = None,
        sections: dict[Hashable, str] | None = None,
    ):
        self._terms = terms if terms is not None else {}
        self._headlines = headlines if headlines is not None else {}
        self._sections = sections if sections is not None else {}

    def load(self, *, columns: Iterable[int], pks: Iterable[int], sections: Iterable) -> None:
        for chunk in _chunks([c for c in columns if c not in self._terms]):
            for pk, kind, name in Term.objects.filter(pk__in=chunk).values_list(
                "pk", "kind", "name"
            ):
                self._terms[pk] = (kind, name)
        for chunk in _chunks([pk for pk in pks if pk not in self._headlines]):
            self._headlines.update(
                ArticlePage.objects.filter(pk__in=chunk).values_list("pk", "title")
            )
        wanted = [s for s in sections if s not in self._sections]
        if wanted:
            for pk, title, label in SectionPage.objects.filter(pk__in=wanted).values_list(
                "pk", "title", "label"
            ):
                self._sections[pk] = label or title

    def term(self, column: int) -> tuple[str, str]:
        return self._terms.get(column, ("w", ""))

    def headline(self, pk: int) -> str:
        return self._headlines.get(pk, "")

    def section(self, section) -> str:
        return self._sections.get(section, "")


def _revectorise(documents: Sequence[Document], *, remove: set[int]) -> None:
    """Store the vectors of these documents and drop those of ``remove``, adjusting the
    document frequencies by the terms gained and lost. Inside the vocabulary lock."""
    counts = {document.pk: term_counts(document) for document in documents}
    names: dict[TermKey, str] = {}
    for document in documents:
        tags = tag_names(document)
        for kind, key in counts[document.pk]:
            names.setdefault((kind, key), tags[key] if kind == TAG else key)
    ids = _term_ids(names)

    touched = [*counts, *remove]
    old: dict[int, np.ndarray] = {}
    for chunk in _chunks(touched):
        for pk, blob in ArticleVector.objects.filter(pk__in=chunk).values_list("pk", "terms"):
            old[pk] = unpack(blob)[0]
    change: Counter[int] = Counter()
    for terms in counts.values():
        change.update(ids[key] for key in terms)
    for terms in old.values():
        change.subtract(int(term) for term in terms)

    involved = set(ids.values()) | {term for term, delta in change.items() if delta}
    frequency: dict[int, int] = {}
    kind_of: dict[int, str] = {}
    for chunk in _chunks(sorted(involved)):
        for pk, kind, value in Term.objects.filter(pk__in=chunk).values_list(
            "pk", "kind", "document_frequency"
        ):
            kind_of[pk] = kind
            frequency[pk] = value + change[pk]
    changed = [Term(pk=pk, document_frequency=frequency[pk]) for pk in frequency if change[pk] != 0]
    Term.objects.bulk_update(changed, ["document_frequency"], batch_size=WRITE_BATCH)

    size = (
        ArticleVector.objects.count() + len(counts.keys() - old.keys()) - len(remove & old.keys())
    )
    rows = []
    if counts:
        columns = sorted(set(ids.values()))
        column_of = {term: column for column, term in enumerate(columns)}
        indptr, indices, data = [0], [], []
        for terms in counts.values():
            for key, count in terms.items():
                indices.append(column_of[ids[key]])
                data.append(count)
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), indices, indptr),
            shape=(len(counts), len(columns)),
        )
        weighed = weigh(
            matrix,
            is_tag=np.array([kind_of[term] == TAG for term in columns], dtype=bool),
            # At least the article itself, whatever a concurrent rebuild left.
            document_frequency=np.maximum([frequency[term] for term in columns], 1),
            size=max(size, 1),
        )
        term_of_column = np.asarray(columns, dtype=np.int64)
        now = timezone.now()
        for row, pk in enumerate(counts):
            count_columns, count_values = _row(matrix, row)
            vector_columns, vector_values = _row(weighed, row)
            rows.append(
                ArticleVector(
                    article_id=pk,
                    terms=pack(term_of_column[count_columns], count_values),
                    vector=pack(term_of_column[vector_columns], vector_values),
                    computed_at=now,
                )
            )
    for chunk in _chunks(touched):
        ArticleVector.objects.filter(pk__in=chunk).delete()
    ArticleVector.objects.bulk_create(rows, batch_size=WRITE_BATCH)


def _term_ids(names: dict[TermKey, str]) -> dict[TermKey, int]:
    """The ids of these terms, adding those the vocabulary does not have yet."""
    ids = _find_terms(names)
    new = [
        Term(kind=kind, key=key, name=names[(kind, key)])
        for kind, key in names
        if (kind, key) not in ids
    ]
    if new:
        Term.objects.bulk_create(new, batch_size=WRITE_BATCH, ignore_conflicts=True)
        ids.update(_find_terms({(t.kind, t.key): t.name for t in new}))
    return ids


def _find_terms(keys: Iterable[TermKey]) -> dict[TermKey, int]:
    by_kind: dict[str, list[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, []).append(key)
    found: dict[TermKey, int] = {}
    for kind, words in by_kind.items():
        for chunk in _chunks(words):
            rows = Term.objects.filter(Q(kind=kind) & Q(key__in=chunk))
            found.update(((kind, key), pk) for key, pk in rows.values_list("key", "pk"))
    return found


def _lock_vocabulary() -> None:
    """Frequency updates one at a time. SQLite already runs write transactions one at a
    time (``transaction_mode`` IMMEDIATE in the settings); PostgreSQL takes a lock that the
    transaction's end releases."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_VOCABULARY_LOCK])


def _row(matrix: sparse.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    begin, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[begin:end], matrix.data[begin:end]


def _chunks(items: Sequence) -> Iterable[list]:
    items = list(items)
    for start in range(0, len(items), LOOKUP_BATCH):
        yield items[start : start + LOOKUP_BATCH]

"""Content similarity of articles: TF-IDF vectors and their nearest neighbours.

Plain documents in, neighbours out; no database here (services.py feeds and stores). Vectors
stay sparse and similarities are computed a chunk of rows at a time, so memory is bounded by
chunk × corpus, never corpus × corpus: a 100k-article rebuild is a sequence of small sparse
products, not one dense 100k × 100k matrix.

How two articles i and j are compared:

1. Content s(i, j): cosine of one vector per article made of two L2-normalised blocks, the
   text (TF-IDF over headline, standfirst and body; a headline word counts twice, since it
   says what the story is about) and the editors' tags (weighted, rarer tags weigh more).
2. Shared neighbours: short texts share few words, so two stories about the same thing can
   miss each other while sharing their closest neighbours. The score adds, for each of the
   ``GRAPH_NEIGHBOURS`` articles closest to i, how close it is to i times how close it is to
   j: s(i, j) + λ Σ_k t(i, k) t(k, j), t being s cut to each row's closest few. This lifts
   stories of the same topic and sinks those that share one stray word.
3. Section: sharing it lifts the score by a fifth. It tells near-ties apart; it never makes
   two stories similar on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

HEADLINE_REPEAT = 2
TAGS_WEIGHT = 0.7
SECTION_BOOST = 0.2
GRAPH_NEIGHBOURS = 10
SHARED_NEIGHBOURS_WEIGHT = 2.0
# Below this the likeness is noise: one shared common-ish word.
MIN_SCORE = 0.02
# Words of news reporting itself, common to every topic.
NEWS_STOP_WORDS = frozenset(
    {
        "said", "says", "say", "told", "added", "according", "reported", "reports", "warned",
        "new", "year", "years", "month", "months", "week", "weeks", "day", "days", "today",
        "yesterday", "percent", "cent", "time", "times",
    }
)  # fmt: skip
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | NEWS_STOP_WORDS)
# Terms found in more than this share of a large corpus say nothing about relatedness and
# make the sparse products dense; small corpora keep them (every term is rare there).
MAX_DOCUMENT_FREQUENCY = 0.5
LARGE_CORPUS = 200
# Each article keeps its heaviest terms only: they carry nearly all of its cosine with any
# other, and the long tail of light terms is what makes the sparse products slow.
KEYWORDS = 48
# Cells of the similarity matrix computed at once: bounds memory whatever the corpus size.
CHUNK_CELLS = 20_000_000
REASON_TERMS = 4
REASON_MAX_LENGTH = 255


@dataclass(frozen=True)
class Document:
    pk: int
    headline: str
    standfirst: str = ""
    body: str = ""
    tags: tuple[str, ...] = ()
    section: str = ""


@dataclass(frozen=True)
class Neighbour:
    pk: int
    score: float
    reason: str


class Corpus:
    """The vectorised corpus: build it once per run, then ask for neighbours of any rows."""

    def __init__(self, documents: Iterable[Document]):
        self.pks: list[int] = []
        self.headlines: list[str] = []
        tag_lists: list[list[str]] = []
        sections: list[str] = []
        self._tag_names: dict[str, str] = {}

        def texts() -> Iterator[str]:
            # One pass over the documents: they may be streamed from the database.
            for document in documents:
                self.pks.append(document.pk)
                self.headlines.append(document.headline)
                tags = []
                for tag in document.tags:
                    key = tag.strip().lower()
                    if key:
                        tags.append(key)
                        self._tag_names.setdefault(key, tag.strip())
                tag_lists.append(tags)
                sections.append(document.section)
                yield " ".join(
                    [document.headline] * HEADLINE_REPEAT + [document.standfirst, document.body]
                )

        text, has_text, self._terms = _text_block(texts())
        size = len(self.pks)
        if text is None:
            text, has_text = sparse.csr_matrix((size, 0), dtype=np.float32), np.zeros(size, bool)
        tags, self._tag_keys = _tag_block(tag_lists)
        has_tags = np.diff(tags.indptr) > 0
        # Each block is a unit vector (or empty); weighting and stacking them, then dividing
        # by the combined length, gives each article a unit vector again.
        length = np.sqrt(has_text + TAGS_WEIGHT**2 * has_tags).astype(np.float32)
        inverse = np.divide(1.0, length, out=np.zeros_like(length), where=length > 0)
        stacked = sparse.hstack([text, TAGS_WEIGHT * tags], format="csr", dtype=np.float32)
        self.matrix = (sparse.diags(inverse) @ stacked).tocsr()
        self._transposed = self.matrix.T.tocsr()
        self._text_columns = text.shape[1]
        names = {name: number for number, name in enumerate(dict.fromkeys(s for s in sections))}
        self._sections = list(names)
        self._section_of = np.array([names[s] if s else -1 for s in sections], dtype=np.int64)
        self._row_of = {pk: row for row, pk in enumerate(self.pks)}

    def __len__(self) -> int:
        return len(self.pks)

    def row_of(self, pk: int) -> int | None:
        return self._row_of.get(pk)

    def direct(self, rows: Sequence[int]) -> Iterator[tuple[np.ndarray, sparse.csr_matrix]]:
        """s(i, ·), the likeness of content, for the given rows, a chunk at a time: (rows of
        the chunk, their scores as a sparse matrix over the corpus), the row itself and noise
        left out."""
        chunk = max(1, min(1024, CHUNK_CELLS // max(len(self.pks), 1)))
        for start in range(0, len(rows), chunk):
            block = np.asarray(rows[start : start + chunk], dtype=np.int64)
            scores = (self.matrix[block] @ self._transposed).tocsr()
            row_ids = np.repeat(np.arange(len(block)), np.diff(scores.indptr))
            noise = (scores.data < MIN_SCORE) | (scores.indices == block[row_ids])
            scores.data[noise] = 0
            scores.eliminate_zeros()
            yield block, scores

    def _lift_shared_sections(self, block: np.ndarray, scores: sparse.csr_matrix) -> None:
        row_ids = np.repeat(np.arange(len(block)), np.diff(scores.indptr))
        sections = self._section_of[block][row_ids]
        same = (sections >= 0) & (sections == self._section_of[scores.indices])
        scores.data *= np.where(same, 1.0 + SECTION_BOOST, 1.0).astype(scores.data.dtype)

    def graph(self, rows: Sequence[int]) -> sparse.csr_matrix:
        """t: the direct scores of the given rows cut to their GRAPH_NEIGHBOURS best, as an
        n × n sparse matrix with only those rows filled."""
        size = len(self.pks)
        data, indices, row_of_entry = [], [], []
        for block, scores in self.direct(rows):
            for offset, row in enumerate(block):
                candidates, values = _row(scores, offset)
                top = _top(values, GRAPH_NEIGHBOURS)
                data.append(values[top])
                indices.append(candidates[top])
                row_of_entry.append(np.full(len(top), row, dtype=np.int64))
        if not data:
            return sparse.csr_matrix((size, size), dtype=np.float32)
        return sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(row_of_entry), np.concatenate(indices))),
            shape=(size, size),
            dtype=np.float32,
        )

    def neighbours(self, rows: Sequence[int], *, k: int) -> Iterator[tuple[int, list[Neighbour]]]:
        """The k most similar articles of each row's article, best first: (pk, neighbours).

        Two passes: the closest few of the rows and of their own closest few (the graph),
        then the scores with shared neighbours added."""
        rows = list(rows)
        graph = self.graph(rows)
        wanted = np.setdiff1d(graph.indices, np.asarray(rows, dtype=np.int64))
        if len(wanted):
            graph = graph + self.graph(wanted.tolist())
        pks = np.asarray(self.pks, dtype=np.int64)
        for block, direct in self.direct(rows):
            scores = (direct + SHARED_NEIGHBOURS_WEIGHT * (graph[block] @ graph)).tocsr()
            self._lift_shared_sections(block, scores)
            for offset, row in enumerate(block):
                candidates, values = _row(scores, offset)
                keep = (candidates != row) & (values >= MIN_SCORE)
                candidates, values = candidates[keep], values[keep]
                top = _top(values, k)
                candidates, values = candidates[top], values[top]
                # Best first; on equal scores the newer article (higher pk) first.
                order = np.lexsort((-pks[candidates], -values))
                candidates, values = candidates[order], values[order]
                vias = self._closest_shared_neighbours(int(row), candidates, graph)
                yield (
                    self.pks[row],
                    [
                        Neighbour(
                            pk=self.pks[other],
                            score=round(float(value), 6),
                            reason=self.reason(int(row), int(other), via=via),
                        )
                        for other, value, via in zip(candidates, values, vias, strict=True)
                    ],
                )

    def reason(self, row: int, other: int, *, via: int | None = None) -> str:
        """What the two articles have in common, for editors: the shared terms that weigh
        most, the shared tags, the shared section, the closest shared neighbour."""
        a_columns, a_weights = _row(self.matrix, row)
        b_columns, b_weights = _row(self.matrix, other)
        common, in_a, in_b = np.intersect1d(
            a_columns, b_columns, assume_unique=True, return_indices=True
        )
        order = np.argsort(-(a_weights[in_a] * b_weights[in_b]), kind="stable")
        terms, tags = [], []
        for column in common[order]:
            if column < self._text_columns:
                if len(terms) < REASON_TERMS:
                    terms.append(self._terms[column])
            else:
                tags.append(self._tag_names[self._tag_keys[column - self._text_columns]])
        parts = []
        if terms:
            parts.append("shared terms: " + ", ".join(terms))
        if tags:
            parts.append("shared tags: " + ", ".join(tags))
        section = self._section_of[row]
        if section >= 0 and section == self._section_of[other]:
            parts.append(f"same section: {self._sections[section]}")
        if via is not None:
            parts.append(f"both close to “{self.headlines[via]}”")
        text = "; ".join(parts)
        text = text[:1].upper() + text[1:]
        if len(text) > REASON_MAX_LENGTH:
            text = text[: REASON_MAX_LENGTH - 1] + "…"
        return text

    def _closest_shared_neighbours(
        self, row: int, others: np.ndarray, graph: sparse.csr_matrix
    ) -> list[int | None]:
        """For each of the others, the neighbour of ``row`` that links it most strongly to
        ``row`` (the largest t(row, k) t(k, other)), or None."""
        middles, weights = _row(graph, row)
        if not len(middles) or not len(others):
            return [None] * len(others)
        paths = (sparse.diags(weights) @ graph[middles][:, others]).toarray()
        paths[middles[:, None] == others[None, :]] = 0
        best = paths.argmax(axis=0)
        strength = paths[best, np.arange(len(others))]
        return [int(middles[b]) if w > 0 else None for b, w in zip(best, strength, strict=True)]


def _row(matrix: sparse.csr_matrix, offset: int) -> tuple[np.ndarray, np.ndarray]:
    begin, end = matrix.indptr[offset], matrix.indptr[offset + 1]
    return matrix.indices[begin:end], matrix.data[begin:end]


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest values (any order)."""
    if len(values) <= k:
        return np.arange(len(values))
    return np.argpartition(-values, k - 1)[:k]


def _text_block(
    texts: Iterable[str],
) -> tuple[sparse.csr_matrix | None, np.ndarray | None, list[str]]:
    counter = CountVectorizer(stop_words=STOP_WORDS, dtype=np.float32)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # raised once every text was read and none had a word to keep
        return None, None, []
    size = counts.shape[0]
    has_text = np.diff(counts.indptr) > 0
    # Normalised over all their words, so that the cosines are true ones...
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr()
    # ...then the columns that cannot matter are dropped: a term in one document only never
    # makes two similar, and one in most of a large corpus only costs time.
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = frequency >= 2
    if size >= LARGE_CORPUS:
        keep &= frequency <= MAX_DOCUMENT_FREQUENCY * size
    terms = counter.get_feature_names_out()[keep]
    return _heaviest(tfidf[:, keep].tocsr(), KEYWORDS), has_text, [str(term) for term in terms]


def _heaviest(matrix: sparse.csr_matrix, count: int) -> sparse.csr_matrix:
    """Each row cut to its ``count`` largest entries."""
    lengths = np.diff(matrix.indptr)
    if not len(lengths) or lengths.max() <= count:
        return matrix
    keep = np.ones(matrix.nnz, dtype=bool)
    for row in np.flatnonzero(lengths > count):
        begin, end = matrix.indptr[row], matrix.indptr[row + 1]
        light = np.argpartition(-matrix.data[begin:end], count - 1)[count:]
        keep[begin + light] = False
    matrix.data[~keep] = 0
    matrix.eliminate_zeros()
    return matrix


def _tag_block(tag_lists: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for tags in tag_lists:
        for tag in dict.fromkeys(tags):
            indices.append(vocabulary.setdefault(tag, len(vocabulary)))
        indptr.append(len(indices))
    counts = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr),
        shape=(len(tag_lists), len(vocabulary)),
    )
    if vocabulary:
        counts = TfidfTransformer().fit_transform(counts)
    return counts.astype(np.float32).tocsr(), list(vocabulary)

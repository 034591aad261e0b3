"""Content similarity of articles: TF-IDF vectors and their nearest neighbours.

Plain data in, neighbours out; no database here (vectors.py stores and loads, services.py
stores the lists). Vectors stay sparse and similarities are computed a chunk of rows at a
time, so memory is bounded by chunk × corpus, never corpus × corpus: a 100k-article rebuild
is a sequence of small sparse products, not one dense 100k × 100k matrix.

Vectors are made in two steps so that one article can be vectorised alone, against the
document frequencies of the rest kept in the database: ``term_counts`` (its words and tags,
nothing about the corpus), then ``weigh`` (the weights, given each term's document frequency
and the corpus size).

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

Articles of different language editions are never neighbours (a reader of the Korean
edition is shown Korean stories): each article's neighbours are found within its edition,
so a Korean article gets its full list of Korean ones. The document frequencies stay the
whole corpus's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
from scipy import sparse

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
# Terms found in more than this share of a large corpus say nothing about relatedness and
# make the sparse products dense; small corpora keep them (every term is rare there).
MAX_DOCUMENT_FREQUENCY = 0.5
LARGE_CORPUS = 200
# Each article keeps its heaviest terms only: they carry nearly all of its cosine with any
# other, and the long tail of light terms is what makes the sparse products slow.
KEYWORDS = 48
# Longer "words" are URLs or junk, and would not fit the stored vocabulary.
MAX_TERM_LENGTH = 100
# Cells of the similarity matrix computed at once: bounds memory whatever the corpus size.
CHUNK_CELLS = 20_000_000
REASON_TERMS = 4
REASON_MAX_LENGTH = 255

# The two kinds of terms, as stored (related.Term.kind).
WORD, TAG = "w", "t"
TermKey = tuple[str, str]  # (kind, key): a word, or a tag's lower-cased name


@cache
def _analyzer():
    """scikit-learn's word analyzer, built at first use: importing scikit-learn takes seconds,
    which every app server start (a restart after a crash, issue 24) would otherwise pay."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop_words = sorted(ENGLISH_STOP_WORDS | NEWS_STOP_WORDS)
    return CountVectorizer(stop_words=stop_words).build_analyzer()


def _words_of(text: str) -> list[str]:
    return _analyzer()(text)


@dataclass(frozen=True)
class Document:
    pk: int
    headline: str
    standfirst: str = ""
    body: str = ""
    tags: tuple[str, ...] = ()
    section: str = ""
    edition: Hashable = None  # its language edition (the locale): neighbours share it


@dataclass(frozen=True)
class Neighbour:
    pk: int
    score: float
    reason: str


def term_counts(document: Document) -> Counter[TermKey]:
    """The terms of one article with their counts: its words (a headline word counted
    ``HEADLINE_REPEAT`` times) and its tags (once each). Nothing here depends on the corpus."""
    text = " ".join([document.headline] * HEADLINE_REPEAT + [document.standfirst, document.body])
    counts = Counter((WORD, word) for word in _words_of(text) if len(word) <= MAX_TERM_LENGTH)
    for key in tag_names(document):
        counts[(TAG, key)] = 1
    return counts


def tag_names(document: Document) -> dict[str, str]:
    """The article's tags by key (lower-cased), with the name editors gave them."""
    names: dict[str, str] = {}
    for tag in document.tags:
        name = tag.strip()[:MAX_TERM_LENGTH]
        if name:
            names.setdefault(name.lower()[:MAX_TERM_LENGTH], name)
    return names


def weigh(
    counts: sparse.csr_matrix,
    *,
    is_tag: np.ndarray,
    document_frequency: np.ndarray,
    size: int,
) -> sparse.csr_matrix:
    """The unit vectors of the rows of ``counts`` (articles × terms), as float32.

    ``is_tag`` and ``document_frequency`` are per column; ``size`` is the number of articles
    in the corpus (the rows given may be a few of them, vectorised alone). Words weigh
    (1 + ln count) × idf and tags idf, with idf = ln((1 + size) / (1 + df)) + 1 (scikit-learn's
    smooth, sublinear TF-IDF); each block is normalised over all its terms, then the
    text block keeps its ``KEYWORDS`` heaviest words. Words of no other article yet (df ≤ 1)
    are kept as well: they cannot make two articles similar today, but they will once a new
    article shares them, and this vector is not recomputed then.
    """
    counts = counts.tocsr()
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    columns = counts.indices
    frequency = np.asarray(document_frequency, dtype=np.float64)[columns]
    tag = np.asarray(is_tag, dtype=bool)[columns]
    idf = np.log((1.0 + size) / (1.0 + frequency)) + 1.0
    data = np.asarray(counts.data, dtype=np.float64)
    weights = np.where(tag, 1.0, 1.0 + np.log(np.maximum(data, 1.0))) * idf

    word_norm = np.sqrt(np.bincount(rows[~tag], weights[~tag] ** 2, minlength=counts.shape[0]))
    tag_norm = np.sqrt(np.bincount(rows[tag], weights[tag] ** 2, minlength=counts.shape[0]))
    norm = np.where(tag, tag_norm[rows], word_norm[rows])
    weights = np.divide(weights, norm, out=np.zeros_like(weights), where=norm > 0)
    # Each block a unit vector (or empty); weighting and stacking them, then dividing by the
    # combined length, gives each article a unit vector again.
    length = np.sqrt((word_norm > 0) + TAGS_WEIGHT**2 * (tag_norm > 0))
    weights *= np.where(tag, TAGS_WEIGHT, 1.0) / np.where(length > 0, length, 1.0)[rows]

    # A term in one document only never makes two similar, and one in most of a large corpus
    # only costs time: the heaviest of the others are the article's keywords.
    telling = ~tag & (frequency >= 2)
    if size >= LARGE_CORPUS:
        telling &= frequency <= MAX_DOCUMENT_FREQUENCY * size
    order = np.lexsort((-weights, rows))  # by row, heaviest first
    ranked = order[telling[order]]
    first_of_row = np.searchsorted(rows[ranked], rows[ranked], side="left")
    keyword = np.zeros(len(weights), dtype=bool)
    keyword[ranked[np.arange(len(ranked)) - first_of_row < KEYWORDS]] = True
    keep = tag | keyword | (~tag & (frequency <= 1))
    return sparse.csr_matrix(
        (weights[keep].astype(np.float32), (rows[keep], columns[keep])),
        shape=counts.shape,
        dtype=np.float32,
    )


@dataclass
class CountedTerms:
    """Documents as a matrix of term counts (documents × terms), with what goes with it."""

    pks: list[int]
    headlines: dict[int, str]
    sections: list[str]
    editions: list[Hashable]
    keys: list[TermKey]  # of the columns
    names: list[tuple[str, str]]  # (kind, name as shown to editors) of the columns
    matrix: sparse.csr_matrix

    @property
    def is_tag(self) -> np.ndarray:
        return np.array([kind == TAG for kind, _ in self.keys], dtype=bool)

    @property
    def document_frequency(self) -> np.ndarray:
        return np.bincount(self.matrix.indices, minlength=len(self.keys))


def count_terms(documents: Iterable[Document]) -> CountedTerms:
    """The term counts of the documents, read once (they may be streamed from the database)."""
    pks: list[int] = []
    sections: list[str] = []
    editions: list[Hashable] = []
    headlines: dict[int, str] = {}
    vocabulary: dict[TermKey, int] = {}
    names: list[tuple[str, str]] = []
    indptr, indices, data = [0], [], []
    for document in documents:
        pks.append(document.pk)
        sections.append(document.section)
        editions.append(document.edition)
        headlines[document.pk] = document.headline
        tags = tag_names(document)
        for key, count in term_counts(document).items():
            column = vocabulary.setdefault(key, len(vocabulary))
            if column == len(names):
                kind, word = key
                names.append((kind, tags[word] if kind == TAG else word))
            indices.append(column)
            data.append(count)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(pks), len(vocabulary)),
    )
    return CountedTerms(pks, headlines, sections, editions, list(vocabulary), names, matrix)


class Labels(Protocol):
    """Names for the reasons shown to editors: of terms (by column), articles and sections."""

    def load(self, *, columns: Iterable[int], pks: Iterable[int], sections: Iterable) -> None:
        """Make the names of these ready (a batch, before they are asked for one by one)."""

    def term(self, column: int) -> tuple[str, str]:
        """(kind, name) of a column."""

    def headline(self, pk: int) -> str: ...

    def section(self, section: Hashable) -> str: ...


class NamesInMemory:
    def __init__(self, terms: Sequence[tuple[str, str]], headlines: Mapping[int, str]):
        self._terms = terms
        self._headlines = headlines

    def load(self, *, columns, pks, sections) -> None:
        pass

    def term(self, column: int) -> tuple[str, str]:
        return self._terms[column]

    def headline(self, pk: int) -> str:
        return self._headlines[pk]

    def section(self, section) -> str:
        return str(section)


class Corpus:
    """The vectorised corpus: build it once per run, then ask for neighbours of any rows.

    ``Corpus(documents)`` vectorises plain documents in memory; ``Corpus.of_vectors`` takes
    vectors already weighed (the stored ones)."""

    def __init__(self, documents: Iterable[Document]):
        counted = count_terms(documents)
        matrix = weigh(
            counted.matrix,
            is_tag=counted.is_tag,
            document_frequency=counted.document_frequency,
            size=len(counted.pks),
        )
        labels = NamesInMemory(counted.names, counted.headlines)
        self._setup(counted.pks, matrix, counted.sections, labels, counted.editions)

    @classmethod
    def of_vectors(
        cls,
        *,
        pks: Sequence[int],
        matrix: sparse.csr_matrix,
        sections: Sequence[Hashable],
        labels: Labels,
        editions: Sequence[Hashable] | None = None,
    ) -> Corpus:
        """The corpus of vectors made by ``weigh``: row i is article pks[i], in sections[i]
        (None or "" for none) and in the language edition editions[i] (None: all in one)."""
        corpus = cls.__new__(cls)
        corpus._setup(list(pks), matrix, list(sections), labels, editions)
        return corpus

    def _setup(self, pks, matrix, sections, labels: Labels, editions=None) -> None:
        self.pks: list[int] = pks
        self.matrix = matrix.astype(np.float32).tocsr()
        self.matrix.sort_indices()
        self._transposed = self.matrix.T.tocsr()
        self._labels = labels
        numbers = {name: number for number, name in enumerate(dict.fromkeys(sections))}
        self._sections = list(numbers)
        self._section_of = np.array(
            [numbers[s] if s not in (None, "") else -1 for s in sections], dtype=np.int64
        )
        self._row_of = {pk: row for row, pk in enumerate(self.pks)}
        numbered = {name: number for number, name in enumerate(dict.fromkeys(editions or []))}
        # One edition (a one-language site): nothing to keep apart, no mask to apply.
        self._edition_of = (
            np.array([numbered[e] for e in editions], dtype=np.int64) if len(numbered) > 1 else None
        )

    def __len__(self) -> int:
        return len(self.pks)

    def row_of(self, pk: int) -> int | None:
        return self._row_of.get(pk)

    def direct(self, rows: Sequence[int]) -> Iterator[tuple[np.ndarray, sparse.csr_matrix]]:
        """s(i, ·), the likeness of content, for the given rows, a chunk at a time: (rows of
        the chunk, their scores as a sparse matrix over the corpus), the row itself, noise
        and the articles of other editions left out."""
        chunk = max(1, min(1024, CHUNK_CELLS // max(len(self.pks), 1)))
        for start in range(0, len(rows), chunk):
            block = np.asarray(rows[start : start + chunk], dtype=np.int64)
            scores = (self.matrix[block] @ self._transposed).tocsr()
            row_ids = np.repeat(np.arange(len(block)), np.diff(scores.indptr))
            noise = (scores.data < MIN_SCORE) | (scores.indices == block[row_ids])
            if self._edition_of is not None:
                noise |= self._edition_of[block][row_ids] != self._edition_of[scores.indices]
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
            chosen = []
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
                shared = [self._shared_columns(int(row), int(other)) for other in candidates]
                chosen.append((int(row), candidates, values, vias, shared))
            self._load_labels(chosen)
            for row, candidates, values, vias, shared in chosen:
                yield (
                    self.pks[row],
                    [
                        Neighbour(
                            pk=self.pks[other],
                            score=round(float(value), 6),
                            reason=self._reason(row, int(other), columns, via=via),
                        )
                        for other, value, via, columns in zip(
                            candidates, values, vias, shared, strict=True
                        )
                    ],
                )

    def reason(self, row: int, other: int, *, via: int | None = None) -> str:
        """What the two articles have in common, for editors: the shared terms that weigh
        most, the shared tags, the shared section, the closest shared neighbour."""
        columns = self._shared_columns(row, other)
        self._load_labels([(row, [other], [], [via], [columns])])
        return self._reason(row, other, columns, via=via)

    def _shared_columns(self, row: int, other: int) -> np.ndarray:
        """The columns the two rows share, heaviest product first."""
        a_columns, a_weights = _row(self.matrix, row)
        b_columns, b_weights = _row(self.matrix, other)
        common, in_a, in_b = np.intersect1d(
            a_columns, b_columns, assume_unique=True, return_indices=True
        )
        return common[np.argsort(-(a_weights[in_a] * b_weights[in_b]), kind="stable")]

    def _load_labels(self, chosen) -> None:
        columns, pks, sections = set(), set(), set()
        for row, _candidates, _values, vias, shared in chosen:
            for column_list in shared:
                columns.update(int(c) for c in column_list)
            pks.update(self.pks[via] for via in vias if via is not None)
            if self._section_of[row] >= 0:
                sections.add(self._sections[self._section_of[row]])
        self._labels.load(columns=columns, pks=pks, sections=sections)

    def _reason(self, row: int, other: int, columns: np.ndarray, *, via: int | None) -> str:
        terms, tags = [], []
        for column in columns:
            kind, name = self._labels.term(int(column))
            if kind == TAG:
                tags.append(name)
            elif len(terms) < REASON_TERMS:
                terms.append(name)
        parts = []
        if terms:
            parts.append("shared terms: " + ", ".join(terms))
        if tags:
            parts.append("shared tags: " + ", ".join(tags))
        section = self._section_of[row]
        if section >= 0 and section == self._section_of[other]:
            parts.append(f"same section: {self._labels.section(self._sections[section])}")
        if via is not None:
            parts.append(f"both close to “{self._labels.headline(self.pks[via])}”")
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

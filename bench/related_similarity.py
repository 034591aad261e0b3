"""How long the "You May Also Like" similarity takes on a large made-up corpus.

    .venv/bin/python bench/related_similarity.py [ARTICLES] [WORDS_PER_ARTICLE]

Builds ARTICLES (default 100,000) synthetic articles of WORDS_PER_ARTICLE (default 300)
words: each draws from a few of 500 topics with a Zipf-shaped vocabulary of 60,000 words,
as news text does. Then times what `rebuild_related` and the publish task do with it,
without the database: vectorising the corpus, all neighbours (chunked sparse products), and
one article's refresh. Prints times and the peak memory of the process.
"""

import resource
import sys
import time

import numpy as np

from gazette.related.similarity import Corpus, Document

VOCABULARY = 60_000
TOPICS = 500


def corpus(size: int, words: int, seed: int = 0):
    random = np.random.default_rng(seed)
    names = np.array([f"w{n}" for n in range(VOCABULARY)])
    common = 1.0 / np.arange(1, VOCABULARY + 1)  # Zipf background vocabulary
    cumulative = np.cumsum(common / common.sum())
    topic_words = [random.choice(VOCABULARY, 40, replace=False) for _ in range(TOPICS)]
    for pk in range(1, size + 1):
        topics = random.choice(TOPICS, 2, replace=False)
        background = np.searchsorted(cumulative, random.random(words))
        topical = np.concatenate([random.choice(topic_words[t], words // 6) for t in topics])
        text = " ".join(names[np.concatenate([background, topical])])
        yield Document(
            pk=pk,
            headline=" ".join(names[random.choice(topic_words[topics[0]], 8)]),
            body=text,
            tags=(f"tag{topics[0]}",),
            section=f"section{topics[0] % 8}",
        )


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    words = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    documents = list(corpus(size, words))
    started = time.perf_counter()
    built = Corpus(documents)
    vectorised = time.perf_counter()
    print(
        f"{size} articles: vectorised in {vectorised - started:.1f} s "
        f"({built.matrix.shape[1]} columns, {built.matrix.nnz} non-zeros)"
    )
    one = time.perf_counter()
    list(built.neighbours([size // 2], k=10))
    print(f"one article's list: {time.perf_counter() - one:.2f} s")
    sample = min(size, 2_000)
    timed = time.perf_counter()
    links = sum(len(n) for _, n in built.neighbours(range(sample), k=10))
    per_article = (time.perf_counter() - timed) / sample
    print(
        f"{sample} lists: {per_article * 1000:.1f} ms each ({links} links); "
        f"all {size}: about {per_article * size / 60:.1f} min"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()

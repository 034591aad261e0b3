"""The similarity itself, on plain documents: no database."""

from gazette.related import similarity
from gazette.related.similarity import Corpus, Document

from .corpus import SECTIONS, STORIES


def _documents():
    return [
        Document(pk=n, headline=headline, body=body, tags=tags, section=SECTIONS[n % 3])
        for n, (_topic, headline, body, tags) in enumerate(STORIES, start=1)
    ]


def test_chunks_bound_the_work_and_change_nothing(monkeypatch):
    expected = dict(Corpus(_documents()).neighbours(range(30), k=5))

    # Three rows at a time: never more than 3 × 30 cells of the similarity at once.
    monkeypatch.setattr(similarity, "CHUNK_CELLS", 3 * 30)
    corpus = Corpus(_documents())
    blocks = [len(block) for block, _ in corpus.direct(range(30))]
    assert max(blocks) == 3 and sum(blocks) == 30
    assert dict(corpus.neighbours(range(30), k=5)) == expected


def test_a_shared_section_alone_makes_nothing_similar():
    corpus = Corpus(
        [
            Document(pk=1, headline="Harbour bridge reopens", section="World"),
            Document(pk=2, headline="Orchestra tours Japan", section="World"),
            Document(pk=3, headline="Harbour bridge tolls rise", section="Business"),
        ]
    )
    lists = dict(corpus.neighbours(range(3), k=5))
    assert [n.pk for n in lists[1]] == [3]
    assert lists[2] == []


def test_the_section_breaks_near_ties():
    corpus = Corpus(
        [
            Document(pk=1, headline="Harbour bridge reopens", section="World"),
            Document(pk=2, headline="Harbour bridge reopens", section="Business"),
            Document(pk=3, headline="Harbour bridge reopens", section="World"),
        ]
    )
    assert [n.pk for n in dict(corpus.neighbours([0], k=5))[1]] == [3, 2]


def test_the_reason_names_shared_terms_tags_and_section():
    corpus = Corpus(
        [
            Document(
                pk=1,
                headline="Ceasefire talks resume in Cairo",
                body="Negotiators met for ceasefire talks.",
                tags=("Middle East",),
                section="World",
            ),
            Document(
                pk=2,
                headline="Ceasefire holds as talks go on",
                body="The ceasefire held overnight.",
                tags=("middle east", "Diplomacy"),
                section="World",
            ),
            Document(pk=3, headline="Cup final tickets sell out", section="Sport"),
        ]
    )
    [neighbour] = dict(corpus.neighbours([0], k=5))[1]
    assert neighbour.pk == 2 and 0 < neighbour.score <= 1.5
    assert neighbour.reason.startswith("Shared terms: ceasefire, talks")
    assert "shared tags: Middle East" in neighbour.reason
    assert "same section: World" in neighbour.reason


def test_a_corpus_without_words_has_no_neighbours():
    assert list(Corpus([]).neighbours([], k=5)) == []
    corpus = Corpus([Document(pk=1, headline="The"), Document(pk=2, headline="and the")])
    assert dict(corpus.neighbours(range(2), k=5)) == {1: [], 2: []}

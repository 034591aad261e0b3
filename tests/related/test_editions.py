"""Similar articles within a language edition (gazette.related.similarity): a Korean story's
neighbours are Korean stories, computed so, not filtered at display; a Korean story gets its
full five when five exist, however close the English stories are."""

import pytest

from gazette.related.models import SimilarArticle
from gazette.related.queries import related_reading
from gazette.related.services import rebuild_related, refresh_related
from gazette.related.similarity import Corpus, Document
from tests.conftest import translate
from tests.factories import ArticleFactory

FIRE_WORDS = ["wildfire", "smoke", "evacuation", "crews", "flames", "ridge", "drought", "ember"]


def _fire_text(n: int) -> str:
    # Each story a different mix of the same vocabulary: all close to each other.
    words = FIRE_WORDS[n % 3 :] + FIRE_WORDS[: n % 3]
    return " ".join(words[:6]) + f" county{n}"


def test_the_corpus_keeps_neighbours_within_an_edition():
    english = [
        Document(pk=n, headline=_fire_text(n), body=_fire_text(n), edition="en") for n in range(12)
    ]
    # Korean stories that quote the English wire copy: closer to the English than to each other.
    korean = [
        Document(pk=100 + n, headline=f"산불 대피 {n}", body=_fire_text(n), edition="ko")
        for n in range(6)
    ]
    corpus = Corpus(english + korean)
    lists = dict(corpus.neighbours(range(len(corpus)), k=10))
    for pk in range(100, 106):
        assert {n.pk for n in lists[pk]} == {100 + n for n in range(6)} - {pk}
    for pk in range(12):
        assert all(n.pk < 100 for n in lists[pk]) and len(lists[pk]) == 10
    # One edition: the same lists as with no editions named.
    alone = Corpus([Document(d.pk, d.headline, body=d.body) for d in english])
    same = Corpus(english)
    assert dict(alone.neighbours(range(12), k=5)) == dict(same.neighbours(range(12), k=5))


@pytest.fixture
def fires(editions):
    english = [
        ArticleFactory(
            title=f"Wildfire report {n}",
            slug=f"fire-{n}",
            parent=editions["world"],
            standfirst="",
            body=[("paragraph", f"<p>{_fire_text(n)}</p>")],
        )
        for n in range(12)
    ]
    # Translated through the admin's Translate action: the headline in Korean, the body
    # still the English copy (quotes, names) — the closest stories to it are English.
    korean = [
        translate(story, editions["korean"], title=f"산불 보도 {n}")
        for n, story in enumerate(english[:6])
    ]
    return english, korean


def _stored(article) -> list[int]:
    return list(
        SimilarArticle.objects.filter(article=article)
        .order_by("rank")
        .values_list("similar_id", flat=True)
    )


def test_a_rebuild_gives_a_korean_story_its_five_korean_neighbours(fires, db):
    english, korean = fires
    rebuild_related()
    korean_pks = {story.pk for story in korean}
    for story in korean:
        assert set(_stored(story)) == korean_pks - {story.pk}
        shown = list(related_reading(story))
        assert {a.pk for a in shown} == korean_pks - {story.pk} and len(shown) == 5
    for story in english:
        stored = _stored(story)
        assert len(stored) == 10 and not set(stored) & korean_pks


def test_publishing_a_korean_story_lists_it_among_korean_ones_only(fires, editions, db):
    english, korean = fires
    rebuild_related()
    latest = translate(english[6], editions["korean"], title="산불 보도 6")
    refresh_related(article_id=latest.pk)
    korean_pks = {story.pk for story in korean} | {latest.pk}
    assert set(_stored(latest)) <= korean_pks and len(_stored(latest)) == 6
    assert all(latest.pk not in _stored(story) for story in english)
    assert all(latest.pk in _stored(story) for story in korean)

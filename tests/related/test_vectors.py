"""The stored vectors: publishing vectorises one article, the document frequencies stay
exact through publishing, changing, unpublishing and deleting, and the lists built one
publish at a time pass the same bar as a rebuild."""

from collections import Counter

import pytest

from gazette.news.models import ArticlePage
from gazette.related import vectors
from gazette.related.documents import documents_of
from gazette.related.models import ArticleVector, SimilarArticle, Term
from gazette.related.queries import readable_articles, you_may_also_like
from gazette.related.services import rebuild_related, refresh_related
from gazette.related.similarity import term_counts

from .corpus import STORIES, build_corpus

pytestmark = pytest.mark.django_db


def _stored_frequencies():
    return {
        (kind, key): frequency
        for kind, key, frequency in Term.objects.filter(document_frequency__gt=0).values_list(
            "kind", "key", "document_frequency"
        )
    }


def _exact_frequencies():
    exact = Counter()
    for document in documents_of(readable_articles()):
        exact.update(term_counts(document).keys())
    return dict(exact)


def _lists():
    return {
        (row.article_id, row.similar_id): (row.rank, row.score, row.reason)
        for row in SimilarArticle.objects.all()
    }


def test_frequencies_stay_exact_through_publish_change_unpublish_and_delete(home):
    build_corpus(home, STORIES[:9])
    articles = list(ArticlePage.objects.order_by("pk"))
    refresh_related(article_id=articles[0].pk)  # vectorises all nine, none had a vector
    assert ArticleVector.objects.count() == 9
    assert _stored_frequencies() == _exact_frequencies()

    changed = articles[1]
    changed.title, changed.body = "Cup final", [("paragraph", "<p>A late goal won it.</p>")]
    changed.save_revision().publish()
    refresh_related(article_id=changed.pk)
    assert _stored_frequencies() == _exact_frequencies()
    assert ("w", "goal") in _stored_frequencies()

    articles[2].unpublish()
    refresh_related(article_id=articles[2].pk)
    assert not ArticleVector.objects.filter(article=articles[2]).exists()
    assert _stored_frequencies() == _exact_frequencies()

    articles[3].delete()
    assert ArticleVector.objects.count() == 7
    assert _stored_frequencies() == _exact_frequencies()


def test_a_publish_vectorises_that_article_only_and_changes_nothing_else(home, monkeypatch):
    build_corpus(home, STORIES[:12])
    rebuild_related()
    before = _lists()
    vectorised = []

    def counting(document):
        vectorised.append(document.pk)
        return term_counts(document)

    monkeypatch.setattr(vectors, "term_counts", counting)
    article = ArticlePage.objects.order_by("pk")[4]
    refresh_related(article_id=article.pk)

    assert vectorised == [article.pk]
    assert _lists() == before  # the same vector as the rebuild's: the same lists


def test_bar_holds_when_the_lists_are_built_one_publish_at_a_time(home):
    """The 30-article bar of test_you_may_also_like, with no rebuild: each article published
    in turn and only its refresh run, as the task does."""
    topic_of = build_corpus(home, after_each=lambda article: refresh_related(article_id=article.pk))
    assert ArticleVector.objects.count() == 30

    for article in ArticlePage.objects.filter(pk__in=topic_of):
        shown = you_may_also_like(article)
        assert len(shown) == 5
        same = [a for a in shown if topic_of[a.pk] == topic_of[article.pk]]
        assert len(same) >= 4, (article.title, [a.title for a in shown])

"""One article lifecycle: unpublishing, deleting, moving and a view restriction each reach every
feature that subscribes to news's article events: the page-cache purge, site search, You
May Also Like, Popular Now and the shared parts of reader pages. Seen through what each
feature shows afterwards, not through its internals."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from wagtail.models import PageViewRestriction

from gazette.analytics.counters import hour_of
from gazette.analytics.queries import POPULAR_NOW, popular_now
from gazette.analytics.services import write_batch
from gazette.core.shared_parts import SHARED_PARTS
from gazette.news import lifecycle
from gazette.news.models import ArticlePage
from gazette.related.queries import LISTS, you_may_also_like
from gazette.search.models import ArticleSearchEntry
from gazette.search.queries import SearchFilters, search_articles
from gazette.search.terms import parse_terms
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

WORD = "quokka"  # only the article under watch says it


@pytest.fixture
def newsroom(home, django_capture_on_commit_callbacks):
    """The watched article and a neighbour in World, both read and listed everywhere."""
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        neighbour = ArticleFactory(parent=world, title="Neighbour", first_published_at=now)
        watched = ArticleFactory(
            parent=world,
            title="Watched",
            slug="watched",
            body=[("paragraph", f"<p>A {WORD} was seen.</p>")],
            first_published_at=now,
        )
    write_batch({(watched.pk, hour_of(now)): 50, (neighbour.pk, hour_of(now)): 10})
    return {"world": world, "sport": sport, "watched": watched, "neighbour": neighbour}


def _what_readers_see(newsroom) -> dict:
    """Every feature's view of the watched article, read through their caches."""
    from gazette.news.models import shared_latest_in_section

    watched, neighbour = newsroom["watched"], newsroom["neighbour"]
    found = search_articles(terms=parse_terms(WORD), filters=SearchFilters())
    return {
        "search": [article.pk for article in found[:10]],
        "related": [article.pk for article in you_may_also_like(neighbour)],
        "popular": [article.pk for article in popular_now()],
        "latest": [
            article.pk
            for article in shared_latest_in_section(None, newsroom["world"].pk, excluding=0)
        ],
        "entry": (
            ArticleSearchEntry.objects.filter(article_id=watched.pk).exists()
            if connection.vendor == "postgresql"
            else None
        ),
    }


def _unpublish(newsroom):
    newsroom["watched"].unpublish()


def _delete(newsroom):
    ArticlePage.objects.get(pk=newsroom["watched"].pk).delete()


def _restrict(newsroom):
    PageViewRestriction.objects.create(page=newsroom["watched"], restriction_type="login")


def _move(newsroom):
    newsroom["watched"].move(newsroom["sport"], pos="last-child")


@pytest.mark.parametrize("change", [_unpublish, _delete, _restrict], ids=lambda f: f.__name__)
def test_a_story_leaving_the_readers_leaves_every_feature(
    newsroom, purged, change, django_capture_on_commit_callbacks
):
    watched = newsroom["watched"]
    before = _what_readers_see(newsroom)  # and now cached
    assert watched.pk in before["search"] and watched.pk in before["related"]
    assert watched.pk in before["popular"] and watched.pk in before["latest"]
    assert before["entry"] in (True, None)
    purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change(newsroom)

    after = _what_readers_see(newsroom)
    for feature in ("search", "related", "popular", "latest"):
        assert watched.pk not in after[feature], feature
    assert after["entry"] in (False, None)
    assert "http://localhost/world/watched/" in purged


def test_a_moved_story_moves_in_every_feature(newsroom, purged, django_capture_on_commit_callbacks):
    from gazette.news.models import shared_latest_in_section

    watched, sport = newsroom["watched"], newsroom["sport"]
    before = _what_readers_see(newsroom)
    assert watched.pk in before["related"] and watched.pk in before["latest"]
    assert not shared_latest_in_section(None, sport.pk, excluding=0)
    caches = (SHARED_PARTS, LISTS, POPULAR_NOW)
    generations_before = [cache.get(each.generation_key) for each in caches]
    purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _move(newsroom)

    after = _what_readers_see(newsroom)
    # Every cached list that may show it is computed again (it may stay in the neighbour's
    # You May Also Like: as a similar story, not as the newest of its section)...
    assert all(
        cache.get(each.generation_key) != before
        for each, before in zip(caches, generations_before, strict=True)
    )
    # ...it is no longer among World's latest but Sport's, still found and counted.
    assert watched.pk not in after["latest"]
    assert [a.pk for a in shared_latest_in_section(None, sport.pk, excluding=0)] == [watched.pk]
    assert watched.pk in after["search"] and watched.pk in after["popular"]
    assert ArticlePage.objects.get(pk=watched.pk).section_id == sport.pk
    if connection.vendor == "postgresql":
        assert ArticleSearchEntry.objects.get(article_id=watched.pk).section_id == sport.pk
    assert {"http://localhost/world/", "http://localhost/sport/watched/"} <= set(purged)


def test_events_wait_for_the_commit_and_are_dropped_on_rollback(
    newsroom, django_capture_on_commit_callbacks
):
    from django.db import transaction

    heard = []

    def listener(sender, article_id, **kwargs):
        heard.append(article_id)

    lifecycle.article_left_readers.connect(listener, dispatch_uid="test-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                newsroom["watched"].unpublish()
                raise RuntimeError("the editor's change is rolled back")
            assert heard == []  # not before the commit
        assert heard == []  # nor after it: the change never happened
        assert ArticlePage.objects.get(pk=newsroom["watched"].pk).live

        with django_capture_on_commit_callbacks(execute=True):
            newsroom["neighbour"].unpublish()
            assert heard == []
        assert heard == [newsroom["neighbour"].pk]
    finally:
        lifecycle.article_left_readers.disconnect(dispatch_uid="test-listener")

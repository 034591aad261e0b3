"""Publishing, unpublishing or retagging a story purges the topic pages and feeds it touches
(those it carried before a retag too); a rename or a merge purges the topic's old and new
addresses and its stories' pages."""

import pytest
from taggit.models import Tag

from gazette.topics.services import merge_topics, update_topic
from tests.factories import ArticleFactory, SectionFactory, retag
from tests.news.test_purge import ROOT, RecordingBackend, all_urls

pytestmark = pytest.mark.django_db


def topic_urls(slug: str) -> set[str]:
    return {
        f"{ROOT}/topics/{slug}/",
        f"{ROOT}/feeds/topics/{slug}/rss.xml",
        f"{ROOT}/feeds/topics/{slug}/atom.xml",
    }


@pytest.fixture
def purged(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "recorder": {"BACKEND": "tests.news.test_purge.RecordingBackend"},
    }
    RecordingBackend.batches = []
    return RecordingBackend.batches


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def test_publishing_purges_its_topics_pages_and_feeds(
    purged, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(parent=world, tags=["Climate", "Energy"])
    urls = all_urls(purged)
    assert topic_urls("climate") | topic_urls("energy") <= urls
    assert {f"{ROOT}/topics/", f"{ROOT}/sitemaps/topics.xml"} <= urls


def test_retagging_purges_the_topics_before_and_after(
    purged, world, django_capture_on_commit_callbacks
):
    story = ArticleFactory(parent=world, tags=["Climate", "Energy"])
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retag(story, ["Energy", "Water"])
    urls = all_urls(purged)
    assert topic_urls("climate") | topic_urls("energy") | topic_urls("water") <= urls


def test_unpublishing_purges_its_topics(purged, world, django_capture_on_commit_callbacks):
    story = ArticleFactory(parent=world, tags=["Climate"])
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    assert topic_urls("climate") <= all_urls(purged)


def test_deleting_purges_its_topics(purged, world, django_capture_on_commit_callbacks):
    story = ArticleFactory(parent=world, tags=["Climate"])
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        story.delete()
    assert topic_urls("climate") <= all_urls(purged)


def test_renaming_purges_the_old_and_new_addresses_and_the_stories(
    purged, world, django_capture_on_commit_callbacks
):
    story = ArticleFactory(parent=world, slug="warm", tags=["Climate"])
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_topic(tag=Tag.objects.get(name="Climate"), name="Climate crisis")
    urls = all_urls(purged)
    assert topic_urls("climate") | topic_urls("climate-crisis") <= urls
    assert f"{ROOT}/world/warm/" in urls and story.live


def test_merging_purges_both_topics_and_the_moved_stories(
    purged, world, django_capture_on_commit_callbacks
):
    ArticleFactory(parent=world, slug="moved", tags=["Warming"])
    ArticleFactory(parent=world, slug="stays", tags=["Climate"])
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merge_topics(source=Tag.objects.get(name="Warming"), target=Tag.objects.get(name="Climate"))
    urls = all_urls(purged)
    assert topic_urls("warming") | topic_urls("climate") <= urls
    assert f"{ROOT}/world/moved/" in urls
    assert f"{ROOT}/world/stays/" not in urls  # its page did not change

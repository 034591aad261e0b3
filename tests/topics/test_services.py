"""Renaming and merging topics: old addresses answer 301, stories (drafts and scheduled
versions too) follow the merge, and conflicts are refused with a clear message."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from taggit.models import Tag

from gazette.news.models import ArticlePage, ArticlePageTag
from gazette.topics.models import Topic, TopicRedirect
from gazette.topics.services import merge_topics, update_topic
from tests.factories import ArticleFactory, SectionFactory, retag

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def _tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def _names(article) -> list[str]:
    return sorted(
        ArticlePageTag.objects.filter(content_object=article).values_list("tag__name", flat=True)
    )


def test_a_renamed_topic_answers_at_its_new_address_and_301_at_the_old(world, client):
    ArticleFactory(parent=world, title="Story", tags=["Climate"])
    update_topic(tag=_tag("Climate"), name="Climate crisis", description="The warming world.")

    response = client.get("/topics/climate/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/topics/climate-crisis/?page=2"
    html = client.get("/topics/climate-crisis/").content.decode()
    assert "<h1>Climate crisis</h1>" in html and "The warming world." in html
    feed = client.get("/feeds/topics/climate/rss.xml")
    assert feed.status_code == 301 and feed["Location"] == "/feeds/topics/climate-crisis/rss.xml"
    atom = client.get("/feeds/topics/climate/atom.xml")
    assert atom["Location"] == "/feeds/topics/climate-crisis/atom.xml"


def test_renaming_back_and_forth_keeps_every_old_address(world, client):
    ArticleFactory(parent=world, tags=["Climate"])
    tag = update_topic(tag=_tag("Climate"), name="Climate crisis")
    tag = update_topic(tag=tag, name="Climate emergency")
    assert client.get("/topics/climate/")["Location"] == "/topics/climate-emergency/"
    assert client.get("/topics/climate-crisis/")["Location"] == "/topics/climate-emergency/"
    update_topic(tag=tag, name="Climate")  # its first address is its own again
    assert client.get("/topics/climate/").status_code == 200
    assert not TopicRedirect.objects.filter(old_slug="climate").exists()


def test_a_description_alone_keeps_the_address(world):
    ArticleFactory(parent=world, tags=["Climate"])
    update_topic(tag=_tag("Climate"), name="Climate", description="  About the weather.  ")
    assert Topic.objects.get(tag__slug="climate").description == "About the weather."
    assert not TopicRedirect.objects.exists()


def test_a_rename_onto_another_topic_is_refused_with_a_clear_message(world):
    ArticleFactory(parent=world, tags=["Climate", "Energy"])
    with pytest.raises(ValidationError) as error:
        update_topic(tag=_tag("Energy"), name="climate")
    assert "merge the two" in str(error.value)
    with pytest.raises(ValidationError, match="address"):
        update_topic(tag=_tag("Energy"), name="Power", slug="climate")
    with pytest.raises(ValidationError, match="needs a name"):
        update_topic(tag=_tag("Energy"), name="   ")
    assert _tag("Energy").slug == "energy"


def test_a_new_topic_may_take_an_old_address_and_wins_it(world, client):
    ArticleFactory(parent=world, title="First", tags=["Climate"])
    update_topic(tag=_tag("Climate"), name="Climate crisis")
    ArticleFactory(parent=world, title="Second", tags=["Climate"])  # typed again, a new topic
    html = client.get("/topics/climate/").content.decode()
    assert "Second" in html and "First" not in html


def test_merging_moves_every_story_and_sends_the_old_addresses_on(world, client):
    both = ArticleFactory(parent=world, title="Both", tags=["Global warming", "Climate"])
    only = ArticleFactory(parent=world, title="Only", tags=["Global warming"])
    update_topic(tag=_tag("Global warming"), name="Warming")  # an old slug of its own
    merge_topics(source=_tag("Warming"), target=_tag("Climate"))

    assert not Tag.objects.filter(name="Warming").exists()
    assert _names(both) == ["Climate"] and _names(only) == ["Climate"]
    for old in ("warming", "global-warming"):
        assert client.get(f"/topics/{old}/")["Location"] == "/topics/climate/"
    html = client.get("/topics/climate/").content.decode()
    assert "Both" in html and "Only" in html and "2 stories" in html


def test_a_merge_reaches_drafts_and_scheduled_versions(world, client):
    draft_only = ArticleFactory(parent=world, title="Never published", live=False)
    draft_only = retag(draft_only, ["Warming"], publish=False)
    live = ArticleFactory(parent=world, title="Live with a draft", tags=["Climate"])
    retag(live, ["Warming", "Climate"], publish=False)  # the draft adds the topic
    scheduled = ArticleFactory(parent=world, title="Scheduled", tags=["Climate"])
    page = scheduled.get_latest_revision_as_object()
    page.tags.set(["Warming"])
    page.go_live_at = timezone.now() + timedelta(hours=1)
    page.save_revision().publish()  # scheduled: the live version keeps "Climate" until then

    merge_topics(source=_tag("Warming"), target=_tag("Climate"))

    for story in (draft_only, live):
        opened = ArticlePage.objects.get(pk=story.pk).get_latest_revision_as_object()
        assert [tag.name for tag in opened.tags.all()] == ["Climate"], story.title
    scheduled_revision = (
        ArticlePage.objects.get(pk=scheduled.pk).revisions.exclude(approved_go_live_at=None).get()
    )
    assert scheduled_revision.content["tagged_items"][0]["tag"] == _tag("Climate").pk
    # Publishing the draft keeps the topic: it was not dropped with the merged tag.
    page = ArticlePage.objects.get(pk=live.pk).get_latest_revision_as_object()
    page.save_revision().publish()
    assert _names(live) == ["Climate"]


def test_a_topic_cannot_be_merged_into_itself(world):
    ArticleFactory(parent=world, tags=["Climate"])
    with pytest.raises(ValidationError):
        merge_topics(source=_tag("Climate"), target=_tag("Climate"))


def test_merging_keeps_the_description_the_target_lacks(world):
    ArticleFactory(parent=world, tags=["Climate", "Warming"])
    update_topic(tag=_tag("Warming"), name="Warming", description="Hotter every year.")
    merge_topics(source=_tag("Warming"), target=_tag("Climate"))
    assert Topic.objects.get(tag__name="Climate").description == "Hotter every year."


def test_merging_a_merged_topic_again_repoints_its_old_addresses(world, client):
    ArticleFactory(parent=world, tags=["A", "B", "C"])
    merge_topics(source=_tag("A"), target=_tag("B"))
    merge_topics(source=_tag("B"), target=_tag("C"))
    assert client.get("/topics/a/")["Location"] == "/topics/c/"
    assert client.get("/topics/b/")["Location"] == "/topics/c/"
